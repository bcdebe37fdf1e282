"""Disclosure checks over built outputs.

1. No participant identifier beside a group, role, area or interview mode.  The report links
   quotations to P-codes and themes only ("group totals are reported only at the aggregate
   level and are not linked to quotations, locations, or titles"); the compendium keeps to the
   same rule for every file it writes.  A *record* is a CSV row, or a line of any other text
   file.  Besides the generic patterns below, :func:`corpus_terms` takes the identifiers and
   the attribute values (group codes and labels, roles, modes, areas) of the corpus a build
   was made from, so a real corpus's own area names are caught too.
2. No participant flagged not quotable (``quotable`` = no) is named anywhere
   (:func:`unquotable_named`).
3. No count below the suppression threshold in a group-level table (:func:`small_counts`):
   a table with ``<group>_n`` count columns and ``<group>_size`` sizes must show each count,
   and its complement in the group, as 0 or at least the threshold, or suppressed.

``compendium check-disclosure`` runs all three at the end of every build.
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
# Embedded images and fonts are base64, whose letters can spell a code by chance ("P7").
EMBEDDED_IMAGE = re.compile(
    r'"image/(png|jpeg)"|data:image/|data:font/|data:application/(x-)?font|^[A-Za-z0-9+/=]{200,}$'
)
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


@dataclass(frozen=True)
class CorpusTerms:
    """What a given corpus would disclose: its identifiers and attribute values."""

    identifiers: frozenset[str]
    attributes: frozenset[str]
    not_quotable: frozenset[str] = frozenset()


def corpus_terms(participants, groups) -> CorpusTerms:
    """Identifiers and attribute values of a corpus (roster and groups frames)."""
    ids = {str(v) for v in participants["participant_id"].dropna()}
    values = set()
    for column in ("group", "interview_mode", "area"):
        if column in participants:
            values |= {str(v) for v in participants[column].dropna() if str(v).strip()}
    for column in ("group", "label"):
        values |= {str(v) for v in groups[column].dropna() if str(v).strip()}
    for roles in groups["typical_roles"].dropna():
        values |= {r.strip() for r in str(roles).split(",") if r.strip()}
    not_quotable = set()
    if "quotable" in participants:
        flag = participants["quotable"].astype("string").str.lower()
        not_quotable = set(participants.loc[flag.isin(["no", "false"]), "participant_id"])
    return CorpusTerms(frozenset(ids), frozenset(values), frozenset(map(str, not_quotable)))


def unquotable_named(paths: Iterable[Path], terms: CorpusTerms) -> list[Disclosure]:
    """Records naming a participant who may not be quoted (in any output, not only quotes)."""
    pattern = _words(terms.not_quotable)
    found = []
    if pattern is None:
        return found
    for path in sorted(paths):
        if path.suffix not in TEXT_SUFFIXES or not path.is_file():
            continue
        for number, record in _records(path):
            if not EMBEDDED_IMAGE.search(record) and (hit := pattern.search(record)):
                found.append(Disclosure(str(path), number, hit.group(0), "not quotable"))
    return found


def _words(terms: Iterable[str]) -> re.Pattern | None:
    terms = sorted(set(terms), key=lambda t: (-len(t), t))
    if not terms:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, terms)) + r")(?![\w-])")


def scan(paths: Iterable[Path], terms: CorpusTerms | None = None) -> list[Disclosure]:
    """Records naming a participant beside an attribute, over every text file of ``paths``."""
    identifiers, attributes = [PARTICIPANT_ID], [ATTRIBUTES]
    if terms is not None:
        identifiers += [p for p in [_words(terms.identifiers)] if p]
        attributes += [p for p in [_words(terms.attributes)] if p]
    found = []
    for path in sorted(paths):
        if path.suffix not in TEXT_SUFFIXES or not path.is_file():
            continue
        for number, record in _records(path):
            if EMBEDDED_IMAGE.search(record):
                continue
            ident = next((m for p in identifiers if (m := p.search(record))), None)
            if not ident:
                continue
            attr = next((m for p in attributes if (m := p.search(record))), None)
            if attr:
                found.append(Disclosure(str(path), number, ident.group(0), attr.group(0)))
    return found


SUPPRESSED_MARK = "suppressed"
COUNT_COLUMN = re.compile(r"^(?P<group>.+)_n$")


@dataclass(frozen=True)
class SmallCount:
    path: str
    row: int
    field: str
    value: int


def small_counts(paths: Iterable[Path], threshold: int) -> list[SmallCount]:
    """Counts (or their complements in the group) between 1 and ``threshold - 1``.

    A group-level table is a CSV with, for some group, a ``<group>_n`` column and a
    ``<group>_size`` column; rows are CSV rows (header = row 1).
    """
    import pandas as pd

    found = []
    for path in sorted(paths):
        if path.suffix != ".csv" or not path.is_file():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        pairs = [
            (column, f"{m['group']}_size")
            for column in frame.columns
            if (m := COUNT_COLUMN.match(column)) and f"{m['group']}_size" in frame.columns
        ]
        for column, size_column in pairs:
            for i, (value, size) in enumerate(zip(frame[column], frame[size_column], strict=True)):
                if value in ("", SUPPRESSED_MARK) or not value.isdigit() or not size.isdigit():
                    continue
                count, total = int(value), int(size)
                for shown in (count, total - count):
                    if 0 < shown < threshold:
                        found.append(SmallCount(str(path), i + 2, column, shown))
                        break
    return found
