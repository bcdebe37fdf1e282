"""The second worked example, a study with its own codebook, built end to end in a copy.

``make reproduce CORPUS=data/coded/example_study CODEBOOK=data/codebook/example_study``: four
themes of its own (RX RF IS FN), two groups of its own, a synthetic corpus.  Only the generic
steps run; each step made for the report's codebook is named once in the build's output and
none of its exhibits reaches the report; nothing the report or its figures say is this
report's (no "seven" themes, no Scotland's IJB areas, no verification against its values).
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import buildable_copy, run_in

from compendium.pipeline.steps import exhibits, read_declarations

pytestmark = pytest.mark.full_build
CORPUS = "data/coded/example_study"
CODEBOOK = "data/codebook/example_study"
BUILD = "builds/example_study__codebook-example_study"
# base64 (embedded fonts and figures) is not text anyone reads, and may hold any letters
DATA_URL = re.compile(r"data:[^'\")\s]*")


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    work, env = buildable_copy(tmp_path_factory.mktemp("example_study"))
    built = run_in(work, env, "make", "reproduce", f"CORPUS={CORPUS}", f"CODEBOOK={CODEBOOK}",
                   "CORES=2")  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    declarations = read_declarations(work / "notebooks" / "steps.yaml")
    made_for_the_report = [
        name for name, spec in declarations.steps.items() if spec.get("fits_codebook")
    ]
    return {
        "work": work,
        "build": work / BUILD,
        "log": built.stdout,
        "declarations": declarations,
        "left_out": made_for_the_report,
    }


def read_text(path) -> str:
    return DATA_URL.sub("", path.read_text(encoding="utf-8"))


def test_each_left_out_step_is_named_once_in_the_build_output(example):
    named = [
        line.split()[2] for line in example["log"].splitlines() if line.startswith("left out: ")
    ]
    assert sorted(named) == sorted(example["left_out"])  # each one, once
    for line in example["log"].splitlines():
        if line.startswith("left out: "):
            assert "made for the themes of data/codebook" in line and "RX RF IS FN" in line
    assert "built example_study__codebook-example_study in" in example["log"]


def test_the_report_has_the_studys_four_themes_and_two_groups(example):
    build = example["build"]
    assert (build / "reports" / "report.pdf").is_file()
    table2 = pd.read_csv(build / "reports" / "tables" / "table2_kmi.csv")
    assert table2["code"].tolist() == ["RX", "RF", "IS", "FN"]
    assert table2["n_analysed"].eq(11).all()  # 12 interviewed, one withdrawn
    table1 = pd.read_csv(build / "reports" / "tables" / "table1_participants.csv")
    assert table1["group"].tolist() == ["Pharmacy", "Practice", "All"]
    report = read_text(build / "reports" / "report.html")
    assert "Across 4 themes" in report
    assert "11 analysed participants in\n2 groups" in report
    assert "(Pharmacy 6; Practice 5)" in report
    assert "came from 4 areas." in report
    codebook_page = (build / "reports" / "codebook.md").read_text(encoding="utf-8")
    assert "4 themes with 10 subthemes (3, 2, 3, 2); codes RX RF IS FN." in codebook_page


def test_no_exhibit_of_a_left_out_step_reaches_the_report(example):
    build = example["build"]
    report = read_text(build / "reports" / "report.html")
    for exhibit in exhibits(example["declarations"]):
        if exhibit.step in example["left_out"]:
            assert exhibit.path not in report, exhibit.path
            built = [build / exhibit.path, *build.glob(exhibit.path + ".*")]
            assert not any(path.exists() for path in built), exhibit.path
    assert not (build / "figures" / "timeline.svg").exists()
    assert "Documentary timeline" not in report and "timeline" not in report.lower()
    assert "Figure 1" not in report and "theory of change" not in report.lower()
    # nor this report's own text: Scotland's IJB areas, its verification
    assert "IJB" not in report and "Scotland" not in report
    assert "verification.csv" not in report and 'id="section-provenance"' in report
    assert not (build / "reports" / "verification.csv").exists()


def test_no_seven_in_the_report_or_its_figures(example):
    build = example["build"]
    for path in [build / "reports" / "report.html", *sorted((build / "figures").glob("*.svg"))]:
        found = re.search(r".{0,40}seven.{0,40}", read_text(path), re.IGNORECASE)
        assert found is None, f"{path.name}: {found.group(0)!r}"


def test_the_manifest_flags_its_outputs_synthetic(example):
    manifest = json.loads((example["build"] / "reports" / "manifest.json").read_text())
    from_corpus = [
        entry
        for entry in manifest["outputs"]
        if any(i["path"].startswith(f"{CORPUS}/") for i in entry["inputs"])
    ]
    assert from_corpus and all(entry["synthetic"] for entry in from_corpus)
    report = read_text(example["build"] / "reports" / "report.html")
    assert "The coded corpus <code>example_study</code> is synthetic" in report
    assert "SYNTHETIC DATA</span>" in report
