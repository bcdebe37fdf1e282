"""Where participants are read from: every way QDA tools record them, tried in this order.

1. ``cases``: named cases with their variables (QualCoder, NVivo, the REFI-QDA standard);
2. ``cases``: unnamed cases of one source each (MAXQDA), ids ``P01``... in source order;
3. ``source_variables``: one participant per text source carrying variables (QualCoder's file
   attributes, MAXQDA's document variables);
4. ``sets``: one participant per text source in a set the mapping gives values (ATLAS.ti
   document groups, NVivo sets: a set of sources is a group);
5. ``roster``: one participant per text source listed in the roster CSV beside the mapping.

The mapping's ``participants_from:`` picks one; without it the first the project offers is
read (a mapping naming a roster reads it before source variables and sets).  Without cases, a
participant's field is taken from the first of: its roster cell, the source's variable named in
``case_variables``, the mapping's value for a set the source is in, the mapping's default.  Its
id comes from the roster, else the id variable, else ``P01``... in source order (never the
source's name, which is often a person's); sources given one id are one participant (their
fields must agree).
"""

from __future__ import annotations

from dataclasses import dataclass

from compendium.inputs.errors import InputError
from compendium.inputs.refi_qda.mapping import PARTICIPANT_FIELDS, Mapping
from compendium.inputs.refi_qda.participants import (
    Participant,
    Value,
    at_field,
    case_participants,
    element_values,
    participant_row,
    pseudonyms,
)
from compendium.inputs.refi_qda.project_xml import ProjectDoc, Q, children, guid_key, text_sources
from compendium.inputs.refi_qda.roster import RosterRow, read_roster

ROUTE_NUMBER = {"cases": 1, "source_variables": 3, "sets": 4, "roster": 5}


@dataclass
class Reading:
    """The participants, and how they were read (for the import summary)."""

    route: str
    detail: str  # e.g. "named cases with variables"
    participants: list[Participant]
    records: int  # cases or sources read


def set_members(doc: ProjectDoc, sources: dict) -> dict[str, list[tuple[str, object]]]:
    """Text source GUID -> the (name, element) of every set it is a member of."""
    text = text_sources(sources)
    out: dict[str, list[tuple[str, object]]] = {}
    for set_elem in doc.root.iterfind(f"{Q}Sets/{Q}Set"):
        for ref in children(set_elem, "MemberSource"):
            target = guid_key(ref.get("targetGUID"))
            if target not in sources:
                raise doc.error(ref, "refers to a source that does not exist", "targetGUID")
            if target in text:
                out.setdefault(target, []).append((set_elem.get("name").strip(), set_elem))
    return out


def offered_routes(doc: ProjectDoc, sources: dict) -> list[str]:
    """The routes this project offers, in the order they are tried (roster always last)."""
    text = text_sources(sources)
    out = []
    if doc.root.find(f"{Q}Cases/{Q}Case") is not None:
        out.append("cases")
    if any(children(source, "VariableValue") for source in text.values()):
        out.append("source_variables")
    if set_members(doc, sources):
        out.append("sets")
    return [*out, "roster"]


def choose_route(doc: ProjectDoc, mapping: Mapping, sources: dict) -> str:
    """The mapping's ``participants_from``, else the first route the project offers."""
    if mapping.participants_from is not None:
        return mapping.participants_from
    offered = offered_routes(doc, sources)
    if offered[0] == "cases" and mapping.roster is not None:
        raise InputError(
            mapping.path or doc.where,
            "the project has cases, read before a roster: write participants_from: roster to "
            "read the roster instead, or remove roster:",
            field="roster",
        )
    return "roster" if mapping.roster is not None and offered[0] != "cases" else offered[0]


def read_participants(
    doc: ProjectDoc, mapping: Mapping, variables: dict[str, str], sources: dict, selections: dict
) -> Reading:
    route = choose_route(doc, mapping, sources)
    if route == "cases":
        found = case_participants(doc, mapping, variables, sources, selections)
        if not found:
            raise InputError(
                doc.where,
                "/Project/Cases: the project has no cases (participants); remove "
                "participants_from: cases to read them from the sources, sets or a roster",
            )
        unnamed = all(not (p.elem.get("name") or "").strip() for p in found)
        detail = "unnamed cases, one source each" if unnamed else "named cases with variables"
        return Reading(route, detail, found, len(found))
    return _source_participants(doc, mapping, variables, sources, route)


def _roster_sources(rows: list[RosterRow], text: dict, path) -> dict[str, RosterRow]:
    """Text source GUID -> its roster row (a row names a source by name, or by GUID)."""
    by_name: dict[str, list[str]] = {}
    for guid, source in text.items():
        by_name.setdefault((source.get("name") or "").strip(), []).append(guid)
    out: dict[str, RosterRow] = {}
    for row in rows:
        named = by_name.get(row.source, [])
        guid = named[0] if len(named) == 1 else guid_key(row.source)
        if guid not in text:
            problem = (
                f"names {len(named)} sources of the project: give the GUID of one"
                if named
                else "is not a text source of the project"
            )
            raise InputError(path, f"source {row.source[:60]!r} {problem}", row=row.line,
                             field="source")  # fmt: skip
        if guid in out:
            raise InputError(
                path, f"source {row.source[:60]!r} is already on row {out[guid].line}",
                row=row.line, field="source",
            )  # fmt: skip
        out[guid] = row
    return {guid: out[guid] for guid in text if guid in out}  # in the project's order


