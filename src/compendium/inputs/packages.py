"""Frictionless data packages: validate one, then read its tables into typed pandas frames.

Every folder under ``data/`` is a data package (``datapackage.json`` + CSV resources whose
Table Schemas say what each column holds).  Schema checks (types, required fields, enums,
unique and primary keys, foreign keys between resources) are done by ``frictionless``; this
module only turns frictionless's report into one :class:`InputError` naming file, row and field,
and adds the byte-level checks frictionless is lenient about (empty files, byte-order marks,
bytes that are not UTF-8).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from compendium.inputs.errors import InputError

if TYPE_CHECKING:  # imported where tables are read, so reading a descriptor stays light
    import pandas as pd

DESCRIPTOR = "datapackage.json"

_PANDAS_TYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "date": "string",
    "year": "Int64",
}


def read_descriptor(directory: Path | str) -> dict:
    """Return the parsed ``datapackage.json`` of ``directory``."""
    path = Path(directory) / DESCRIPTOR
    if not path.is_file():
        raise InputError(path, "no data package descriptor here (expected datapackage.json)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not valid UTF-8 JSON ({exc})") from None


def _resolve_schema(directory: Path, resource: dict) -> dict:
    schema = resource.get("schema", {})
    if isinstance(schema, str):
        schema_path = directory / schema
        try:
            return json.loads(schema_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(schema_path, f"cannot read table schema ({exc})") from None
    return schema


def check_resource_path(directory: Path, resource: dict, number: int) -> None:
    """A resource must be a relative path inside the package folder (no ``..``, no absolute)."""
    path = resource.get("path")
    where = f"resources[{number}]"
    if not isinstance(path, str) or not path:
        raise InputError(directory / DESCRIPTOR, f"{where} has no path", field="path")
    if Path(path).is_absolute() or ".." in Path(path).parts or "://" in path:
        raise InputError(
            directory / DESCRIPTOR,
            f"{where} path {path!r} points outside the package folder",
            field="path",
        )


def check_encoding(path: Path) -> None:
    """Refuse empty files, byte-order marks and bytes that are not UTF-8, naming the line."""
    if not path.is_file():
        raise InputError(path, "file is missing")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, "file is empty (expected a header row and data rows)", row=1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            path, "file starts with a byte-order mark; save it as UTF-8 without BOM", row=1
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            path,
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; "
            "re-save the file as UTF-8",
            row=line,
        ) from None


def check_header(path: Path, schema: dict) -> None:
    """Name the missing and unexpected columns (frictionless matches headers by position)."""
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    expected = [field["name"] for field in schema.get("fields", [])]
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(extra)}")
        field = (missing or extra)[0]
        raise InputError(
            path, "; ".join(parts) + f" (expected: {', '.join(expected)})", row=1, field=field
        )
    if header != expected:
        raise InputError(path, f"columns are out of order (expected: {', '.join(expected)})", row=1)


def _first_error(directory: Path, report) -> InputError:
    for task in report.tasks:
        for error in task.errors:
            place = directory / task.place if task.place else directory / DESCRIPTOR
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            note = error.note or error.message
            if error.type == "type-error":
                cell = getattr(error, "cell", "")
                message = f"value {cell!r} has the wrong type ({note})"
            elif error.type == "constraint-error":
                cell = getattr(error, "cell", "")
                message = f"value {cell!r} breaks a constraint ({note})"
            elif error.type in {"primary-key", "unique-error"}:
                message = f"duplicate identifier ({note})"
            elif error.type == "foreign-key":
                message = f"refers to a row that does not exist ({note})"
            elif error.type in {"missing-label", "extra-label", "incorrect-label", "blank-label"}:
                message = f"header does not match the schema: {error.message}"
                row = row or 1
            else:
                message = error.message
            return InputError(place, message, row=row, field=field)
    for error in report.errors:
        return InputError(directory / DESCRIPTOR, error.message)
    return InputError(directory / DESCRIPTOR, "invalid data package")


def validate_package(directory: Path | str) -> dict:
    """Validate the data package in ``directory``; return its descriptor or raise InputError."""
    import frictionless  # imported here: it is the slowest import in the project

    directory = Path(directory)
    descriptor = read_descriptor(directory)
    for number, resource in enumerate(descriptor.get("resources", [])):
        check_resource_path(directory, resource, number)
        check_encoding(directory / resource["path"])
        check_header(directory / resource["path"], _resolve_schema(directory, resource))
    report = frictionless.validate(str(directory / DESCRIPTOR))
    if not report.valid:
        raise _first_error(directory, report)
    return descriptor


def _parser_problem(exc: Exception) -> str:
    return str(exc).removeprefix("Error tokenizing data. C error: ").strip()


def _parser_row(exc: Exception) -> int | None:
    """The row (header = 1) pandas' CSV tokenizer names: its "row N" counts from 0, its
    "line N" from 1."""
    import re

    if match := re.search(r"\brow (\d+)", str(exc)):
        return int(match.group(1)) + 1
    if match := re.search(r"\bline (\d+)", str(exc)):
        return int(match.group(1))
    return None


def _read_resource(directory: Path, resource: dict) -> pd.DataFrame:
    import pandas as pd

    schema = _resolve_schema(directory, resource)
    fields = schema.get("fields", [])
    path = directory / resource["path"]
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
        )
    except pd.errors.ParserError as exc:  # e.g. a quote never closed, which frictionless reads
        raise InputError(path, f"not a well-formed CSV table: {_parser_problem(exc)}",
                         row=_parser_row(exc)) from None  # fmt: skip
    for field in fields:
        name = field["name"]
        if name not in frame.columns:
            continue
        kind = field.get("type", "string")
        if kind == "boolean":
            truthy = set(field.get("trueValues", ["true", "True", "TRUE", "1", "yes"]))
            frame[name] = (
                frame[name]
                .map(lambda v, t=truthy: pd.NA if pd.isna(v) else v in t)
                .astype("boolean")
            )
        else:
            frame[name] = frame[name].astype(_PANDAS_TYPES.get(kind, "string"))
    return frame


def load_package(directory: Path | str, *, validate: bool = True) -> dict[str, pd.DataFrame]:
    """Validate (unless told not to) and read every resource of a data package.

    Returns a mapping of resource name to a typed DataFrame in file order.
    """
    directory = Path(directory)
    descriptor = validate_package(directory) if validate else read_descriptor(directory)
    return {
        resource["name"]: _read_resource(directory, resource)
        for resource in descriptor.get("resources", [])
    }


def package_files(directory: Path | str) -> list[Path]:
    """The descriptor and every resource and schema file of a package, sorted."""
    directory = Path(directory)
    descriptor = read_descriptor(directory)
    files = {directory / DESCRIPTOR}
    for resource in descriptor.get("resources", []):
        files.add(directory / resource["path"])
        if isinstance(resource.get("schema"), str):
            files.add(directory / resource["schema"])
    return sorted(files)
