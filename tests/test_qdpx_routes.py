"""Every way QDA tools record participants, each in a project written in code in that tool's shape.

The same interviews (the fixture of ``test_refi_qda.py``: four participants, one withdrawn, and
field notes of no one) are recorded as each tool records them, in transcripts named after the
people interviewed (as researchers name files; never an id):

1. named cases with variables (QualCoder, NVivo with cases): ``test_refi_qda.py``;
2. unnamed cases of one source each, with variables (MAXQDA);
3. variables inside the sources (QualCoder's file attributes, MAXQDA's document variables);
4. sets of sources (ATLAS.ti document groups, NVivo sets) as groups and other fields;
5. nothing at all (a QualCoder 1.3.2 export with no cases): the roster beside the mapping.

Each gives exactly the corpus of route 1.  No third-party file is kept: the shapes (attributes,
case of GUIDs, where texts live, sets) are written here.  Also: parent codes covering their
descendants, exports with nothing to import, and what the import summary says.
"""

from __future__ import annotations

import csv
import io

import pytest
import yaml
from conftest import ROOT, run_cli
from lxml import etree
from test_refi_qda import (
    CASES,
    CODES,
    EXPECTED_PARTICIPANTS,
    EXPECTED_SEGMENTS,
    MAPPING,
    NS,
    SELECTIONS,
    VARIABLES,
    guid,
    project_xml,
    write_qdpx,
)

from compendium.inputs.corpus import load_corpus
from compendium.inputs.errors import InputError
from compendium.inputs.refi_qda import import_qdpx
from compendium.inputs.refi_qda.roster import ROSTER_COLUMNS
from compendium.inputs.refi_qda.template import write_template

Q = f"{{{NS}}}"
# The fixture's transcripts, named as people name files.
FILES = {
    "P01": "Anna Smith interview.docx",
    "P02": "Bob_Jones.txt",
    "P03": "Carla Mendes (withdrawn).txt",
    "P04": "dave-okafor.rtf",
}
BY_FILE = {FILES.get(name, name): spans for name, spans in SELECTIONS.items()}
VALUES_BY_FILE = {FILES[name]: values for name, values in CASES.items()}


def shaped(xml: str, origin: str, *, upper: bool = False, rich: bool = False, code_set=False):
    """``xml`` written the way a tool writes its export: ``origin``, a user stamped on sources,
    texts in ``sources/`` of the zip (``plainTextPath``, and ``richTextPath`` for ``rich``),
    upper-case GUIDs (``upper``), a set of codes (``code_set``), indented."""
    root = etree.fromstring(xml.encode("utf-8"))
    root.set("origin", origin)
    user = guid("user/tool")
    if root.find(f"{Q}Users") is None:
        users = etree.Element(f"{Q}Users")
        etree.SubElement(users, f"{Q}User", guid=user, name="researcher")
        root.insert(0, users)
    members = {}
    for source in root.iter(f"{Q}TextSource"):
        content = source.find(f"{Q}PlainTextContent")
        source.remove(content)
        sguid = source.get("guid").upper() if upper else source.get("guid")
        members[f"sources/{sguid}.txt"] = (content.text * 10).encode("utf-8")
        source.set("plainTextPath", f"internal://{sguid}.txt")
        if rich:
            source.set("richTextPath", f"internal://{sguid}.docx")
            members[f"sources/{sguid}.docx"] = b"PK not really a docx"
        source.set("creatingUser", user)
        source.set("creationDateTime", "2024-10-18T23:23:46Z")
    if code_set:
        sets = root.find(f"{Q}Sets")
        if sets is None:
            sets = etree.SubElement(root, f"{Q}Sets")
        group = etree.SubElement(sets, f"{Q}Set", guid=guid("set/codes"), name="Code group")
        for code in list(root.iter(f"{Q}Code"))[:2]:
            etree.SubElement(group, f"{Q}MemberCode", targetGUID=code.get("guid"))
    if upper:
        for elem in root.iter():
            for attribute in ("guid", "targetGUID", "creatingUser"):
                if elem.get(attribute):
                    elem.set(attribute, elem.get(attribute).upper())
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8"), members


