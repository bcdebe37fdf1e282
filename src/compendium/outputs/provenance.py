"""Provenance: which notebook, parameters and input bytes made each output.

Each Snakemake rule, after papermill has run its notebook, calls ``compendium provenance`` to
write a fragment (``reports/provenance/<step>.json``); ``compendium manifest`` merges the
fragments into ``reports/manifest.json`` with the hashes of every output and executed notebook.
Paths are stored relative to the project root, so the manifest is the same on every machine.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

from compendium.inputs.files import sha256_file, write_text_atomic
from compendium.outputs.results import dumps

RECORDED_PACKAGES = [
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "seaborn",
    "statsmodels",
    "networkx",
    "papermill",
    "snakemake",
    "frictionless",
    "nbval",
    "jinja2",
]


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


def pdf_fragment(html: Path | str, pdf: Path | str, corpus: str) -> dict:
    """The PDF is printed from the report's HTML by a command, not a notebook."""
    from compendium.inputs.packages import read_descriptor

    return {
        "step": "pdf",
        "notebook": None,
        "executed_notebook": None,
        "command": f"compendium pdf {Path(html).as_posix()} --out {Path(pdf).as_posix()}",
        "parameters": {},
        "inputs": [file_record(html)],
        "outputs": [Path(pdf).as_posix()],
        "synthetic": bool(corpus and read_descriptor(corpus).get("synthetic", False)),
    }


def write_fragment(path: Path | str, record: dict) -> Path:
    return write_text_atomic(path, dumps(record))


def package_versions() -> dict[str, str]:
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(fragment_paths) -> dict:
    """One entry per output and per executed notebook, sorted by path."""
    entries = []
    for path in sorted(Path(p) for p in fragment_paths):
        record = json.loads(path.read_text(encoding="utf-8"))
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
    entries.sort(key=lambda e: e["path"])
    python = ".".join(platform.python_version_tuple()[:2])
    return {
        "about": "Provenance of every built output: see README, 'Auditing a figure'.",
        "python": python,
        "packages": package_versions(),
        "outputs": entries,
    }


def write_manifest(path: Path | str, fragment_paths) -> Path:
    return write_text_atomic(path, dumps(build_manifest(fragment_paths)))
