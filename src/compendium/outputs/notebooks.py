"""Executed notebooks without volatile metadata (timings, kernel start times, random cell ids).

papermill records when each cell ran; those stamps change on every run, so they are removed
after execution to let two builds give the same bytes and to keep nbval's inputs stable.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from compendium.inputs.files import write_text_atomic

VOLATILE_CELL_KEYS = ("execution", "papermill")
VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration", "environment_variables")


def clean_notebook(nb) -> None:
    papermill = nb.metadata.get("papermill", {})
    for key in VOLATILE_PAPERMILL_KEYS:
        papermill.pop(key, None)
    if "input_path" in papermill:
        papermill["input_path"] = Path(papermill["input_path"]).as_posix()
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number:02d}"
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)


def clean_executed_notebook(path: Path | str, out: Path | str | None = None) -> Path:
    """Clean ``path`` and write the result to ``out`` (default: in place), atomically."""
    nb = nbformat.read(path, as_version=4)
    clean_notebook(nb)
    target = Path(out or path)
    if "papermill" in nb.metadata:
        nb.metadata["papermill"]["output_path"] = target.as_posix()
    return write_text_atomic(target, nbformat.writes(nb) + "\n")