def mapping_file(tmp_path, extra: str = "", old: str = "", new: str = "", name="mapping.yaml"):
    text = MAPPING.read_text()
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return path


def assert_fixture_corpus(out, codebook) -> None:
    assert (out / "participants.csv").read_text() == EXPECTED_PARTICIPANTS
    assert (out / "segments.csv").read_text() == EXPECTED_SEGMENTS
    load_corpus(out, codebook)


# ------------------------------------------------------------------------------- the routes


def test_route_1_named_cases_is_said_in_the_summary(tmp_path, codebook):
    qdpx = write_qdpx(tmp_path / "nvivo.qdpx", *shaped(project_xml(), "NVivo 14", rich=True))
    report = import_qdpx(qdpx, MAPPING, tmp_path / "out", codebook)
    assert_fixture_corpus(tmp_path / "out", codebook)
    lines = report.lines()
    assert (
        "participants from cases (named cases with variables): 4 case(s) -> 4 participant(s)"
    ) in lines
    assert "sources: 5 in the project, 5 with text, 4 of them a participant's" in lines
    # 14 codings: 10 to segments; Interesting quote, Memo, the withdrawn case's, the field notes'
    assert (
        "codings: 14 of text selections -> 10 to 7 segment(s), 0 to the second coding, "
        "4 not imported"
    ) in lines


def test_route_2_unnamed_cases_of_one_source_each_maxqda(tmp_path, codebook):
    xml = project_xml(
        cases={FILES[name]: values for name, values in CASES.items()},
        selections=BY_FILE,
        unnamed_cases=True,
    )
    exported = shaped(xml, "MAXQDA 24 (Release 24.7.0)", upper=True)
    qdpx = write_qdpx(tmp_path / "maxqda.qdpx", *exported)
    report = import_qdpx(qdpx, MAPPING, tmp_path / "out", codebook)
    assert_fixture_corpus(tmp_path / "out", codebook)  # P01... in the order of their sources
    assert report.route == "cases" and report.route_detail == "unnamed cases, one source each"


def test_unnamed_cases_beside_named_ones_are_refused(tmp_path, codebook):
    xml = project_xml(unnamed_cases=True).replace('<Case guid="', '<Case name="P09" guid="', 1)
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "p.qdpx", xml), MAPPING, tmp_path / "out", codebook)
    assert "Case[2]" in info.value.message and "has no name" in info.value.message


def test_route_3_variables_in_the_sources_qualcoder(tmp_path, codebook):
    xml = project_xml(cases={}, selections=BY_FILE, source_values=VALUES_BY_FILE)
    qdpx = write_qdpx(tmp_path / "qc.qdpx", *shaped(xml, "QualCoder 3.6"))
    report = import_qdpx(qdpx, MAPPING, tmp_path / "out", codebook)
    assert_fixture_corpus(tmp_path / "out", codebook)  # never 'Anna Smith interview.docx'
    assert report.route == "source_variables"
    assert report.uncased_codings == 1  # the field notes carry no variable: no one's
    assert (
        "participants from source_variables (one participant per text source with variables): "
        "4 text source(s) -> 4 participant(s)"
    ) in report.lines()


def test_route_3_ids_from_a_source_variable_join_two_interviews(tmp_path, codebook):
    values = {f: v | {"Code": f"R{k}"} for k, (f, v) in enumerate(VALUES_BY_FILE.items(), 1)}
    values["Field notes"] = VALUES_BY_FILE[FILES["P01"]] | {"Code": "R1"}  # R1's second talk
    xml = project_xml(cases={}, variables=VARIABLES | {"Code": "Text"}, selections=BY_FILE,
                      source_values=values)  # fmt: skip
    mapping = mapping_file(
        tmp_path, old="case_variables:\n", new="case_variables:\n  participant_id: Code\n"
    )
    report = import_qdpx(write_qdpx(tmp_path / "p.qdpx", xml), mapping, tmp_path / "out", codebook)
    assert report.participants == 4 and report.participant_sources == 5
    segments = (tmp_path / "out" / "segments.csv").read_text()
    assert "R1-003,R1,F,C,," in segments  # the field notes' Finance coding, numbered after P01's
    values["Field notes"]["Mode"] = "Video call"  # the same person, another interview mode
    xml = project_xml(cases={}, variables=VARIABLES | {"Code": "Text"}, selections=BY_FILE,
                      source_values=values)  # fmt: skip
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "q.qdpx", xml), mapping, tmp_path / "x", codebook)
    assert "gives participant 'R1' interview_mode 'online'" in info.value.message
    assert info.value.field == "Mode"


