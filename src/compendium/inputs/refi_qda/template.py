"""``compendium qdpx-template PROJECT.qdpx --out MAPPING.yaml``: a mapping to complete.

The template lists what the project holds and what the import needs said about it: every code
path with its number of codings (its own, and with its descendants), parents included; every
variable with the values seen in cases and in sources; every source; the sets, users and link
names; and how participants will be read (the route :mod:`.routes` takes, and what to fill in).
A project without cases also gets a roster beside the mapping (``<stem>_roster.csv``, one row
per text source, participant ids ``P01``... in source order, never the file name) which the
mapping names (``roster:``).  Blanks are left where the researcher decides; once they are
filled in, the mapping loads with :func:`.mapping.load_mapping` and imports.

The project is read as the import reads it (the zip, the hardened parse, the schema).  Nothing
existing is overwritten: a mapping or a roster is the researcher's work.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from compendium.inputs.errors import InputError
from compendium.inputs.formulas import FORMULA_START
from compendium.inputs.refi_qda.archive import read_project_xml
from compendium.inputs.refi_qda.codings import project_codes
from compendium.inputs.refi_qda.mapping import ENUMS, LINK_TYPES, PARTICIPANT_FIELDS
from compendium.inputs.refi_qda.participants import element_values, project_variables, pseudonyms
from compendium.inputs.refi_qda.project_xml import (
    Q,
    children,
    guid_key,
    local_name,
    parse_project,
    project_sources,
    text_sources,
)
from compendium.inputs.refi_qda.roster import ROSTER_COLUMNS
from compendium.inputs.refi_qda.routes import ROUTE_NUMBER, offered_routes, set_members

TEXT_LIMIT = 60  # characters of a name or value shown in a comment
LINE_BREAKS = re.compile(r"[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
PLAIN = re.compile(r"[^\W_][\w .,/()+'&-]*(?<! )")


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that is one line and reads back as ``text``."""
    return LINE_BREAKS.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False)
    )


def scalar(text: str) -> str:
    """``text`` as a YAML key or block value: plain when it reads back as itself."""
    if PLAIN.fullmatch(text):
        try:
            if yaml.safe_load(f"{text}: x") == {text: "x"}:
                return text
        except yaml.YAMLError:
            pass
    return quoted(text)


def shown(text: str) -> str:
    """A name or value as shown in a comment: quoted, one line, at most TEXT_LIMIT characters."""
    return quoted(text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 3] + "...")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass
class Survey:
    """What the project holds, as the template lists it."""

    name: str
    origin: str
    codes: dict[str, list[int]] = field(default_factory=dict)  # path -> [own, with descendants]
    variables: dict[str, tuple[str, Counter, Counter]] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    sets: dict[str, list[int]] = field(default_factory=dict)  # name -> [sources, codes]
    users: Counter = field(default_factory=Counter)  # user name -> codings
    links: Counter = field(default_factory=Counter)  # link name -> links
    cases: int = 0
    unnamed_cases: int = 0
    codings: int = 0  # codings of text selections
    other_codings: int = 0  # codings of whole sources, pictures, audio, video
    route: str = "roster"


