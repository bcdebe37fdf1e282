"""The mapping file (``docs/refi_qda_mapping.md``): case variables, value recodings,
defaults, groups, codes -> theme and subtheme, the primary coder and link types.
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


def _text(value, path: Path, where: str, *, limit: int = 500, free_text: bool = False) -> str:
    """A text value of the mapping: no control character (YAML escapes such as ``"\\e"``
    would make one; ``free_text`` allows tab, line feed and carriage return), no formula."""
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


def mapped_targets(mapping: Mapping):
    """The (theme, subtheme) of every code the mapping does not ignore."""
    return [target for target in mapping.codes.values() if target is not None]
