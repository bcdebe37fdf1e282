"""Provenance: which notebook, parameters and input bytes made each output.

Each Snakemake rule, after papermill has run its notebook, calls ``compendium provenance`` to
write a fragment (``reports/provenance/<step>.json``); ``compendium manifest`` merges the
fragments into ``reports/manifest.json`` with the hashes of every output, executed notebook and
fragment, and the environment that built them: Python's full version, every installed package,
Chromium's version and the shipped fonts the PDF is printed with. Paths are stored relative to
the project root, so the manifest is the same on every machine with the same environment,
except its ``build`` field (the git commit and whether the tree was dirty), which changes with
every commit and is the one field a rebuild is not expected to reproduce.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

from compendium.inputs.files import sha256_file, write_text_atomic
from compendium.outputs.pdf import FACES, find_browser
from compendium.outputs.results import dumps
from compendium.paths import BUILT_FOLDERS

PROJECT = "compendium"


def file_record(path: Path | str) -> dict:
    path = Path(path)
    return {"path": path.as_posix(), "sha256": sha256_file(path)}


def expand_files(paths) -> list[Path]:
    """Files named directly or found (recursively) under named folders, sorted and unique."""
    found: set[Path] = set()
    for item in paths:
        item = Path(item)
        if item.is_dir():
            found.update(p for p in item.rglob("*") if p.is_file())
        elif item.is_file():
            found.add(item)
    return sorted(found)


def fragment(
    step: str,
    notebook: str,
    executed_notebook: str,
    parameters: dict,
    inputs,
    outputs,
    synthetic: bool,
) -> dict:
    return {
        "step": step,
        "notebook": Path(notebook).as_posix(),
        "executed_notebook": Path(executed_notebook).as_posix(),
        "parameters": parameters,
        "inputs": [file_record(p) for p in expand_files(inputs)],
        "outputs": sorted(Path(p).as_posix() for p in outputs),
        "synthetic": synthetic,
    }


def pdf_fragment(
    html: Path | str, pdf: Path | str, corpus: str, not_built: list[dict] | None = None
) -> dict:
    """The PDF is printed from the report's HTML by a command, not a notebook.  Where it could
    not be printed (no browser), ``not_built`` says why, and the PDF is no output."""
    from compendium.inputs.packages import read_descriptor

    record = {
        "step": "pdf",
        "notebook": None,
        "executed_notebook": None,
        "command": f"compendium pdf {Path(html).as_posix()} --out {Path(pdf).as_posix()}",
        "parameters": {},
        "inputs": [file_record(html)],
        "outputs": [] if not_built else [Path(pdf).as_posix()],
        "synthetic": bool(corpus and read_descriptor(corpus).get("synthetic", False)),
    }
    return record | ({"not_built": not_built} if not_built else {})


def write_fragment(path: Path | str, record: dict) -> Path:
    return write_text_atomic(path, dumps(record))


def normalised(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503): lower case, runs of -_. as -."""
    return re.sub(r"[-_.]+", "-", name).lower()


# The installer's own tools: not in the lock (pip is upgraded by make setup, setuptools comes
# with the venv), never imported by a step, and different on machines with the same lock.
INSTALLERS = {"pip", "setuptools", "wheel"}


def package_versions() -> dict[str, str]:
    """Every installed distribution but the project itself and the installer's tools:
    normalised name -> version, sorted.  A name found twice on the path counts as the first,
    the one ``import`` would use."""
    versions: dict[str, str] = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if name and normalised(name) != PROJECT and normalised(name) not in INSTALLERS:
            versions.setdefault(normalised(name), distribution.version)
    return dict(sorted(versions.items()))


def _run(*command: str) -> str | None:
    """A command's standard output, stripped; None when it cannot run or fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def chromium_version() -> str:
    browser = find_browser()
    return (browser and _run(browser, "--version")) or "not found"


def font_records() -> list[dict]:
    """The shipped font files the PDF is printed with (embedded in the report's HTML): each
    named by its path in the project (the same wherever the build runs), hashed as installed."""
    return [
        {
            "family": face.family,
            "weight": face.weight,
            "style": face.style,
            "path": f"src/compendium/templates/fonts/{face.file}",
            "sha256": sha256_file(face.path),
        }
        for face in FACES
    ]


def build_record() -> dict:
    """The commit the outputs were built from and whether the sources differed from it (built
    outputs aside): facts of this build, not of the outputs, so no rebuild reproduces them."""
    ignored = _run("git", "check-ignore", "-q", ".") is not None  # a copy inside another tree
    commit = None if ignored else _run("git", "rev-parse", "HEAD")
    excluded = [f":(exclude){folder}" for folder in BUILT_FOLDERS]  # the build is writing them
    status = _run("git", "status", "--porcelain", "--", ".", *excluded) if commit else None
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def build_manifest(fragment_paths) -> dict:
    """One entry per output, executed notebook and fragment (a fragment outside the project
    root, named by an absolute path, is merged but not listed), sorted by path; then the
    environment, the commit in ``build``, and ``not_built`` where a step could not make an
    output (the PDF without a browser), saying why."""
    entries, not_built = [], []
    for path in sorted(Path(p) for p in fragment_paths):
        record = json.loads(path.read_text(encoding="utf-8"))
        not_built += record.get("not_built", [])  # an output a step could not make, and why
        common = {
            "notebook": record["notebook"],
            "executed_notebook": record["executed_notebook"],
            "parameters": record["parameters"],
            "inputs": record["inputs"],
            "synthetic": record["synthetic"],
            "step": record["step"],
        }
        if record.get("command"):  # made by a command (the PDF), not a notebook
            common["command"] = record["command"]
        executed = [record["executed_notebook"]] if record["executed_notebook"] else []
        for output in record["outputs"] + executed:
            if not Path(output).is_file():
                raise FileNotFoundError(f"{path}: output {output} does not exist")
            kind = "executed_notebook" if output == record["executed_notebook"] else "output"
            entries.append(
                {"id": output, "path": output, "kind": kind, "sha256": sha256_file(output)} | common
            )
        if not path.is_absolute():  # the fragment itself, a file of the build (under the root)
            fragment_path = path.as_posix()
            entries.append(
                {
                    "id": fragment_path,
                    "path": fragment_path,
                    "kind": "provenance",
                    "sha256": sha256_file(path),
                }
                | common
            )
    entries.sort(key=lambda e: e["path"])
    manifest = {
        "about": "Provenance of every built output: see README, 'Auditing a figure'.",
        "build": build_record(),
        "python": platform.python_version(),
        "packages": package_versions(),
        "chromium": chromium_version(),
        "fonts": font_records(),
        "outputs": entries,
    }
    return manifest | ({"not_built": not_built} if not_built else {})


def write_manifest(path: Path | str, fragment_paths) -> Path:
    return write_text_atomic(path, dumps(build_manifest(fragment_paths)))
