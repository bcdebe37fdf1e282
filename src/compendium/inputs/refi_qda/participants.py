"""Participants -> the rows of ``participants.csv``; the first route, cases.

:func:`participant_row` checks one participant's fields wherever they were read (a case's or a
source's variables, the sets of a source, the roster, the mapping's defaults): values recoded
through the mapping, enumerations, control characters, formulas, a pseudonymous id, the group
among the mapping's.  :func:`case_participants` reads the cases of the project (named cases, or
unnamed cases of one source each as MAXQDA writes them); the routes without cases are in
:mod:`.routes`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

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


def element_values(doc: ProjectDoc, elem, variables: dict[str, str]) -> dict[str, tuple]:
    """The ``VariableValue`` children of a case or source: variable name -> (value, element)."""
    values = {}
    for value_elem in children(elem, "VariableValue"):
        ref = value_elem.find(f"{Q}VariableRef")
        target = guid_key(ref.get("targetGUID"))
        if target not in variables:
            raise doc.error(ref, "refers to a variable that does not exist", "targetGUID")
        values[variables[target]] = (_variable_value(value_elem), value_elem)
    return values


@dataclass(frozen=True)
class Value:
    """A participant field as read, and how to raise an error located where it was read."""

    text: str
    fail: Callable[[str], InputError]


@dataclass
class Participant:
    """A participant: its row of ``participants.csv``, and the sources and text selections that
    are its transcript (GUID -> the element that names it, for errors)."""

    elem: object  # the case, or the first source, it was read from
    participant: dict[str, str]
    sources: dict[str, object] = field(default_factory=dict)
    selections: dict[str, object] = field(default_factory=dict)


def at_field(error: Callable[[str, str], InputError], name: str) -> Callable[[str], InputError]:
    """A locator of errors about one field, from ``error(message, field)``."""
    return lambda message: error(message, name)


def participant_row(
    values: dict[str, Value],
    mapping: Mapping,
    label: str,
    record_error: Callable[[str, str], InputError],
) -> dict[str, str]:
    """One participant's row from its fields as read (``values``; a field missing there is
    empty), checked; ``record_error(message, field)`` locates an error at the participant."""
    row = {}
    for name in PARTICIPANT_FIELDS:
        value = values.get(name)
        text = value.text.strip() if value is not None else ""

        def fail(message: str, value=value, name=name) -> InputError:
            return value.fail(message) if value is not None else record_error(message, name)

        if name in ENUMS or name == "group":
            if text:
                text = mapping.values.get(name, {}).get(text.casefold(), text)
            if name in ENUMS and text and text not in ENUMS[name]:
                raise fail(
                    f"{name} value {text!r} is not one of {', '.join(ENUMS[name])} "
                    "(add a recoding under 'values' in the mapping)"
                )
        if refusal := control_refusal(text):  # NUL, ESC, U+0085 (&#x85;), tab (&#9;)...
            raise fail(f"{name} {refusal}")
        if text.startswith(FORMULA_START):
            raise fail(f"{name} value {formula_refusal(text)}")
        row[name] = text
    if not PARTICIPANT_ID.fullmatch(row["participant_id"]):
        raise record_error(
            f"{label}: participant id {row['participant_id'][:40]!r} must be a letter then "
            "up to 31 letters, digits, '_' or '-' (use a pseudonymous code, not a name)",
            "participant_id",
        )
    for name in ("status", "quotable", "group"):
        if not row[name]:
            raise record_error(f"{label} has no {name} value", name)
    if row["group"] not in mapping.groups:
        raise record_error(
            f"{label}: group {row['group']!r} is not among the mapping's groups "
            f"({', '.join(sorted(mapping.groups))})",
            "group",
        )
    if row["status"] == "analysed" and not row["interview_mode"]:
        raise record_error(f"{label} is analysed but has no interview mode", "interview_mode")
    if len(row["area"]) > 32:
        raise record_error(f"{label}: area longer than 32 characters", "area")
    return row


def pseudonyms(n: int) -> list[str]:
    """``P01``, ``P02``, ... (``P001``... from 100 on): ids that name no one."""
    width = max(2, len(str(n)))
    return [f"P{i:0{width}d}" for i in range(1, n + 1)]


def _generated_ids(doc: ProjectDoc, cases: list, sources: dict) -> dict[int, str]:
    """Unnamed cases (MAXQDA) with no id variable: P01, ... in the order of their sources."""
    order = {guid: i for i, guid in enumerate(sources)}

    def first_source(case) -> int:
        refs = [guid_key(r.get("targetGUID")) for r in children(case, "SourceRef")]
        return min((order[g] for g in refs if g in order), default=len(order))

    named = [c for c in cases if (c.get("name") or "").strip()]
    if named and len(named) < len(cases):
        unnamed = next(c for c in cases if not (c.get("name") or "").strip())
        raise doc.error(
            unnamed,
            "case has no name while other cases have one (name every case, or take participant "
            "ids from a variable: case_variables: participant_id:)",
            "name",
        )
    if named:
        return {}
    ranked = sorted(range(len(cases)), key=lambda i: (first_source(cases[i]), i))
    return {i: pid for i, pid in zip(ranked, pseudonyms(len(cases)), strict=True)}


def case_participants(
    doc: ProjectDoc, mapping: Mapping, variables: dict[str, str], sources: dict, selections: dict
) -> list[Participant]:
    """Every case as a participant (route 1 and 2): its variables, recoded through the mapping,
    its sources (``SourceRef``) and selections (``SelectionRef``); checked."""
    cases = list(doc.root.iterfind(f"{Q}Cases/{Q}Case"))
    generated = {} if "participant_id" in mapping.case_variables else (
        _generated_ids(doc, cases, sources)
    )  # fmt: skip
    out = []
    seen_guids: set[str] = set()
    owner_of_source: dict[str, Participant] = {}
    for index, case in enumerate(cases):
        guid = guid_key(case.get("guid"))
        if guid in seen_guids:
            raise doc.error(case, f"duplicate case guid {case.get('guid')!r}", "guid")
        seen_guids.add(guid)
        read = element_values(doc, case, variables)

        def at_case(message: str, attr: str | None, case=case) -> InputError:
            return doc.error(case, message, attr)

        values: dict[str, Value] = {}
        for name in PARTICIPANT_FIELDS:
            variable = mapping.case_variables.get(name)
            if name == "participant_id" and variable is None:
                text = generated.get(index, (case.get("name") or "").strip())
                values[name] = Value(text, at_field(at_case, "name"))
            elif variable is not None and variable in read and read[variable][0] is not None:
                text, elem = read[variable]
                values[name] = Value(text, lambda m, e=elem, v=variable: doc.error(e, m, v))
            elif name in mapping.defaults:
                values[name] = Value(mapping.defaults[name], at_field(at_case, variable))

        def record_error(message: str, name: str, at=at_case) -> InputError:
            default = "name" if name == "participant_id" else name
            return at(message, mapping.case_variables.get(name, default))

        label = f"case {case.get('name') or generated.get(index, '')!r}"
        participant = Participant(case, participant_row(values, mapping, label, record_error))
        for ref in children(case, "SourceRef"):
            target = guid_key(ref.get("targetGUID"))
            if target not in sources:
                raise doc.error(ref, "refers to a source that does not exist", "targetGUID")
            if owner_of_source.get(target, participant) is not participant:
                raise doc.error(ref, "source already belongs to another case", "targetGUID")
            owner_of_source[target] = participant
            participant.sources[target] = ref
        for ref in children(case, "SelectionRef"):
            target = guid_key(ref.get("targetGUID"))
            if target not in selections:
                raise doc.error(ref, "refers to a text selection that does not exist", "targetGUID")
            participant.selections[target] = ref
        out.append(participant)
    ids: dict[str, Participant] = {}
    for participant in out:
        pid = participant.participant["participant_id"]
        if pid in ids:
            raise doc.error(participant.elem, f"duplicate participant id {pid!r}", "name")
        ids[pid] = participant
    return out