ATLAS_SETS = {  # document groups, as ATLAS.ti exports them
    "Senior leadership": [FILES["P01"], FILES["P03"]],
    "Voting members": [FILES["P02"]],
    "Non-voting members": [FILES["P04"]],
    "Met in person": [FILES["P01"]],
    "Video calls": [FILES["P02"], FILES["P03"], FILES["P04"]],
    "Withdrew": [FILES["P03"]],
    "Do not quote": [FILES["P02"]],
    "Area X1": [FILES["P01"], FILES["P04"]],
    "Area X2": [FILES["P02"]],
}
ATLAS_MAPPING = """
participants_from: sets
sets:
  Senior leadership: {group: G1}
  Voting members: {group: G2}
  Non-voting members: {group: G3}
  Met in person: {interview_mode: in_person}
  Video calls: {interview_mode: online}
  Withdrew: {status: withdrawn}
  Do not quote: {quotable: "no"}
  Area X1: {area: X1}
  Area X2: {area: X2}
  Everything: null
"""


def test_route_4_sets_of_sources_atlas_ti(tmp_path, codebook):
    sets = ATLAS_SETS | {"Everything": list(BY_FILE)}
    xml = project_xml(cases={}, variables={}, selections=BY_FILE, sets=sets)
    exported = shaped(xml, "ATLAS.ti Windows 24.1.0", rich=True, code_set=True)
    qdpx = write_qdpx(tmp_path / "atlas.qdpx", *exported)
    mapping = tmp_path / "mapping.yaml"
    text = MAPPING.read_text().split("case_variables:")[0] + ATLAS_MAPPING
    text += 'defaults:\n  status: analysed\n  quotable: "yes"\n'
    text += "groups:" + MAPPING.read_text().split("\ngroups:")[1]
    mapping.write_text(text)
    report = import_qdpx(qdpx, mapping, tmp_path / "out", codebook)
    assert_fixture_corpus(tmp_path / "out", codebook)
    assert report.route == "sets" and report.uncased_codings == 1  # field notes: in no mapped set
    # a source in two sets giving it two groups
    sets["Voting members"] = [FILES["P02"], FILES["P01"]]
    xml = project_xml(cases={}, variables={}, selections=BY_FILE, sets=sets)
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "b.qdpx", xml), mapping, tmp_path / "x", codebook)
    assert (
        "in the sets 'Senior leadership' and 'Voting members', which give group 'G1' and 'G2'"
    ) in info.value.message


def roster_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


ROSTER = [
    [FILES["P01"], "P01", "G1", "Face to face", "analysed", "yes", "X1"],
    [FILES["P02"], "P02", "G2", "online", "analysed", "no", "X2"],
    [FILES["P03"], "P03", "G1", "Video call", "withdrawn", "yes", ""],
    [FILES["P04"], "P04", "G3", "Telephone", "Analysed", "", "X1"],  # quotable: the default
]


def roster_mapping(tmp_path, rows=ROSTER, route="") -> object:
    (tmp_path / "roster.csv").write_text(roster_csv(rows), encoding="utf-8")
    text = MAPPING.read_text().split("case_variables:")[0]
    text += f"roster: roster.csv\n{route}"  # then the example's values, defaults, groups, codes
    text += "values:" + MAPPING.read_text().split("\nvalues:")[1]
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_route_5_the_roster_for_an_export_without_cases_qualcoder_1_3_2(tmp_path, codebook):
    xml = project_xml(cases={}, variables={}, selections=BY_FILE, users=("colin",))
    qdpx = write_qdpx(tmp_path / "qc.qdpx", *shaped(xml, "QualCoder 1.3.2"))
    report = import_qdpx(qdpx, roster_mapping(tmp_path), tmp_path / "out", codebook)
    assert_fixture_corpus(tmp_path / "out", codebook)
    assert report.route == "roster"
    assert "roster.csv" in report.route_detail
    descriptor = (tmp_path / "out" / "datapackage.json").read_text()
    assert '"roster": "roster.csv"' in descriptor and "roster_sha256" in descriptor


