"""Disclosure checks over built outputs: no participant identifier beside a group, role or mode.

The report links quotations to P-codes and themes only ("group totals are reported only at
the aggregate level and are not linked to quotations, locations, or titles"); the compendium
keeps to the same rule for every file it writes. A *record* is a CSV row, or a line of any
other text file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PARTICIPANT_ID = re.compile(r"\b[PS]\d{1,3}\b")
ATTRIBUTES = re.compile(
    r"\bG[1-3]\b|\bin[ _-]person\b|\bon-?line\b|\bTeams\b|Chief Officer|Chief Executive|"
    r"IJB Secretary|IJB Chair|Vice-Chair|voting member|Third Sector|Service User|Council Union",
    re.IGNORECASE,
)
EMBEDDED_IMAGE = re.compile(r'"image/(png|jpeg)"|data:image/|^[A-Za-z0-9+/=]{200,}$')
TEXT_SUFFIXES = {".csv", ".json", ".html", ".svg", ".ipynb", ".md", ".txt"}


@dataclass(frozen=True)
class Disclosure:
    path: str
    record: int
    identifier: str
    attribute: str


def _records(path: Path) -> Iterator[tuple[int, str]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".csv":
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            yield number, " | ".join(row)
    else:
        yield from enumerate(text.splitlines(), start=1)


def scan(paths: Iterable[Path]) -> list[Disclosure]:
    found = []
    for path in sorted(paths):
        if path.suffix not in TEXT_SUFFIXES or not path.is_file():
            continue
        for number, record in _records(path):
            if EMBEDDED_IMAGE.search(record):
                continue
            ident = PARTICIPANT_ID.search(record)
            if not ident:
                continue
            attr = ATTRIBUTES.search(record)
            if attr:
                found.append(Disclosure(str(path), number, ident.group(0), attr.group(0)))
    return found
