"""A REFI-QDA project run through the whole pipeline, as a researcher with real data would.

The committed surrogate corpus is written out as a REFI-QDA project (cases with variables, one
text source per interview, a code per theme/subtheme, overlapping selections for dual-coded
segments, named links between the selections of causal, constraint and co-occurrence segments,
codings of a withdrawn case that must never be read, and the synthetic second coder's codings
made by a second user of the project), imported with
``compendium import-qdpx`` into a copy of the project.  The imported corpus is byte-identical
to the surrogate in every table the analysis reads (participants, groups, segments, second
coding), so the import loses nothing: since a build is a deterministic function of those bytes
(``test_pipeline.py`` rebuilds the committed outputs byte for byte), every table built from it
equals the surrogate's own, and the suite does not pay for a second whole build to show it.
How a non-synthetic corpus builds into ``builds/<name>/`` (labels, findings mode, the
surrogate's outputs untouched) is checked on the tiny project (``test_qdpx_tiny_project.py``).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from conftest import ROOT, buildable_copy, import_project
from test_refi_qda import project_xml, write_qdpx

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
    imported = import_project(work, env, qdpx, mapping_path, NAME)
    return {"work": work, "import": imported}


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