def survey(doc) -> Survey:
    root = doc.root
    out = Survey((root.get("name") or "").strip(), (root.get("origin") or "").strip())
    codes = project_codes(doc)
    for chain in codes.values():
        out.codes.setdefault(chain[0], [0, 0])
    variables = project_variables(doc)
    kinds = {
        guid_key(v.get("guid")): v.get("typeOfVariable")
        for v in root.iterfind(f"{Q}Variables/{Q}Variable")
    }
    for guid, name in variables.items():
        out.variables.setdefault(name, (kinds[guid], Counter(), Counter()))
    users = {guid_key(u.get("guid")): (u.get("name") or "").strip() for u in root.iter(f"{Q}User")}
    owners: dict[str, list[str]] = {}
    for case in root.iterfind(f"{Q}Cases/{Q}Case"):
        out.cases += 1
        out.unnamed_cases += not (case.get("name") or "").strip()
        for ref in children(case, "SourceRef"):
            owner = shown(case.get("name").strip()) if case.get("name") else "unnamed"
            owners.setdefault(guid_key(ref.get("targetGUID")), []).append(owner)
        for name, (value, _elem) in element_values(doc, case, variables).items():
            out.variables[name][1][value or ""] += 1
    sources = project_sources(doc)
    text = text_sources(sources)
    members = set_members(doc, sources)
    for set_elem in root.iterfind(f"{Q}Sets/{Q}Set"):
        counts = out.sets.setdefault(set_elem.get("name").strip(), [0, 0])
        refs = children(set_elem, "MemberSource")
        counts[0] += sum(guid_key(r.get("targetGUID")) in text for r in refs)
        counts[1] += len(children(set_elem, "MemberCode"))
    names = Counter((s.get("name") or "").strip() for s in text.values())
    for guid, source in sources.items():
        selections = list(source.iter(f"{Q}PlainTextSelection"))
        n_codings = 0
        for coding in (c for s in selections for c in children(s, "Coding")):
            ref = coding.find(f"{Q}CodeRef")
            chain = codes.get(guid_key(ref.get("targetGUID")))
            if chain is None:
                raise doc.error(ref, "refers to a code that does not exist", "targetGUID")
            out.codes[chain[0]][0] += 1
            for path in chain:
                out.codes[path][1] += 1
            user = users.get(guid_key(coding.get("creatingUser") or ""), "")
            out.users[user] += 1
            n_codings += 1
        out.codings += n_codings
        out.other_codings += sum(1 for c in source.iter(f"{Q}Coding")) - n_codings
        values = element_values(doc, source, variables)
        for name, (value, _elem) in values.items():
            out.variables[name][2][value or ""] += 1
        name = (source.get("name") or "").strip()
        out.sources.append({
            "guid": guid, "name": name, "kind": local_name(source.tag), "text": guid in text,
            "owner": f", case {', '.join(owners[guid])}" if guid in owners else "",
            "selections": len(selections), "codings": n_codings, "variables": len(values),
            "sets": [n for n, _ in members.get(guid, [])],
            "roster_name": name if name and names[name] == 1 and not name.startswith(FORMULA_START)
            and not LINE_BREAKS.search(name) and not re.search(r"[\x00-\x1f]", name) else guid,
        })  # fmt: skip
    for link in root.iterfind(f"{Q}Links/{Q}Link"):
        out.links[(link.get("name") or "").strip()] += 1
    out.route = offered_routes(doc, sources)[0]
    return out


def comment(text: str) -> list[str]:
    """A paragraph as comment lines of at most 100 characters."""
    return [f"# {line}" for line in textwrap.wrap(text, 98, break_on_hyphens=False)]


def _header(s: Survey, qdpx: str, out: str) -> list[str]:
    n_text = sum(x["text"] for x in s.sources)
    counts = (
        f"Project {shown(s.name)}" + (f" (origin: {shown(s.origin)})" if s.origin else "")
        + f": {plural(len(s.sources), 'source')} ({n_text} with text), "
        f"{plural(s.cases, 'case') if s.cases else 'no cases'}, "
        f"{plural(len(s.variables), 'variable')}, {plural(len(s.sets), 'set')}, "
        f"{plural(len(s.codes), 'code')}, {plural(s.codings, 'coding')} of text selections"
        + (f" ({s.other_codings} other codings, not importable)" if s.other_codings else "")
        + f", {plural(sum(s.links.values()), 'link')}."
    )  # fmt: skip
    return [
        f"# Mapping for compendium import-qdpx, written by compendium qdpx-template from {qdpx}",
        "# (format: docs/refi_qda_mapping.md). Fill in the blanks, then run:",
        f"#   compendium import-qdpx {qdpx} --mapping {out} --out data/coded/<name>/",
        *comment(
            "A blank (nothing after the colon) counts as not given. The import refuses what it "
            "cannot use with one line naming it, and reports every coding it does not import."
        ),
        "#",
        *comment(counts),
        "",
    ]


ROUTE_TEXT = {
    "source_variables": "{carried} of its {n_text} text sources carry variables: one participant "
    "per such source (route 3, source_variables). Name under case_variables the variable holding "
    "each field (see Variables below).",
    "sets": "its text sources are in sets: one participant per source in a set that sets: below "
    "gives a value (route 4, sets; a set of sources = a group).",
    "roster": "one participant per text source (route 5, roster).",
}