def test_a_roster_names_a_source_by_guid_and_joins_sources_of_one_participant(tmp_path, codebook):
    rows = [*ROSTER, [guid("src/Field notes"), "P01", "G1", "in person", "analysed", "yes", "X1"]]
    xml = project_xml(cases={}, variables={}, selections=BY_FILE)
    report = import_qdpx(write_qdpx(tmp_path / "p.qdpx", xml), roster_mapping(tmp_path, rows),
                         tmp_path / "out", codebook)  # fmt: skip
    assert (report.participants, report.participant_sources, report.uncased_codings) == (4, 5, 0)


@pytest.mark.parametrize(
    ("rows", "expected", "row", "field"),
    [
        ([*ROSTER, ["Nobody.txt", "P09", "G1", "online", "analysed", "yes", ""]],
         "'Nobody.txt' is not a text source of the project", 6, "source"),
        ([*ROSTER[:3], [FILES["P02"], "P04", "G3", "online", "analysed", "yes", ""]],
         "is already on row 3", 5, "source"),
        ([[FILES["P01"], "", "G1", "online", "analysed", "yes", ""], *ROSTER[1:]],
         "participant_id is blank", 2, "participant_id"),
        ([[FILES["P01"], "Anna Smith", "G1", "online", "analysed", "yes", ""], *ROSTER[1:]],
         "use a pseudonymous code", 2, "participant_id"),
        ([*ROSTER[:3], [FILES["P04"], "P04", "G9", "online", "analysed", "yes", ""]],
         "group 'G9' is not among the mapping's groups", 5, "group"),
        ([*ROSTER[:3], [FILES["P04"], "P04", "G3", "pigeon", "analysed", "yes", ""]],
         "interview_mode value 'pigeon' is not one of", 5, "interview_mode"),
        ([*ROSTER[:3], [FILES["P04"], "P02", "G3", "online", "analysed", "yes", "X1"]],
         "gives participant 'P02' group 'G3'", 5, "group"),
        ([*ROSTER[:3], [FILES["P04"], "P04", "G3", "online", "analysed", "yes", "=1+1"]],
         "CSV injection", 5, "area"),
    ],
)  # fmt: skip
def test_a_bad_roster_row_is_named(rows, expected, row, field, tmp_path, codebook):
    xml = project_xml(cases={}, variables={}, selections=BY_FILE)
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "p.qdpx", xml), roster_mapping(tmp_path, rows),
                    tmp_path / "out", codebook)  # fmt: skip
    assert str(info.value.path).endswith("roster.csv")
    assert expected in info.value.message
    assert (info.value.row, info.value.field) == (row, field)
    assert not (tmp_path / "out").exists()


def test_a_roster_with_a_wrong_header_is_refused(tmp_path, codebook):
    mapping = roster_mapping(tmp_path)
    (tmp_path / "roster.csv").write_text("source,participant,group\nx,P01,G1\n")
    xml = project_xml(cases={}, variables={}, selections=BY_FILE)
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "p.qdpx", xml), mapping, tmp_path / "out", codebook)
    assert info.value.row == 1 and "'participant' is not right" in info.value.message


def test_the_mapping_chooses_the_route(tmp_path, codebook):
    """A project with cases and a roster: the roster is read only when the mapping says so."""
    qdpx = write_qdpx(tmp_path / "p.qdpx", project_xml(selections=SELECTIONS))
    rows = [[name, pid, *rest] for (_, pid, *rest), name in zip(ROSTER, CASES, strict=True)]
    mapping = roster_mapping(tmp_path, rows)
    with pytest.raises(InputError) as info:
        import_qdpx(qdpx, mapping, tmp_path / "x", codebook)
    assert "the project has cases, read before a roster" in info.value.message
    mapping = roster_mapping(tmp_path, rows, route="participants_from: roster\n")
    report = import_qdpx(qdpx, mapping, tmp_path / "out", codebook)
    assert report.route == "roster"
    assert_fixture_corpus(tmp_path / "out", codebook)


