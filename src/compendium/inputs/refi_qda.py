"""Import a REFI-QDA project (``.qdpx``) into the coded-corpus data package.

QualCoder, NVivo, ATLAS.ti and MAXQDA export the REFI-QDA project exchange format: a zip
holding ``project.qde`` (XML in the namespace ``urn:QDA-XML:project:1.0``) and the sources.
:func:`import_qdpx` reads only ``project.qde`` and turns it, through a mapping file
(``docs/refi_qda_mapping.md``), into ``participants.csv``, ``groups.csv``, ``segments.csv`` and
``datapackage.json``:

* each ``Case`` is a participant; its group, interview mode, status, quotability and area come
  from the case variables the mapping names (values recoded through the mapping);
* each ``Coding`` of a ``PlainTextSelection`` in a source belonging to an analysed case is a
  segment; its code maps to a theme and subtheme; codes that map to nothing are counted and
  reported, never silently dropped;
* two overlapping selections of the same source coded with two different themes become one
  dual-coded segment (``secondary_theme`` set, ``link_type`` ``dual_coded``);
* withdrawn cases stay in the roster with status ``withdrawn`` and none of their codings.

The input is untrusted.  The zip is read without extracting it (no absolute or ``..`` member
names, capped member count, total size and compression ratio); the XML is parsed by lxml with
entity resolution, network access and huge trees off, any DTD is refused, and the document is
validated against the official REFI-QDA schema (``schemas/refi_qda_project.xsd``).  Every
problem is one :class:`InputError` naming the file, the XML element (path and line) and the
attribute.  Nothing is written until everything is checked; the package is then built in a
temporary folder, validated with :func:`compendium.inputs.corpus.load_corpus` and moved into
place, so a failure never leaves a half-written corpus.  Same input, same bytes out.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath

import pandas as pd

from compendium.inputs.errors import InputError
from compendium.inputs.formulas import FORMULA_START, formula_refusal
from compendium.inputs.yaml_files import line_of, read_yaml

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
PROJECT_MEMBER = "project.qde"

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_PROJECT_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, checked for members above RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_MAPPING_BYTES = 1024 * 1024

PARTICIPANT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
GROUP_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}")

CORPUS_FILES = ("participants.csv", "groups.csv", "segments.csv", "datapackage.json")
KNOWN_OUT_FILES = {*CORPUS_FILES, "second_coding.csv"}

PARTICIPANT_FIELDS = ("participant_id", "group", "interview_mode", "status", "quotable", "area")
ENUMS = {
    "interview_mode": ("in_person", "online"),
    "status": ("analysed", "withdrawn"),
    "quotable": ("yes", "no"),
}
DEFAULT_VALUES = {
    "interview_mode": {"in_person": "in_person", "in person": "in_person", "online": "online"},
    "status": {"analysed": "analysed", "analyzed": "analysed", "withdrawn": "withdrawn"},
    "quotable": {"yes": "yes", "no": "no", "true": "yes", "false": "no"},
}
MAPPING_KEYS = {
    "case_variables",
    "values",
    "defaults",
    "groups",
    "codes",
    "primary_coder",
    "link_types",
}
LINK_TYPES = ("dual_coded", "causal", "constraint", "co_occurrence")  # coded_corpus.json


@dataclass
class ImportReport:
    """What an import did: counts, and every code or coding that did not become a segment."""

    out_dir: Path
    participants: int = 0
    analysed: int = 0
    withdrawn: int = 0
    segments: int = 0
    dual_coded: int = 0
    unmapped_codes: dict[str, int] = field(default_factory=dict)
    ignored_codes: dict[str, int] = field(default_factory=dict)
    withdrawn_codings: int = 0
    uncased_codings: int = 0
    source_codings: int = 0
    second_coders: dict[str, int] = field(default_factory=dict)
    second_unmatched: int = 0
    idle_codes: int = 0  # leaf codes of the project's codebook: not in the mapping, code nothing
    links: dict[str, int] = field(default_factory=dict)  # link type -> links imported
    links_not_imported: dict[str, int] = field(default_factory=dict)  # reason -> links

    def lines(self) -> list[str]:
        out = [
            f"imported {self.participants} participants ({self.analysed} analysed, "
            f"{self.withdrawn} withdrawn), {self.segments} segments ({self.dual_coded} "
            f"dual-coded) into {self.out_dir}"
        ]
        for code, n in sorted(self.unmapped_codes.items()):
            out.append(f"unmapped code {code!r}: {n} coding(s) not imported (not in the mapping)")
        for code, n in sorted(self.ignored_codes.items()):
            out.append(f"ignored code {code!r}: {n} coding(s) not imported (mapped to null)")
        if self.idle_codes:
            out.append(
                f"{self.idle_codes} code(s) of the project's codebook are not in the mapping "
                "and code nothing"
            )
        if self.links:
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.links.items()))
            out.append(f"{sum(self.links.values())} link(s) imported as link types ({kinds})")
        for reason, n in sorted(self.links_not_imported.items()):
            out.append(f"{n} link(s) not imported: {reason}")
        if self.withdrawn_codings:
            out.append(f"{self.withdrawn_codings} coding(s) of withdrawn cases not imported")
        if self.uncased_codings:
            out.append(f"{self.uncased_codings} coding(s) in sources of no case not imported")
        for coder, n in sorted(self.second_coders.items()):
            out.append(f"second coder {coder!r}: {n} coding(s) -> second_coding.csv")
        if self.second_unmatched:
            out.append(
                f"{self.second_unmatched} second-coder coding(s) overlap no segment of the "
                "primary coder: not compared"
            )
        if self.source_codings:
            out.append(
                f"{self.source_codings} coding(s) of whole sources (not of a text selection) "
                "not imported"
            )
        return out


# ----------------------------------------------------------------------------------- zip


def _read_project_xml(qdpx: Path) -> bytes:
    """The bytes of ``project.qde``, after checking every member of the zip."""
    if not qdpx.is_file():
        raise InputError(qdpx, "file is missing")
    try:
        archive = zipfile.ZipFile(qdpx)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(qdpx, f"not a REFI-QDA project (.qdpx is a zip file): {exc}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(qdpx, f"zip has {len(infos)} members (more than {MAX_MEMBERS})")
        total = 0
        seen = set()
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if (
                name.startswith(("/", "\\"))
                or re.match(r"[A-Za-z]:", name)
                or ".." in parts
                or "\x00" in name
            ):
                raise InputError(
                    qdpx, f"zip member {name!r} has an absolute or '..' path (refused)"
                )
            if name in seen:
                raise InputError(qdpx, f"zip member {name!r} appears twice")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise InputError(qdpx, f"zip member {name!r} is encrypted")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise InputError(
                    qdpx, f"zip expands to more than {MAX_TOTAL_BYTES // 2**20} MB (refused)"
                )
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise InputError(
                    qdpx,
                    f"zip member {name!r} has compression ratio "
                    f"{info.file_size / max(info.compress_size, 1):.0f}:1 (more than "
                    f"{MAX_RATIO}:1; refused as a possible zip bomb)",
                )
        if PROJECT_MEMBER not in seen:
            raise InputError(qdpx, f"no {PROJECT_MEMBER} in the zip (not a REFI-QDA project)")
        info = archive.getinfo(PROJECT_MEMBER)
        if info.file_size > MAX_PROJECT_BYTES:
            raise InputError(qdpx, f"{PROJECT_MEMBER} is larger than {MAX_PROJECT_BYTES} bytes")
        try:
            with archive.open(info) as handle:
                data = handle.read(MAX_PROJECT_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise InputError(qdpx, f"cannot read {PROJECT_MEMBER} from the zip: {exc}") from None
        except Exception as exc:  # zlib.error and friends from a corrupt stream
            raise InputError(qdpx, f"cannot read {PROJECT_MEMBER} from the zip: {exc}") from None
        if len(data) > MAX_PROJECT_BYTES:
            raise InputError(qdpx, f"{PROJECT_MEMBER} is larger than {MAX_PROJECT_BYTES} bytes")
        return data


# ----------------------------------------------------------------------------------- XML


@lru_cache(maxsize=1)
def _schema():
    import xmlschema

    source = resources.files("compendium.schemas").joinpath("refi_qda_project.xsd")
    with resources.as_file(source) as path:
        return xmlschema.XMLSchema(str(path))


def _local(tag) -> str:
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def element_path(elem) -> str:
    """``/Project/Sources/TextSource[2]/PlainTextSelection[1]`` (index only when ambiguous)."""
    steps = []
    while elem is not None:
        parent = elem.getparent()
        name = _local(elem.tag)
        if parent is not None:
            same = [child for child in parent if child.tag == elem.tag]
            if len(same) > 1:
                name += f"[{same.index(elem) + 1}]"
        steps.append(name)
        elem = parent
    return "/" + "/".join(reversed(steps))


class _Doc:
    """The parsed project and a way to raise errors located in it."""

    def __init__(self, qdpx: Path, root):
        self.where = f"{qdpx}!{PROJECT_MEMBER}"
        self.root = root

    def error(self, elem, message: str, attribute: str | None = None) -> InputError:
        line = getattr(elem, "sourceline", None)
        return InputError(self.where, f"{element_path(elem)}: {message}", row=line, field=attribute)


def _parse(qdpx: Path, data: bytes) -> _Doc:
    from lxml import etree

    where = f"{qdpx}!{PROJECT_MEMBER}"
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise InputError(where, f"not well-formed XML ({exc.msg})", row=line) from None
    except (ValueError, TypeError) as exc:
        raise InputError(where, f"not well-formed XML ({exc})") from None
    if root is None:
        raise InputError(where, "empty XML document")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise InputError(
            where, "a DOCTYPE (DTD or entity declarations) is not allowed in a REFI-QDA project"
        )
    doc = _Doc(qdpx, root)
    if root.tag != f"{Q}Project":
        ns = root.tag.split("}", 1)[0].lstrip("{") if "}" in str(root.tag) else "no namespace"
        raise doc.error(
            root,
            f"root element must be Project in namespace {NS} (found {_local(root.tag)} in {ns})",
        )
    for elem in root.iter():
        if not isinstance(elem.tag, str):  # entity references left unresolved, etc.
            raise doc.error(elem.getparent(), "unresolved entity reference (refused)")
    try:
        error = next(iter(_schema().iter_errors(root)), None)
    except Exception as exc:  # xmlschema internals on pathological input
        raise InputError(where, f"cannot be checked against the REFI-QDA schema ({exc})") from None
    if error is not None:
        elem = error.elem if error.elem is not None else root
        reason = (error.reason or str(error.message)).strip()
        match = re.search(r"attribute (\w+)=", reason)
        raise doc.error(
            elem,
            f"does not follow the REFI-QDA project schema: {reason}",
            attribute=match.group(1) if match else None,
        )
    return doc


def _guid(value: str) -> str:
    return value.strip().strip("{}").lower()


# ------------------------------------------------------------------------------- mapping


@dataclass
class Mapping:
    case_variables: dict[str, str]
    values: dict[str, dict[str, str]]
    defaults: dict[str, str]
    groups: dict[str, tuple[str, str]]
    codes: dict[str, tuple[str, str] | None]
    path: Path | None = None
    code_rows: dict[str, int | None] = field(default_factory=dict)
    primary_coder: str | None = None
    primary_coder_row: int | None = None
    link_types: dict[str, str | None] = field(default_factory=dict)


def _no_formula(path: Path, value: str, where: str) -> None:
    if value.startswith(FORMULA_START):
        raise InputError(
            path,
            f"{where}: value {formula_refusal(value)}",
            field=where.rsplit(".", 1)[-1],
        )


def _text(value, path: Path, where: str, *, limit: int = 500) -> str:
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise InputError(path, f"{where}: expected text, found {type(value).__name__}", field=where)
    if len(value) > limit:
        raise InputError(path, f"{where}: longer than {limit} characters", field=where)
    _no_formula(path, value, where)
    return value


def load_mapping(path: Path | str, codebook) -> Mapping:
    """Read and check the mapping YAML (``docs/refi_qda_mapping.md``)."""
    path = Path(path)
    data, text = read_yaml(path, "mapping file", MAX_MAPPING_BYTES)
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping with keys " + ", ".join(sorted(MAPPING_KEYS)))
    unknown = sorted(str(k) for k in data if k not in MAPPING_KEYS)
    if unknown:
        raise InputError(
            path,
            f"unknown key {unknown[0]!r} (expected: {', '.join(sorted(MAPPING_KEYS))})",
            row=line_of(text, unknown[0]),
            field=unknown[0],
        )
    for key in ("case_variables", "groups", "codes"):
        if not isinstance(data.get(key), dict) or not data[key]:
            raise InputError(
                path,
                f"'{key}' must be a non-empty mapping",
                row=line_of(text, key),
                field=key,
            )

    variables = {}
    for name, variable in data["case_variables"].items():
        where = f"case_variables.{name}"
        if name not in PARTICIPANT_FIELDS:
            raise InputError(
                path,
                f"unknown participant field {name!r} (expected: {', '.join(PARTICIPANT_FIELDS)})",
                row=line_of(text, str(name)),
                field=str(name),
            )
        variables[name] = _text(variable, path, where, limit=200)
    for needed in ("group", "status", "quotable", "interview_mode"):
        if needed not in variables and needed not in (data.get("defaults") or {}):
            raise InputError(
                path,
                f"case_variables must name the case variable holding {needed!r} "
                "(or defaults must give it)",
                field=needed,
            )

    values: dict[str, dict[str, str]] = {k: dict(v) for k, v in DEFAULT_VALUES.items()}
    given = data.get("values") or {}
    if not isinstance(given, dict):
        raise InputError(path, "'values' must be a mapping", field="values")
    for name, table in given.items():
        if name not in ENUMS and name not in ("group", "area"):
            raise InputError(path, f"values: no recoding for field {name!r}", field=str(name))
        if not isinstance(table, dict):
            raise InputError(path, f"values.{name} must be a mapping", field=str(name))
        recode = values.setdefault(name, {})
        for key, value in table.items():
            key_text = ("true" if key else "false") if isinstance(key, bool) else str(key)
            value_text = _text(value, path, f"values.{name}")
            if name in ENUMS and value_text not in ENUMS[name]:
                raise InputError(
                    path,
                    f"values.{name}: {value_text!r} is not one of {', '.join(ENUMS[name])}",
                    row=line_of(text, key_text),
                    field=str(name),
                )
            recode[key_text.strip().casefold()] = value_text

    defaults = {}
    for name, value in (data.get("defaults") or {}).items():
        if name not in PARTICIPANT_FIELDS or name == "participant_id":
            raise InputError(path, f"defaults: no default for field {name!r}", field=str(name))
        defaults[name] = _text(value, path, f"defaults.{name}", limit=200)

    groups = {}
    for code, spec in data["groups"].items():
        code = str(code)
        if not GROUP_CODE.fullmatch(code):
            raise InputError(
                path,
                f"group code {code!r} must be 1-16 letters, digits, '_' or '-'",
                row=line_of(text, code),
                field="groups",
            )
        if not isinstance(spec, dict) or set(spec) != {"label", "typical_roles"}:
            raise InputError(
                path,
                f"groups.{code} needs exactly 'label' and 'typical_roles'",
                row=line_of(text, code),
                field="groups",
            )
        groups[code] = (
            _text(spec["label"], path, f"groups.{code}.label", limit=200),
            _text(spec["typical_roles"], path, f"groups.{code}.typical_roles", limit=500),
        )

    themes = set(codebook.codes)
    codes: dict[str, tuple[str, str] | None] = {}
    code_rows: dict[str, int | None] = {}
    for code_path, spec in data["codes"].items():
        code_path = str(code_path)
        row = code_rows[code_path] = line_of(text, code_path)
        if spec is None:
            codes[code_path] = None
            continue
        if not isinstance(spec, dict) or set(spec) != {"theme", "subtheme"}:
            raise InputError(
                path,
                f"codes.{code_path} needs 'theme' and 'subtheme' (or null to ignore the code)",
                row=row,
                field="codes",
            )
        theme, subtheme = str(spec["theme"]), str(spec["subtheme"])
        if theme not in themes:
            raise InputError(
                path,
                f"codes.{code_path}: unknown theme code {theme!r} "
                f"(codebook: {' '.join(codebook.codes)})",
                row=row,
                field="theme",
            )
        if subtheme not in codebook.subtheme_letters(theme):
            raise InputError(
                path,
                f"codes.{code_path}: subtheme {subtheme!r} does not exist under theme {theme!r}",
                row=row,
                field="subtheme",
            )
        codes[code_path] = (theme, subtheme)
    primary = None
    if data.get("primary_coder") is not None:
        primary = _text(data["primary_coder"], path, "primary_coder", limit=200)
    link_types = _link_types(data.get("link_types") or {}, path, text)
    return Mapping(
        variables,
        values,
        defaults,
        groups,
        codes,
        path,
        code_rows,
        primary,
        line_of(text, "primary_coder") if primary else None,
        link_types,
    )


def _link_types(spec, path: Path, text: str) -> dict[str, str | None]:
    """``link_types:``: REFI-QDA link name -> a link type of the corpus, or null to ignore."""
    if not isinstance(spec, dict):
        raise InputError(
            path,
            "link_types must map link names to a link type",
            row=line_of(text, "link_types"),
            field="link_types",
        )
    out: dict[str, str | None] = {}
    for name, kind in spec.items():
        name = _text(name, path, "link_types", limit=200)
        if kind is not None and kind not in LINK_TYPES:
            raise InputError(
                path,
                f"link_types.{name}: unknown link type {kind!r} (expected one of "
                f"{', '.join(LINK_TYPES)}, or null)",
                row=line_of(text, name),
                field="link_types",
            )
        out[name] = kind
    return out


# ------------------------------------------------------------------------------- project


def _children(elem, name: str):
    return elem.findall(f"{Q}{name}")


def _codes(doc: _Doc) -> dict[str, str]:
    """guid -> code path (``Parent/Child``), refusing duplicate GUIDs."""
    out: dict[str, str] = {}

    def walk(elem, prefix: str) -> None:
        for code in _children(elem, "Code"):
            guid = _guid(code.get("guid"))
            if guid in out:
                raise doc.error(code, f"duplicate code guid {code.get('guid')!r}", "guid")
            name = code.get("name").strip()
            out[guid] = f"{prefix}/{name}" if prefix else name
            walk(code, out[guid])

    codebook = doc.root.find(f"{Q}CodeBook/{Q}Codes")
    if codebook is not None:
        walk(codebook, "")
    return out


def _leaf_codes(codes: dict[str, str]) -> set[str]:
    """Code paths with no child code (a parent is a category, mapped through its children)."""
    paths = set(codes.values())
    parents = {path.rsplit("/", 1)[0] for path in paths if "/" in path}
    return paths - parents


def _variables(doc: _Doc) -> dict[str, str]:
    out = {}
    for variable in doc.root.iterfind(f"{Q}Variables/{Q}Variable"):
        guid = _guid(variable.get("guid"))
        if guid in out:
            raise doc.error(variable, f"duplicate variable guid {variable.get('guid')!r}", "guid")
        out[guid] = variable.get("name").strip()
    return out


def _variable_value(value_elem) -> str | None:
    for child in value_elem:
        if child.tag == f"{Q}VariableRef":
            continue
        text = (child.text or "").strip()
        if _local(child.tag) == "BooleanValue":
            return "true" if text in ("true", "1") else "false"
        return text
    return None


@dataclass
class _Case:
    elem: object
    values: dict[str, tuple[str, object]]  # variable name -> (value, VariableValue element)
    participant: dict[str, str]


def _case_rows(doc: _Doc, mapping: Mapping, variables: dict[str, str]) -> list[_Case]:
    cases = []
    seen_guids: set[str] = set()
    for case in doc.root.iterfind(f"{Q}Cases/{Q}Case"):
        guid = _guid(case.get("guid"))
        if guid in seen_guids:
            raise doc.error(case, f"duplicate case guid {case.get('guid')!r}", "guid")
        seen_guids.add(guid)
        values = {}
        for value_elem in _children(case, "VariableValue"):
            ref = value_elem.find(f"{Q}VariableRef")
            target = _guid(ref.get("targetGUID"))
            if target not in variables:
                raise doc.error(ref, "refers to a variable that does not exist", "targetGUID")
            values[variables[target]] = (_variable_value(value_elem), value_elem)
        row = {}
        for name in PARTICIPANT_FIELDS:
            variable = mapping.case_variables.get(name)
            if name == "participant_id" and variable is None:
                value, where, attr = (case.get("name") or "").strip(), case, "name"
            elif variable is not None and variable in values and values[variable][0] is not None:
                value, where, attr = values[variable][0], values[variable][1], variable
            elif name in mapping.defaults:
                value, where, attr = mapping.defaults[name], case, variable
            else:
                value, where, attr = "", case, variable
            value = value.strip()
            if name in ENUMS or name == "group":
                if value:
                    recode = mapping.values.get(name, {})
                    value = recode.get(value.casefold(), value)
                if name in ENUMS and value and value not in ENUMS[name]:
                    raise doc.error(
                        where,
                        f"{name} value {value!r} is not one of {', '.join(ENUMS[name])} "
                        "(add a recoding under 'values' in the mapping)",
                        attr,
                    )
            if value.startswith(FORMULA_START):
                raise doc.error(
                    where,
                    f"{name} value {formula_refusal(value)}",
                    attr,
                )
            row[name] = value
        label = f"case {case.get('name')!r}"
        if not PARTICIPANT_ID.fullmatch(row["participant_id"]):
            attr = mapping.case_variables.get("participant_id", "name")
            raise doc.error(
                case,
                f"{label}: participant id {row['participant_id'][:40]!r} must be a letter then "
                "up to 31 letters, digits, '_' or '-' (use a pseudonymous code, not a name)",
                attr,
            )
        for name in ("status", "quotable", "group"):
            if not row[name]:
                raise doc.error(
                    case, f"{label} has no {name} value", mapping.case_variables.get(name, name)
                )
        if row["group"] not in mapping.groups:
            raise doc.error(
                case,
                f"{label}: group {row['group']!r} is not among the mapping's groups "
                f"({', '.join(sorted(mapping.groups))})",
                mapping.case_variables.get("group", "group"),
            )
        if row["status"] == "analysed" and not row["interview_mode"]:
            raise doc.error(
                case,
                f"{label} is analysed but has no interview mode",
                mapping.case_variables.get("interview_mode", "interview_mode"),
            )
        if len(row["area"]) > 32:
            raise doc.error(
                case, f"{label}: area longer than 32 characters", mapping.case_variables["area"]
            )
        cases.append(_Case(case, values, row))
    if not cases:
        raise InputError(doc.where, "/Project/Cases: the project has no cases (participants)")
    ids: dict[str, _Case] = {}
    for case in cases:
        pid = case.participant["participant_id"]
        if pid in ids:
            raise doc.error(case.elem, f"duplicate participant id {pid!r}", "name")
        ids[pid] = case
    return cases


@dataclass(frozen=True, order=True)
class _Span:
    start: int
    end: int
    theme_rank: int
    subtheme: str
    theme: str


def _users(doc: _Doc, mapping: Mapping) -> dict[str, str]:
    """User GUID -> name; checks the mapping's ``primary_coder`` names one of them."""
    users = {}
    for user in doc.root.iterfind(f"{Q}Users/{Q}User"):
        users[_guid(user.get("guid"))] = (user.get("name") or "").strip()
    if mapping.primary_coder is None:
        return users
    names = sorted(set(users.values()))
    if mapping.primary_coder not in names:
        raise InputError(
            mapping.path or doc.where,
            f"primary_coder {mapping.primary_coder!r} is not a user of {doc.where} "
            f"(users: {', '.join(repr(n) for n in names) or 'none'})",
            row=mapping.primary_coder_row,
            field="primary_coder",
        )
    for user in doc.root.iterfind(f"{Q}Users/{Q}User"):
        name = (user.get("name") or "").strip()
        if name != mapping.primary_coder and not CODER_NAME.fullmatch(name):
            raise doc.error(
                user,
                f"user name {name!r} cannot name a second coder (1-64 letters, digits, space, "
                "'_', '.', '-', starting with a letter or digit; not 'primary')",
                "name",
            )
    return users


