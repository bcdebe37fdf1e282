"""The Snakefile declares every module each notebook really uses, and a no-op does nothing."""

import ast
import shlex
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import BIN, ROOT

SRC = ROOT / "src"


def module_file(name: str) -> Path | None:
    base = SRC / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def compendium_imports(source: str, package: str = "") -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("compendium")
        ):
            names.add(node.module)
            for alias in node.names:  # "from compendium.analysis import salience"
                if module_file(f"{node.module}.{alias.name}"):
                    names.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("compendium"))
    return names


def closure(names: set[str]) -> set[Path]:
    """Module files reached from ``names``, with their packages' __init__ files."""
    seen: set[Path] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            path = module_file(".".join(parts[:i]))
            if path and path not in seen:
                seen.add(path)
                todo.extend(compendium_imports(path.read_text()))
    return seen


def notebook_imports(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    return set().union(*(compendium_imports(c.source) for c in nb.cells if c.cell_type == "code"))


@pytest.fixture(scope="module")
def planned_commands() -> list[list[str]]:
    result = subprocess.run(
        [str(BIN / "snakemake"), "-n", "-p", "--forceall", "--cores", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = []
    for line in result.stdout.splitlines():
        if "papermill" in line and "--inputs" in line:
            commands.append(shlex.split(line.strip()))
    return commands


def test_every_notebook_rule_is_planned(planned_commands):
    notebooks = {tokens[tokens.index("papermill") + 1] for tokens in planned_commands}
    assert notebooks == {f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}


def test_declared_code_inputs_cover_every_imported_module(planned_commands):
    for tokens in planned_commands:
        notebook = tokens[tokens.index("papermill") + 1]
        declared = set(tokens[tokens.index("--inputs") + 1 : tokens.index("--outputs")])
        needed = {
            p.relative_to(ROOT).as_posix() for p in closure(notebook_imports(ROOT / notebook))
        }
        missing = sorted(needed - declared)
        assert not missing, f"{notebook}: modules used but not declared in the Snakefile: {missing}"
        assert notebook in declared


def test_cluster_profile_dry_run():
    """The same Snakefile plans every step for a SLURM cluster (executor plugin, no runner)."""
    result = subprocess.run(
        [str(BIN / "snakemake"), "--profile", "profiles/slurm", "-n", "--forceall"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    text = result.stdout + result.stderr
    assert "This was a dry-run" in text
    for rule in ("validate", "salience", "intersections", "report", "manifest"):
        assert rule in text


def test_another_corpus_builds_under_its_own_folder(tiny_corpus):
    """`make reproduce CORPUS=...` never writes over the surrogate's outputs."""
    result = subprocess.run(
        [
            str(BIN / "snakemake"),
            "-n",
            "-p",
            "--forceall",
            "--cores",
            "1",
            "--config",
            f"corpus={tiny_corpus}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    text = result.stdout
    assert f"builds/{tiny_corpus.name}/reports/report.html" in text
    assert f"builds/{tiny_corpus.name}/figures/kmi.svg" in text
    outputs = [line.split("output: ")[1] for line in text.splitlines() if "output: " in line]
    assert outputs
    for line in outputs:
        for path in line.split(", "):
            assert path.startswith(f"builds/{tiny_corpus.name}/"), path
    assert '"findings": true' in text
