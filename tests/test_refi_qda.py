"""REFI-QDA import: a small project built in code becomes exactly the expected coded corpus."""

from __future__ import annotations

import time
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd
import pytest
from conftest import ROOT, run_cli

from compendium.inputs.corpus import load_corpus
from compendium.inputs.refi_qda import ImportReport, import_qdpx

MAPPING = ROOT / "data" / "coded" / "example_mapping.yaml"
NS = "urn:QDA-XML:project:1.0"


def guid(name: str) -> str:
    """A stable GUID for a fixture object (so the fixture itself is deterministic)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"compendium-test/{name}"))


# Codes: path -> codable.  "Governance" is a parent; "Interesting quote" is not in the mapping;
# "Memo" maps to null.
CODES = {
    "Governance": False,
    "Governance/Decision rights": True,
    "Governance/Board dynamics": True,
    "Workforce": True,
    "Data sharing": True,
    "Finance": True,
    "Memo": True,
    "Interesting quote": True,
}
VARIABLES = {
    "Group": "Text",
    "Mode": "Text",
    "Status": "Text",
    "May quote": "Boolean",
    "Area": "Text",
}
CASES = {
    "P01": {"Group": "G1", "Mode": "Face to face", "Status": "Analysed", "May quote": "true",
            "Area": "X1"},
    "P02": {"Group": "G2", "Mode": "Video call", "Status": "Analysed", "May quote": "false",
            "Area": "X2"},
    "P03": {"Group": "G1", "Mode": "Video call", "Status": "Withdrawn", "May quote": "true"},
    "P04": {"Group": "G3", "Mode": "Telephone", "Status": "analysed", "Area": "X1"},
}  # fmt: skip
# Source (one per case, plus field notes of no case) -> selections (start, end, [code paths]).
SELECTIONS = {
    "P01": [
        (0, 50, ["Governance/Decision rights"]),
        (30, 80, ["Workforce"]),  # overlaps the first with another theme: one dual-coded segment
        (100, 150, ["Finance"]),
        (100, 150, ["Memo"]),  # mapped to null: ignored, reported
        (200, 220, ["Interesting quote"]),  # unmapped: reported
    ],
    "P02": [
        (0, 40, ["Governance/Board dynamics", "Data sharing"]),  # two codings, one selection
        (50, 60, ["Workforce"]),
        (55, 70, ["Workforce"]),  # overlap with the same theme: two segments
    ],
    "P03": [(0, 10, ["Finance"])],  # withdrawn: not imported
    "P04": [
        (0, 10, ["Data sharing"]),
        (5, 15, ["Finance"]),
        (8, 20, ["Workforce"]),  # chain: D pairs with F, W stays alone
    ],
    "Field notes": [(0, 5, ["Finance"])],  # a source of no case: reported
}

EXPECTED_PARTICIPANTS = """\
participant_id,group,interview_mode,status,quotable,area
P01,G1,in_person,analysed,yes,X1
P02,G2,online,analysed,no,X2
P03,G1,online,withdrawn,yes,
P04,G3,online,analysed,yes,X1
"""
EXPECTED_SEGMENTS = """\
segment_id,participant_id,theme,subtheme,secondary_theme,link_type
P01-001,P01,G,A,W,dual_coded
P01-002,P01,F,C,,
P02-001,P02,G,B,D,dual_coded
P02-002,P02,W,A,,
P02-003,P02,W,A,,
P04-001,P04,D,A,F,dual_coded
P04-002,P04,W,A,,
"""
EXPECTED_GROUPS = """\
group,label,typical_roles
G1,HSCP senior leadership,"Chief Officer, Chief Executive, IJB Secretary"
G2,IJB voting members,"IJB Chair/Vice-Chair, IJB voting member"
G3,IJB non-voting members,"Third Sector, Service User, Council Union"
"""


def _codes_xml(codes: dict[str, bool]) -> str:
    def children(prefix: str) -> str:
        out = []
        for path, codable in codes.items():
            parent, _, name = path.rpartition("/")
            if parent == prefix:
                inner = children(path)
                out.append(
                    f"<Code guid={quoteattr(guid('code/' + path))} name={quoteattr(name)} "
                    f'isCodable="{str(codable).lower()}">{inner}</Code>'
                )
        return "".join(out)

    return f"<CodeBook><Codes>{children('')}</Codes></CodeBook>"


def _value_xml(kind: str, value: str) -> str:
    tag = "BooleanValue" if kind == "Boolean" else "TextValue"
    return f"<{tag}>{value}</{tag}>"


def project_xml(
    codes=None,
    variables=None,
    cases=None,
    selections=None,
    namespace: str = NS,
    head: str = "",
    users=(),
    links=(),
    source_values=None,
    sets=None,
    unnamed_cases: bool = False,
) -> str:
    """The text of a REFI-QDA ``project.qde`` from plain dicts (defaults: the fixture above).

    A code path written ``path@Name`` is a coding made by the user ``Name`` (``users``).
    ``links`` are ``((source, k), (source, k), name)``: a link from the k-th selection of one
    source to a selection of another (or the same) source.  No cases (``cases={}``) or no
    variables leave their element out (the line stays, empty).  ``source_values`` gives sources
    variable values (``{source: {variable: value}}``), ``sets`` sets of sources (``{name:
    [source, ...]}``); ``unnamed_cases`` writes cases without a name (as MAXQDA does; the keys
    of ``cases`` still name their sources).
    """
    source_values = source_values or {}
    codes = CODES if codes is None else codes
    variables = VARIABLES if variables is None else variables
    cases = CASES if cases is None else cases
    selections = SELECTIONS if selections is None else selections
    var_xml = "".join(
        f"<Variable guid={quoteattr(guid('var/' + n))} name={quoteattr(n)} "
        f"typeOfVariable={quoteattr(k)}/>"
        for n, k in variables.items()
    )
    case_xml = []
    for name, values in cases.items():
        vv = "".join(
            f"<VariableValue><VariableRef targetGUID={quoteattr(guid('var/' + v))}/>"
            f"{_value_xml(variables.get(v, 'Text'), x)}</VariableValue>"
            for v, x in values.items()
        )
        ref = (
            f"<SourceRef targetGUID={quoteattr(guid('src/' + name))}/>"
            if name in selections
            else ""
        )
        named = "" if unnamed_cases else f" name={quoteattr(name)}"
        case_xml.append(f"<Case guid={quoteattr(guid('case/' + name))}{named}>{vv}{ref}</Case>")
    src_xml = []
    for source, spans in selections.items():
        sels = []
        for k, (start, end, code_paths) in enumerate(spans):
            codings = "".join(
                f"<Coding guid={quoteattr(guid(f'coding/{source}/{k}/{c}'))}"
                + (
                    f" creatingUser={quoteattr(guid('user/' + c.partition('@')[2]))}>"
                    if "@" in c
                    else ">"
                )
                + f"<CodeRef targetGUID={quoteattr(guid('code/' + c.partition('@')[0]))}/></Coding>"
                for c in code_paths
            )
            sels.append(
                f"<PlainTextSelection guid={quoteattr(guid(f'sel/{source}/{k}'))} "
                f'startPosition="{start}" endPosition="{end}">{codings}</PlainTextSelection>'
            )
        values = "".join(
            f"<VariableValue><VariableRef targetGUID={quoteattr(guid('var/' + v))}/>"
            f"{_value_xml(variables.get(v, 'Text'), x)}</VariableValue>"
            for v, x in source_values.get(source, {}).items()
        )
        src_xml.append(
            f"<TextSource guid={quoteattr(guid('src/' + source))} name={quoteattr(source)}>"
            f"<PlainTextContent>Interview text is not needed by the importer.</PlainTextContent>"
            f"{''.join(sels)}{values}</TextSource>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}'
        f'<Project xmlns="{namespace}" name="Fixture project" origin="compendium tests">\n'
        + (
            "<Users>"
            + "".join(
                f"<User guid={quoteattr(guid('user/' + u))} name={quoteattr(u)}/>" for u in users
            )
            + "</Users>\n"
            if users
            else ""
        )
        + f"{_codes_xml(codes)}\n"
        + (f"<Variables>{var_xml}</Variables>" if var_xml else "") + "\n"
        + (f"<Cases>{''.join(case_xml)}</Cases>" if case_xml else "") + "\n"
        + f"<Sources>{''.join(src_xml)}</Sources>\n"
        + (
            "<Links>"
            + "".join(
                f"<Link guid={quoteattr(guid(f'link/{n}'))} name={quoteattr(name)} "
                f'direction="OneWay" originGUID={quoteattr(guid(f"sel/{a}/{i}"))} '
                f"targetGUID={quoteattr(guid(f'sel/{b}/{j}'))}/>"
                for n, ((a, i), (b, j), name) in enumerate(links)
            )
            + "</Links>\n"
            if links
            else ""
        )
        + (
            "<Sets>"
            + "".join(
                f"<Set guid={quoteattr(guid('set/' + name))} name={quoteattr(name)}>"
                + "".join(f"<MemberSource targetGUID={quoteattr(guid('src/' + m))}/>"
                          for m in members)
                + "</Set>"
                for name, members in sets.items()
            )
            + "</Sets>\n"
            if sets
            else ""
        )
        + "</Project>\n"
    )  # fmt: skip


def write_qdpx(path: Path, xml: str | bytes | None = None, members: dict | None = None) -> Path:
    """A .qdpx zip holding ``project.qde`` (and ``members``), with fixed timestamps."""
    xml = project_xml() if xml is None else xml
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in {"project.qde": data, **(members or {})}.items():
            if content is None:
                continue
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return path


@pytest.fixture
def qdpx(tmp_path) -> Path:
    return write_qdpx(tmp_path / "fixture.qdpx")


def test_import_gives_exactly_the_expected_corpus(qdpx, tmp_path, codebook):
    out = tmp_path / "coded" / "fixture"
    report = import_qdpx(qdpx, MAPPING, out, codebook)
    assert (out / "participants.csv").read_text() == EXPECTED_PARTICIPANTS
    assert (out / "segments.csv").read_text() == EXPECTED_SEGMENTS
    assert (out / "groups.csv").read_text() == EXPECTED_GROUPS
    assert sorted(p.name for p in out.iterdir()) == [
        "datapackage.json",
        "groups.csv",
        "participants.csv",
        "segments.csv",
    ]
    assert isinstance(report, ImportReport)
    assert (report.participants, report.analysed, report.withdrawn) == (4, 3, 1)
    assert (report.segments, report.dual_coded) == (7, 3)
    assert report.unmapped_codes == {"Interesting quote": 1}
    assert report.ignored_codes == {"Memo": 1}
    assert report.withdrawn_codings == 1
    assert report.uncased_codings == 1
    assert report.idle_codes == 0  # the parent 'Governance' is mapped through its children
    lines = report.lines()
    assert any("unmapped code 'Interesting quote': 1 coding(s)" in line for line in lines)


def test_codes_that_are_neither_mapped_nor_used_are_counted(tmp_path, codebook):
    codes = CODES | {"Workforce/Retention": True, "Workforce/Retention/Pay": True, "Spare": True}
    qdpx = write_qdpx(tmp_path / "spare.qdpx", project_xml(codes=codes))
    report = import_qdpx(qdpx, MAPPING, tmp_path / "spare", codebook)
    # one leaf: 'Spare'; 'Workforce/Retention/Pay' is covered by its mapped ancestor 'Workforce'
    assert report.idle_codes == 1
    assert "1 code(s) of the project's codebook are not in the mapping and code nothing" in (
        report.lines()
    )


def test_imported_corpus_validates_and_is_not_synthetic(qdpx, tmp_path, codebook):
    out = tmp_path / "mine"
    import_qdpx(qdpx, MAPPING, out, codebook)
    corpus = load_corpus(out, codebook)
    assert corpus.name == "mine"
    assert corpus.synthetic is False
    assert corpus.n_analysed == 3
    assert "P03" not in set(corpus.segments["participant_id"])
    descriptor = pd.read_json(out / "datapackage.json", typ="series")
    assert descriptor["imported_from"]["project"] == "fixture.qdpx"


def test_import_is_idempotent_same_bytes(qdpx, tmp_path, codebook):
    first, second = tmp_path / "a" / "corpus", tmp_path / "b" / "corpus"
    import_qdpx(qdpx, MAPPING, first, codebook)
    import_qdpx(qdpx, MAPPING, second, codebook)
    import_qdpx(qdpx, MAPPING, second, codebook)  # again over itself
    for name in ("participants.csv", "groups.csv", "segments.csv", "datapackage.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert sorted(p.name for p in second.parent.iterdir()) == ["corpus"]  # no temp dir left


def test_rebuilt_zip_with_other_member_order_gives_same_bytes(tmp_path, codebook):
    """Same project, different zip (extra source files, other order): same corpus bytes."""
    a = write_qdpx(tmp_path / "a.qdpx")
    b = write_qdpx(
        tmp_path / "b.qdpx", members={"sources/P01.txt": b"text", "sources/P02.txt": b"more"}
    )
    import_qdpx(a, MAPPING, tmp_path / "x" / "c", codebook)
    import_qdpx(b, MAPPING, tmp_path / "y" / "c", codebook)
    for name in ("participants.csv", "segments.csv", "groups.csv"):
        assert (tmp_path / "x" / "c" / name).read_bytes() == (
            tmp_path / "y" / "c" / name
        ).read_bytes()


def test_cli_import_then_validate(qdpx, tmp_path):
    out = tmp_path / "data" / "coded" / "mine"
    result = run_cli(
        "import-qdpx", str(qdpx), "--mapping", str(MAPPING), "--out", str(out),
        "--codebook", str(ROOT / "data" / "codebook"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "imported 4 participants (3 analysed, 1 withdrawn), 7 segments (3 dual-coded)" in (
        result.stdout
    )
    assert "unmapped code 'Interesting quote'" in result.stdout
    check = run_cli("validate", str(out), "--codebook", str(ROOT / "data" / "codebook"))
    assert check.returncode == 0, check.stderr
    assert "(not synthetic): 4 participants (3 analysed, 1 withdrawn), 7 segments" in check.stdout


def test_participant_id_from_a_variable(tmp_path, codebook):
    variables = {**VARIABLES, "Code": "Text"}
    cases = {name: {**values, "Code": f"R{name[1:]}"} for name, values in CASES.items()}
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        MAPPING.read_text().replace(
            "case_variables:\n", "case_variables:\n  participant_id: Code\n"
        )
    )
    qdpx = write_qdpx(tmp_path / "p.qdpx", project_xml(variables=variables, cases=cases))
    import_qdpx(qdpx, mapping, tmp_path / "out", codebook)
    ids = pd.read_csv(tmp_path / "out" / "participants.csv")["participant_id"].tolist()
    assert ids == ["R01", "R02", "R03", "R04"]


def test_import_time_of_the_fixture(qdpx, tmp_path, codebook):
    """The fixture imports (parse, schema check, write, validate) in well under 5 s."""
    start = time.perf_counter()
    import_qdpx(qdpx, MAPPING, tmp_path / "timed", codebook)
    elapsed = time.perf_counter() - start
    print(f"import of the fixture: {elapsed * 1000:.0f} ms")
    assert elapsed < 5


TWO_CODERS = {
    "P01": [
        (0, 50, ["Governance/Decision rights@Ann", "Governance/Decision rights@Bea"]),
        (30, 80, ["Workforce@Ann", "Finance@Bea"]),  # Bea disagrees on the second theme
        (100, 150, ["Finance@Ann"]),  # Bea read P01 but gave this segment nothing
    ],
    "P02": [
        (0, 40, ["Workforce@Ann", "Workforce@Cy"]),
        (45, 60, ["Data sharing@Cy"]),  # overlaps no segment of Ann's: not compared
    ],
    "P04": [(0, 10, ["Data sharing@Ann"])],  # no other coder read P04
}
EXPECTED_SECOND_CODING = """\
segment_id,coder,theme
P01-001,Bea,F
P01-001,Bea,G
P01-002,Bea,
P02-001,Cy,W
"""


def _two_coder_mapping(tmp_path: Path, primary: str = "Ann") -> Path:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING.read_text() + f"primary_coder: {primary}\n")
    return mapping


def test_other_users_codings_become_the_second_coding(tmp_path, codebook):
    qdpx = write_qdpx(
        tmp_path / "two.qdpx", project_xml(selections=TWO_CODERS, users=("Ann", "Bea", "Cy"))
    )
    out = tmp_path / "two"
    report = import_qdpx(qdpx, _two_coder_mapping(tmp_path), out, codebook)
    segments = (out / "segments.csv").read_text()
    assert segments.splitlines()[1:] == [
        "P01-001,P01,G,A,W,dual_coded",
        "P01-002,P01,F,C,,",
        "P02-001,P02,W,A,,",
        "P04-001,P04,D,A,,",
    ]
    assert (out / "second_coding.csv").read_text() == EXPECTED_SECOND_CODING
    assert report.second_coders == {"Bea": 2, "Cy": 2}
    assert report.second_unmatched == 1
    descriptor = pd.read_json(out / "datapackage.json", typ="series")
    assert [r["name"] for r in descriptor["resources"]][-1] == "second_coding"
    # a re-import of a project without other coders removes the stale second coding
    import_qdpx(write_qdpx(tmp_path / "one.qdpx"), MAPPING, out, codebook)
    assert not (out / "second_coding.csv").exists()


def test_primary_coder_must_be_a_user(tmp_path, codebook):
    from compendium.inputs.errors import InputError

    qdpx = write_qdpx(
        tmp_path / "two.qdpx", project_xml(selections=TWO_CODERS, users=("Ann", "Bea", "Cy"))
    )
    with pytest.raises(InputError) as info:
        import_qdpx(qdpx, _two_coder_mapping(tmp_path, "Zed"), tmp_path / "x", codebook)
    assert info.value.field == "primary_coder" and "'Ann', 'Bea', 'Cy'" in info.value.message
    assert not (tmp_path / "x").exists()


def maxqda_shaped(xml: str) -> tuple[bytes, dict[str, bytes]]:
    """The fixture project written the way MAXQDA 24 writes its REFI-QDA export.

    The shape was taken from a public MAXQDA 24 (Release 24.7.0) export (not copied into the
    project: its licence is unknown): ``xsi:schemaLocation`` on the root, upper-case GUIDs, a
    user stamped on every source, coloured codes with descriptions, sources as
    ``plainTextPath="internal://<GUID>.txt"`` with the text in ``sources/`` of the zip, a
    ``Sets`` block of ``MemberSource`` references, and indented XML.
    """
    from lxml import etree

    q = f"{{{NS}}}"
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    old = etree.fromstring(xml.encode("utf-8"))
    root = etree.Element(f"{q}Project", nsmap={None: NS, "xsi": xsi})
    root.set(
        f"{{{xsi}}}schemaLocation",
        f"{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
    )
    root.set("origin", "MAXQDA 24 (Release 24.7.0)")
    root.set("name", "Interviews 2024")
    root.set("modifiedDateTime", "2025-07-14T18:42:34Z")
    user = guid("user/maxqda").upper()
    users = etree.SubElement(root, f"{q}Users")
    etree.SubElement(users, f"{q}User", guid=user, name="researcher")
    for child in old:
        root.append(child)
    for elem in root.iter():
        for attribute in ("guid", "targetGUID"):
            if elem.get(attribute):
                elem.set(attribute, elem.get(attribute).upper())
    for code in root.iter(f"{q}Code"):
        code.set("color", "#ef8256")
        description = etree.Element(f"{q}Description")
        description.text = f"Apply when the passage is about {code.get('name').lower()}."
        code.insert(0, description)
    members, sources = {}, []
    for source in root.iter(f"{q}TextSource"):
        content = source.find(f"{q}PlainTextContent")
        source.remove(content)
        sguid = source.get("guid")
        members[f"sources/{sguid}.txt"] = (content.text * 10).encode("utf-8")
        for attribute, value in (("modifyingUser", user), ("creatingUser", user),
                                 ("creationDateTime", "2024-10-18T23:23:46Z"),
                                 ("plainTextPath", f"internal://{sguid}.txt"),
                                 ("modifiedDateTime", "2024-10-18T23:23:46Z")):  # fmt: skip
            source.set(attribute, value)
        sources.append(sguid)
    sets = etree.SubElement(root, f"{q}Sets")
    group = etree.SubElement(sets, f"{q}Set", guid=guid("set/all").upper(), name="All interviews")
    for sguid in sources:
        etree.SubElement(group, f"{q}MemberSource", targetGUID=sguid)
    etree.indent(root, space=" ")
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data, members


def test_a_maxqda_shaped_export_gives_the_same_corpus(tmp_path, codebook):
    data, members = maxqda_shaped(project_xml())
    qdpx = write_qdpx(tmp_path / "maxqda.qdpx", data, members)
    out = tmp_path / "maxqda"
    report = import_qdpx(qdpx, MAPPING, out, codebook)
    assert (out / "participants.csv").read_text() == EXPECTED_PARTICIPANTS
    assert (out / "segments.csv").read_text() == EXPECTED_SEGMENTS
    assert (report.segments, report.dual_coded) == (7, 3)


LINKS = [
    (("P01", 2), ("P01", 1), "because"),  # Finance -> Workforce: causal, numbered at Finance
    (("P02", 1), ("P02", 2), "because"),  # Workforce -> Workforce: the same theme
    (("P01", 0), ("P02", 0), "because"),  # two interviews: not one segment
    (("P04", 2), ("P04", 0), "despite"),  # Workforce -> Data sharing: constraint
    (("P04", 0), ("P04", 1), "because"),  # Data sharing is already linked
    (("P01", 4), ("P01", 0), "see also"),  # an unmapped code at one end
    (("P03", 0), ("P01", 0), "because"),  # a withdrawn case at one end
    (("P02", 0), ("P02", 1), "aside"),  # mapped to null
    (("P01", 2), ("P01", 0), "as in"),  # a name the mapping does not know
]


def test_named_links_become_typed_segments(tmp_path, codebook):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        MAPPING.read_text() + "link_types:\n  because: causal\n  despite: constraint\n"
        "  aside: null\n"
    )
    qdpx = write_qdpx(tmp_path / "links.qdpx", project_xml(links=LINKS))
    out = tmp_path / "links"
    report = import_qdpx(qdpx, mapping, out, codebook)
    assert (out / "segments.csv").read_text().splitlines()[1:] == [
        "P01-001,P01,G,A,,",  # its overlapping Workforce selection is taken by the link
        "P01-002,P01,F,C,W,causal",
        "P02-001,P02,G,B,D,dual_coded",
        "P02-002,P02,W,A,,",
        "P02-003,P02,W,A,,",
        "P04-001,P04,F,C,,",
        "P04-002,P04,W,A,D,constraint",
    ]
    assert report.links == {"causal": 1, "constraint": 1}
    assert report.links_not_imported == {
        "the same theme at both ends": 1,
        "between two sources (a segment lies in one transcript)": 1,
        "a selection already linked by an earlier link": 1,
        "not between two coded text selections of analysed cases": 2,
        "name 'aside' mapped to null": 1,
        "name 'as in' not in the mapping's link_types": 1,
    }
    lines = report.lines()
    assert "2 link(s) imported as link types (causal 1, constraint 1)" in lines
    assert "1 link(s) not imported: the same theme at both ends" in lines
    load_corpus(out, codebook)  # a valid corpus


def test_links_without_link_types_in_the_mapping_are_reported(tmp_path, codebook):
    qdpx = write_qdpx(tmp_path / "links.qdpx", project_xml(links=LINKS[:1]))
    report = import_qdpx(qdpx, MAPPING, tmp_path / "plain", codebook)
    assert report.links == {}
    assert report.links_not_imported == {"name 'because' not in the mapping's link_types": 1}
    segments = (tmp_path / "plain" / "segments.csv").read_text()
    assert segments == EXPECTED_SEGMENTS  # overlaps are paired as without the link
