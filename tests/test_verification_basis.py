"""What a verification match proves: ``calibrated`` (the surrogate was generated to hit the
published value) or ``independent``, derived from the calibration targets present."""

import contextlib
import copy
import json
import shutil

import pandas as pd
import pytest
from conftest import ROOT

from compendium.cli import main
from compendium.inputs.targets import calibrated_items, is_calibrated, load_targets
from compendium.outputs.report import ReportContext, render_report
from compendium.outputs.verify import CALIBRATED, INDEPENDENT, calibration, run_checks
from compendium.pipeline.steps import Exhibit

TARGETS = ROOT / "data" / "surrogate" / "targets.yaml"
SURROGATE = ROOT / "data" / "coded" / "surrogate"
PUBLISHED = ROOT / "data" / "published"
SHIPPED = load_targets(TARGETS)
THEMES = list(SHIPPED["kmi"]["value"])
INDEPENDENT_ITEMS = [
    "quote_index[P03@4.1.2]",
    "annex_a[6].delegated.printed",
    "msg_features[2].n_proposals",
    "timeline.events[report2026]",
    "headline.themes",
    "headline.subthemes",
    "headline.roadmap_actions",
]


def calibrated(item: str, targets: dict = SHIPPED) -> bool:
    return is_calibrated(item, calibrated_items(targets))


def without(*keys: str) -> dict:
    targets = copy.deepcopy(SHIPPED)
    for key in keys:
        del targets[key]
    return targets


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """A copy of the built tables and results (verification.csv is written into copies only)."""
    reports = tmp_path_factory.mktemp("basis") / "reports"
    for folder in ("tables", "results"):
        shutil.copytree(ROOT / "reports" / folder, reports / folder)
    return reports


@pytest.fixture(scope="module")
def not_synthetic(tmp_path_factory):
    """The surrogate's files under a descriptor that does not say synthetic."""
    corpus = shutil.copytree(SURROGATE, tmp_path_factory.mktemp("real") / "corpus")
    descriptor = json.loads((corpus / "datapackage.json").read_text())
    (corpus / "datapackage.json").write_text(json.dumps(descriptor | {"synthetic": False}))
    return corpus


def checks(rebuilt, corpus, targets=TARGETS) -> pd.DataFrame:
    with contextlib.chdir(ROOT):  # the documentary checks read data/documents
        return run_checks(PUBLISHED, rebuilt, corpus, targets)


# ------------------------------------------------------------------------- from the targets


@pytest.mark.parametrize("code", THEMES)
def test_shipped_targets_calibrate_every_theme_of_table2(code):
    assert calibrated(f"table2[{code}].kmi")
    assert calibrated(f"table2[{code}].percent")


@pytest.mark.parametrize("item", INDEPENDENT_ITEMS)
def test_values_no_target_sets_are_independent(item):
    assert not calibrated(item)


def test_brackets_in_item_names_are_literal():
    assert calibrated("table1[G1].n")
    assert not calibrated("table11].n")  # as a character class, [G1] would match "1"
    assert not calibrated("table2[G].kmi_extra")


def test_dropping_kmi_makes_its_items_independent_and_only_those():
    targets = without("kmi")
    for code in THEMES:
        assert not calibrated(f"table2[{code}].kmi", targets)
        assert not calibrated(f"table2[{code}].percent", targets)
    assert calibrated("table2[G].n_analysed", targets)  # the analysed count: other targets
    assert calibrated("table3[G-F]", targets)


def test_the_items_follow_the_values_present():
    targets = copy.deepcopy(SHIPPED)
    targets["kmi"]["value"] = {"G": 44, "Z": 3}
    assert calibrated("table2[Z].kmi", targets)
    assert not calibrated("table2[W].kmi", targets)


@pytest.mark.parametrize(
    "key, items",
    [
        ("intersections", ["table3[G-W]", "table3[G-F]", "headline.high_intersections"]),
        ("not_quotable_analysed", ["headline.transcripts_analysed_not_quoted"]),
        ("ijb_areas", ["headline.ijb_areas_represented", "headline.ijb_areas_total"]),
        ("groups", ["table1[G1].typical_roles", "table1[G3].typical_roles"]),
        ("interviewed_per_group", ["headline.interviewed_g2", "headline.interviews_conducted"]),
        ("withdrawn_per_group", ["headline.transcripts_withdrawn"]),
        ("modes_of_analysed", ["table1[G2].online", "headline.interviews_in_person"]),
    ],
)
def test_dropping_a_target_makes_its_items_independent(key, items):
    for item in items:
        assert calibrated(item)
        assert not calibrated(item, without(key))


def test_an_analysed_count_stays_calibrated_while_a_target_fixing_it_remains():
    items = ["table1[G1].n", "headline.analysed_g3", "table2[S].n_analysed"]
    for item in items:
        assert calibrated(item, without("withdrawn_per_group"))  # in_person + online
        assert calibrated(item, without("modes_of_analysed"))  # interviewed - withdrawn
        assert not calibrated(item, without("withdrawn_per_group", "modes_of_analysed"))


def test_no_calibrating_target_no_calibrated_item():
    assert calibrated_items({"seed": 1, "segments_per_theme": {"mean_extra": 2.0, "max": 8}}) == []


# ------------------------------------------------------------------------ on the corpus


def test_every_calibrated_name_is_a_row_of_the_verification(rebuilt):
    """A renamed verification item would silently turn calibrated values independent."""
    items = checks(rebuilt, SURROGATE)["item"]
    for name in calibrated_items(SHIPPED):
        assert any(is_calibrated(item, [name]) for item in items), name


