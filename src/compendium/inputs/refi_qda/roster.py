"""The roster: a CSV beside the mapping with one row per text source of a project without
cases (``compendium qdpx-template`` writes it), saying whose transcript each source is.

Columns, all required in the header: ``source`` (the source's name in the project, or its
GUID), ``participant_id``, ``group``, ``interview_mode``, ``status``, ``quotable``, ``area``.
UTF-8 (a byte-order mark, as spreadsheets write, is allowed); blank lines are skipped.  The
cells are checked with the participant's other fields (:func:`.participants.participant_row`);
here: the header, the shape of each row, control characters, one row per source.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from compendium.inputs.corpus import control_refusal
from compendium.inputs.errors import InputError
from compendium.inputs.yaml_files import read_text_capped

ROSTER_COLUMNS = (
    "source",
    "participant_id",
    "group",
    "interview_mode",
    "status",
    "quotable",
    "area",
)
MAX_ROSTER_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class RosterRow:
    line: int  # the row's line in the file (header: 1)
    source: str
    cells: dict[str, str]  # participant field -> cell (stripped; '' when blank)


def read_roster(path: Path) -> list[RosterRow]:
    """The roster's rows, checked for shape; the values are checked where they are used."""
    text = read_text_capped(
        path,
        "roster",
        MAX_ROSTER_BYTES,
        missing=" (the mapping's roster: names it)",
        encoding="utf-8-sig",
    )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(path, "roster is empty (a header row is needed)", row=1)
        header = [cell.strip() for cell in header]
        if tuple(header) != ROSTER_COLUMNS:
            wrong = next(
                (c for c in header if c not in ROSTER_COLUMNS),
                next((c for c in ROSTER_COLUMNS if c not in header), None),
            )
            raise InputError(
                path,
                f"header must be {','.join(ROSTER_COLUMNS)}"
                + (f" ({wrong!r} is not right)" if wrong is not None else " (in this order)"),
                row=1,
                field=wrong,
            )
        rows: list[RosterRow] = []
        seen: dict[str, int] = {}
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(ROSTER_COLUMNS):
                raise InputError(
                    path,
                    f"row has {len(cells)} cells, the header {len(ROSTER_COLUMNS)}",
                    row=line,
                )
            row = dict(zip(ROSTER_COLUMNS, (cell.strip() for cell in cells), strict=True))
            for column, value in row.items():
                if refusal := control_refusal(value):
                    raise InputError(path, refusal, row=line, field=column)
            source = row.pop("source")
            if not source:
                raise InputError(path, "no source named", row=line, field="source")
            if source in seen:
                raise InputError(
                    path,
                    f"source {source[:60]!r} is already on row {seen[source]}",
                    row=line,
                    field="source",
                )
            seen[source] = line
            rows.append(RosterRow(line, source, row))
    except csv.Error as exc:
        raise InputError(path, f"not valid CSV ({exc})", row=reader.line_num) from None
    return rows
