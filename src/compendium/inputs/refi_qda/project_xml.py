"""The hardened XML parse of ``project.qde``, its REFI-QDA schema check, and errors located
at an element (path, line and attribute).

lxml parses with entity resolution, network access and huge trees off; any DTD is refused and
the document is validated against the official schema (``schemas/refi_qda_project.xsd``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from compendium.inputs.errors import InputError
from compendium.inputs.refi_qda.archive import PROJECT_MEMBER

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"


@lru_cache(maxsize=1)
def _schema():
    import xmlschema

    source = resources.files("compendium.schemas").joinpath("refi_qda_project.xsd")
    with resources.as_file(source) as path:
        return xmlschema.XMLSchema(str(path))


def local_name(tag) -> str:
    """The tag without its namespace."""
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def element_path(elem) -> str:
    """``/Project/Sources/TextSource[2]/PlainTextSelection[1]`` (index only when ambiguous)."""
    steps = []
    while elem is not None:
        parent = elem.getparent()
        name = local_name(elem.tag)
        if parent is not None:
            same = [child for child in parent if child.tag == elem.tag]
            if len(same) > 1:
                name += f"[{same.index(elem) + 1}]"
        steps.append(name)
        elem = parent
    return "/" + "/".join(reversed(steps))


class ProjectDoc:
    """The parsed project and a way to raise errors located in it."""

    def __init__(self, qdpx: Path, root):
        self.where = f"{qdpx}!{PROJECT_MEMBER}"
        self.root = root

    def error(self, elem, message: str, attribute: str | None = None) -> InputError:
        line = getattr(elem, "sourceline", None)
        return InputError(self.where, f"{element_path(elem)}: {message}", row=line, field=attribute)


def parse_project(qdpx: Path, data: bytes) -> ProjectDoc:
    from lxml import etree

    where = f"{qdpx}!{PROJECT_MEMBER}"
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise InputError(where, f"not well-formed XML ({exc.msg})", row=line) from None
    except (ValueError, TypeError) as exc:
        raise InputError(where, f"not well-formed XML ({exc})") from None
    if root is None:
        raise InputError(where, "empty XML document")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise InputError(
            where, "a DOCTYPE (DTD or entity declarations) is not allowed in a REFI-QDA project"
        )
    doc = ProjectDoc(qdpx, root)
    if root.tag != f"{Q}Project":
        ns = root.tag.split("}", 1)[0].lstrip("{") if "}" in str(root.tag) else "no namespace"
        raise doc.error(
            root,
            f"root element must be Project in namespace {NS} "
            f"(found {local_name(root.tag)} in {ns})",
        )
    for elem in root.iter():
        if not isinstance(elem.tag, str):  # entity references left unresolved, etc.
            raise doc.error(elem.getparent(), "unresolved entity reference (refused)")
    try:
        error = next(iter(_schema().iter_errors(root)), None)
    except Exception as exc:  # xmlschema internals on pathological input
        raise InputError(where, f"cannot be checked against the REFI-QDA schema ({exc})") from None
    if error is not None:
        elem = error.elem if error.elem is not None else root
        reason = (error.reason or str(error.message)).strip()
        match = re.search(r"attribute (\w+)=", reason)
        raise doc.error(
            elem,
            f"does not follow the REFI-QDA project schema: {reason}",
            attribute=match.group(1) if match else None,
        )
    return doc


def guid_key(value: str) -> str:
    """A GUID as compared: no braces, lower case."""
    return value.strip().strip("{}").lower()


def children(elem, name: str):
    """The child elements ``name`` (in the REFI-QDA namespace) of ``elem``."""
    return elem.findall(f"{Q}{name}")


# Sources whose text can be coded as PlainTextSelections (a PDF through its Representation).
TEXT_SOURCES = ("TextSource", "PDFSource")


def project_sources(doc: ProjectDoc) -> dict:
    """GUID -> source element (every kind, in document order), refusing duplicate GUIDs."""
    sources = {}
    for source in doc.root.iterfind(f"{Q}Sources/*"):
        guid = guid_key(source.get("guid"))
        if guid in sources:
            raise doc.error(source, f"duplicate source guid {source.get('guid')!r}", "guid")
        sources[guid] = source
    return sources


def text_sources(sources: dict) -> dict:
    """The sources of :func:`project_sources` that hold text (TextSource, PDFSource)."""
    return {g: s for g, s in sources.items() if local_name(s.tag) in TEXT_SOURCES}


def project_selections(doc: ProjectDoc, sources: dict) -> dict:
    """GUID -> (PlainTextSelection, its source), refusing GUIDs used twice."""
    selections = {}
    for source in sources.values():
        for selection in source.iter(f"{Q}PlainTextSelection"):
            guid = guid_key(selection.get("guid"))
            if guid in selections or guid in sources:
                raise doc.error(
                    selection, f"duplicate selection guid {selection.get('guid')!r}", "guid"
                )
            selections[guid] = (selection, source)
    return selections
