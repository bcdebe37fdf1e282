"""What differs between two builds: ``compendium diff A B``.

A build is a folder holding ``figures/`` and ``reports/`` (the project root for the committed
build, ``builds/<name>/`` for the others).  The differences are grouped so the reader sees the
cause before its effects:

- parameters: each step's ``parameters`` in ``reports/provenance/<step>.json``
  (``intersections.high: 0.5 -> 0.6``); paths inside the build (``builds/x/reports/...``) are
  compared as seen from the build, so building elsewhere is not a difference;
- numbers: ``reports/results/<step>.json``, recursively (``intersections.n_high: 6 -> 4``);
- tables: ``reports/tables/*.csv`` and ``reports/verification.csv``, cell by cell, rows keyed by
  the first column (by row number when it is not unique in both builds):
  ``table3_intersections.csv [G] W: M -> H``; rows and columns only in one build are ``added``
  (only in B) or ``removed`` (only in A);
- figures: every file under ``figures/``, by bytes (``figures/intersections.svg differs``).

JSON numbers and CSV cells are compared as the text written (both are written
deterministically): ``0.5`` and ``0.50`` differ, ``NaN`` equals ``NaN``.

Executed notebooks, the manifest and provenance's input hashes are derivative or volatile and
are not compared; the report (HTML, PDF) and any other file under ``reports/`` are compared by
bytes and only mentioned (``report differs``), under "report", outside the counts.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from compendium.inputs.errors import InputError

GROUPS = ("parameters", "numbers", "tables", "figures", "report")
# Group -> what the summary line calls its differences ("report" is mentioned, not counted).
COUNTED = {
    "parameters": "parameters",
    "numbers": "numbers",
    "tables": "table cells",
    "figures": "figures",
}
REPORT_FILES = ("report.html", "report.pdf")
# Under reports/: read by a group (results, tables, provenance), or never compared.
HANDLED = {"results", "tables", "provenance"}
IGNORED = {"notebooks", "manifest.json"}
VERIFICATION = "verification.csv"
EMPTY = "(empty)"


@dataclass(frozen=True)
class Number:
    """A JSON number as written: compared and shown by its text."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class BuildDiff:
    """Lines per group (see ``GROUPS``), in the order they are printed."""

    groups: dict[str, list[str]] = field(default_factory=lambda: {g: [] for g in GROUPS})

    def count(self, group: str) -> int:
        return len(self.groups[group])

    @property
    def total(self) -> int:
        return sum(self.count(g) for g in COUNTED)

    @property
    def same(self) -> bool:
        return not any(self.groups.values())


def check_build(folder: Path) -> Path:
    """``folder`` if it is a build (it holds ``reports/``), else a one-line error."""
    if not (Path(folder) / "reports").is_dir():
        raise InputError(folder, "not a build (no reports/ folder)")
    return Path(folder)