def test_no_cases_no_variables_no_sets_and_no_roster_is_one_clear_line(tmp_path, codebook):
    xml = project_xml(cases={}, variables={}, selections=BY_FILE)
    mapping = mapping_file(tmp_path)
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "p.qdpx", xml), mapping, tmp_path / "out", codebook)
    assert "no cases, no variables in its sources and no sets: name a roster" in str(info.value)


# ------------------------------------------------------------------------- parent codes


def test_a_mapped_parent_covers_its_descendants_unless_one_is_mapped(tmp_path, codebook):
    codes = CODES | {"Finance/Budgets": True, "Finance/Budgets/Cuts": True, "Finance/Aside": True}
    selections = {
        "P01": [(0, 10, ["Finance/Budgets/Cuts"]), (20, 30, ["Finance/Aside"])],
        "P02": [(0, 10, ["Finance/Budgets"]), (20, 30, ["Governance"])],
    }
    mapping = mapping_file(tmp_path, old="  Memo: null\n", new=(
        "  Memo: null\n  Finance/Aside: null\n  Governance: {theme: G, subtheme: C}\n"
        "  Governance/Board dynamics: {theme: , subtheme: }\n"  # a blank: covered by its parent
    ))  # fmt: skip
    xml = project_xml(codes=codes, selections=selections)
    report = import_qdpx(write_qdpx(tmp_path / "p.qdpx", xml), mapping, tmp_path / "out", codebook)
    assert (tmp_path / "out" / "segments.csv").read_text().splitlines()[1:] == [
        "P01-001,P01,F,C,,",  # Finance/Budgets/Cuts: as Finance
        "P02-001,P02,F,C,,",  # Finance/Budgets: as Finance
        "P02-002,P02,G,C,,",  # Governance itself
    ]
    assert report.inherited == {"Finance": 2}
    assert report.ignored_codes == {"Finance/Aside": 1}  # mapped itself (to null)
    line = "parent code 'Finance': 2 coding(s) of codes under it imported as it is"
    assert line in report.lines()


def test_a_half_filled_code_is_refused(tmp_path, codebook):
    mapping = mapping_file(tmp_path, old="  Memo: null\n", new="  Memo: {theme: F, subtheme: }\n")
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "p.qdpx"), mapping, tmp_path / "out", codebook)
    assert info.value.field == "subtheme" and "subtheme is blank" in info.value.message


# ------------------------------------------------------------------- nothing to import


def test_an_export_without_codings_is_refused_nvivo_for_mac(tmp_path, codebook):
    codes = (
        CODES
        | {f"Tree {t}": False for t in "ABC"}
        | {f"Tree {t}/Code {k}": True for t in "ABC" for k in range(1, 4)}
    )
    xml = project_xml(codes=codes, cases={}, variables={},
                      selections={FILES["P01"]: [], FILES["P02"]: []})  # fmt: skip
    qdpx = write_qdpx(tmp_path / "nvivo.qdpx", *shaped(xml, "NVivo 15 (Mac)", upper=True))
    rows = [[FILES["P01"], "P01", "G1", "online", "analysed", "yes", ""],
            [FILES["P02"], "P02", "G2", "online", "analysed", "yes", ""]]  # fmt: skip
    with pytest.raises(InputError) as info:
        import_qdpx(qdpx, roster_mapping(tmp_path, rows), tmp_path / "out", codebook)
    assert "nothing to import: no text selection of an analysed participant is coded" in (
        str(info.value)
    )
    assert not (tmp_path / "out").exists()


