"""Notebooks hold parameters, calls and narrative; nbval re-runs the executed copies."""

import ast
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

from compendium.outputs.pdf import find_browser

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
    snakefile = (ROOT / "Snakefile").read_text() + "".join(
        p.read_text() for p in sorted((ROOT / "rules").glob("*.smk"))
    )
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in snakefile, path.name


EXECUTED = sorted((ROOT / "reports" / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_an_executed_copy():
    assert [p.name for p in EXECUTED] == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("executed", EXECUTED, ids=lambda p: p.name)
def test_nbval_on_the_executed_notebook(executed, tmp_path):
    """Re-execute an executed notebook and compare every output with nbval.

    The copy runs in a scratch folder holding data/ and the built outputs, so re-running it
    writes nothing into the committed figures/ and reports/.
    """
    if executed.name == "99_report.ipynb" and find_browser() is None:
        pytest.skip("the report notebook prints a PDF with Chromium: sudo apt-get install chromium")
    for folder in ("data", "reports", "figures"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n")
    shutil.copy2(executed, tmp_path / executed.name)
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
            executed.name,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout
