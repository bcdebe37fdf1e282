"""Notebooks hold parameters, calls and narrative; nbval re-runs the executed copies."""

import ast
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

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


def test_every_notebook_is_run_by_the_snakefile():
    snakefile = (ROOT / "Snakefile").read_text()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in snakefile, path.name


def test_nbval_on_the_executed_notebooks(tmp_path):
    """Re-execute every executed notebook and compare its outputs (nbval).

    The copies run in a scratch folder holding data/, so re-running writes nothing into the
    committed figures/ and reports/.
    """
    shutil.copytree(ROOT / "data", tmp_path / "data")
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n")
    executed = sorted((ROOT / "reports" / "notebooks").glob("*.ipynb"))
    assert len(executed) == len(NOTEBOOKS)
    for path in executed:
        shutil.copy2(path, tmp_path / path.name)
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
            str(tmp_path),
            "-c",
            str(ini),
            *[p.name for p in executed],
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout
