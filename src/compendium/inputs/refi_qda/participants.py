"""Cases -> participants: each case's variables, recoded through the mapping, as a row of
``participants.csv`` (participant id, group, interview mode, status, quotability, area).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compendium.inputs.corpus import control_refusal
from compendium.inputs.errors import InputError
from compendium.inputs.formulas import FORMULA_START, formula_refusal
from compendium.inputs.refi_qda.mapping import ENUMS, PARTICIPANT_FIELDS, Mapping
from compendium.inputs.refi_qda.project_xml import (
    ProjectDoc,
    Q,
    children,
    guid_key,
    local_name,
)

PARTICIPANT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")


def project_variables(doc: ProjectDoc) -> dict[str, str]:
    """Variable GUID -> variable name, refusing duplicate GUIDs."""
    out = {}
    for variable in doc.root.iterfind(f"{Q}Variables/{Q}Variable"):
        guid = guid_key(variable.get("guid"))
        if guid in out:
            raise doc.error(variable, f"duplicate variable guid {variable.get('guid')!r}", "guid")
        out[guid] = variable.get("name").strip()
    return out


def _variable_value(value_elem) -> str | None:
    for child in value_elem:
        if child.tag == f"{Q}VariableRef":
            continue
        text = (child.text or "").strip()
        if local_name(child.tag) == "BooleanValue":
            return "true" if text in ("true", "1") else "false"
        return text
    return None


@dataclass
class Case:
    """A case of the project and the participant row it becomes."""

    elem: object
    values: dict[str, tuple[str, object]]  # variable name -> (value, VariableValue element)
    participant: dict[str, str]


def case_rows(doc: ProjectDoc, mapping: Mapping, variables: dict[str, str]) -> list[Case]:
    """Every case as a participant row, checked (ids, groups, enums, no formulas, no duplicates)."""
    cases = []
    seen_guids: set[str] = set()
    for case in doc.root.iterfind(f"{Q}Cases/{Q}Case"):
        guid = guid_key(case.get("guid"))
        if guid in seen_guids:
            raise doc.error(case, f"duplicate case guid {case.get('guid')!r}", "guid")
        seen_guids.add(guid)
        values = {}
        for value_elem in children(case, "VariableValue"):
            ref = value_elem.find(f"{Q}VariableRef")
            target = guid_key(ref.get("targetGUID"))
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
            if refusal := control_refusal(value):  # NUL, ESC, U+0085 (&#x85;), tab (&#9;)...
                raise doc.error(where, f"{name} {refusal}", attr)
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
        cases.append(Case(case, values, row))
    if not cases:
        raise InputError(doc.where, "/Project/Cases: the project has no cases (participants)")
    ids: dict[str, Case] = {}
    for case in cases:
        pid = case.participant["participant_id"]
        if pid in ids:
            raise doc.error(case.elem, f"duplicate participant id {pid!r}", "name")
        ids[pid] = case
    return cases
