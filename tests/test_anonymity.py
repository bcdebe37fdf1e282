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