def test_codings_that_map_to_nothing_are_refused(tmp_path, codebook):
    mapping = mapping_file(tmp_path, extra="", old="codes:\n", new="codes:\n  Unused: null\n")
    text = mapping.read_text().split("codes:\n")[0] + "codes:\n  Memo: null\n"
    mapping.write_text(text)
    with pytest.raises(InputError) as info:
        import_qdpx(write_qdpx(tmp_path / "p.qdpx"), mapping, tmp_path / "out", codebook)
    assert "none of the 12 coding(s) of analysed participants becomes a segment" in (
        str(info.value)
    )
    assert "(11 of codes not in the mapping, 1 of codes mapped to null" in str(info.value)


def test_validate_refuses_a_corpus_without_segments(tmp_path):
    from conftest import write_corpus

    folder = write_corpus(
        tmp_path / "empty",
        [{"participant_id": "A1", "group": "G1", "interview_mode": "online", "status": "analysed",
          "quotable": "yes", "area": ""}],
        [{"group": "G1", "label": "Leaders", "typical_roles": "Chief Officer"}],
        [],
    )  # fmt: skip
    (folder / "segments.csv").write_text(
        "segment_id,participant_id,theme,subtheme,secondary_theme,link_type\n"
    )
    result = run_cli("validate", str(folder), "--codebook", str(ROOT / "data" / "codebook"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {folder / 'segments.csv'}: no segments: a coded corpus needs at least one coded "
        "segment of an analysed participant"
    ]


def test_the_committed_corpora_still_validate(codebook):
    for corpus in ("surrogate",):
        assert len(load_corpus(ROOT / "data" / "coded" / corpus, codebook).segments) > 0


# ---------------------------------------------------------- the template, filled in, imports


def fill_in(text: str, codes: dict[str, str], groups: dict[str, tuple[str, str]]) -> str:
    """What a researcher does to the template: a theme and subtheme for some codes, the groups."""
    lines = []
    for line in text.splitlines():
        written, blank, _ = line.strip().partition(": {theme: , subtheme: }")
        key = next(iter(yaml.safe_load(f"{written}: x"))) if blank else None
        if line.startswith("  ") and key in codes:
            theme, subtheme = codes[key].split("/")
            line = line.replace(
                "{theme: , subtheme: }", f"{{theme: {theme}, subtheme: {subtheme}}}"
            )
        if line.startswith("  G1: {label: , typical_roles: }"):
            line = "\n".join(
                f"  {g}: {{label: {a}, typical_roles: {b}}}" for g, (a, b) in groups.items()
            )
        lines.append(line)
    return "\n".join(lines) + "\n"


def set_in(text: str, section: str, key: str, value: str) -> str:
    """``section: ... key: value`` filled in (the first ``key:`` line under ``section:``)."""
    lines = text.splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"{section}:")))
    for i in range(start + 1, len(lines)):
        if lines[i].startswith(f"  {key}:"):
            lines[i] = f"  {key}: {value}"
            return "\n".join(lines) + "\n"
    raise AssertionError(f"no {section}.{key} in the template")


def finish(text: str, path):
    """The recoding and the default the fixture's values need; the mapping written to ``path``."""
    modes = "{Face to face: in_person, Video call: online, Telephone: online}"
    text = set_in(text, "values", "interview_mode", modes)
    path.write_text(set_in(text, "defaults", "quotable", '"yes"'))
    return path


FIXTURE_CODES = {"Governance": "G/A", "Governance/Board dynamics": "G/B", "Workforce": "W/A",
                 "Data sharing": "D/A", "Finance": "F/C"}  # fmt: skip
FIXTURE_GROUPS = {"G1": ("HSCP senior leadership", "Chief Officer"),
                  "G2": ("IJB voting members", "IJB Chair"),
                  "G3": ("IJB non-voting members", "Third Sector")}  # fmt: skip