def _participants(s: Survey, roster: str | None) -> list[str]:
    route, n_text = s.route, sum(x["text"] for x in s.sources)
    lines = ["# --- Participants " + "-" * 82]
    if route == "cases":
        how = (
            "unnamed cases of one source each: participant ids P01, ... in the order of their "
            "sources, unless case_variables names the variable holding participant_id"
            if s.unnamed_cases == s.cases
            else "named cases: a case's name is its participant id (a pseudonymous code, never "
            "a name), unless case_variables names the variable holding participant_id"
        )
        lines += comment(
            f"The project has {plural(s.cases, 'case')}: one participant per case (route 1, "
            f"cases; {how}). Name under case_variables the variable holding each field (see "
            "Variables below), or give it under defaults."
        )
    else:
        carried = sum(x["variables"] > 0 for x in s.sources if x["text"])
        lines += comment(
            "The project has no cases; "
            + ROUTE_TEXT[route].format(carried=carried, n_text=n_text)
            + f" The roster beside this file, {roster}, has one row per text source: fill in "
            "group (a code of groups: below), interview_mode (in_person or online), status "
            "(analysed or withdrawn), quotable (yes or no) and area (optional). A blank cell is "
            "taken from the source's variables, then its sets, then defaults. participant_id is "
            "a pseudonymous code (P01, ...): keep it or use your study's codes, never a name. "
            "Delete the row of a source that is no participant's transcript."
        )
    lines += _variables(s)
    lines.append(f"participants_from: {route}")
    if roster is not None:
        lines.append(f"roster: {scalar(roster)}")
    lines.append("case_variables:           # participant field -> the variable holding it")
    notes = {"participant_id": "optional", "area": "optional"}
    for name in PARTICIPANT_FIELDS:
        note = f"{' ' * (23 - len(name))}# {notes[name]}" if name in notes else ""
        lines.append(f"  {name}:{note}")
    lines.append("values:                   # optional: recode the values seen (ignoring case)")
    for name in ("group", *ENUMS):
        target = " or ".join(ENUMS.get(name, ("a code of groups below",)))
        lines.append(f"  {name}:{' ' * (23 - len(name))}# e.g. {{Value seen: {target}}}")
    lines.append("defaults:                 # optional: for every participant who lacks the field")
    lines += [f"  {name}:" for name in PARTICIPANT_FIELDS[1:]]
    return lines


def _variables(s: Survey) -> list[str]:
    lines = ["# Variables (type; cases or sources holding it): values seen (how often, if twice+)"]
    for name, (kind, in_cases, in_sources) in s.variables.items():
        for where, seen in (("cases", in_cases), ("sources", in_sources)):
            if not seen and (where == "sources" or in_sources):
                continue
            values = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))
            text = ", ".join(shown(v) + (f" ({n})" if n > 1 else "") for v, n in values[:12])
            more = f", and {len(values) - 12} more" if len(values) > 12 else ""
            head = f"{shown(name)} ({kind}; {sum(seen.values())} {where}):"
            lines += [f"#   {line}" for line in textwrap.wrap(
                f"{head} {text or 'no value'}{more}", 96, subsequent_indent="    "
            )]  # fmt: skip
    if not s.variables:
        lines.append("#   (none)")
    return lines


def _sources_and_sets(s: Survey) -> list[str]:
    lines = ["# Sources (kind, owner; text selections, codings of them; variables; sets):"]
    for x in s.sources:
        sets = f"; sets {', '.join(shown(n) for n in x['sets'])}" if x["sets"] else ""
        lines.append(
            f"#   {shown(x['name'])} ({x['kind']}{x['owner']}; "
            f"{plural(x['selections'], 'selection')}, {plural(x['codings'], 'coding')}; "
            f"{plural(x['variables'], 'variable')}{sets})"
        )
    if s.sets:
        lines.append("sets:                     # a set -> what it gives its member sources")
        for k, (name, (n_sources, n_codes)) in enumerate(s.sets.items(), 1):
            given = f"{{group: G{k}}}" if s.route == "sets" and n_sources else "{group: }"
            count = f"{plural(n_sources, 'source')}, {plural(n_codes, 'code')}"
            lines.append(f"  {scalar(name)}: {given}  # {count}")
    return lines


