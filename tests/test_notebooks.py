"""Notebooks hold parameters, calls and narrative; nbval re-runs the executed copies."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import nbformat
import pytest
import yaml
from conftest import ROOT, tree_hashes

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_defines_no_functions_or_classes(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ), f"{path.name}: logic belongs in src/compendium/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_tagged_parameters_cell_and_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_every_notebook_is_declared_as_a_step():
    """Snakemake makes one rule per declared step, so a notebook left undeclared never runs."""
    steps = yaml.safe_load((ROOT / "notebooks" / "steps.yaml").read_text())["steps"]
    declared = sorted(step["notebook"] for step in steps.values())
    assert declared == [path.name for path in NOTEBOOKS]


EXECUTED = sorted((ROOT / "reports" / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_an_executed_copy():
    assert [p.name for p in EXECUTED] == [p.name for p in NOTEBOOKS]


@pytest.fixture(scope="module")
def nbval_outcomes(tmp_path_factory) -> dict:
    """Re-execute every executed notebook with nbval, in one pytest run, and collect per cell.

    The copies run in a scratch folder holding data/, notebooks/ and the built outputs, so
    re-running them writes nothing into the committed figures/ and reports/.  One run for all
    notebooks (rather than one per notebook) saves a pytest start-up of about 3 s each.
    Returns ``{"cells": {notebook: [(cell, outcome)]}, "log": nbval's output}``, an outcome
    being 'passed', 'failure', 'error' or 'skipped'.
    """
    scratch = tmp_path_factory.mktemp("nbval")
    for folder in ("data", "reports", "figures"):
        shutil.copytree(ROOT / folder, scratch / folder)
    ini = scratch / "pytest.ini"
    ini.write_text("[pytest]\n")
    # the report reads the step declarations (notebooks/steps.yaml), which name the notebooks
    shutil.copytree(ROOT / "notebooks", scratch / "notebooks")
    executed = list(EXECUTED)
    for path in executed:
        shutil.copy2(path, scratch / path.name)
    names = [path.name for path in executed]
    junit = scratch / "nbval.xml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "nbval_sanitize.cfg"),
            "--rootdir",
            str(scratch),
            "-c",
            str(ini),
            "--junitxml",
            str(junit),
            *names,
        ],
        cwd=scratch,
        capture_output=True,
        text=True,
        check=False,
    )
    assert junit.is_file(), result.stdout[-4000:] + result.stderr[-4000:]
    outcomes: dict[str, list[tuple[str, str]]] = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        reported = Path(case.get("file") or case.get("classname", "")).name
        notebook = reported.removesuffix(".ipynb") + ".ipynb"
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                outcome = tag
        outcomes.setdefault(notebook, []).append((case.get("name"), outcome))
    return {"cells": outcomes, "log": result.stdout}


@pytest.mark.parametrize("executed", EXECUTED, ids=lambda p: p.name)
def test_nbval_on_the_executed_notebook(executed, nbval_outcomes):
    """Every cell of the re-executed notebook gives the committed outputs (nbval)."""
    cells = nbval_outcomes["cells"].get(executed.name)
    assert cells, f"nbval ran no cell of {executed.name}"
    failed = [(cell, outcome) for cell, outcome in cells if outcome != "passed"]
    assert not failed, (failed, nbval_outcomes["log"][-4000:])


def test_every_notebook_writes_under_builds_lab_by_default():
    """Run by hand, no notebook's defaults point into the committed figures/ or reports/."""
    steps = yaml.safe_load((ROOT / "notebooks" / "steps.yaml").read_text())["steps"]
    for step in steps.values():
        nb = nbformat.read(ROOT / "notebooks" / step["notebook"], as_version=4)
        (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        defaults = {}
        exec(cell.source, {}, defaults)  # noqa: S102 (the project's own parameters cell)
        for name in step["outputs"]:
            assert str(defaults[name]).startswith("builds/lab/"), (step["notebook"], name)
        assert "builds/lab/" in nb.cells[0].source, f"{step['notebook']} does not say so at its top"


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "figures", "reports"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout  # fmt: skip


def test_a_notebook_run_by_hand_with_another_parameter_leaves_the_build_alone(tmp_path):
    """A student runs 02_salience at 90 % with the default paths: git status stays clean."""
    before = tree_hashes(ROOT / "figures") | tree_hashes(ROOT / "reports")
    status_before = git_status()
    result = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/02_salience.ipynb",
         str(tmp_path / "run.ipynb"), "-k", "python3", "-p", "confidence", "0.9",
         "--no-progress-bar", "--log-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert tree_hashes(ROOT / "figures") | tree_hashes(ROOT / "reports") == before
    assert git_status() == status_before
    svg = (ROOT / "builds" / "lab" / "figures" / "kmi.svg").read_text(encoding="utf-8")
    assert "90% Wilson interval" in svg
