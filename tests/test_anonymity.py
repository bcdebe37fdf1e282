"""Anonymity is part of the product: checked over every built file."""

from pathlib import Path

import pandas as pd
from conftest import ROOT

from compendium.outputs.disclosure import scan


def built_files():
    return [
        p for folder in ("figures", "reports") for p in (ROOT / folder).rglob("*") if p.is_file()
    ]


def test_no_output_pairs_a_participant_code_with_group_role_or_mode():
    found = scan(built_files())
    assert not found, "\n".join(
        f"{d.path}:{d.record}: {d.identifier} beside {d.attribute}" for d in found[:20]
    )


def test_scanner_catches_a_leak(tmp_path):
    leak = tmp_path / "leak.csv"
    leak.write_text("participant,group\nP41,G1\n")
    other = tmp_path / "fine.csv"
    other.write_text("participant,location\nP41,T1A\n")
    line = tmp_path / "leak.html"
    line.write_text("<td>S07</td><td>in person</td>\n")
    found = scan([leak, other, line])
    assert [(Path(d.path).name, d.record) for d in found] == [("leak.csv", 2), ("leak.html", 1)]


def test_no_synthetic_participant_is_named_in_any_output():
    roster = pd.read_csv(ROOT / "data" / "coded" / "surrogate" / "participants.csv", dtype=str)
    ids = set(roster["participant_id"])
    import re

    pattern = re.compile(r"\bS\d{2}\b")
    for path in built_files():
        if path.suffix in {".png", ".pdf"}:  # binary: checked through their sources (SVG, HTML)
            continue
        hits = set(pattern.findall(path.read_text(encoding="utf-8", errors="replace"))) & ids
        assert not hits, f"{path}: names synthetic participants {sorted(hits)[:5]}"


def test_corpus_terms_catch_a_corpus_own_area_and_role_names(tmp_path):
    from compendium.outputs.disclosure import corpus_terms

    participants = pd.DataFrame(
        {
            "participant_id": ["R7", "R8"],
            "group": ["Board", "Board"],
            "interview_mode": ["online", "online"],
            "area": ["Orkney", ""],
            "quotable": ["yes", "no"],
        }
    )
    groups = pd.DataFrame(
        {"group": ["Board"], "label": ["Board members"], "typical_roles": ["Treasurer, Clerk"]}
    )
    terms = corpus_terms(participants, groups)
    assert {"Orkney", "Board", "Board members", "Treasurer", "Clerk", "online"} <= terms.attributes
    page = tmp_path / "page.html"
    page.write_text(
        "<p>R7 said this</p>\n<p>R7 (Orkney)</p>\n<p>the Clerk</p>\n<p>PR7X Orkney</p>\n"
    )
    assert scan([page]) == []  # the generic patterns know neither R-codes nor Orkney
    found = scan([page], terms)
    assert [(d.record, d.identifier, d.attribute) for d in found] == [(2, "R7", "Orkney")]


def test_unquotable_participant_is_found_anywhere(tmp_path):
    from compendium.outputs.disclosure import corpus_terms, unquotable_named

    participants = pd.DataFrame({"participant_id": ["R7", "R8"], "quotable": ["yes", "no"]})
    groups = pd.DataFrame({"group": ["G1"], "label": ["x"], "typical_roles": [""]})
    terms = corpus_terms(participants, groups)
    quotes = tmp_path / "quote_index.csv"
    quotes.write_text("participant,theme\nR7,G\nR8,W\n")
    found = unquotable_named([quotes], terms)
    assert [(d.record, d.identifier) for d in found] == [(3, "R8")]


def test_small_counts_in_group_tables_are_found(tmp_path):
    from compendium.outputs.disclosure import small_counts

    table = tmp_path / "emphasis.csv"
    table.write_text(
        "theme,G1_n,G1_size,G2_n,G2_size,total_n\n"
        "A,16,16,suppressed,11,27\n"  # all shown, or suppressed
        "B,3,16,11,11,14\n"  # 3 of 16: too small
        "C,14,16,0,11,14\n"  # complement 2 of 16: too small
    )
    other = tmp_path / "table1.csv"
    other.write_text("group,n,in_person\nG2,11,1\n")  # not a group x count table
    found = small_counts([table, other], threshold=5)
    assert [(c.row, c.field, c.value) for c in found] == [(3, "G1_n", 3), (4, "G1_n", 2)]
    assert small_counts([table], threshold=2) == []


def test_committed_group_tables_show_no_small_count():
    import json

    from compendium.outputs.disclosure import small_counts

    threshold = json.loads((ROOT / "reports/results/group_emphasis.json").read_text())[
        "suppression_threshold"
    ]
    tables = sorted((ROOT / "reports" / "tables").glob("*.csv"))
    assert small_counts(tables, threshold) == []
    group_table = ROOT / "reports" / "tables" / "group_emphasis.csv"
    assert "G1_n" in group_table.read_text().splitlines()[0]  # the check has a table to read


def test_check_disclosure_command_fails_on_a_leak(tmp_path):
    from conftest import run_cli

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "fine.csv").write_text("theme,n\nG,44\n")
    clean = run_cli(
        "check-disclosure", str(reports), "--corpus", str(ROOT / "data/coded/surrogate")
    )
    assert clean.returncode == 0, clean.stderr
    roster = pd.read_csv(ROOT / "data/coded/surrogate/participants.csv", dtype=str)
    someone = roster[roster["status"] == "analysed"].iloc[0]
    (reports / "leak.csv").write_text(f"id,area\n{someone.participant_id},{someone.area}\n")
    leak = run_cli("check-disclosure", str(reports), "--corpus", str(ROOT / "data/coded/surrogate"))
    assert leak.returncode == 1
    assert f"leak.csv, row 2: participant '{someone.participant_id}' beside" in leak.stderr
    assert "do not share these outputs" in leak.stderr
