"""A REFI-QDA project run through the whole pipeline, as a researcher with real data would.

The committed surrogate corpus is written out as a REFI-QDA project (cases with variables, one
text source per interview, a code per theme/subtheme, overlapping selections for dual-coded
segments, named links between the selections of causal, constraint and co-occurrence segments,
codings of a withdrawn case that must never be read, and the synthetic second coder's codings
made by a second user of the project), imported with
``compendium import-qdpx`` into a copy of the project, and built with
``make reproduce CORPUS=data/coded/roundtrip``.  The checks:

* the outputs go to ``builds/roundtrip/`` and nothing under ``figures/`` or ``reports/``
  changes (the surrogate's outputs are never overwritten);
* they are labelled as made from a corpus that is *not* synthetic (manifest and report);
* ``verify`` runs in findings mode and the build succeeds;
* the imported corpus is byte-identical to the surrogate and every table equals the
  surrogate's own: the import loses nothing that the analysis reads.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from conftest import ROOT, buildable_copy, import_project, reproduce_corpus, tree_hashes
from test_refi_qda import project_xml, write_qdpx

pytestmark = pytest.mark.full_build

SURROGATE = ROOT / "data" / "coded" / "surrogate"
NAME = "roundtrip"
PRIMARY = "Primary coder"
THEMES = ["G", "W", "D", "F", "L", "V", "S"]
SUBTHEMES = ["A", "B", "C"]
SPACING = 100  # characters between the starts of two segments in a source
# How a researcher might name the links of the corpus's link types in a QDA tool.
LINK_NAMES = {"causal": "because", "constraint": "cannot without", "co_occurrence": "same story"}


def surrogate_as_project() -> tuple[str, dict]:
    """The surrogate corpus as REFI-QDA project XML, and the mapping that imports it back."""
    participants = pd.read_csv(SURROGATE / "participants.csv", dtype=str, keep_default_na=False)
    segments = pd.read_csv(SURROGATE / "segments.csv", dtype=str, keep_default_na=False)
    groups = pd.read_csv(SURROGATE / "groups.csv", dtype=str, keep_default_na=False)
    second = pd.read_csv(SURROGATE / "second_coding.csv", dtype=str, keep_default_na=False)
    second_themes = second.groupby("segment_id")["theme"].apply(list).to_dict()
    codes = {theme: False for theme in THEMES} | {
        f"{t}/{s}": True for t in THEMES for s in SUBTHEMES
    }
    variables = {"Group": "Text", "Mode": "Text", "Status": "Text", "May quote": "Boolean",
                 "Area": "Text"}  # fmt: skip
    cases, selections = {}, {}
    for row in participants.itertuples():
        values = {"Group": row.group, "Status": row.status,
                  "May quote": "true" if row.quotable == "yes" else "false"}  # fmt: skip
        if row.interview_mode:
            values["Mode"] = row.interview_mode
        if row.area:
            values["Area"] = row.area
        cases[row.participant_id] = values
        if row.status == "withdrawn":  # the transcript was coded before it was withdrawn
            selections[row.participant_id] = [(0, 50, ["G/A"]), (100, 150, ["F/B"])]
    links = []
    for pid, own in segments.groupby("participant_id", sort=True):
        spans = []
        for k, seg in enumerate(own.itertuples()):
            start = k * SPACING
            codings = [f"{seg.theme}/{seg.subtheme}@{PRIMARY}"]
            codings += [f"{t}/A@coder2" for t in second_themes.get(seg.segment_id, []) if t]
            spans.append((start, start + 60, codings))
            if seg.secondary_theme:  # a second theme on an overlapping, later selection
                spans.append((start + 30, start + 90, [f"{seg.secondary_theme}/A@{PRIMARY}"]))
                if seg.link_type != "dual_coded":  # a named link from the first to the second
                    here = len(spans) - 2
                    links.append(((pid, here), (pid, here + 1), LINK_NAMES[seg.link_type]))
        selections[pid] = spans
    xml = project_xml(
        codes=codes,
        variables=variables,
        cases=cases,
        selections=selections,
        users=(PRIMARY, "coder2"),
        links=links,
    )
    mapping = {
        "case_variables": {"group": "Group", "interview_mode": "Mode", "status": "Status",
                           "quotable": "May quote", "area": "Area"},
        "groups": {g.group: {"label": g.label, "typical_roles": g.typical_roles}
                   for g in groups.itertuples()},
        "codes": {f"{t}/{s}": {"theme": t, "subtheme": s} for t in THEMES for s in SUBTHEMES},
        "primary_coder": PRIMARY,
        "link_types": {name: kind for kind, name in LINK_NAMES.items()},
    }  # fmt: skip
    return xml, mapping


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory):
    work, env = buildable_copy(tmp_path_factory.mktemp("qdpx_e2e"))
    xml, mapping = surrogate_as_project()
    qdpx = write_qdpx(work / "exports" / "study.qdpx", xml)
    mapping_path = work / "exports" / "mapping.yaml"
    mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    before = {folder: tree_hashes(work / folder) for folder in ("figures", "reports")}
    imported = import_project(work, env, qdpx, mapping_path, NAME)
    built = reproduce_corpus(work, env, NAME)
    return {"work": work, "before": before, "import": imported, "build": built}


def test_import_reports_what_it_did(roundtrip):
    out = roundtrip["import"].stdout
    assert "46 participants (44 analysed, 2 withdrawn)" in out, out
    assert "withdrawn" in out and "4 coding(s)" in out, out  # the withdrawn transcripts' codings


def test_imported_corpus_equals_the_surrogate(roundtrip):
    imported = roundtrip["work"] / "data" / "coded" / NAME
    for table in ("participants", "groups", "segments", "second_coding"):
        assert (imported / f"{table}.csv").read_bytes() == (SURROGATE / f"{table}.csv").read_bytes()
    assert "415 link(s) imported as link types (causal 132, co_occurrence 147, constraint 136)" in (
        roundtrip["import"].stdout
    )
    descriptor = json.loads((imported / "datapackage.json").read_text())
    assert descriptor["synthetic"] is False and descriptor["name"] == NAME


def test_outputs_go_to_their_own_folder_and_the_surrogates_are_untouched(roundtrip):
    work = roundtrip["work"]
    for folder in ("figures", "reports"):
        assert tree_hashes(work / folder) == roundtrip["before"][folder], folder
    build = work / "builds" / NAME
    for path in ("reports/report.html", "reports/report.pdf", "reports/manifest.json",
                 "reports/verification.csv", "figures/kmi.svg", "figures/intersections.png",
                 "figures/agreement.svg"):  # fmt: skip
        assert (build / path).is_file(), path
    names = {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()}
    surrogate_names = {
        p.relative_to(work).as_posix()
        for folder in ("figures", "reports")
        for p in (work / folder).rglob("*")
        if p.is_file()
    }
    assert names == surrogate_names  # every output of the pipeline, and nothing else


def test_outputs_are_labelled_not_synthetic(roundtrip):
    build = roundtrip["work"] / "builds" / NAME
    manifest = json.loads((build / "reports" / "manifest.json").read_text())
    assert manifest["outputs"]
    assert not any(entry["synthetic"] for entry in manifest["outputs"])
    for entry in manifest["outputs"]:
        assert not any(s["path"].startswith("data/coded/surrogate/") for s in entry["inputs"])
    report = (build / "reports" / "report.html").read_text()
    assert "SYNTHETIC DATA</span>" not in report
    assert f"Built from the coded corpus <code>{NAME}</code>" in report


def test_verify_reports_findings_without_failing_the_build(roundtrip):
    build = roundtrip["work"] / "builds" / NAME
    verification = pd.read_csv(build / "reports" / "verification.csv")
    assert len(verification) > 100
    # the import lost nothing the analysis reads, so the published values are reproduced
    assert verification["match"].all(), verification[~verification["match"]].head()
    provenance = json.loads((build / "reports" / "provenance" / "verify.json").read_text())
    assert provenance["parameters"]["findings"] is True


@pytest.mark.parametrize(
    "table", sorted(p.name for p in (ROOT / "reports" / "tables").glob("*.csv"))
)
def test_tables_equal_the_surrogates(roundtrip, table):
    work = roundtrip["work"]
    rebuilt = (work / "builds" / NAME / "reports" / "tables" / table).read_bytes()
    assert rebuilt == (work / "reports" / "tables" / table).read_bytes()


def test_the_second_users_coding_gives_the_same_agreement(roundtrip):
    work = roundtrip["work"]
    name = "agreement_by_theme.csv"
    rebuilt = (work / "builds" / NAME / "reports" / "tables" / name).read_bytes()
    assert rebuilt == (work / "reports" / "tables" / name).read_bytes()
    results = json.loads((work / "builds" / NAME / "reports/results/agreement.json").read_text())
    assert results["available"] and results["generated_with"] is None  # not synthetic now
