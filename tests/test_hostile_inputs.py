"""A catalogue of hostile and broken inputs, each refused cleanly by the ``compendium`` command.

Every case runs the command's entry point (``compendium.cli.main``, what the console script
calls) in the test process and checks: exit status 2, exactly one line on stderr naming the file
and the row (or XML element) and field, no exception, nothing created under the ``--out`` folder
(nor anywhere in the working folder), and no file created or changed under ``figures/`` and
``reports/`` of the project.  One case per reader also runs the installed ``compendium`` script
in a subprocess, to check the real exit status and that no traceback or warning reaches stderr.

CSV injection: the importer refuses any text value that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return (it would run as a formula in a spreadsheet) rather than rewriting it;
in a corpus package such a value is refused by the identifier pattern of the schema
(``participant_id``).  Control characters (C0, DEL, C1: NUL, ESC, U+0085...) are refused in
every identifier and code, and in free text all but tab, line feed and carriage return; the
line names the character (``U+001B``).  Random corruptions (hypothesis) of a valid project and
of a valid corpus always end in an :class:`InputError` or a valid result, never another
exception.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_refi_qda import CASES, MAPPING, SELECTIONS, VARIABLES, guid, project_xml, write_qdpx

from compendium.cli import main
from compendium.inputs.corpus import load_corpus
from compendium.inputs.errors import InputError
from compendium.inputs.refi_qda import import_qdpx

TARGETS_LABEL_LINE = next(
    number
    for number, line in enumerate(
        (ROOT / "data" / "surrogate" / "targets.yaml").read_text().splitlines(), 1
    )
    if "label: HSCP senior leadership" in line
)
CODEBOOK = str(ROOT / "data" / "codebook")
GOOD = project_xml()


def build_running() -> bool:
    """A Snakemake build holds a lock in the project: it is rewriting figures/ and reports/."""
    locks = ROOT / ".snakemake" / "locks"
    return locks.is_dir() and any(locks.iterdir())


def tree_hashes(*folders: Path) -> dict[str, str]:
    out = {}
    for folder in folders:
        if folder.exists():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# ------------------------------------------------------------------------ building cases


def qdpx_case(
    xml=None, members=None, raw: bytes | None = None, mapping: str | None = None, roster=None
):
    """A case for ``import-qdpx``: returns a builder of the command arguments (``roster``: the
    text of ``roster.csv`` beside the mapping)."""

    def build(work: Path) -> list[str]:
        project = work / "project.qdpx"
        if roster is not None:
            (work / "roster.csv").write_text(roster, encoding="utf-8")
        if raw is not None:
            project.write_bytes(raw)
        else:
            write_qdpx(project, GOOD if xml is None else xml, members)
        mapping_path = work / "mapping.yaml"
        if isinstance(mapping, bytes):
            mapping_path.write_bytes(mapping)
        else:
            mapping_path.write_text(MAPPING.read_text() if mapping is None else mapping)
        out = work / "data" / "coded" / "imported"
        return ["import-qdpx", str(project), "--mapping", str(mapping_path), "--out", str(out)]

    return build


TARGETS = ROOT / "data" / "surrogate" / "targets.yaml"


def targets_case(old: str | None = None, new: str = "", raw: str | None = None):
    """A case for ``surrogate``: the committed targets with ``old`` replaced by ``new``."""

    def build(work: Path) -> list[str]:
        text = TARGETS.read_text()
        if raw is not None:
            text = raw
        elif old is not None:
            assert old in text, old
            text = text.replace(old, new, 1)
        path = work / "targets.yaml"
        path.write_text(text)
        out = work / "data" / "coded" / "surrogate"
        return ["surrogate", "--targets", str(path), "--out", str(out)]

    return build


def csv_case(change):
    """A case for ``validate`` on the tiny corpus edited by ``change(folder)``."""

    def build(work: Path) -> list[str]:
        from conftest import write_corpus

        folder = work / "corpus"
        write_corpus(folder, TINY["participants"], TINY["groups"], TINY["segments"])
        change(folder)
        return ["validate", str(folder)]

    return build


TINY = {
    "participants": [
        {"participant_id": "A1", "group": "G1", "interview_mode": "online",
         "status": "analysed", "quotable": "yes", "area": "X1"},
        {"participant_id": "A2", "group": "G2", "interview_mode": "in_person",
         "status": "analysed", "quotable": "no", "area": "X1"},
        {"participant_id": "A3", "group": "G2", "interview_mode": "",
         "status": "withdrawn", "quotable": "yes", "area": ""},
    ],
    "groups": [
        {"group": "G1", "label": "Leaders", "typical_roles": "Chief Officer"},
        {"group": "G2", "label": "Members", "typical_roles": "Voting member"},
    ],
    "segments": [
        {"segment_id": "x1", "participant_id": "A1", "theme": "G", "subtheme": "A",
         "secondary_theme": "F", "link_type": "causal"},
        {"segment_id": "x2", "participant_id": "A1", "theme": "W", "subtheme": "B",
         "secondary_theme": "", "link_type": ""},
        {"segment_id": "x3", "participant_id": "A2", "theme": "G", "subtheme": "C",
         "secondary_theme": "", "link_type": ""},
    ],
}  # fmt: skip


def edit(name: str, change):
    def apply(folder: Path) -> None:
        path = folder / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        change(frame).to_csv(path, index=False, lineterminator="\n")

    return apply


def append_to(table: str, text: str):
    """Append raw text to one of the tiny corpus's tables."""

    def apply(folder: Path) -> None:
        with (folder / f"{table}.csv").open("a", encoding="utf-8") as handle:
            handle.write(text)

    return apply