def _set_values(doc, mapping: Mapping, members, source) -> dict[str, Value]:
    """The fields the mapping's ``sets:`` give a source through the sets it is in."""
    out: dict[str, tuple[str, str]] = {}
    for set_name, _elem in members:
        for name, text in mapping.sets.get(set_name, {}).items():
            if name in out and out[name][1] != text:
                raise doc.error(
                    source,
                    f"source {source.get('name')!r} is in the sets {out[name][0]!r} and "
                    f"{set_name!r}, which give {name} {out[name][1]!r} and {text!r}",
                    "name",
                )
            out.setdefault(name, (set_name, text))
    where = mapping.path or doc.where
    return {
        name: Value(text, lambda m, s=set_name: InputError(where, f"sets.{s}: {m}", field="sets"))
        for name, (set_name, text) in out.items()
    }


def _source_participants(doc, mapping: Mapping, variables, sources, route: str) -> Reading:
    text = text_sources(sources)
    members = set_members(doc, sources)
    project_sets = {s.get("name").strip() for s in doc.root.iterfind(f"{Q}Sets/{Q}Set")}
    for name in sorted(set(mapping.sets) - project_sets):
        raise InputError(
            mapping.path or doc.where,
            f"sets: {name!r} is not a set of the project "
            f"(sets: {', '.join(repr(s) for s in sorted(project_sets)) or 'none'})",
            field="sets",
        )
    roster = mapping.roster
    if roster is not None:
        chosen: dict = _roster_sources(read_roster(roster), text, roster)
    elif route == "source_variables":
        chosen = {g: None for g, s in text.items() if children(s, "VariableValue")}
    elif route == "sets":
        chosen = {g: None for g in text if any(n in mapping.sets for n, _ in members.get(g, []))}
    else:
        raise InputError(
            mapping.path or doc.where,
            "the project has no cases, no variables in its sources and no sets: name a roster "
            "(roster: NAME.csv, one row per text source; compendium qdpx-template writes one)",
            field="roster",
        )
    if not chosen:
        raise InputError(
            doc.where,
            f"/Project/Sources: no text source is a participant's (participants from {route}: "
            + (
                "no source carries a variable"
                if route == "source_variables"
                else "no source is in a set the mapping's sets: gives a value"
            )  # fmt: skip
            + ")",
        )
    from_variable = roster is None and "participant_id" in mapping.case_variables
    generated = iter(pseudonyms(len(chosen)))
    by_id: dict[str, tuple[Participant, object]] = {}
    for guid, row in chosen.items():
        source = text[guid]
        name = (source.get("name") or "").strip()
        read = element_values(doc, source, variables)

        def record_error(message: str, field: str, row=row, source=source) -> InputError:
            if row is not None:
                return InputError(roster, message, row=row.line, field=field)
            return doc.error(source, message, mapping.case_variables.get(field, field))

        values = _set_values(doc, mapping, members.get(guid, []), source)
        for field in PARTICIPANT_FIELDS:
            variable = mapping.case_variables.get(field)
            here = at_field(record_error, field)
            if row is not None and row.cells[field]:
                values[field] = Value(row.cells[field], here)
            elif field == "participant_id" and row is not None:
                raise here("participant_id is blank: fill in a pseudonymous code")
            elif field == "participant_id" and not from_variable:
                values[field] = Value(next(generated), here)
            elif variable is not None and read.get(variable, (None,))[0] is not None:
                value, elem = read[variable]
                values[field] = Value(value, lambda m, e=elem, v=variable: doc.error(e, m, v))
            elif field not in values and field in mapping.defaults:
                values[field] = Value(mapping.defaults[field], here)
        label = f"source {name[:60]!r}"
        row_values = participant_row(values, mapping, label, record_error)
        pid = row_values["participant_id"]
        if pid not in by_id:
            by_id[pid] = (Participant(source, row_values, {guid: source}), record_error)
            continue
        first = by_id[pid][0]
        for field, value in row_values.items():
            if first.participant[field] != value:
                raise record_error(
                    f"{label} gives participant {pid!r} {field} {value!r}, another of its "
                    f"sources ({first.elem.get('name')!r}) {first.participant[field]!r}",
                    field,
                )
        first.sources[guid] = source
    detail = {
        "source_variables": "one participant per text source with variables",
        "sets": "one participant per text source in a mapped set",
        "roster": "one participant per text source in the roster",
    }[route]
    if roster is not None and route != "roster":
        detail += f", with the roster {roster.name}"
    elif roster is not None:
        detail = f"one participant per text source in the roster {roster.name}"
    return Reading(route, detail, [p for p, _ in by_id.values()], len(chosen))