def load_json(path: Path):
    """A JSON file with its numbers kept as written (:class:`Number`)."""
    try:
        return json.loads(
            path.read_text(encoding="utf-8"),
            parse_int=Number,
            parse_float=Number,
            parse_constant=Number,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not readable as JSON ({exc})") from None


def show(value) -> str:
    """A JSON value on one line: numbers as written, strings quoted."""
    if isinstance(value, Number):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _scalar(value) -> bool:
    return not isinstance(value, dict | list)


def compare_values(a, b, path: str) -> list[str]:
    """Differences between two JSON values, by dotted path (``step.key.sub``, ``key[2]``).

    Lists of the same length are compared item by item; lists of plain values whose lengths
    differ are reported as the items removed and added.
    """
    if a == b:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        lines = []
        for key in [*a, *(k for k in b if k not in a)]:
            where = f"{path}.{key}"
            if key not in b:
                lines.append(f"{where} removed: {show(a[key])}")
            elif key not in a:
                lines.append(f"{where} added: {show(b[key])}")
            else:
                lines += compare_values(a[key], b[key], where)
        return lines
    if isinstance(a, list) and isinstance(b, list):
        if len(a) == len(b):
            return [
                line
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                for line in compare_values(x, y, f"{path}[{i}]")
            ]
        if all(map(_scalar, a + b)):
            return [_list_change(path, a, b)]
    return [f"{path}: {show(a)} -> {show(b)}"]


def _list_change(path: str, a: list, b: list) -> str:
    """``path: removed x, y; added z`` for two lists of plain values."""
    count_a, count_b = Counter(map(show, a)), Counter(map(show, b))
    removed = [*(count_a - count_b).elements()]
    added = [*(count_b - count_a).elements()]
    parts = [
        f"{word} {', '.join(items)}"
        for word, items in (("removed", removed), ("added", added))
        if items
    ]
    return f"{path}: {'; '.join(parts) or 'reordered'}"


def _files(folder: Path, pattern: str) -> dict[str, Path]:
    """Name (relative to ``folder``) -> path of the files matching ``pattern``, hidden ones
    left out."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.glob(pattern))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def _paired(a: dict[str, Path], b: dict[str, Path]):
    """(name, path in A or None, path in B or None) over both, by name."""
    for name in sorted(a.keys() | b.keys()):
        yield name, a.get(name), b.get(name)


def _one_side(label: str, a: Path | None, b: Path | None) -> str | None:
    if a is None:
        return f"{label} added"
    if b is None:
        return f"{label} removed"
    return None


def _per_file(folder: str, files_a: dict, files_b: dict, compare) -> list[str]:
    """``compare(name, path_a, path_b)`` for the files of ``folder`` in both builds; a file in
    one build only is one line, ``<folder>/<name> added`` or ``removed``."""
    lines = []
    for name, x, y in _paired(files_a, files_b):
        missing = _one_side(f"{folder}/{name}", x, y)
        lines += [missing] if missing else compare(name, x, y)
    return lines


def compare_results(a: Path, b: Path) -> list[str]:
    """Numbers: ``reports/results/*.json`` of two builds, by ``<step>.<dotted path>``."""
    folder = "reports/results"
    return _per_file(
        folder,
        _files(a / folder, "*.json"),
        _files(b / folder, "*.json"),
        lambda name, x, y: compare_values(load_json(x), load_json(y), Path(name).stem),
    )


def build_prefix(fragments: list[dict]) -> str:
    """The build's folder as provenance names it (``builds/x/``; ``""`` at the root): what
    precedes ``reports/`` or ``figures/`` in the paths a step recorded."""
    for record in fragments:
        for recorded in [record.get("executed_notebook"), *record.get("outputs", [])]:
            if not isinstance(recorded, str):
                continue
            parts = PurePosixPath(recorded).parts
            for i, part in enumerate(parts):
                if part in ("reports", "figures"):
                    return "".join(f"{p}/" for p in parts[:i])
    return ""


def within_build(value, prefix: str):
    """``value`` with paths inside the build written as seen from the build."""
    if isinstance(value, dict):
        return {k: within_build(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [within_build(v, prefix) for v in value]
    if isinstance(value, str) and prefix:
        if value == prefix.rstrip("/"):
            return "."
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _parameters(build: Path) -> tuple[dict[str, Path], dict[str, dict]]:
    files = _files(build / "reports/provenance", "*.json")
    records = {name: load_json(path) for name, path in files.items()}
    records = {name: r if isinstance(r, dict) else {} for name, r in records.items()}
    prefix = build_prefix(list(records.values()))
    return files, {
        name: within_build(r.get("parameters", {}), prefix) for name, r in records.items()
    }


def compare_parameters(a: Path, b: Path) -> list[str]:
    """Parameters of each step (``reports/provenance/<step>.json``), by ``<step>.<name>``."""
    (files_a, params_a), (files_b, params_b) = _parameters(a), _parameters(b)
    return _per_file(
        "reports/provenance",
        files_a,
        files_b,
        lambda name, _x, _y: compare_values(params_a[name], params_b[name], Path(name).stem),
    )


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Column labels and rows (padded to the same width) of a CSV file, cells as written."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, f"not readable as CSV ({exc})") from None
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    width = max(map(len, rows), default=0)
    labels, seen = [], Counter()
    for i in range(width):
        label = header[i] if i < len(header) else f"column {i + 1}"
        seen[label] += 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels, [row + [""] * (width - len(row)) for row in body]


def _cell(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n") if text else EMPTY


def _keys(a: tuple[list[str], list], b: tuple[list[str], list]) -> tuple[list, list, bool]:
    """Row keys of two tables (labels, rows): the first column when both tables have it first
    and it is unique in each, else ``row N``."""
    (cols_a, rows_a), (cols_b, rows_b) = a, b
    firsts = [[r[0] if r else "" for r in rows] for rows in (rows_a, rows_b)]
    if cols_a[:1] == cols_b[:1] and all(len(set(f)) == len(f) for f in firsts):
        return firsts[0], firsts[1], True
    numbered = [[f"row {i}" for i in range(1, len(rows) + 1)] for rows in (rows_a, rows_b)]
    return numbered[0], numbered[1], False


def _by_key(keys: list[str], columns: list[str], rows: list[list[str]]) -> dict[str, dict]:
    return {k: dict(zip(columns, r, strict=True)) for k, r in zip(keys, rows, strict=True)}


def compare_table(name: str, a: Path, b: Path) -> list[str]:
    """A table's cells (``name [key] column: old -> new``), rows and columns added or removed."""
    (cols_a, rows_a), (cols_b, rows_b) = table_a, table_b = read_table(a), read_table(b)
    keys_a, keys_b, keyed = _keys(table_a, table_b)
    lines = [f"{name} column {c} removed" for c in cols_a if c not in cols_b]
    lines += [f"{name} column {c} added" for c in cols_b if c not in cols_a]
    common = [c for c in cols_a if c in cols_b]
    if common != [c for c in cols_b if c in cols_a]:
        lines.append(f"{name} columns reordered")
    row_a, row_b = _by_key(keys_a, cols_a, rows_a), _by_key(keys_b, cols_b, rows_b)
    if keyed and [k for k in keys_a if k in row_b] != [k for k in keys_b if k in row_a]:
        lines.append(f"{name} rows reordered")
    for key in keys_a:
        if key not in row_b:
            lines.append(f"{name} [{key}] row removed")
            continue
        lines += [
            f"{name} [{key}] {c}: {_cell(row_a[key][c])} -> {_cell(row_b[key][c])}"
            for c in common
            if row_a[key][c] != row_b[key][c]
        ]
    lines += [f"{name} [{key}] row added" for key in keys_b if key not in row_a]
    return lines


def compare_tables(a: Path, b: Path) -> list[str]:
    """Tables: ``reports/tables/*.csv`` and ``reports/verification.csv``, cell by cell."""
    return [
        line
        for folder, pattern in (("reports/tables", "*.csv"), ("reports", VERIFICATION))
        for line in _per_file(
            folder, _files(a / folder, pattern), _files(b / folder, pattern), compare_table
        )
    ]


def _bytes_differ(a: Path | None, b: Path | None) -> bool:
    return a is None or b is None or a.read_bytes() != b.read_bytes()


def compare_figures(a: Path, b: Path) -> list[str]:
    """Figures: every file under ``figures/``, by bytes."""
    return [
        _one_side(f"figures/{name}", x, y) or f"figures/{name} differs"
        for name, x, y in _paired(_files(a / "figures", "**/*"), _files(b / "figures", "**/*"))
        if _bytes_differ(x, y)
    ]


def _other_reports(build: Path) -> dict[str, Path]:
    """Files under ``reports/`` that no group reads and that are not left out as volatile."""
    return {
        name: path
        for name, path in _files(build / "reports", "**/*").items()
        if name.split("/")[0] not in HANDLED | IGNORED and name != VERIFICATION
    }