def second_coding(text: str):
    """Add a (not declared) second_coding.csv to the tiny corpus."""

    def apply(folder: Path) -> None:
        (folder / "second_coding.csv").write_text(text, encoding="utf-8")

    return apply


def cell(row: int, column: str, value: str):
    def change(frame):
        frame.loc[row, column] = value
        return frame

    return change


def raw_bytes(name: str, transform):
    def apply(folder: Path) -> None:
        path = folder / name
        path.write_bytes(transform(path.read_bytes()))

    return apply


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def many_members(n: int) -> bytes:
    return zip_bytes({"project.qde": GOOD.encode(), **{f"s/{k}.txt": b"" for k in range(n)}})


def mapping_with(old: str, new: str) -> str:
    text = MAPPING.read_text()
    assert old in text, old
    return text.replace(old, new, 1)


def xml_with(old: str, new: str, xml: str = GOOD) -> str:
    assert old in xml, old
    return xml.replace(old, new, 1)


P01 = CASES["P01"]
BOMB = (
    '<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n'
)
BAD_GUID_CODE = f'<Code guid="{guid("code/Workforce")}"'
DATE = 'origin="compendium tests"'
LATIN1 = "Líderes".encode("latin-1")
OUTSIDE = b'"../groups.csv"'
XXE = '<!DOCTYPE Project [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
OTHER_CASES = {k: v for k, v in CASES.items() if k != "P01"}
P01_NO_MODE = {k: v for k, v in P01.items() if k != "Mode"}
FINANCE_CODE_DEF = f'<Code guid="{guid("nothing")}" name="Finance"'
FINANCE_CODE_KEEP = f'<Code guid="{guid("code/Finance")}" name="Finance"'


NO_CASES = project_xml(cases={}, variables={})  # a QualCoder or NVivo export without cases
WITH_ROSTER = MAPPING.read_text() + "roster: roster.csv\n"
ROSTER_HEAD = "source,participant_id,group,interview_mode,status,quotable,area\n"
ROSTER_REST = "".join(f"{s},P0{k},G1,online,analysed,yes,\n" for k, s in enumerate(CASES, 2))


def roster_with(first_row: str) -> str:
    """A roster of the project without cases: ``first_row``, then the other sources' rows."""
    return ROSTER_HEAD + first_row + "\n" + ROSTER_REST.split("\n", 1)[1]


def with_entity(doctype: str, entity: str) -> str:
    """The good project with ``doctype`` before the root and ``&entity;`` as its name."""
    xml = xml_with("<Project ", doctype + "<Project ")
    return xml.replace('name="Fixture project"', f'name="&{entity};"')


