"""Codings -> spans: the project's codes, each text selection's codings by coder (the primary
coder's mapped spans, the other coders' codings), and named links -> typed pairs of spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compendium.inputs.errors import InputError
from compendium.inputs.refi_qda.mapping import Mapping, mapped_targets, resolve_code
from compendium.inputs.refi_qda.participants import Participant
from compendium.inputs.refi_qda.project_xml import ProjectDoc, Q, children, guid_key
from compendium.inputs.refi_qda.report import ImportReport


def project_codes(doc: ProjectDoc) -> dict[str, tuple[str, ...]]:
    """guid -> the code's path (``Parent/Child``) then its ancestors' paths, nearest first;
    duplicate GUIDs refused.  In the codebook's order."""
    out: dict[str, tuple[str, ...]] = {}

    def walk(elem, chain: tuple[str, ...]) -> None:
        for code in children(elem, "Code"):
            guid = guid_key(code.get("guid"))
            if guid in out:
                raise doc.error(code, f"duplicate code guid {code.get('guid')!r}", "guid")
            name = code.get("name").strip()
            out[guid] = (f"{chain[0]}/{name}" if chain else name, *chain)
            walk(code, out[guid])

    codebook = doc.root.find(f"{Q}CodeBook/{Q}Codes")
    if codebook is not None:
        walk(codebook, ())
    return out


def leaf_codes(codes: dict[str, tuple[str, ...]]) -> set[str]:
    """Code paths with no child code."""
    paths = {chain[0] for chain in codes.values()}
    parents = {parent for chain in codes.values() for parent in chain[1:]}
    return paths - parents


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    theme_rank: int
    subtheme: str
    theme: str


def _users(doc: ProjectDoc, mapping: Mapping) -> dict[str, str]:
    """User GUID -> name; checks the mapping's ``primary_coder`` names one of them."""
    users = {}
    for user in doc.root.iterfind(f"{Q}Users/{Q}User"):
        users[guid_key(user.get("guid"))] = (user.get("name") or "").strip()
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


def _coder_of(doc: ProjectDoc, coding, users: dict[str, str], mapping: Mapping) -> str | None:
    """None for the primary coder's coding, else the other coder's name."""
    if mapping.primary_coder is None or coding.get("creatingUser") is None:
        return None
    guid = guid_key(coding.get("creatingUser"))
    if guid not in users:
        raise doc.error(coding, "refers to a user that does not exist", "creatingUser")
    name = users[guid]
    return None if name == mapping.primary_coder else name


def collect_codings(
    doc: ProjectDoc,
    mapping: Mapping,
    codes: dict[str, tuple[str, ...]],
    participants: list[Participant],
    sources: dict,
    report: ImportReport,
) -> tuple[list, list[tuple[str, str, int, int, str]], dict[str, tuple[str, list[Span]]]]:
    """Per (participant, source): the primary coder's mapped spans of its text selections
    (a code the mapping does not name takes its nearest mapped ancestor's mapping).

    Also returns the other coders' mapped codings as (coder, source guid, start, end, theme)
    (only with ``primary_coder`` in the mapping), and the primary spans of each selection (for
    links).
    """
    users = _users(doc, mapping)
    others: list[tuple[str, str, int, int, str]] = []
    linkable: dict[str, tuple[str, list[Span]]] = {}
    owner_of_source: dict[str, Participant] = {}
    owner_of_selection: dict[str, Participant] = {}
    for participant in participants:
        owner_of_source.update(dict.fromkeys(participant.sources, participant))
        owner_of_selection.update(dict.fromkeys(participant.selections, participant))

    ranks = {code: i for i, code in enumerate(sorted({t for t, _ in mapped_targets(mapping)}))}
    mapped_paths = set(mapping.codes)
    project_paths = {chain[0] for chain in codes.values()}
    for code_path in sorted(mapped_paths - project_paths):
        raise InputError(
            mapping.path or doc.where,
            f"code {code_path!r} is not in the codebook of {doc.where} "
            "(/Project/CodeBook; write nested codes as Parent/Child)",
            row=mapping.code_rows.get(code_path),
            field="codes",
        )

    spans: dict[tuple[str, str, str], set[Span]] = {}
    for source_guid, source in sorted(sources.items()):
        for coding in children(source, "Coding"):
            _code_of(doc, coding, codes)
            report.source_codings += 1
        for selection in source.iter(f"{Q}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            if start < 0:
                raise doc.error(selection, "negative start position", "startPosition")
            if end < start:
                raise doc.error(selection, "end position before start position", "endPosition")
            sel_guid = guid_key(selection.get("guid"))
            case = owner_of_selection.get(sel_guid) or owner_of_source.get(source_guid)
            for coding in children(selection, "Coding"):
                chain = _code_of(doc, coding, codes)
                code_path = chain[0]
                report.codings += 1
                if case is None:
                    report.uncased_codings += 1
                    continue
                if case.participant["status"] == "withdrawn":
                    report.withdrawn_codings += 1
                    continue
                resolved = resolve_code(mapping, chain)
                if resolved is None:
                    report.unmapped_codes[code_path] = report.unmapped_codes.get(code_path, 0) + 1
                    continue
                via, target = resolved
                if target is None:
                    report.ignored_codes[code_path] = report.ignored_codes.get(code_path, 0) + 1
                    continue
                if via != code_path:
                    report.inherited[via] = report.inherited.get(via, 0) + 1
                theme, subtheme = target
                coder = _coder_of(doc, coding, users, mapping)
                if coder is not None:
                    others.append((coder, source_guid, start, end, theme))
                    continue
                report.segment_codings += 1
                key = (case.participant["participant_id"], source.get("name") or "", source_guid)
                span = Span(start, end, ranks[theme], subtheme, theme)
                spans.setdefault(key, set()).add(span)
                linkable.setdefault(sel_guid, (source_guid, []))[1].append(span)
    collected = [(pid, name, guid, sorted(s)) for (pid, name, guid), s in sorted(spans.items())]
    return collected, sorted(others), linkable


def typed_links(
    doc: ProjectDoc, mapping: Mapping, linkable, theme_order: list[str], report: ImportReport
):
    """Named REFI-QDA links between two coded text selections -> typed pairs of spans.

    ``linkable`` maps a selection GUID to its source and the primary coder's mapped spans (only
    selections of analysed cases).  A link whose name the mapping's ``link_types`` gives a type
    pairs the span of its origin (the primary theme; the codebook's first if the selection has
    several) with the span of its target of another theme (the secondary theme).  Returns
    source GUID -> [(origin, target, type)]; every link not imported is counted by reason in
    the report.
    """
    pairs: dict[str, list[tuple[Span, Span, str]]] = {}
    linked: set[tuple[str, Span]] = set()
    order = {code: i for i, code in enumerate(theme_order)}

    def by_theme(span: Span) -> tuple:
        return order[span.theme], span.subtheme

    def skip(reason: str) -> None:
        report.links_not_imported[reason] = report.links_not_imported.get(reason, 0) + 1

    for link in doc.root.iterfind(f"{Q}Links/{Q}Link"):
        name = (link.get("name") or "").strip()
        origin = linkable.get(guid_key(link.get("originGUID") or ""))
        target = linkable.get(guid_key(link.get("targetGUID") or ""))
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


def _code_of(doc: ProjectDoc, coding, codes: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    ref = coding.find(f"{Q}CodeRef")
    target = guid_key(ref.get("targetGUID"))
    if target not in codes:
        raise doc.error(ref, "refers to a code that does not exist", "targetGUID")
    return codes[target]