def _groups(s: Survey) -> list[str]:
    lines = ["groups:                   # every group a participant may be in: label, roles"]
    named = [n for n, (n_sources, _) in s.sets.items() if n_sources] if s.route == "sets" else []
    for k, name in enumerate(named or [None], 1):
        label = quoted(name) if name else ""
        lines.append(f"  G{k}: {{label: {label}, typical_roles: }}")
    return lines


def _codes(s: Survey, codebook) -> list[str]:
    lines = ["# Themes and subthemes of the codebook:"]
    subthemes = codebook.subthemes.set_index(["theme_code", "subtheme"])["name"]
    for theme in codebook.codes:
        lines.append(f"#   {theme} {codebook.short_name(theme)}")
        for letter in codebook.subtheme_letters(theme):
            name = str(subthemes.get((theme, letter), ""))
            lines.append(f"#     {letter} {name[:86]}".rstrip())
    lines += [
        "codes:  # code path -> theme and subtheme. A mapped parent covers its descendants unless",
        "        # one is mapped itself; null: not imported; blank: not mapped here.",
    ]
    for path, (own, total) in s.codes.items():
        count = plural(own, "coding") + (f", {total} with its descendants" if total != own else "")
        lines.append(f"  {scalar(path)}: {{theme: , subtheme: }}  # {count}")
    return lines


def _coders_and_links(s: Survey) -> list[str]:
    coders = sorted(s.users.items(), key=lambda kv: (-kv[1], kv[0]))
    named = [u for u, _ in coders if u]
    listed = ", ".join(f"{shown(u) if u else 'no user'} ({n})" for u, n in coders)
    lines = [f"# Users who coded (codings): {listed or 'none'}"]
    if len(named) > 1:
        lines.append(f"primary_coder: {scalar(named[0])}  # whose codings are the corpus; "
                     "the others' -> second_coding.csv")  # fmt: skip
    if s.links:
        lines.append(f"link_types:  # link name -> {', '.join(LINK_TYPES)}; blank: not imported")
        for name, n in sorted(s.links.items()):
            lines.append(f"  {scalar(name)}:  # {plural(n, 'link')}")
    return lines


def mapping_text(s: Survey, qdpx: str, out: str, roster: str | None, codebook) -> str:
    parts = [
        _header(s, qdpx, out),
        _participants(s, roster),
        _sources_and_sets(s),
        _groups(s),
        _codes(s, codebook),
        _coders_and_links(s),
    ]
    return "\n\n".join("\n".join(part).strip("\n") for part in parts) + "\n"


def roster_text(s: Survey) -> str:
    rows = [x for x in s.sources if x["text"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for x, pid in zip(rows, pseudonyms(len(rows)), strict=True):
        writer.writerow([x["roster_name"], pid, "", "", "", "", ""])
    return buffer.getvalue()


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def write_template(qdpx_path: Path | str, out: Path | str, codebook) -> list[str]:
    """Write the mapping template (and, without cases, the roster); the lines to print."""
    qdpx, out = Path(qdpx_path), Path(out)
    doc = parse_project(qdpx, read_project_xml(qdpx))
    s = survey(doc)
    roster = out.with_name(f"{out.stem}_roster.csv") if s.route != "cases" else None
    for path in (out, roster):
        if path is not None and path.exists():
            raise InputError(path, "exists: the template never overwrites (move it, or give "
                             "another --out)")  # fmt: skip
    if not out.parent.is_dir():
        raise InputError(out.parent, "--out: no such folder")
    text = mapping_text(s, qdpx.name, out.name, roster.name if roster else None, codebook)
    if roster is not None:
        _write_new(roster, roster_text(s))
    _write_new(out, text)
    lines = [
        f"wrote {out}: {plural(len(s.codes), 'code')}, {plural(len(s.variables), 'variable')}, "
        f"{plural(len(s.sources), 'source')}; participants from {s.route} "
        f"(route {ROUTE_NUMBER[s.route]})"
    ]
    if roster is not None:
        n = sum(x["text"] for x in s.sources)
        lines.append(f"wrote {roster}: {plural(n, 'row')} (one per text source) to fill in")
    lines.append(f"next: fill in the blanks, then compendium import-qdpx {qdpx} --mapping {out} "
                 "--out data/coded/<name>/")  # fmt: skip
    return lines