# case name -> (builder, substrings the single stderr line must contain)
CATALOGUE = {
    # --- the surrogate's calibration targets (compendium surrogate) ---
    "targets missing key": (
        targets_case("not_quotable_analysed:\n", "not_quotable:\n"),
        ["targets.yaml", "row ", "field 'not_quotable", "was unexpected"],
    ),
    "targets wrong type": (
        targets_case("value: {G: 44,", "value: {G: many,"),
        ["targets.yaml", "row ", "field 'G'", "kmi.value.G", "not of type 'integer'"],
    ),
    "targets negative count": (
        targets_case("  value: 1\n", "  value: -1\n"),
        ["targets.yaml", "row ", "field 'value'", "less than the minimum"],
    ),
    "targets modes do not add up": (
        targets_case("G1: {in_person: 4, online: 12}", "G1: {in_person: 5, online: 12}"),
        ["targets.yaml", "row ", "field 'G1'", "= 18, but 17 were interviewed"],
    ),
    "targets theme not in the codebook": (
        targets_case("S: 37}", "S: 37, Q: 3}"),
        ["targets.yaml", "row ", "field 'kmi'", "differ from the codebook's"],
    ),
    "targets rate above 1": (
        targets_case("disagreement_rate: 0.1", "disagreement_rate: 1.5"),
        ["targets.yaml", "row ", "field 'disagreement_rate'", "greater than the maximum"],
    ),
    "targets formula in a label": (  # the line of G1's label in the shipped targets.yaml
        targets_case("label: HSCP senior leadership", "label: '=HYPERLINK(\"x\")'"),
        ["targets.yaml", f"row {TARGETS_LABEL_LINE}", "field 'label'", "formula (CSV injection)"],
    ),
    "targets alias bomb": (
        targets_case(raw="a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"),
        ["targets.yaml", "row 2", "aliases"],
    ),
    # a quote never closed in the last cell: frictionless reads the rest as the value, pandas not
    "unclosed quote in the last cell": (
        csv_case(append_to("groups", 'G3,Extra group,"Chief Officer\n')),
        ["groups.csv", "row 4", "not a well-formed CSV table", "EOF inside string"],
    ),
    # --- a second coder's coding (compendium validate) ---
    "second coding of an unknown segment": (
        csv_case(second_coding("segment_id,coder,theme\nx1,B,G\nx9,B,G\n")),
        ["second_coding.csv", "row 3", "field 'segment_id'", "unknown segment 'x9'"],
    ),
    "second coding with an unknown theme": (
        csv_case(second_coding("segment_id,coder,theme\nx1,B,Q\n")),
        ["second_coding.csv", "row 2", "field 'theme'", "unknown theme code 'Q'"],
    ),
    "second coding by 'primary'": (
        csv_case(second_coding("segment_id,coder,theme\nx1,primary,G\n")),
        ["second_coding.csv", "row 2", "field 'coder'"],
    ),
    "second coding with a formula cell": (
        csv_case(second_coding("segment_id,coder,theme\nx1,=cmd|' /C calc'!A0,G\n")),
        ["second_coding.csv", "row 2", "field 'coder'", "formula"],
    ),
    "second coding with DEL in a coder": (
        csv_case(second_coding("segment_id,coder,theme\nx1,B\x7fea,G\n")),
        ["second_coding.csv", "row 2", "field 'coder'", "U+007F"],
    ),
    "second coding with a missing column": (
        csv_case(second_coding("segment_id,theme\nx1,G\n")),
        ["second_coding.csv", "row 1", "field 'coder'"],
    ),
    # --- several coders in one project (import-qdpx with primary_coder) ---
    "primary coder who is no user": (
        qdpx_case(
            xml=project_xml(users=("Ann",)), mapping=MAPPING.read_text() + "primary_coder: Zed\n"
        ),
        ["mapping.yaml", "row ", "field 'primary_coder'", "'Zed' is not a user", "'Ann'"],
    ),
    "coding by a user that does not exist": (
        qdpx_case(
            xml=project_xml(users=("Ann",), selections={"P01": [(0, 5, ["Workforce@Ghost"])]}),
            mapping=MAPPING.read_text() + "primary_coder: Ann\n",
        ),
        ["project.qdpx!project.qde", "Coding", "field 'creatingUser'", "user that does not exist"],
    ),
    "user name that is a formula": (
        qdpx_case(
            xml=project_xml(users=("Ann", "=cmd|x")),
            mapping=MAPPING.read_text() + "primary_coder: Ann\n",
        ),
        ["project.qdpx!project.qde", "/Project/Users/User[2]", "field 'name'", "second coder"],
    ),
    # --- corpus packages (compendium validate) ---
    "csv missing column": (
        csv_case(edit("segments", lambda f: f.drop(columns=["theme"]))),
        ["segments.csv", "row 1", "field 'theme'", "missing column"],
    ),
    "csv extra column": (
        csv_case(edit("participants", lambda f: f.assign(name="Jane"))),
        ["participants.csv", "row 1", "field 'name'", "unexpected column"],
    ),
    "csv wrong enum value": (
        csv_case(edit("participants", cell(0, "interview_mode", "zoom"))),
        ["participants.csv", "row 2", "field 'interview_mode'"],
    ),
    "csv unknown theme code": (
        csv_case(edit("segments", cell(1, "theme", "X"))),
        ["segments.csv", "row 3", "field 'theme'", "unknown theme code"],
    ),
    "csv duplicate participant id": (
        csv_case(edit("participants", cell(1, "participant_id", "A1"))),
        ["participants.csv", "row 3", "duplicate"],
    ),
    "csv duplicate segment id": (
        csv_case(edit("segments", cell(2, "segment_id", "x1"))),
        ["segments.csv", "row 4", "duplicate"],
    ),
    "csv segment of unknown participant": (
        csv_case(edit("segments", cell(2, "participant_id", "Z9"))),
        ["segments.csv", "row 4", "does not exist"],
    ),
    "csv segment of withdrawn participant": (
        csv_case(edit("segments", cell(2, "participant_id", "A3"))),
        ["segments.csv", "row 4", "field 'participant_id'", "withdrawn"],
    ),
    "csv empty file": (
        csv_case(raw_bytes("groups.csv", lambda b: b"")),
        ["groups.csv", "row 1", "empty"],
    ),
    "csv not UTF-8": (
        csv_case(raw_bytes("groups.csv", lambda b: b.replace(b"Leaders", LATIN1))),
        ["groups.csv", "row 2", "not UTF-8"],
    ),
    "csv byte-order mark": (
        csv_case(raw_bytes("segments.csv", lambda b: b"\xef\xbb\xbf" + b)),
        ["segments.csv", "row 1", "byte-order mark"],
    ),
    "csv very long area": (
        csv_case(edit("participants", cell(0, "area", "A" * 5000))),
        ["participants.csv", "row 2", "field 'area'"],
    ),
    "csv very long group label": (
        csv_case(edit("groups", cell(0, "label", "L" * 100_000))),
        ["groups.csv", "row 2", "field 'label'"],
    ),
    "csv injection in participant id": (
        csv_case(edit("participants", cell(0, "participant_id", "=cmd|'/c calc'!A1"))),
        ["participants.csv", "row 2", "field 'participant_id'"],
    ),
    "csv NUL in a segment id": (
        csv_case(edit("segments", cell(1, "segment_id", "x\x002"))),
        ["segments.csv", "row 3", "field 'segment_id'", "control character U+0000"],
    ),
    "csv ESC in a participant id": (  # frictionless sees a broken pattern; the line names ESC
        csv_case(edit("participants", cell(0, "participant_id", "A\x1b[31m1"))),
        ["participants.csv", "row 2", "field 'participant_id'", "control character U+001B"],
    ),
    "csv U+0085 in a group code": (  # frictionless sees a dangling foreign key
        csv_case(edit("groups", cell(1, "group", "G\x852"))),
        ["groups.csv", "row 3", "field 'group'", "control character U+0085"],
    ),
    "csv C1 control in a group label": (  # free text: tab, line feed, carriage return only
        csv_case(edit("groups", cell(0, "label", "Lead\x9bers"))),
        ["groups.csv", "row 2", "field 'label'", "control character U+009B"],
    ),
    "csv descriptor not JSON": (
        csv_case(raw_bytes("datapackage.json", lambda b: b[:-40])),
        ["datapackage.json", "not valid UTF-8 JSON"],
    ),
    "csv resource path outside the package": (
        csv_case(raw_bytes("datapackage.json", lambda b: b.replace(b'"groups.csv"', OUTSIDE))),
        ["datapackage.json", "field 'path'", "outside the package"],
    ),
    "csv subtheme out of range": (
        csv_case(edit("segments", cell(0, "subtheme", "Z"))),
        ["segments.csv", "row 2", "field 'subtheme'"],
    ),
    # --- exports with nothing to import, projects without cases, the roster (import-qdpx) ---
    "qdpx export with no codings (NVivo for Mac)": (
        qdpx_case(
            xml=project_xml(cases={}, variables={}, selections={"Anna Smith.txt": [], "B.txt": []}),
            mapping=WITH_ROSTER,
            roster=ROSTER_HEAD + "Anna Smith.txt,P01,G1,online,analysed,yes,\n",
        ),
        ["project.qdpx!project.qde", "nothing to import", "no text selection of an analysed"],
    ),
    "qdpx codings of no mapped code": (
        qdpx_case(mapping=MAPPING.read_text().split("\ncodes:")[0] + "\ncodes:\n  Memo: null\n"),
        ["project.qdpx!project.qde", "nothing to import", "none of the 12 coding(s)"],
    ),
    "qdpx without cases and no roster": (
        qdpx_case(xml=NO_CASES),
        ["mapping.yaml", "field 'roster'", "no cases, no variables in its sources and no sets"],
    ),
    "roster formula in an area": (
        qdpx_case(
            xml=NO_CASES,
            mapping=WITH_ROSTER,
            roster=roster_with("P01,P01,G1,online,analysed,yes,=cmd|' /C calc'!A0"),
        ),
        ["roster.csv", "row 2", "field 'area'", "CSV injection"],
    ),
    "roster ESC in a participant id": (
        qdpx_case(
            xml=NO_CASES,
            mapping=WITH_ROSTER,
            roster=roster_with("P01,P\x1b01,G1,online,analysed,yes,"),
        ),
        ["roster.csv", "row 2", "field 'participant_id'", "U+001B"],
    ),
    "roster source not in the project": (
        qdpx_case(
            xml=NO_CASES,
            mapping=WITH_ROSTER,
            roster=roster_with("Jane Doe.docx,P01,G1,online,analysed,yes,"),
        ),
        ["roster.csv", "row 2", "field 'source'", "not a text source of the project"],
    ),
    "roster participant id that is a name": (
        qdpx_case(
            xml=NO_CASES,
            mapping=WITH_ROSTER,
            roster=roster_with("P01,Jane Doe,G1,online,analysed,yes,"),
        ),
        ["roster.csv", "row 2", "field 'participant_id'", "pseudonymous"],
    ),
    "sets naming a set the project lacks": (
        qdpx_case(
            xml=project_xml(cases={}, variables={}, sets={"Managers": ["P01"]}),
            mapping=MAPPING.read_text()
            + "participants_from: sets\nsets:\n  Leaders: {group: G1}\n",
        ),
        ["mapping.yaml", "field 'sets'", "'Leaders' is not a set of the project", "'Managers'"],
    ),
    "mapping unknown participants route": (
        qdpx_case(mapping=MAPPING.read_text() + "participants_from: tool\n"),
        ["mapping.yaml", "row ", "field 'participants_from'", "not one of cases"],
    ),
    "mapping blank group label": (
        qdpx_case(mapping=mapping_with("label: IJB voting members", "label:")),
        ["mapping.yaml", "field 'label'", "groups.G2.label is blank"],
    ),
    "csv corpus without segments": (
        csv_case(edit("segments", lambda frame: frame.iloc[0:0])),
        ["segments.csv", "no segments"],
    ),
    # --- mapping YAML (import-qdpx) ---
    "yaml malformed": (
        qdpx_case(mapping="codes:\n  Workforce: {theme: W, subtheme: A\ngroups: [\n"),
        ["mapping.yaml", "row ", "not valid YAML"],
    ),
    "yaml not a mapping": (
        qdpx_case(mapping="- just\n- a list\n"),
        ["mapping.yaml", "expected a mapping"],
    ),
    "yaml unknown key": (
        qdpx_case(mapping=mapping_with("groups:\n", "colours: red\ngroups:\n")),
        ["mapping.yaml", "row ", "field 'colours'", "unknown key"],
    ),
    "yaml unknown theme": (
        qdpx_case(mapping=mapping_with("{theme: F, subtheme: C}", "{theme: Q, subtheme: C}")),
        ["mapping.yaml", "row ", "field 'theme'", "unknown theme code 'Q'"],
    ),
    "yaml unknown link type": (
        qdpx_case(mapping=MAPPING.read_text() + "link_types:\n  because: causality\n"),
        ["mapping.yaml", "row ", "field 'link_types'", "unknown link type 'causality'"],
    ),
    "yaml unknown subtheme": (
        qdpx_case(mapping=mapping_with("{theme: F, subtheme: C}", "{theme: F, subtheme: K}")),
        ["mapping.yaml", "row ", "field 'subtheme'"],
    ),
    "yaml code not in the project": (
        qdpx_case(mapping=mapping_with("  Memo: null", "  Memos: null")),
        ["mapping.yaml", "row ", "field 'codes'", "'Memos' is not in the codebook"],
    ),
    "yaml alias bomb": (
        qdpx_case(mapping="a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"),
        ["mapping.yaml", "row 2", "aliases"],
    ),
    "yaml not UTF-8": (
        qdpx_case(mapping=mapping_with("leadership", "liderança").encode("latin-1")),
        ["mapping.yaml", "row ", "not UTF-8"],
    ),
    "yaml ESC in a group label": (  # a YAML escape makes the control character
        qdpx_case(mapping=mapping_with("label: IJB voting members", 'label: "IJB \\e members"')),
        ["mapping.yaml", "field 'label'", "groups.G2.label", "control character U+001B"],
    ),
    "yaml injection in group label": (
        qdpx_case(mapping=mapping_with("label: IJB voting members", "label: '=HYPERLINK(1)'")),
        ["mapping.yaml", "field 'label'", "groups.G2.label", "formula"],
    ),
    # --- QDPX zip ---
    "qdpx not a zip": (qdpx_case(raw=b"PK\x03\x04 this is not a zip"), ["project.qdpx", "not a"]),
    "qdpx empty file": (qdpx_case(raw=b""), ["project.qdpx", "zip"]),
    "qdpx member with ../ path": (
        qdpx_case(members={"../../evil.sh": b"rm -rf /"}),
        ["project.qdpx", "'../../evil.sh'", "'..' path"],
    ),
    "qdpx member with absolute path": (
        qdpx_case(members={"/etc/cron.d/evil": b"* * * * * root sh"}),
        ["project.qdpx", "'/etc/cron.d/evil'", "absolute"],
    ),
    "qdpx zip bomb": (
        qdpx_case(members={"sources/zeros.txt": b"\0" * (30 * 2**20)}),
        ["project.qdpx", "'sources/zeros.txt'", "compression ratio"],
    ),
    "qdpx too many members": (qdpx_case(raw=many_members(10_001)), ["project.qdpx", "members"]),
    "qdpx missing project.qde": (
        qdpx_case(raw=zip_bytes({"sources/a.txt": b"text"})),
        ["project.qdpx", "no project.qde"],
    ),
    # --- project.qde XML ---
    "xml external entity": (
        qdpx_case(xml=with_entity(XXE, "e")),
        ["project.qdpx!project.qde", "row 3", "external entity"],
    ),
    "xml billion laughs": (
        qdpx_case(xml=with_entity(BOMB, "d")),
        ["project.qdpx!project.qde", "DOCTYPE"],
    ),
    "xml doctype": (
        qdpx_case(xml=xml_with("<Project ", "<!DOCTYPE Project>\n<Project ")),
        ["project.qdpx!project.qde", "DOCTYPE"],
    ),
    "xml not well-formed": (
        qdpx_case(xml=GOOD.replace("</Cases>", "</Casse>")),
        ["project.qdpx!project.qde", "row 5", "not well-formed"],
    ),
    "xml not UTF-8": (
        qdpx_case(xml=xml_with("P01", "Pé01").encode("latin-1")),
        ["project.qdpx!project.qde", "row ", "not well-formed"],
    ),
    "xml wrong namespace": (
        qdpx_case(xml=project_xml(namespace="urn:QDA-XML:project:2.0")),
        ["project.qdpx!project.qde", "row 2", "/Project", "urn:QDA-XML:project:1.0"],
    ),
    "xml schema-invalid guid": (
        qdpx_case(xml=xml_with(BAD_GUID_CODE, '<Code guid="not-a-guid"')),
        [
            "project.qdpx!project.qde",
            "row 3",
            "/Project/CodeBook/Codes/Code[2]",
            "field 'guid'",
            "schema",
        ],
    ),
    "xml schema-invalid element": (
        qdpx_case(xml=xml_with("<Variables>", "<Participants/><Variables>")),
        ["project.qdpx!project.qde", "row ", "Participants", "schema"],
    ),
    "xml date out of range": (
        qdpx_case(xml=xml_with(DATE, DATE + ' creationDateTime="2019-02-30T10:00:00"')),
        ["project.qdpx!project.qde", "row 2", "/Project", "field 'creationDateTime'"],
    ),
    "xml coding of a code that does not exist": (
        qdpx_case(
            xml=GOOD.replace(guid("code/Finance"), guid("nothing")).replace(
                FINANCE_CODE_DEF, FINANCE_CODE_KEEP
            )
        ),
        ["project.qdpx!project.qde", "row 6", "CodeRef", "field 'targetGUID'", "does not exist"],
    ),
    "xml duplicate code guid": (
        qdpx_case(xml=xml_with(BAD_GUID_CODE, f'<Code guid="{guid("code/Finance")}"')),
        ["project.qdpx!project.qde", "row 3", "Code", "field 'guid'", "duplicate"],
    ),
    "xml end before start": (
        qdpx_case(xml=xml_with('"100" endPosition="150"', '"100" endPosition="10"')),
        ["project.qdpx!project.qde", "row 6", "PlainTextSelection[3]", "field 'endPosition'"],
    ),
    "case value not in the mapping": (
        qdpx_case(xml=xml_with(">Face to face<", ">Carrier pigeon<")),
        [
            "project.qdpx!project.qde",
            "row 5",
            "/Project/Cases/Case[1]/VariableValue[2]",
            "field 'Mode'",
        ],
    ),
    "case named after a person": (
        qdpx_case(xml=project_xml(cases={"Jane Doe": P01, **OTHER_CASES})),
        [
            "project.qdpx!project.qde",
            "row 5",
            "/Project/Cases/Case[1]",
            "field 'name'",
            "pseudonymous",
        ],
    ),
    "case name with a tab": (  # &#9; survives attribute normalisation
        qdpx_case(xml=project_xml(cases={"P\t01": P01, **OTHER_CASES})),
        ["project.qdpx!project.qde", "row 5", "Case[1]", "field 'name'", "U+0009"],
    ),
    "case C1 control in area": (
        qdpx_case(xml=xml_with(">X2<", ">X&#x85;2<")),
        ["project.qdpx!project.qde", "row 5", "Case[2]", "field 'Area'", "U+0085"],
    ),
    "case duplicate participant": (
        qdpx_case(xml=xml_with('name="P02">', 'name="P01">')),
        ["project.qdpx!project.qde", "row 5", "Case[2]", "duplicate participant id 'P01'"],
    ),
    "case injection in area": (
        qdpx_case(xml=xml_with(">X2<", ">=cmd|' /C calc'!A0<")),
        ["project.qdpx!project.qde", "row 5", "field 'Area'", "CSV injection"],
    ),
    "case very long area": (
        qdpx_case(xml=xml_with(">X2<", ">" + "x" * 10_000 + "<")),
        ["project.qdpx!project.qde", "row 5", "Case[2]", "field 'Area'", "longer than 32"],
    ),
    "case group not in the mapping": (
        qdpx_case(xml=xml_with(">G3<", ">G9<")),
        ["project.qdpx!project.qde", "row 5", "Case[4]", "field 'Group'", "'G9'"],
    ),
    "case analysed without mode": (
        qdpx_case(xml=project_xml(cases={**CASES, "P01": P01_NO_MODE})),
        ["project.qdpx!project.qde", "row 5", "Case[1]", "field 'Mode'", "no interview mode"],
    ),
}


