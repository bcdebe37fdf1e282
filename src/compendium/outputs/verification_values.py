"""What a verification check yields and reads: shared by :mod:`compendium.outputs.verify` and
:mod:`compendium.outputs.verify_documents`.

A check takes a :class:`Context` (the published tables, the rebuilt tables folder, the saved
results) and yields :class:`Comparison` rows; both values are compared as text
(:func:`as_text`), numbers within 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Comparison:
    item: str
    published: str
    rebuilt: str

    @property
    def match(self) -> bool:
        return _same(self.published, self.rebuilt)


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return abs(float(a) - float(b)) < 1e-9
    except ValueError:
        return False


def as_text(value) -> str:
    """A published or rebuilt value as compared: missing -> "", 3.0 -> "3", else ``str``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def compared(item: str, published, rebuilt) -> Comparison:
    """The comparison of two values, each written as :func:`as_text`."""
    return Comparison(item, as_text(published), as_text(rebuilt))


@dataclass(frozen=True)
class Context:
    published: dict[str, pd.DataFrame]
    tables: Path
    results: dict

    def table(self, name: str) -> pd.DataFrame | None:
        path = self.tables / name
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else None
