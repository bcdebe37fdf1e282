"""The one error type raised for bad input: it always names the file, the row and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """A problem in an input file, located as precisely as the reader can.

    ``row`` follows the frictionless convention: the header is row 1, the first data row is
    row 2 (so it is also the line number in a file without multi-line cells).
    """

    path: Path | str
    message: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [str(self.path)]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"
