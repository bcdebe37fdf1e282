"""`compendium audit`: a reviewer's view of one output, and re-making it in a scratch copy."""

from __future__ import annotations

import subprocess

from conftest import BIN, ROOT, tree_hashes


def audit(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "compendium"), "audit", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_audit_names_step_notebook_parameters_and_every_input(tmp_path):
    # from a folder outside the project, with the path as the reviewer typed it
    result = subprocess.run(
        [str(BIN / "compendium"), "--root", str(ROOT), "audit",
         str(ROOT / "figures" / "intersections.svg")],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("figures/intersections.svg: matches the manifest")
    assert "  step:       intersections" in lines
    assert "  made by:    notebooks/03_intersections.ipynb" in lines
    assert "  parameters: grid_step=0.05, high=0.5, medium=0.2" in lines
    inputs = [line for line in lines if line.startswith("    ")]
    assert any(line.endswith("data/coded/surrogate/segments.csv") for line in inputs)
    assert any(line.endswith("src/compendium/analysis/intersections.py") for line in inputs)
    assert all(line.split()[0] == "matches" for line in inputs), inputs


def test_audit_of_something_that_is_not_an_output_is_one_line():
    result = audit("data/codebook/themes.csv")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: reports/manifest.json, field 'path': data/codebook/themes.csv is not an output "
        "listed here"
    ]


def test_audit_rebuild_reproduces_a_figure_and_leaves_the_tree_alone():
    before = tree_hashes(ROOT / "figures") | tree_hashes(ROOT / "reports")
    result = audit("figures/kmi.png", "--rebuild")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == (
        "rebuilt figures/kmi.png in a scratch copy: identical to the manifest's bytes"
    )
    assert tree_hashes(ROOT / "figures") | tree_hashes(ROOT / "reports") == before
