"""A very small REFI-QDA project, in the shape of a MAXQDA 24 export, run through the whole
pipeline.

3 analysed cases, 7 segments, no Leadership/Voice/Service-user codes and no second coder:
every step must still run, ``verify`` must report the differences from the published values as
findings (not fail the build), the agreement step must say that there is no second coding, and
nothing of the surrogate's outputs may change.  In the same copy, a project coded by three users
runs the agreement step alone, which must then report Fleiss' kappa.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import BIN, buildable_copy, import_project, run_in, tree_hashes
from test_refi_qda import MAPPING, maxqda_shaped, project_xml, write_qdpx

pytestmark = pytest.mark.full_build
TINY = "tiny"
# Built as a parameter variant too: CORPUS and CONFIG combine, neither replaces the other.
VARIANT = "intersections_high=0.6"
BUILD = f"{TINY}__intersections_high-0.6"


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    work, env = buildable_copy(tmp_path_factory.mktemp("qdpx_tiny"))
    before = {folder: tree_hashes(work / folder) for folder in ("figures", "reports")}
    # written the way MAXQDA 24 exports a project (texts in sources/, Sets, upper-case GUIDs)
    tiny = write_qdpx(work / "exports" / "tiny.qdpx", *maxqda_shaped(project_xml()))
    import_project(work, env, tiny, "data/coded/example_mapping.yaml", TINY)
    built = run_in(work, env, "make", "reproduce", f"CORPUS=data/coded/{TINY}", "CORES=2",
                   f"CONFIG={VARIANT}")  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return {"work": work, "before": before, "env": env, "log": built.stdout}


def test_no_second_coding_is_reported_as_such(tiny_build):
    build = tiny_build["work"] / "builds" / BUILD
    results = json.loads((build / "reports" / "results" / "agreement.json").read_text())
    assert results["available"] is False
    report = (build / "reports" / "report.html").read_text()
    assert "carries no second coding" in report


def test_a_tiny_project_builds_and_its_differences_are_findings(tiny_build):
    work = tiny_build["work"]
    build = work / "builds" / BUILD
    assert (build / "reports" / "report.pdf").is_file()
    verification = pd.read_csv(build / "reports" / "verification.csv")
    assert not verification["match"].all()  # 3 analysed participants are not the study's 44
    kmi = pd.read_csv(build / "reports" / "tables" / "table2_kmi.csv")
    assert kmi["n_analysed"].eq(3).all()
    report = (build / "reports" / "report.html").read_text()
    assert "differ:" in report and "SYNTHETIC DATA</span>" not in report
    for folder in ("figures", "reports"):  # still nothing of the surrogate's touched
        assert tree_hashes(work / folder) == tiny_build["before"][folder], folder


def test_outputs_go_to_their_own_folder_with_every_output_of_the_pipeline(tiny_build):
    work = tiny_build["work"]
    build = work / "builds" / BUILD
    names = {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()}
    surrogate_names = {
        p.relative_to(work).as_posix()
        for folder in ("figures", "reports")
        for p in (work / folder).rglob("*")
        if p.is_file()
    }
    if (work / "ro-crate-metadata.json").is_file():  # the build's crate, at its root
        surrogate_names.add("ro-crate-metadata.json")
    assert names == surrogate_names  # every output of the pipeline, and nothing else


def test_outputs_of_a_real_corpus_are_labelled_not_synthetic(tiny_build):
    build = tiny_build["work"] / "builds" / BUILD
    manifest = json.loads((build / "reports" / "manifest.json").read_text())
    assert manifest["outputs"]
    assert not any(entry["synthetic"] for entry in manifest["outputs"])
    for entry in manifest["outputs"]:
        assert not any(s["path"].startswith("data/coded/surrogate/") for s in entry["inputs"])
    report = (build / "reports" / "report.html").read_text()
    assert "SYNTHETIC DATA</span>" not in report
    assert f"Built from the coded corpus <code>{TINY}</code>" in report
    provenance = json.loads((build / "reports" / "provenance" / "verify.json").read_text())
    assert provenance["parameters"]["findings"] is True


# Three coders of every selection (users Ann, Bea and Cy; Ann is the primary coder).
THREE_CODERS = {
    "P01": [
        (0, 50, ["Governance/Decision rights@Ann", "Governance/Decision rights@Bea",
                 "Governance/Decision rights@Cy"]),
        (60, 100, ["Workforce@Ann", "Workforce@Bea", "Finance@Cy"]),
        (110, 150, ["Finance@Ann", "Finance@Bea", "Finance@Cy"]),
    ],
    "P02": [
        (0, 40, ["Data sharing@Ann", "Data sharing@Bea", "Data sharing@Cy"]),
        (50, 90, ["Workforce@Ann", "Data sharing@Bea", "Workforce@Cy"]),
    ],
    "P04": [
        (0, 10, ["Finance@Ann", "Finance@Bea", "Finance@Cy"]),
        (20, 30, ["Governance/Board dynamics@Ann", "Governance/Board dynamics@Bea",
                  "Governance/Board dynamics@Cy"]),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def three_coders(tiny_build):
    """The agreement step alone (and what it needs) on an imported project of three coders."""
    work, env = tiny_build["work"], tiny_build["env"]
    qdpx = write_qdpx(
        work / "exports" / "three.qdpx",
        project_xml(selections=THREE_CODERS, users=("Ann", "Bea", "Cy")),
    )
    mapping = work / "exports" / "three.yaml"
    mapping.write_text(MAPPING.read_text() + "primary_coder: Ann\n")
    import_project(work, env, qdpx, mapping, "three")
    target = "builds/three/reports/results/agreement.json"
    built = run_in(work, env, str(BIN / "snakemake"), target, "--cores", "2",
                   "--config", "corpus=data/coded/three")  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return work / "builds" / "three"


def test_three_coders_give_fleiss_kappa_through_the_notebook(three_coders):
    results = json.loads((three_coders / "reports" / "results" / "agreement.json").read_text())
    assert results["available"] and results["coders"] == 3
    assert results["kappa_statistic"] == "Fleiss"
    table = pd.read_csv(three_coders / "reports" / "tables" / "agreement_by_theme.csv")
    assert "fleiss_kappa" in table and "cohen_kappa" not in table
    assert table["n_units"].eq(7).all() and table["n_coders"].eq(3).all()
    # Governance: all three coders agree on every segment
    assert table.set_index("theme").loc["G", "fleiss_kappa"] == pytest.approx(1.0)
    # W: Bea and Cy each disagree once with the other two
    assert table.set_index("theme").loc["W", "fleiss_kappa"] < 0.6
    assert table.set_index("theme").loc["W", "flag"]
    # no coder used Leadership, Voice or Service-user: kappa is undefined, and flagged
    unused = table.set_index("theme").loc[["L", "V", "S"]]
    assert unused["fleiss_kappa"].isna().all() and unused["flag"].all()
    svg = (three_coders / "figures" / "agreement.svg").read_text()
    assert "Fleiss' kappa" in svg
    assert svg.count(">not computable: no variation in the ratings (flagged)</text>") == 3
    assert "L not computable: no variation in the ratings (flagged)" in svg  # the alt text


def test_a_variant_builds_beside_the_committed_build_with_its_parameters(tiny_build):
    build = tiny_build["work"] / "builds" / BUILD
    provenance = json.loads((build / "reports" / "provenance" / "intersections.json").read_text())
    assert provenance["parameters"]["high"] == 0.6
    assert provenance["parameters"]["corpus_dir"] == f"data/coded/{TINY}"
    lines = tiny_build["log"].strip().splitlines()
    assert lines[-1].startswith(f"built {BUILD} in ")
    # one line per step (name and seconds), nothing else: no banner, no kernel warnings
    assert all(len(line.split()) == 3 and line.endswith(" s") for line in lines[:-1]), lines
