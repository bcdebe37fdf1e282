"""A very small REFI-QDA project run through the whole pipeline.

3 analysed cases, 7 segments, no Leadership/Voice/Service-user codes and no second coder:
every step must still run, ``verify`` must report the differences from the published values as
findings (not fail the build), the agreement step must say that there is no second coding, and
nothing of the surrogate's outputs may change.
"""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest
from conftest import BIN, buildable_copy, tree_hashes
from test_refi_qda import write_qdpx

pytestmark = pytest.mark.full_build
TINY = "tiny"


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    work, env = buildable_copy(tmp_path_factory.mktemp("qdpx_tiny"))
    before = {folder: tree_hashes(work / folder) for folder in ("figures", "reports")}
    tiny = write_qdpx(work / "exports" / "tiny.qdpx")
    imported = subprocess.run(
        [str(BIN / "compendium"), "import-qdpx", str(tiny), "--mapping",
         "data/coded/example_mapping.yaml", "--out", f"data/coded/{TINY}"],
        cwd=work, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    built = subprocess.run(
        ["make", "reproduce", f"CORPUS=data/coded/{TINY}", "CORES=2"],
        cwd=work, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return {"work": work, "before": before}


def test_no_second_coding_is_reported_as_such(tiny_build):
    build = tiny_build["work"] / "builds" / TINY
    results = json.loads((build / "reports" / "results" / "agreement.json").read_text())
    assert results["available"] is False
    report = (build / "reports" / "report.html").read_text()
    assert "carries no second coding" in report


def test_a_tiny_project_builds_and_its_differences_are_findings(tiny_build):
    work = tiny_build["work"]
    build = work / "builds" / TINY
    assert (build / "reports" / "report.pdf").is_file()
    verification = pd.read_csv(build / "reports" / "verification.csv")
    assert not verification["match"].all()  # 3 analysed participants are not the study's 44
    kmi = pd.read_csv(build / "reports" / "tables" / "table2_kmi.csv")
    assert kmi["n_analysed"].eq(3).all()
    report = (build / "reports" / "report.html").read_text()
    assert "differ:" in report and "SYNTHETIC DATA</span>" not in report
    for folder in ("figures", "reports"):  # still nothing of the surrogate's touched
        assert tree_hashes(work / folder) == tiny_build["before"][folder], folder
