"""Import a REFI-QDA project (``.qdpx``) into the coded-corpus data package.

QualCoder, NVivo, ATLAS.ti and MAXQDA export the REFI-QDA project exchange format: a zip
holding ``project.qde`` (XML in the namespace ``urn:QDA-XML:project:1.0``) and the sources.
:func:`import_qdpx` reads only ``project.qde`` and turns it, through a mapping file
(``docs/refi_qda_mapping.md``), into ``participants.csv``, ``groups.csv``, ``segments.csv`` and
``datapackage.json``:

* participants are read from whatever the export has (:mod:`.routes`): named cases with
  variables, unnamed cases of one source each (MAXQDA), variables in the sources (QualCoder,
  MAXQDA), sets of sources (ATLAS.ti, NVivo), or a roster CSV beside the mapping (one row per
  text source); group, interview mode, status, quotability and area come from the variables,
  sets or roster cells the mapping names (values recoded through the mapping);
* each ``Coding`` of a ``PlainTextSelection`` in a source of an analysed participant is a
  segment; its code (or, when the mapping does not name it, its nearest mapped ancestor) maps
  to a theme and subtheme; codes that map to nothing are counted and reported, never silently
  dropped; an export with nothing to import is refused;
* two overlapping selections of the same source coded with two different themes become one
  dual-coded segment (``secondary_theme`` set, ``link_type`` ``dual_coded``);
* withdrawn cases stay in the roster with status ``withdrawn`` and none of their codings.

The input is untrusted.  The zip is read without extracting it (no absolute or ``..`` member
names, capped member count, total size and compression ratio); the XML is parsed by lxml with
entity resolution, network access and huge trees off, any DTD is refused, and the document is
validated against the official REFI-QDA schema (``schemas/refi_qda_project.xsd``).  Every
problem is one :class:`InputError` naming the file, the XML element (path and line) and the
attribute.  Nothing is written until everything is checked; the package is then built in a
temporary folder, validated with :func:`compendium.inputs.corpus.load_corpus` and moved into
place, so a failure never leaves a half-written corpus.  Same input, same bytes out.

Modules: :mod:`.archive` (the zip), :mod:`.project_xml` (parse, schema check, located errors),
:mod:`.mapping` (the mapping file), :mod:`.participants` (participant rows, cases),
:mod:`.routes` (the routes without cases), :mod:`.roster` (the roster CSV), :mod:`.codings`
(codings and links -> spans), :mod:`.segments` (spans -> segments, second coding),
:mod:`.package` (the import: build, validate, write), :mod:`.template` (``compendium
qdpx-template``: a mapping, and a roster, to fill in).
"""

from compendium.inputs.refi_qda.mapping import Mapping, load_mapping
from compendium.inputs.refi_qda.package import import_qdpx
from compendium.inputs.refi_qda.project_xml import element_path
from compendium.inputs.refi_qda.report import ImportReport

__all__ = ["ImportReport", "Mapping", "element_path", "import_qdpx", "load_mapping"]