def compare_report(a: Path, b: Path) -> list[str]:
    """The report (``report differs``) and other files under ``reports/``, by bytes."""
    changed = [
        (name, x, y)
        for name, x, y in _paired(_other_reports(a), _other_reports(b))
        if _bytes_differ(x, y)
    ]
    report = [name for name, _, _ in changed if name in REPORT_FILES]
    lines = [f"report differs ({', '.join(report)})"] if report else []
    return lines + [
        _one_side(f"reports/{name}", x, y) or f"reports/{name} differs"
        for name, x, y in changed
        if name not in REPORT_FILES
    ]


def diff_builds(a: Path | str, b: Path | str) -> BuildDiff:
    """Every difference between builds ``a`` and ``b`` (folders holding ``reports/``)."""
    a, b = check_build(Path(a)), check_build(Path(b))
    found = BuildDiff()
    found.groups["parameters"] = compare_parameters(a, b)
    found.groups["numbers"] = compare_results(a, b)
    found.groups["tables"] = compare_tables(a, b)
    found.groups["figures"] = compare_figures(a, b)
    found.groups["report"] = compare_report(a, b)
    return found


def format_diff(found: BuildDiff, limit: int = 200) -> list[str]:
    """Headings, one indented line per difference (at most ``limit`` per group, then
    ``... and K more``), and the summary line; ``no differences`` when the builds are the same."""
    if found.same:
        return ["no differences"]
    out = []
    for group, lines in found.groups.items():
        if not lines:
            continue
        out.append(group)
        out += [f"  {line}" for line in lines[:limit]]
        if len(lines) > limit:
            out.append(f"  ... and {len(lines) - limit} more")
    counts = ", ".join(f"{found.count(g)} {label}" for g, label in COUNTED.items())
    out.append(f"{found.total} differences: {counts}")
    return out
