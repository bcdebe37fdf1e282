"""Shared fixtures: the project root, the codebook, small hand-made corpora."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from compendium.inputs.codebook import load_codebook
from compendium.inputs.corpus_schema import corpus_schema
from compendium.paths import copy_sources

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def codebook():
    return load_codebook(ROOT / "data" / "codebook")


def write_corpus(directory: Path, participants, groups, segments) -> Path:
    """Write a small corpus package (lists of dicts or frames) with the shipped schema."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in (("participants", participants), ("groups", groups), ("segments", segments)):
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        frame.to_csv(directory / f"{name}.csv", index=False, lineterminator="\n")
    descriptor = corpus_schema() | {"name": directory.name}
    (directory / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    return directory


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """Four participants (one withdrawn), two groups, hand-countable coding."""
    participants = [
        {
            "participant_id": "A1",
            "group": "G1",
            "interview_mode": "online",
            "status": "analysed",
            "quotable": "yes",
            "area": "X1",
        },
        {
            "participant_id": "A2",
            "group": "G1",
            "interview_mode": "in_person",
            "status": "analysed",
            "quotable": "no",
            "area": "X1",
        },
        {
            "participant_id": "A3",
            "group": "G2",
            "interview_mode": "online",
            "status": "analysed",
            "quotable": "yes",
            "area": "X1",
        },
        {
            "participant_id": "A4",
            "group": "G2",
            "interview_mode": "",
            "status": "withdrawn",
            "quotable": "yes",
            "area": "X1",
        },
    ]
    groups = [
        {"group": "G1", "label": "Leaders", "typical_roles": "Chief Officer"},
        {"group": "G2", "label": "Members", "typical_roles": "Voting member"},
    ]
    segments = [
        {
            "segment_id": "x1",
            "participant_id": "A1",
            "theme": "G",
            "subtheme": "A",
            "secondary_theme": "F",
            "link_type": "causal",
        },
        {
            "segment_id": "x2",
            "participant_id": "A1",
            "theme": "W",
            "subtheme": "B",
            "secondary_theme": "",
            "link_type": "",
        },
        {
            "segment_id": "x3",
            "participant_id": "A2",
            "theme": "G",
            "subtheme": "C",
            "secondary_theme": "",
            "link_type": "",
        },
        {
            "segment_id": "x4",
            "participant_id": "A2",
            "theme": "G",
            "subtheme": "B",
            "secondary_theme": "",
            "link_type": "",
        },
        {
            "segment_id": "x5",
            "participant_id": "A3",
            "theme": "S",
            "subtheme": "A",
            "secondary_theme": "W",
            "link_type": "constraint",
        },
    ]
    return write_corpus(tmp_path / "tiny", participants, groups, segments)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "compendium"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def copy_project(destination: Path, with_outputs: bool = False) -> Path:
    """Copy the sources (not the venv, not built outputs unless asked) to ``destination``."""
    return copy_sources(ROOT, destination, with_outputs)


def buildable_copy(destination: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the project (built outputs included) where ``make reproduce`` can run.

    ``make`` finds the installed environment as it would after ``make setup`` (a ``.venv`` whose
    ``bin`` is this interpreter's, and a set-up stamp newer than pyproject.toml and the lock),
    so it installs nothing.  Returns the copy and the environment to run commands in.
    """
    work = copy_project(destination, with_outputs=True)
    venv = work / ".venv"
    venv.mkdir()
    (venv / "bin").symlink_to(BIN)
    (venv / ".installed-stamp").touch()
    return work, command_env()


def command_env() -> dict[str, str]:
    """The environment to run the project's commands in, as a user at a shell would: this
    environment's bin first on PATH, and none of an outer make's variables (under `make test`
    they would make an inner `make reproduce` print its directories)."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    return env | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def tree_hashes(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def pytest_collection_modifyitems(items):
    """Modules that build the whole pipeline first: with ``--dist loadfile`` and
    ``--no-loadscope-reorder`` the workers start on the longest work (the builds) and spread the
    short tests over whatever time is left, instead of ending on a build."""
    items.sort(key=lambda item: item.get_closest_marker("full_build") is None)


def run_in(work: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run a command in a copy made by :func:`buildable_copy`; output captured, not checked."""
    return subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, check=False)


def import_project(work: Path, env, qdpx: Path, mapping, name: str):
    """``compendium import-qdpx`` into ``data/coded/<name>`` of the copy; it must succeed."""
    imported = run_in(work, env, str(BIN / "compendium"), "import-qdpx", str(qdpx),
                      "--mapping", str(mapping), "--out", f"data/coded/{name}")  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    return imported