CODER_NAME = re.compile(r"(?!primary$)[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}")


def _coder_of(doc: _Doc, coding, users: dict[str, str], mapping: Mapping) -> str | None:
    """None for the primary coder's coding, else the other coder's name."""
    if mapping.primary_coder is None or coding.get("creatingUser") is None:
        return None
    guid = _guid(coding.get("creatingUser"))
    if guid not in users:
        raise doc.error(coding, "refers to a user that does not exist", "creatingUser")
    name = users[guid]
    return None if name == mapping.primary_coder else name


def _collect(
    doc: _Doc, mapping: Mapping, codes: dict[str, str], cases: list[_Case], report: ImportReport
) -> tuple[list, list[tuple[str, str, int, int, str]], dict[str, tuple[str, list[_Span]]]]:
    """Per (participant, source): the primary coder's mapped spans of its text selections.

    Also returns the other coders' mapped codings as (coder, source guid, start, end, theme)
    (only with ``primary_coder`` in the mapping), and the primary spans of each selection (for
    links).
    """
    users = _users(doc, mapping)
    others: list[tuple[str, str, int, int, str]] = []
    linkable: dict[str, tuple[str, list[_Span]]] = {}
    sources = {}
    for source in doc.root.iterfind(f"{Q}Sources/*"):
        guid = _guid(source.get("guid"))
        if guid in sources:
            raise doc.error(source, f"duplicate source guid {source.get('guid')!r}", "guid")
        sources[guid] = source
    selections = {}
    for source in sources.values():
        for selection in source.iter(f"{Q}PlainTextSelection"):
            guid = _guid(selection.get("guid"))
            if guid in selections or guid in sources:
                raise doc.error(
                    selection, f"duplicate selection guid {selection.get('guid')!r}", "guid"
                )
            selections[guid] = (selection, source)

    owner_of_source: dict[str, _Case] = {}
    owner_of_selection: dict[str, _Case] = {}
    for case in cases:
        for ref in _children(case.elem, "SourceRef"):
            target = _guid(ref.get("targetGUID"))
            if target not in sources:
                raise doc.error(ref, "refers to a source that does not exist", "targetGUID")
            if target in owner_of_source and owner_of_source[target] is not case:
                raise doc.error(ref, "source already belongs to another case", "targetGUID")
            owner_of_source[target] = case
        for ref in _children(case.elem, "SelectionRef"):
            target = _guid(ref.get("targetGUID"))
            if target not in selections:
                raise doc.error(ref, "refers to a text selection that does not exist", "targetGUID")
            owner_of_selection[target] = case

    ranks = {code: i for i, code in enumerate(sorted({t for t, _ in _mapped(mapping)}))}
    mapped_paths = set(mapping.codes)
    project_paths = set(codes.values())
    for code_path in sorted(mapped_paths - project_paths):
        raise InputError(
            mapping.path or doc.where,
            f"code {code_path!r} is not in the codebook of {doc.where} "
            "(/Project/CodeBook; write nested codes as Parent/Child)",
            row=mapping.code_rows.get(code_path),
            field="codes",
        )

    spans: dict[tuple[str, str, str], set[_Span]] = {}
    for source_guid, source in sorted(sources.items()):
        for coding in _children(source, "Coding"):
            _code_of(doc, coding, codes)
            report.source_codings += 1
        for selection in source.iter(f"{Q}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            if start < 0:
                raise doc.error(selection, "negative start position", "startPosition")
            if end < start:
                raise doc.error(selection, "end position before start position", "endPosition")
            sel_guid = _guid(selection.get("guid"))
            case = owner_of_selection.get(sel_guid) or owner_of_source.get(source_guid)
            for coding in _children(selection, "Coding"):
                code_path = _code_of(doc, coding, codes)
                if case is None:
                    report.uncased_codings += 1
                    continue
                if case.participant["status"] == "withdrawn":
                    report.withdrawn_codings += 1
                    continue
                if code_path not in mapping.codes:
                    report.unmapped_codes[code_path] = report.unmapped_codes.get(code_path, 0) + 1
                    continue
                target = mapping.codes[code_path]
                if target is None:
                    report.ignored_codes[code_path] = report.ignored_codes.get(code_path, 0) + 1
                    continue
                theme, subtheme = target
                coder = _coder_of(doc, coding, users, mapping)
                if coder is not None:
                    others.append((coder, source_guid, start, end, theme))
                    continue
                key = (case.participant["participant_id"], source.get("name") or "", source_guid)
                span = _Span(start, end, ranks[theme], subtheme, theme)
                spans.setdefault(key, set()).add(span)
                linkable.setdefault(sel_guid, (source_guid, []))[1].append(span)
    collected = [(pid, name, guid, sorted(s)) for (pid, name, guid), s in sorted(spans.items())]
    return collected, sorted(others), linkable


def _links(doc: _Doc, mapping: Mapping, linkable, theme_order: list[str], report: ImportReport):
    """Named REFI-QDA links between two coded text selections -> typed pairs of spans.

    ``linkable`` maps a selection GUID to its source and the primary coder's mapped spans (only
    selections of analysed cases).  A link whose name the mapping's ``link_types`` gives a type
    pairs the span of its origin (the primary theme; the codebook's first if the selection has
    several) with the span of its target of another theme (the secondary theme).  Returns
    source GUID -> [(origin, target, type)]; every link not imported is counted by reason in
    the report.
    """
    pairs: dict[str, list[tuple[_Span, _Span, str]]] = {}
    linked: set[tuple[str, _Span]] = set()
    order = {code: i for i, code in enumerate(theme_order)}

    def by_theme(span: _Span) -> tuple:
        return order[span.theme], span.subtheme

    def skip(reason: str) -> None:
        report.links_not_imported[reason] = report.links_not_imported.get(reason, 0) + 1

    for link in doc.root.iterfind(f"{Q}Links/{Q}Link"):
        name = (link.get("name") or "").strip()
        origin = linkable.get(_guid(link.get("originGUID") or ""))
        target = linkable.get(_guid(link.get("targetGUID") or ""))
        if origin is None or target is None:
            skip("not between two coded text selections of analysed cases")
        elif name not in mapping.link_types:
            skip(f"name {name!r} not in the mapping's link_types")
        elif mapping.link_types[name] is None:
            skip(f"name {name!r} mapped to null")
        elif origin[0] != target[0]:
            skip("between two sources (a segment lies in one transcript)")
        else:
            first = min(origin[1], key=by_theme)
            second = sorted((s for s in target[1] if s.theme != first.theme), key=by_theme)
            source = origin[0]
            if not second:
                skip("the same theme at both ends")
            elif (source, first) in linked or (source, second[0]) in linked:
                skip("a selection already linked by an earlier link")
            else:
                kind = mapping.link_types[name]
                linked.update({(source, first), (source, second[0])})
                pairs.setdefault(source, []).append((first, second[0], kind))
                report.links[kind] = report.links.get(kind, 0) + 1
    return pairs


def _mapped(mapping: Mapping):
    return [target for target in mapping.codes.values() if target is not None]


def _code_of(doc: _Doc, coding, codes: dict[str, str]) -> str:
    ref = coding.find(f"{Q}CodeRef")
    target = _guid(ref.get("targetGUID"))
    if target not in codes:
        raise doc.error(ref, "refers to a code that does not exist", "targetGUID")
    return codes[target]


EXTENT = ["_source", "_start", "_end"]


def _segments(collected, theme_order: list[str], links: dict) -> pd.DataFrame:
    """Pair linked spans (typed links), then overlapping spans of different themes
    (dual-coded); number the segments.

    A linked pair is numbered at its origin's place.  The columns ``EXTENT`` (source guid,
    start, end of the segment) are for matching other coders' codings and are not written.
    """
    order = {code: i for i, code in enumerate(theme_order)}
    rows = []
    for pid, _name, source, spans in collected:
        spans = sorted(
            spans, key=lambda s: (s.start, -(s.end - s.start), order[s.theme], s.subtheme)
        )
        used = [False] * len(spans)
        index = {span: i for i, span in enumerate(spans)}
        typed = {}
        for origin, target, kind in links.get(source, []):
            typed[index[origin]] = (target, kind)
            used[index[origin]] = used[index[target]] = True
        for i, first in enumerate(spans):
            if i in typed:
                target, kind = typed[i]
                start, end = min(first.start, target.start), max(first.end, target.end)
                rows.append(
                    (pid, first.theme, first.subtheme, target.theme, kind, source, start, end)
                )
                continue
            if used[i]:
                continue
            used[i] = True
            partner = None
            for j in range(i + 1, len(spans)):
                other = spans[j]
                if other.start >= first.end:
                    break
                if not used[j] and other.theme != first.theme and other.start < first.end:
                    partner = j
                    break
            extent = (source, first.start, first.end)
            if partner is None:
                rows.append((pid, first.theme, first.subtheme, "", "", *extent))
            else:
                used[partner] = True
                pair = (spans[partner].theme, "dual_coded")
                end = max(first.end, spans[partner].end)
                rows.append((pid, first.theme, first.subtheme, *pair, source, first.start, end))
    frame = pd.DataFrame(
        rows,
        columns=[
            "participant_id",
            "theme",
            "subtheme",
            "secondary_theme",
            "link_type",
            *EXTENT,
        ],
    )
    counter = frame.groupby("participant_id", sort=False).cumcount() + 1
    width = max(3, len(str(int(counter.max())))) if len(frame) else 3
    frame.insert(
        0, "segment_id", frame["participant_id"] + "-" + counter.map(f"{{:0{width}d}}".format)
    )
    return frame


def _second_coding(segments: pd.DataFrame, others, report: ImportReport) -> pd.DataFrame:
    """Other coders' codings as ``second_coding.csv`` rows, matched to the primary segments.

    Each coding goes to the segment of the same source it overlaps most (ties: the earlier
    segment); a coding overlapping none is counted, not compared.  A coder is taken to have
    read every segment of each source it coded at all: a segment it gave no theme gets a row
    with an empty theme.
    """
    by_source = {key: frame for key, frame in segments.groupby("_source", sort=False)}
    assigned: dict[tuple[str, str], set[str]] = {}
    read: set[tuple[str, str]] = set()
    for coder, source, start, end, theme in others:
        report.second_coders[coder] = report.second_coders.get(coder, 0) + 1
        read.add((coder, source))
        candidates = by_source.get(source)
        if candidates is None:
            report.second_unmatched += 1
            continue
        overlap = (
            candidates["_end"].clip(upper=end) - candidates["_start"].clip(lower=start)
        ).to_numpy()
        if overlap.max() <= 0:
            report.second_unmatched += 1
            continue
        segment = candidates["segment_id"].iloc[int(overlap.argmax())]
        assigned.setdefault((segment, coder), set()).add(theme)
    rows = []
    for coder, source in sorted(read):
        for segment in by_source.get(source, pd.DataFrame(columns=["segment_id"]))["segment_id"]:
            themes = sorted(assigned.get((segment, coder), set())) or [""]
            rows += [(segment, coder, theme) for theme in themes]
    frame = pd.DataFrame(rows, columns=["segment_id", "coder", "theme"])
    return frame.sort_values(["segment_id", "coder", "theme"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------- write


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _descriptor(name: str, qdpx: Path, mapping_path: Path, second_coding: bool) -> dict:
    from compendium.inputs.corpus_schema import corpus_schema, second_coding_schema

    package = copy.deepcopy(corpus_schema())
    if second_coding:
        package["resources"].append(second_coding_schema())
    package["name"] = name
    package["title"] = f"Coded corpus imported from the REFI-QDA project {qdpx.name}"
    package["synthetic"] = False
    package["imported_from"] = {
        "format": "REFI-QDA project (urn:QDA-XML:project:1.0)",
        "project": qdpx.name,
        "project_sha256": _sha256(qdpx),
        "mapping": mapping_path.name,
        "mapping_sha256": _sha256(mapping_path),
    }
    return package


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "--out exists and is not a folder")
    if out_dir.is_dir():
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in KNOWN_OUT_FILES)
        if foreign:
            raise InputError(
                out_dir,
                f"--out holds files that are not a coded corpus ({foreign[0]!r}); "
                "refusing to write there",
            )


def _write_package(tmp: Path, frames: dict[str, pd.DataFrame], descriptor: dict) -> None:
    from compendium.inputs.files import csv_text

    for name, frame in frames.items():
        (tmp / f"{name}.csv").write_text(csv_text(frame), encoding="utf-8", newline="")
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    (tmp / "datapackage.json").write_text(text, encoding="utf-8", newline="")


def _move_into_place(tmp: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    for name in KNOWN_OUT_FILES:  # a re-import over an earlier one: each file replaced atomically
        if (tmp / name).exists():
            os.replace(tmp / name, out_dir / name)
        elif (out_dir / name).exists():  # e.g. a second coding the new project no longer has
            (out_dir / name).unlink()
    shutil.rmtree(tmp, ignore_errors=True)


def import_qdpx(
    qdpx_path: Path | str,
    mapping_path: Path | str,
    out_dir: Path | str,
    codebook=None,
) -> ImportReport:
    """Convert the REFI-QDA project ``qdpx_path`` into a coded-corpus package in ``out_dir``."""
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.corpus import load_corpus
    from compendium.inputs.second_coding import load_second_coding

    qdpx, mapping_path, out_dir = Path(qdpx_path), Path(mapping_path), Path(out_dir)
    if codebook is None:
        codebook = load_codebook("data/codebook")
    _check_out_dir(out_dir)
    mapping = load_mapping(mapping_path, codebook)
    doc = _parse(qdpx, _read_project_xml(qdpx))
    report = ImportReport(out_dir=out_dir)
    codes = _codes(doc)
    variables = _variables(doc)
    cases = _case_rows(doc, mapping, variables)
    collected, others, linkable = _collect(doc, mapping, codes, cases, report)
    links = _links(doc, mapping, linkable, codebook.codes, report)

    participants = pd.DataFrame(
        [case.participant for case in cases], columns=list(PARTICIPANT_FIELDS)
    )
    participants = participants.sort_values("participant_id").reset_index(drop=True)
    groups = pd.DataFrame(
        [(code, label, roles) for code, (label, roles) in sorted(mapping.groups.items())],
        columns=["group", "label", "typical_roles"],
    )
    extents = _segments(collected, codebook.codes, links)
    second = _second_coding(extents, others, report)
    segments = extents.drop(columns=EXTENT)
    report.participants = len(participants)
    report.analysed = int((participants["status"] == "analysed").sum())
    report.withdrawn = int((participants["status"] == "withdrawn").sum())
    report.segments = len(segments)
    report.dual_coded = int((segments["link_type"] == "dual_coded").sum())
    report.idle_codes = len(_leaf_codes(codes) - set(mapping.codes) - set(report.unmapped_codes))

    descriptor = _descriptor(out_dir.name, qdpx, mapping_path, not second.empty)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.import-"))
    try:
        frames = {"participants": participants, "groups": groups, "segments": segments}
        if not second.empty:
            frames["second_coding"] = second
        _write_package(tmp, frames, descriptor)
        try:
            corpus = load_corpus(tmp, codebook)
            load_second_coding(tmp, corpus.segments, codebook.codes)
        except InputError as exc:  # name the file as it would be in out_dir
            raise InputError(
                out_dir / Path(str(exc.path)).name,
                f"imported corpus does not validate: {exc.message}",
                row=exc.row,
                field=exc.field,
            ) from None
        os.chmod(tmp, 0o755)
        _move_into_place(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return report