def run_main(args: list[str], cwd: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``compendium ARGS`` run in this process from ``cwd``."""
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    try:
        status = main(args)
    except SystemExit as exc:  # argparse's own refusals
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


# One case per reader, also run through the installed console script.
THROUGH_THE_SCRIPT = [
    "csv segment of withdrawn participant",
    "csv ESC in a participant id",
    "second coding with a formula cell",
    "yaml alias bomb",
    "targets modes do not add up",
    "qdpx member with ../ path",
    "xml billion laughs",
    "case named after a person",
    "qdpx export with no codings (NVivo for Mac)",
]


def check_refusal(case, tmp_path, run) -> None:
    build, expected = CATALOGUE[case]
    work = tmp_path / "work"
    work.mkdir()
    for name in ("figures", "reports"):  # relative output folders of the working directory
        (work / name).mkdir()
        (work / name / "kept.txt").write_text("unchanged\n")
    args = build(work)
    before_work = tree_hashes(work)
    before_folders = sorted(str(p) for p in work.rglob("*") if p.is_dir())
    before_outputs = tree_hashes(ROOT / "figures", ROOT / "reports")
    status, stdout, stderr = run([*args, "--codebook", CODEBOOK], work)
    assert status == 2, (status, stdout, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("error: ")
    for text in expected:
        assert text in line, (text, line)
    assert stdout == ""
    if "--out" in args:
        assert not Path(args[args.index("--out") + 1]).exists()
    assert tree_hashes(work) == before_work  # nothing created or changed in the working folder
    folders_after = sorted(str(p) for p in work.rglob("*") if p.is_dir())
    assert folders_after == before_folders  # not even an empty folder
    if not build_running():  # a concurrent build in the project rewrites them legitimately
        assert tree_hashes(ROOT / "figures", ROOT / "reports") == before_outputs


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_hostile_input_is_refused_cleanly(case, tmp_path, capsys, monkeypatch):
    check_refusal(case, tmp_path, lambda a, cwd: run_main(a, cwd, capsys, monkeypatch))


@pytest.mark.parametrize("case", THROUGH_THE_SCRIPT)
def test_the_console_script_refuses_cleanly(case, tmp_path):
    def run(args, cwd):
        result = run_cli(*args, cwd=cwd)
        return result.returncode, result.stdout, result.stderr

    check_refusal(case, tmp_path, run)


def test_catalogue_size():
    assert len(CATALOGUE) >= 30
    assert set(THROUGH_THE_SCRIPT) <= set(CATALOGUE)


def test_import_refuses_to_write_into_a_foreign_folder(tmp_path):
    project = write_qdpx(tmp_path / "p.qdpx")
    out = tmp_path / "notes"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    result = run_cli(
        "import-qdpx", str(project), "--mapping", str(MAPPING), "--out", str(out),
        "--codebook", CODEBOOK,
    )  # fmt: skip
    assert result.returncode == 2
    assert "not a coded corpus ('thesis.docx')" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]


# ----------------------------------------------------------------- property-based tests


def _try_import(qdpx_bytes: bytes, codebook) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "p.qdpx"
        project.write_bytes(qdpx_bytes)
        out = Path(tmp) / "out" / "c"
        try:
            import_qdpx(project, MAPPING, out, codebook)
        except InputError as exc:
            assert str(exc)
            assert not out.exists()
            assert sorted(p.name for p in (Path(tmp)).iterdir()) in (["p.qdpx"], ["out", "p.qdpx"])
            if (Path(tmp) / "out").exists():
                assert list((Path(tmp) / "out").iterdir()) == []
        else:
            load_corpus(out, codebook)


GOOD_ZIP = zip_bytes({"project.qde": GOOD.encode()})
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(GOOD_ZIP) - 1), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_random_byte_corruption_of_a_qdpx_is_a_clean_error(edits, codebook):
    data = bytearray(GOOD_ZIP)
    for position, value in edits:
        data[position] = value
    _try_import(bytes(data), codebook)


@SETTINGS
@given(
    start=st.integers(0, len(GOOD) - 1),
    length=st.integers(0, 40),
    insert=st.text(alphabet=st.sampled_from(list('<>&"=/ x!{}-;#0P')), max_size=12),
)
def test_random_xml_corruption_is_a_clean_error(start, length, insert, codebook):
    xml = GOOD[:start] + insert + GOOD[start + length :]
    _try_import(zip_bytes({"project.qde": xml.encode()}), codebook)


@SETTINGS
@given(
    data=st.data(),
    table=st.sampled_from(["participants", "groups", "segments"]),
)
def test_random_csv_corruption_is_a_clean_error(data, table, codebook):
    from conftest import write_corpus

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_corpus(
            Path(tmp) / "c", TINY["participants"], TINY["groups"], TINY["segments"]
        )
        path = folder / f"{table}.csv"
        raw = bytearray(path.read_bytes())
        for _ in range(data.draw(st.integers(1, 4))):
            position = data.draw(st.integers(0, len(raw) - 1))
            raw[position] = data.draw(st.sampled_from(list(b',"\n\r=x\xff\x00 ;A1G')))
        path.write_bytes(bytes(raw))
        try:
            load_corpus(folder, codebook)
        except InputError as exc:
            assert str(exc)


GOOD_SECOND_CODING = b"segment_id,coder,theme\nx1,Bea,G\nx1,Bea,F\nx2,Bea,\nx3,Bea,W\n"


@SETTINGS
@given(data=st.data())
def test_random_second_coding_corruption_is_a_clean_error(data, codebook):
    from conftest import write_corpus

    from compendium.analysis.agreement import agreement_by_theme
    from compendium.inputs.second_coding import load_second_coding

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_corpus(
            Path(tmp) / "c", TINY["participants"], TINY["groups"], TINY["segments"]
        )
        raw = bytearray(GOOD_SECOND_CODING)
        for _ in range(data.draw(st.integers(1, 4))):
            position = data.draw(st.integers(0, len(raw) - 1))
            raw[position] = data.draw(st.sampled_from(list(b',"\n\r=x\xff\x00 ;A1GQ')))
        (folder / "second_coding.csv").write_bytes(bytes(raw))
        corpus = load_corpus(folder, codebook)
        try:
            frame = load_second_coding(folder, corpus.segments, codebook.codes)
        except InputError as exc:
            assert str(exc)
        else:  # whatever was accepted is usable
            assert set(frame["segment_id"]) <= set(corpus.segments["segment_id"])
            assert set(frame["theme"]) <= {*codebook.codes, ""}
            table = agreement_by_theme(corpus.segments, frame, codebook.codes, n_boot=5)
            assert len(table) in (0, len(codebook.codes))


def test_descriptor_of_import_names_no_absolute_path(tmp_path, codebook):
    project = write_qdpx(tmp_path / "p.qdpx")
    import_qdpx(project, MAPPING, tmp_path / "c", codebook)
    text = (tmp_path / "c" / "datapackage.json").read_text()
    assert str(tmp_path) not in text
    assert json.loads(text)["synthetic"] is False


def test_fixture_constants_are_consistent():
    assert set(SELECTIONS) - {"Field notes"} == set(CASES)
    assert "Area" in VARIABLES
