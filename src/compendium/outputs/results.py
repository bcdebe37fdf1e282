"""Computed values for prose and verification: one small JSON file per pipeline step.

Notebooks never type a number into narrative: they save what they computed with
``save_results`` and the report template reads the merged results.
"""

from __future__ import annotations

import json
from pathlib import Path

from compendium.inputs.files import write_text_atomic


def _plain(value):
    """Convert numpy/pandas scalars to plain JSON types."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dumps(data) -> str:
    return json.dumps(_plain(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save_results(path: Path | str, values: dict) -> Path:
    """Write ``values`` (a flat or nested dict of plain values) as sorted JSON, atomically."""
    return write_text_atomic(path, dumps(values))


def load_results(directory: Path | str) -> dict:
    """Merge every ``<step>.json`` in ``directory`` into ``{step: values}``."""
    merged = {}
    for path in sorted(Path(directory).glob("*.json")):
        merged[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return merged