def test_the_template_of_an_export_without_cases_filled_in_imports(tmp_path, codebook):
    xml = project_xml(cases={}, variables={}, selections=BY_FILE, users=("colin",))
    qdpx = write_qdpx(tmp_path / "qc.qdpx", *shaped(xml, "QualCoder 1.3.2"))
    lines = write_template(qdpx, tmp_path / "mapping.yaml", codebook)
    roster_path = tmp_path / "mapping_roster.csv"
    assert lines[1] == f"wrote {roster_path}: 5 rows (one per text source) to fill in"
    roster = list(csv.reader((tmp_path / "mapping_roster.csv").open()))
    assert roster[0] == ["source", "participant_id", "group", "interview_mode", "status",
                         "quotable", "area"]  # fmt: skip
    assert [r[:2] for r in roster[1:]] == [[FILES["P01"], "P01"], [FILES["P02"], "P02"],
        [FILES["P03"], "P03"], [FILES["P04"], "P04"], ["Field notes", "P05"]]  # fmt: skip
    text = (tmp_path / "mapping.yaml").read_text()
    assert "participants_from: roster\nroster: mapping_roster.csv\n" in text
    # the researcher fills in the roster (the field notes are no one's) and the mapping
    (tmp_path / "mapping_roster.csv").write_text(roster_csv(ROSTER))
    mapping = finish(fill_in(text, FIXTURE_CODES, FIXTURE_GROUPS), tmp_path / "mapping.yaml")
    report = import_qdpx(qdpx, mapping, tmp_path / "out", codebook)
    assert_fixture_corpus(tmp_path / "out", codebook)
    assert report.inherited == {"Governance": 1}  # Decision rights, through its parent
    assert report.unmapped_codes == {"Interesting quote": 1, "Memo": 1}


def test_the_template_lists_every_code_variable_and_source(tmp_path, codebook):
    codes = CODES | {"Workforce/Retention": True, "Workforce/Retention/Pay": True}
    selections = SELECTIONS | {"P04": [*SELECTIONS["P04"], (30, 40, ["Workforce/Retention/Pay"])]}
    qdpx = write_qdpx(tmp_path / "p.qdpx", project_xml(codes=codes, selections=selections))
    write_template(qdpx, tmp_path / "mapping.yaml", codebook)
    text = (tmp_path / "mapping.yaml").read_text()
    assert not (tmp_path / "mapping_roster.csv").exists()  # cases: no roster
    for line in [
        "participants_from: cases",
        "  Governance: {theme: , subtheme: }  # 0 codings, 2 with its descendants",
        "  Workforce: {theme: , subtheme: }  # 4 codings, 5 with its descendants",
        "  Workforce/Retention: {theme: , subtheme: }  # 0 codings, 1 with its descendants",
        "  Workforce/Retention/Pay: {theme: , subtheme: }  # 1 coding",
        '#   "Mode" (Text; 4 cases): "Video call" (2), "Face to face", "Telephone"',
        '#   "May quote" (Boolean; 3 cases): "true" (2), "false"',
        '#   "P01" (TextSource, case "P01"; 5 selections, 5 codings; 0 variables)',
        '#   "Field notes" (TextSource; 1 selection, 1 coding; 0 variables)',
        "#     B Board dynamics (consensus, voting, politics)",
    ]:
        assert line in text.splitlines(), line
    with pytest.raises(InputError) as info:  # never over the researcher's work
        write_template(qdpx, tmp_path / "mapping.yaml", codebook)
    assert "never overwrites" in info.value.message
    assert (tmp_path / "mapping.yaml").read_text() == text


def test_the_template_of_a_project_with_cases_filled_in_imports(tmp_path, codebook):
    qdpx = write_qdpx(tmp_path / "p.qdpx")
    write_template(qdpx, tmp_path / "m.yaml", codebook)
    text = fill_in((tmp_path / "m.yaml").read_text(), FIXTURE_CODES, FIXTURE_GROUPS)
    with pytest.raises(InputError) as info:  # the case variables are still blank
        import_qdpx(qdpx, tmp_path / "m.yaml", tmp_path / "out", codebook)
    assert "case_variables must name the variable holding 'group'" in info.value.message
    for field, variable in (
        ("group", "Group"),
        ("interview_mode", "Mode"),
        ("status", "Status"),
        ("quotable", "May quote"),
        ("area", "Area"),
    ):
        text = set_in(text, "case_variables", field, variable)  # fmt: skip
    report = import_qdpx(qdpx, finish(text, tmp_path / "m.yaml"), tmp_path / "out", codebook)
    assert_fixture_corpus(tmp_path / "out", codebook)
    assert report.unmapped_codes == {"Interesting quote": 1, "Memo": 1}