def test_on_the_surrogate_the_calibrated_rows_are_the_targets(rebuilt):
    frame = checks(rebuilt, SURROGATE).set_index("item")
    for code in THEMES:
        assert frame.at[f"table2[{code}].kmi", "basis"] == CALIBRATED
    quote_rows = frame[frame.index.str.startswith(("quote_index[", "annex_a["))]
    assert len(quote_rows) > 20
    assert set(quote_rows["basis"]) == {INDEPENDENT}
    assert set(frame["basis"]) == {CALIBRATED, INDEPENDENT}


def test_a_corpus_not_synthetic_has_every_row_independent(rebuilt, not_synthetic, tmp_path):
    frame = checks(rebuilt, not_synthetic, tmp_path / "no-targets.yaml")  # targets not read
    assert len(frame) > 100
    assert set(frame["basis"]) == {INDEPENDENT}
    assert calibration(not_synthetic, TARGETS) == []
    assert calibration(SURROGATE, TARGETS) == calibrated_items(SHIPPED)


# ----------------------------------------------------------------------- captions, report


def context(rows: list[tuple[str, bool, str]]) -> ReportContext:
    verification = pd.DataFrame(rows, columns=["item", "match", "basis"])
    record = {
        "notebook": "notebooks/x.ipynb",
        "executed_notebook": "reports/notebooks/x.ipynb",
        "parameters": {},
        "inputs": [],
        "synthetic": True,
    }
    return ReportContext(root=ROOT, provenance={"x": record}, verification=verification)


def caption_of(rows: list[tuple[str, bool, str]], verify: str) -> str:
    exhibit = Exhibit(step="x", key="table_path", path="reports/tables/x.csv", caption="X",
                      section="s", verify=verify)  # fmt: skip
    return context(rows).caption_meta(exhibit)


def test_a_caption_where_every_match_is_calibrated_says_by_construction():
    rows = [(f"table2[{c}].kmi", True, CALIBRATED) for c in THEMES]
    caption = caption_of(rows, "table2")
    assert "7 of 7 match the published values, all 7 by construction of the surrogate" in caption
    assert '<span class="verify calibrated">' in caption
    assert "verify match" not in caption and "Matches" not in caption


def test_a_caption_counts_independent_and_calibrated_matches_apart():
    rows = [("t[a]", True, CALIBRATED), ("t[b]", True, INDEPENDENT), ("t[c]", True, INDEPENDENT)]
    caption = caption_of(rows, "t")
    assert "3 of 3 match the published values: 2 independent, 1 by construction" in caption
    assert '<span class="verify match">' in caption
    only_independent = caption_of(rows[1:], "t")
    assert "all 2 independently" in only_independent and "construction" not in only_independent


def test_a_caption_with_a_difference_says_so_whatever_the_basis():
    rows = [("t[a]", True, CALIBRATED), ("t[b]", False, CALIBRATED)]
    caption = caption_of(rows, "t")
    assert '<span class="verify mismatch">' in caption and "1 of 2 values differ" in caption


def test_the_report_counts_both_in_captions_and_verification(tmp_path):
    reports = shutil.copytree(ROOT / "reports", tmp_path / "reports")
    shutil.copytree(ROOT / "figures", tmp_path / "figures")
    frame = checks(reports, SURROGATE)
    frame.to_csv(reports / "verification.csv", index=False)
    page = render_report(tmp_path)
    n_calibrated = int((frame["match"] & (frame["basis"] == CALIBRATED)).sum())
    n_independent = int((frame["match"] & (frame["basis"] == INDEPENDENT)).sum())
    assert n_calibrated and n_independent
    assert f"{n_independent} independent, {n_calibrated} by construction of the surrogate" in page
    assert f"The {n_calibrated} by construction are values" in page
    assert "by construction of the surrogate.</span>" in page  # Table 1-3 captions
    assert "Matches the published values" not in page


# ------------------------------------------------------------------------------ command


def test_compendium_verify_prints_both_counts(rebuilt, capsys):
    status = main(["--root", str(ROOT), "verify", "--reports", str(rebuilt)])
    out = capsys.readouterr().out
    assert status == 0, out[-2000:]
    written = pd.read_csv(rebuilt / "verification.csv")
    assert list(written.columns) == ["item", "published", "rebuilt", "match", "basis"]
    n_calibrated = int((written["match"] & (written["basis"] == CALIBRATED)).sum())
    n_independent = int((written["match"] & (written["basis"] == INDEPENDENT)).sum())
    assert n_calibrated > 0 and n_independent > 0
    expected = (
        f"verify: {n_calibrated} reproduced by construction of the surrogate (calibrated), "
        f"{n_independent} independent of its calibration"
    )
    assert expected in out.splitlines()
    assert f"{n_calibrated + n_independent} of {len(written)} published values" in out
    assert "table2[F].kmi: published '42', rebuilt '42' (calibrated)" in out


def test_compendium_verify_on_a_corpus_not_synthetic_counts_none_calibrated(
    rebuilt, not_synthetic, capsys
):
    args = [
        "--root",
        str(ROOT),
        "verify",
        "--reports",
        str(rebuilt),
        "--corpus",
        str(not_synthetic),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "verify: 0 reproduced by construction of the surrogate (calibrated), " in out
    assert not any(line.endswith("(calibrated)") for line in out.splitlines())
