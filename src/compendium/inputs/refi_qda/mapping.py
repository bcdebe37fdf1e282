"""The mapping file (``docs/refi_qda_mapping.md``): where participants are read from (route,
roster, variables, sets), value recodings, defaults, groups, codes -> theme and subtheme, the
primary coder and link types.

A blank the researcher has not filled in yet (``theme:`` with nothing after it, as
``compendium qdpx-template`` writes them) is read as not given: a code whose theme and subtheme
are both blank is not mapped (its parent's mapping covers it, else it is reported unmapped); a
blank variable name, default or set value gives nothing.  A blank group label is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from compendium.inputs.corpus import control_refusal
from compendium.inputs.errors import InputError
from compendium.inputs.formulas import FORMULA_START, formula_refusal
from compendium.inputs.yaml_files import line_of, read_yaml

MAX_MAPPING_BYTES = 1024 * 1024
GROUP_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}")

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
    "participants_from",
    "roster",
    "sets",
    "case_variables",
    "values",
    "defaults",
    "groups",
    "codes",
    "primary_coder",
    "link_types",
}
LINK_TYPES = ("dual_coded", "causal", "constraint", "co_occurrence")  # coded_corpus.json
# Where participants are read from (docs/refi_qda_mapping.md, "Where participants come from").
ROUTES = ("cases", "source_variables", "sets", "roster")


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
    participants_from: str | None = None  # None: the first route the project offers
    roster: Path | None = None  # resolved against the mapping's folder
    sets: dict[str, dict[str, str]] = field(default_factory=dict)  # set name -> field values


def _no_formula(path: Path, value: str, where: str) -> None:
    if value.startswith(FORMULA_START):
        raise InputError(
            path,
            f"{where}: value {formula_refusal(value)}",
            field=where.rsplit(".", 1)[-1],
        )


def _text(value, path: Path, where: str, *, limit: int = 500, free_text: bool = False) -> str:
    """A text value of the mapping: no control character (YAML escapes such as ``"\\e"``
    would make one; ``free_text`` allows tab, line feed and carriage return), no formula."""
    if value is None:
        raise InputError(path, f"{where} is blank: fill it in", field=where.rsplit(".", 1)[-1])
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise InputError(path, f"{where}: expected text, found {type(value).__name__}", field=where)
    if len(value) > limit:
        raise InputError(path, f"{where}: longer than {limit} characters", field=where)
    if refusal := control_refusal(value, free_text):
        raise InputError(path, f"{where}: {refusal}", field=where.rsplit(".", 1)[-1])
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
    for key in ("groups", "codes"):
        if not isinstance(data.get(key), dict) or not data[key]:
            raise InputError(
                path,
                f"'{key}' must be a non-empty mapping",
                row=line_of(text, key),
                field=key,
            )
    for key in ("case_variables", "defaults", "sets"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise InputError(path, f"'{key}' must be a mapping", row=line_of(text, key), field=key)

    route = data.get("participants_from")
    if route is not None and route not in ROUTES:
        raise InputError(
            path,
            f"participants_from: {route!r} is not one of {', '.join(ROUTES)}",
            row=line_of(text, "participants_from"),
            field="participants_from",
        )
    roster = None
    if data.get("roster") is not None:
        roster = path.parent / _text(data["roster"], path, "roster", limit=200)
    if roster is not None and route == "cases":
        raise InputError(
            path,
            "a roster lists sources, not cases: remove roster: or read participants from "
            "source_variables, sets or roster",
            row=line_of(text, "roster"),
            field="roster",
        )
    if route == "roster" and roster is None:
        raise InputError(
            path,
            "participants_from: roster needs roster: NAME.csv (compendium qdpx-template "
            "writes one)",
            row=line_of(text, "participants_from"),
            field="roster",
        )

    variables = {}
    for name, variable in (data.get("case_variables") or {}).items():
        where = f"case_variables.{name}"
        if name not in PARTICIPANT_FIELDS:
            raise InputError(
                path,
                f"unknown participant field {name!r} (expected: {', '.join(PARTICIPANT_FIELDS)})",
                row=line_of(text, str(name)),
                field=str(name),
            )
        if variable is not None:  # a blank: no variable holds this field
            variables[name] = _text(variable, path, where, limit=200)
    sets = _sets(data.get("sets") or {}, path, text)
    has_default = {k for k, v in (data.get("defaults") or {}).items() if v is not None}
    if roster is None and not sets and route in (None, "cases", "source_variables"):
        for needed in ("group", "status", "quotable", "interview_mode"):
            if needed not in variables and needed not in has_default:
                raise InputError(
                    path,
                    f"case_variables must name the variable holding {needed!r} "
                    "(or defaults must give it, or a roster or sets)",
                    field=needed,
                )

    values: dict[str, dict[str, str]] = {k: dict(v) for k, v in DEFAULT_VALUES.items()}
    given = data.get("values") or {}
    if not isinstance(given, dict):
        raise InputError(path, "'values' must be a mapping", field="values")
    for name, table in given.items():
        if name not in ENUMS and name not in ("group", "area"):
            raise InputError(path, f"values: no recoding for field {name!r}", field=str(name))
        if table is None:  # a blank: no recoding of this field
            continue
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
        if value is not None:  # a blank: no default
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
            _text(spec["label"], path, f"groups.{code}.label", limit=200, free_text=True),
            _text(spec["typical_roles"], path, f"groups.{code}.typical_roles", free_text=True),
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
        if spec["theme"] is None and spec["subtheme"] is None:  # a blank line of the template
            del code_rows[code_path]
            continue
        for key in ("theme", "subtheme"):
            if spec[key] is None:
                raise InputError(
                    path,
                    f"codes.{code_path}: {key} is blank (fill in both theme and subtheme, or "
                    "neither)",
                    row=row,
                    field=key,
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
        route,
        roster,
        sets,
    )


def _sets(spec: dict, path: Path, text: str) -> dict[str, dict[str, str]]:
    """``sets:``: a set's name -> the participant fields it gives its member sources (blank
    values give nothing; null or no values: the set is not read)."""
    out: dict[str, dict[str, str]] = {}
    for name, fields in spec.items():
        name = _text(name, path, "sets", limit=500)
        if fields is None:
            continue
        if not isinstance(fields, dict):
            raise InputError(
                path,
                f"sets.{name} must map participant fields to values, e.g. {{group: G1}}",
                row=line_of(text, name),
                field="sets",
            )
        given = {}
        for field_name, value in fields.items():
            if field_name not in PARTICIPANT_FIELDS or field_name == "participant_id":
                raise InputError(
                    path,
                    f"sets.{name}: {field_name!r} is not a field a set can give "
                    f"({', '.join(PARTICIPANT_FIELDS[1:])})",
                    row=line_of(text, name),
                    field="sets",
                )
            if value is not None:
                given[field_name] = _text(value, path, f"sets.{name}.{field_name}", limit=200)
        if given:
            out[name] = given
    return out


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


def mapped_targets(mapping: Mapping):
    """The (theme, subtheme) of every code the mapping does not ignore."""
    return [target for target in mapping.codes.values() if target is not None]


def resolve_code(mapping: Mapping, chain: tuple[str, ...]):
    """The mapping's entry for a code: ``(path, target)`` of the first of the code's own path and
    its ancestors' (``chain``, nearest first) that the mapping names, or None (unmapped).

    A mapped parent covers its descendants unless a descendant is mapped itself (also to null).
    """
    for code_path in chain:
        if code_path in mapping.codes:
            return code_path, mapping.codes[code_path]
    return None
