"""The documentary data package (``data/documents/``): five source documents, transcribed.

Each row of every table cites its document (``doc_id`` in ``sources.csv``) and the 1-based line
of that document's seed text, and keeps a short verbatim ``snippet`` from that line.  The
frictionless schemas check types, enums, keys and foreign keys; this module adds the checks a
schema cannot express, on the raw text and before the package is read, so that each problem is
one :class:`InputError` naming file, row and field:

* dates are ISO ``YYYY-MM-DD`` and lie within 1970-2030, and ``date_end`` is not before ``date``;
* every document reference (``source_doc``, ``doc_id``, ``related_doc``, ``side_a_doc``,
  ``side_b_doc``) names a ``doc_id`` of ``sources.csv``;
* the MSG proposal numbers are unique and run 1..25.

:func:`check_snippets` compares snippets with the seed texts; the seeds are not part of the
compendium (their licences differ), so tests run it only when ``../shared/seeds/`` is present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compendium.inputs.errors import InputError
from compendium.inputs.packages import (
    check_encoding,
    check_header,
    check_resource_path,
    load_package,
    read_descriptor,
)

DATE_MIN = pd.Timestamp("1970-01-01")
DATE_MAX = pd.Timestamp("2030-12-31")
N_PROPOSALS = 25

# (resource, column) pairs holding dates, and the end date checked against each start.
DATE_COLUMNS = {"sources": ["date"], "events": ["date", "date_end"], "msg_proposals": ["due_date"]}
DATE_ENDS = {"events": ("date", "date_end")}
# (resource, column) pairs naming a document of sources.csv (empty cells are allowed).
DOCUMENT_REFERENCES = {
    "sources": ["cited_in_doc"],
    "events": ["source_doc", "related_doc"],
    "discrepancies": ["side_a_doc", "side_b_doc"],
    "theme_evidence": ["doc_id"],
}
RESOURCES = (
    "sources",
    "events",
    "discrepancies",
    "msg_proposals",
    "as_features",
    "expenditure",
    "indicators",
    "theme_evidence",
    "msg_theme_crosswalk",
)


@dataclass(frozen=True)
class Documents:
    """The documentary tables as typed frames, in file order."""

    sources: pd.DataFrame
    events: pd.DataFrame
    discrepancies: pd.DataFrame
    msg_proposals: pd.DataFrame
    as_features: pd.DataFrame
    expenditure: pd.DataFrame
    indicators: pd.DataFrame
    theme_evidence: pd.DataFrame
    msg_theme_crosswalk: pd.DataFrame


def seeds_dir(root: Path | str) -> Path:
    """Where the seed texts live next to a checkout: ``<root>/../shared/seeds``."""
    return Path(root).resolve().parent / "shared" / "seeds"


def _schema(directory: Path, resource: dict) -> dict:
    schema = resource.get("schema", {})
    if isinstance(schema, str):
        return json.loads((directory / schema).read_text(encoding="utf-8"))
    return schema


def read_raw(directory: Path | str) -> dict[str, pd.DataFrame]:
    """Every resource as text (no typing), after the byte-level and header checks."""
    directory = Path(directory)
    descriptor = read_descriptor(directory)
    raw = {}
    for number, resource in enumerate(descriptor.get("resources", [])):
        check_resource_path(directory, resource, number)
        path = directory / resource["path"]
        check_encoding(path)
        check_header(path, _schema(directory, resource))
        raw[resource["name"]] = pd.read_csv(path, dtype=str, keep_default_na=False)
    return raw


def check_dates(frame: pd.DataFrame, path: Path | str, column: str) -> pd.Series:
    """Parse ``column`` as ISO dates within 1970-2030; return the parsed dates (NaT if empty)."""
    text = frame[column].fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(text.where(text != ""), format="%Y-%m-%d", errors="coerce")
    unparsed = (text != "") & parsed.isna()
    if unparsed.any():
        i = int(unparsed.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"date {text.iloc[i]!r} is not an ISO date (YYYY-MM-DD, a real calendar day)",
            row=i + 2,
            field=column,
        )
    outside = parsed.notna() & ((parsed < DATE_MIN) | (parsed > DATE_MAX))
    if outside.any():
        i = int(outside.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"date {text.iloc[i]} lies outside {DATE_MIN.year}-{DATE_MAX.year}",
            row=i + 2,
            field=column,
        )
    return parsed


def check_date_order(frame: pd.DataFrame, path: Path | str, start: str, end: str) -> None:
    """``end`` (optional) must not be before ``start``."""
    first = check_dates(frame, path, start)
    last = check_dates(frame, path, end)
    backwards = last.notna() & (last < first)
    if backwards.any():
        i = int(backwards.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"{end} {frame[end].iloc[i]} is before {start} {frame[start].iloc[i]}",
            row=i + 2,
            field=end,
        )


def check_references(frame: pd.DataFrame, path: Path | str, column: str, known: set[str]) -> None:
    """Every non-empty value of ``column`` must be a known ``doc_id``."""
    values = frame[column].fillna("").astype(str).str.strip()
    unknown = (values != "") & ~values.isin(known)
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"unknown document {values.iloc[i]!r} (not a doc_id of sources.csv)",
            row=i + 2,
            field=column,
        )


def check_proposal_numbers(frame: pd.DataFrame, path: Path | str, n: int = N_PROPOSALS) -> None:
    """MSG proposal numbers are integers 1..n, each once, and all n are present."""
    text = frame["number"].astype(str).str.strip()
    number = pd.to_numeric(text, errors="coerce")
    bad = number.isna() | (number < 1) | (number > n) | (number % 1 != 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            path, f"proposal number {text.iloc[i]!r} is not 1..{n}", row=i + 2, field="number"
        )
    repeated = number.duplicated()
    if repeated.any():
        i = int(repeated.to_numpy().nonzero()[0][0])
        first = int(number[number == number.iloc[i]].index[0]) + 2
        raise InputError(
            path,
            f"duplicate proposal number {text.iloc[i]} (first on row {first})",
            row=i + 2,
            field="number",
        )
    missing = sorted(set(range(1, n + 1)) - set(number.astype(int)))
    if missing:
        raise InputError(
            path,
            f"proposal number(s) {', '.join(map(str, missing))} missing (expected 1..{n})",
            row=len(frame) + 2,
            field="number",
        )


def check_documents(directory: Path | str, raw: dict[str, pd.DataFrame]) -> None:
    """The checks a Table Schema cannot do, on the raw text of each resource."""
    directory = Path(directory)
    known = set(raw["sources"]["doc_id"].str.strip())
    for name, columns in DOCUMENT_REFERENCES.items():
        for column in columns:
            if name in raw and column in raw[name].columns:
                check_references(raw[name], directory / f"{name}.csv", column, known)
    for name, columns in DATE_COLUMNS.items():
        for column in columns:
            if name in raw and column in raw[name].columns:
                check_dates(raw[name], directory / f"{name}.csv", column)
    for name, (start, end) in DATE_ENDS.items():
        if name in raw and end in raw[name].columns:
            check_date_order(raw[name], directory / f"{name}.csv", start, end)
    if "msg_proposals" in raw:
        check_proposal_numbers(raw["msg_proposals"], directory / "msg_proposals.csv")


def load_documents(directory: Path | str) -> Documents:
    """Check and load the documentary package in ``directory``, or raise :class:`InputError`."""
    directory = Path(directory)
    check_documents(directory, read_raw(directory))
    tables = load_package(directory)
    return Documents(**{name: tables[name] for name in RESOURCES})


def seed_lines(seeds: Path | str, seed_file: str) -> list[str]:
    """The lines of one seed text (split on newlines only, as ``sed -n 'Np'`` counts them)."""
    return (Path(seeds) / seed_file).read_text(encoding="utf-8").split("\n")


def check_snippets(
    frame: pd.DataFrame,
    seeds: Path | str,
    doc_column: str,
    line_column: str,
    snippet_column: str,
    sources: pd.DataFrame,
) -> pd.DataFrame:
    """Rows whose snippet does not occur verbatim in their cited seed line, with a ``problem``.

    Rows with an empty snippet are skipped; a row citing a document without a seed file, or a
    line beyond the end of the seed, is returned as a problem too.
    """
    seed_of = sources.set_index("doc_id")["seed_file"].fillna("").astype(str)
    texts = {
        doc: seed_lines(seeds, name) for doc, name in seed_of.items() if name and name != "<NA>"
    }
    rows = frame[frame[snippet_column].fillna("").astype(str).str.len() > 0]
    problems = []
    for index, doc, line, snippet in zip(
        rows.index, rows[doc_column], rows[line_column], rows[snippet_column], strict=True
    ):
        lines = texts.get(str(doc))
        if lines is None:
            problems.append((index, f"document {doc!r} has no seed file"))
        elif pd.isna(line) or not 1 <= int(line) <= len(lines):
            problems.append((index, f"line {line} is not a line of {seed_of[doc]}"))
        elif str(snippet) not in lines[int(line) - 1]:
            problems.append((index, f"snippet not found in {seed_of[doc]} line {int(line)}"))
    found = frame.loc[[i for i, _ in problems]].copy()
    found["problem"] = [p for _, p in problems]
    return found