def test_the_template_keeps_awkward_names_exact(tmp_path, codebook):
    """Names that YAML would misread, break a line, or a spreadsheet would run: the template
    still loads, and maps back to exactly the project's codes; the roster names such a source
    by its GUID."""
    awkward = ["Yes", "- a: b #c", 'say "why"', "line\u2028break", "100", "#1: {cost}"]
    codes = {name: True for name in awkward}
    formula = '=HYPERLINK("x")'
    selections = {formula: [(0, 5, awkward)], "Notes": [(0, 5, ["Yes"])]}
    xml = project_xml(codes=codes, cases={}, variables={}, selections=selections)
    qdpx = write_qdpx(tmp_path / "p.qdpx", xml)
    write_template(qdpx, tmp_path / "m.yaml", codebook)
    data = yaml.safe_load((tmp_path / "m.yaml").read_text())
    assert list(data["codes"]) == awkward
    roster = list(csv.reader((tmp_path / "m_roster.csv").open()))
    assert roster[1][:2] == [guid("src/" + formula), "P01"] and roster[2][:2] == ["Notes", "P02"]
    text = fill_in((tmp_path / "m.yaml").read_text(), {n: "F/A" for n in awkward}, FIXTURE_GROUPS)
    (tmp_path / "m.yaml").write_text(text)
    (tmp_path / "m_roster.csv").write_text(roster_csv([
        [guid("src/" + formula), "P01", "G1", "online", "analysed", "yes", ""],
        ["Notes", "P02", "G2", "online", "analysed", "no", ""],
    ]))  # fmt: skip
    report = import_qdpx(qdpx, tmp_path / "m.yaml", tmp_path / "out", codebook)
    assert report.segment_codings == 7 and not report.unmapped_codes


def test_the_template_of_sources_with_variables_and_of_sets(tmp_path, codebook):
    xml = project_xml(cases={}, selections=BY_FILE, source_values=VALUES_BY_FILE)
    write_template(write_qdpx(tmp_path / "qc.qdpx", xml), tmp_path / "qc.yaml", codebook)
    text = (tmp_path / "qc.yaml").read_text()
    assert "participants_from: source_variables\nroster: qc_roster.csv\n" in text
    assert "4 of its 5 text sources carry variables" in text.replace("\n# ", " ")
    assert '#   "Group" (Text; 4 sources): "G1" (2), "G2", "G3"' in text
    xml = project_xml(cases={}, variables={}, selections=BY_FILE, sets=ATLAS_SETS)
    write_template(write_qdpx(tmp_path / "at.qdpx", xml), tmp_path / "at.yaml", codebook)
    text = (tmp_path / "at.yaml").read_text()
    assert "participants_from: sets\n" in text
    assert "  Senior leadership: {group: G1}  # 2 sources, 0 codes\n" in text
    assert '  G1: {label: "Senior leadership", typical_roles: }\n' in text


def test_the_command_writes_the_template_from_any_folder(tmp_path):
    qdpx = write_qdpx(tmp_path / "exports" / "study.qdpx", project_xml(cases={}, variables={}))
    result = run_cli("qdpx-template", "exports/study.qdpx", "--out", "mapping.yaml",
                     "--root", str(ROOT), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "wrote mapping.yaml: 8 codes, 0 variables, 5 sources; participants from roster (route 5)",
        "wrote mapping_roster.csv: 5 rows (one per text source) to fill in",
        "next: fill in the blanks, then compendium import-qdpx exports/study.qdpx --mapping "
        "mapping.yaml --out data/coded/<name>/",
    ]
    again = run_cli("qdpx-template", str(qdpx), "--out", "mapping.yaml", "--root", str(ROOT),
                    cwd=tmp_path)  # fmt: skip
    assert again.returncode == 2
    assert again.stderr == (
        "error: mapping.yaml: exists: the template never overwrites (move it, or give "
        "another --out)\n"
    )
