"""Print the HTML report to PDF with headless Chromium, then pin its dates.

Chromium is used (not WeasyPrint) because the report's browser test already needs it, it
renders the embedded SVG figures and CSS exactly as the HTML check sees them, and Debian ships
it. Chromium stamps the PDF with the current time; those 14 digits are replaced by the time
of ``SOURCE_DATE_EPOCH`` (default: 2026-01-01), and the ids of its tagged-PDF structure
elements, which vary with the load context, are renumbered in order; byte lengths are
unchanged, so the cross-reference table stays valid and two builds give the same bytes.

The fonts travel with the HTML: DejaVu Sans and DejaVu Sans Mono (``templates/fonts/``, from
Debian's fonts-dejavu-core 2.37; Bitstream Vera licence, DejaVu changes public domain, see
``LICENSE-DejaVu.txt``) are subset to the characters a page uses and embedded as ``data:``
URIs under names no installed font has ("Compendium Sans", "Compendium Mono"), in the report
and in each SVG figure it embeds, so Chromium never picks a font of the machine it runs on.
Chromium also lays text out by the hinting fontconfig asks for, so it prints under a fontconfig
file that pins the rendering settings (:func:`pinned_fontconfig`). The PDF is then the same on
every machine with the same Chromium (``tests/test_pdf_fonts.py``).
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from compendium.inputs.files import write_bytes_atomic

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_COMMAND = "sudo apt-get install chromium"
INSTALL_HINT = f"install it with: {INSTALL_COMMAND} (Debian/Ubuntu)"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})")
FONT_DIR = Path(__file__).resolve().parents[1] / "templates" / "fonts"
FONT_LICENCE = "LICENSE-DejaVu.txt"


@dataclass(frozen=True)
class Face:
    """One shipped font file and the CSS face it provides."""

    family: str
    weight: int
    style: str
    file: str

    @property
    def path(self) -> Path:
        return FONT_DIR / self.file


SANS, MONO = "Compendium Sans", "Compendium Mono"
FACES = (
    Face(SANS, 400, "normal", "DejaVuSans.ttf"),
    Face(SANS, 700, "normal", "DejaVuSans-Bold.ttf"),
    Face(SANS, 400, "italic", "DejaVuSans-Oblique.ttf"),
    Face(MONO, 400, "normal", "DejaVuSansMono.ttf"),
    Face(MONO, 700, "normal", "DejaVuSansMono-Bold.ttf"),  # a real corpus's name in the banner
)
# Families an SVG figure may name (matplotlib's default) -> the shipped family that replaces it.
SVG_FAMILIES = {"DejaVu Sans": SANS, "DejaVu Sans Mono": MONO}
# Always in a subset: printable ASCII and what line breaking may add (hyphens, ellipsis).
BASE_CHARACTERS = frozenset(map(chr, range(0x20, 0x7F))) | set("\u00a0\u00ad\u2010\u2026")


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def skip_without_browser(pdf_path: Path | str) -> list[dict] | None:
    """Where no browser can be found: remove an old PDF (it would not match the new HTML), say
    in one line that the PDF is skipped and how to get it, and return the manifest's
    ``not_built`` record (``needs``: the browsers looked for, so that ``compendium status``
    sees when one is installed).  None where a browser is found."""
    if find_browser() is not None:
        return None
    Path(pdf_path).unlink(missing_ok=True)
    record = {
        "path": Path(pdf_path).as_posix(),
        "why": "no headless Chromium on this machine",
        "how": f"{INSTALL_COMMAND}, then make reproduce",
        "needs": list(BROWSERS),
    }
    print(f"skipped {record['path']}: {record['why']}; to get it: {record['how']}", file=sys.stderr)
    return [record]


def pinned_timestamp() -> bytes:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)).encode("ascii")


_NODE_ID = re.compile(rb"node(\d{8})")


def pin_pdf_dates(pdf: bytes) -> bytes:
    stamp = pinned_timestamp()
    return _DATE.sub(lambda m: m.group(1) + stamp, pdf)


def renumber_structure_ids(pdf: bytes) -> bytes:
    """Chromium's tagged-PDF element ids (``nodeNNNNNNNN``) vary with the page's load context;
    renumber them in order of first appearance (same length, so offsets stay valid)."""
    mapping: dict[bytes, bytes] = {}

    def renumber(match: re.Match) -> bytes:
        old = match.group(0)
        if old not in mapping:
            mapping[old] = b"node%08d" % len(mapping)
        return mapping[old]

    return _NODE_ID.sub(renumber, pdf)


def normalise_pdf(pdf: bytes) -> bytes:
    return renumber_structure_ids(pin_pdf_dates(pdf))


@cache
def _subset(file: str, characters: str) -> bytes:
    """The shipped font ``file`` cut down to ``characters`` (plus what shaping them needs).

    Hinting is dropped (a PDF keeps outlines only), and so is the licence text of the name
    table (10 kB a face; the page carries it once, :func:`font_notice`); the timestamp is not
    touched, so the same characters always give the same bytes.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 14]  # copyright, names, licence URL
    options.drop_tables = [*options.drop_tables, "FFTM", "MATH"]  # FontForge's dates; MathML
    font = TTFont(FONT_DIR / file, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _face_rule(face: Face, characters) -> str:
    wanted = "".join(sorted(set(characters) - set("\t\n\r")))
    data = base64.b64encode(_subset(face.file, wanted)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
        f'font-style: {face.style}; src: url(data:font/ttf;base64,{data}) format("truetype"); }}'
    )


def font_notice() -> str:
    """The fonts' copyright and licence (for the ``Files: *`` stanza: the fonts themselves)."""
    text = (FONT_DIR / FONT_LICENCE).read_text(encoding="utf-8")
    fonts = text.split("\n\nFiles: debian/")[0]
    return "\n".join(line.rstrip() for line in fonts.splitlines()).replace("*/", "* /")


def font_face_css(text: str) -> str:
    """``@font-face`` rules embedding every shipped face, subset to the characters of ``text``
    (an HTML page, entities read as characters), preceded by the fonts' licence."""
    characters = BASE_CHARACTERS | set(html.unescape(text))
    rules = "\n".join(_face_rule(face, characters) for face in FACES)
    return f"/* {font_notice()}\n*/\n{rules}"


_SVG_FAMILY = re.compile(r"(font-family:\s*)'([^']*)'")
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SVG_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_BOLD = re.compile(r"font-weight:\s*(?:bold|[6-9]00)")
_ITALIC = re.compile(r"font-style:\s*(?:italic|oblique)")


def _face_of(attributes: str) -> Face:
    """The shipped face Chromium would choose for an SVG ``<text>`` (style first, then weight)."""
    named = _SVG_FAMILY.search(attributes)
    family = named.group(2) if named and named.group(2) in (SANS, MONO) else SANS
    weight = 700 if _BOLD.search(attributes) else 400
    style = "italic" if _ITALIC.search(attributes) else "normal"
    return max(
        (face for face in FACES if face.family == family),
        key=lambda face: (face.style == style, face.weight == weight, -FACES.index(face)),
    )


def svg_with_fonts(svg: str) -> str:
    """An SVG whose text names the shipped families, embedded in it, each face subset to the
    characters it shows (an SVG shown as an image sees none of the page's fonts)."""
    svg = _SVG_FAMILY.sub(
        lambda m: f"{m.group(1)}'{SVG_FAMILIES.get(m.group(2), m.group(2))}'", svg
    )
    shown: dict[Face, set[str]] = {}
    for attributes, content in _SVG_TEXT.findall(svg):
        characters = set(html.unescape(_TAG.sub("", content)))
        shown.setdefault(_face_of(attributes), set()).update(characters)
    root = _SVG_ROOT.search(svg)
    if not shown or root is None:
        return svg
    rules = "\n".join(_face_rule(face, shown[face]) for face in FACES if face in shown)
    return f"{svg[: root.end()]}<style>{rules}</style>{svg[root.end() :]}"


_RENDERING = """    <edit name="antialias" mode="assign"><bool>true</bool></edit>
    <edit name="hinting" mode="assign"><bool>false</bool></edit>
    <edit name="hintstyle" mode="assign"><const>hintnone</const></edit>
    <edit name="autohint" mode="assign"><bool>false</bool></edit>
    <edit name="rgba" mode="assign"><const>none</const></edit>
    <edit name="lcdfilter" mode="assign"><const>lcdnone</const></edit>
    <edit name="embeddedbitmap" mode="assign"><bool>false</bool></edit>
"""


def pinned_fontconfig(folder: Path) -> Path:
    """A fontconfig file: the machine's own (``FONTCONFIG_FILE``, else the default), then fixed
    rendering settings (no hinting, greyscale antialiasing) for every font.

    Chromium asks fontconfig how to render even the embedded fonts, and lays text out by the
    answer: with Debian's "slight" hinting and with fontconfig's built-in "full" hinting the
    same page breaks lines differently. The machine's fonts stay visible (a character the
    shipped fonts lack still prints, and shows up in ``pdffonts``); only their rendering is
    pinned.
    """
    machine = os.environ.get("FONTCONFIG_FILE") or str(
        Path(os.environ.get("FONTCONFIG_PATH", "/etc/fonts").split(os.pathsep)[0]) / "fonts.conf"
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        f'  <include ignore_missing="yes">{xml_escape(str(Path(machine).resolve()))}</include>\n'
        f'  <match target="pattern">\n{_RENDERING}  </match>\n'
        f'  <match target="font">\n{_RENDERING}  </match>\n'
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def html_to_pdf(html_path: Path | str, pdf_path: Path | str, timeout: int = 180) -> Path:
    browser = find_browser()
    if browser is None:
        raise RuntimeError(
            f"the PDF report needs headless Chromium, which is not installed; {INSTALL_HINT}"
        )
    html_path = Path(html_path).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.pdf"
        # Printed from a copy at <scratch>/reports/, so that the report's relative links
        # (notebook pages, CSVs, figures) come out as file URIs under <scratch>/, which
        # relative_links() turns into links relative to the PDF: the same on every machine.
        root = Path(scratch) / "b"
        if (len(root.as_uri() + "/") - len(PARENT)) % 2:  # so that "./" pads it exactly
            root = Path(scratch) / "bb"
        printed = root / "reports" / html_path.name
        printed.parent.mkdir(parents=True)
        printed.write_bytes(html_path.read_bytes())
        subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={scratch}/profile",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                printed.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
            env=os.environ | {"FONTCONFIG_FILE": str(pinned_fontconfig(Path(scratch)))},
        )
        data = relative_links(out.read_bytes(), root.as_uri() + "/")
    return write_bytes_atomic(pdf_path, normalise_pdf(data))


PARENT = "../"


def relative_links(pdf: bytes, root_uri: str) -> bytes:
    """Link URIs under ``root_uri`` (the build root the report was printed in) made relative to
    the PDF in ``reports/``: ``../`` after as many ``./`` as keep the length, so byte offsets and
    the cross-reference table stay valid.  A link then opens the notebook page or CSV beside
    the PDF, and no machine's folder names are recorded."""
    prefix = root_uri.encode()
    pad = len(prefix) - len(PARENT)
    if pad < 0 or pad % 2:
        raise ValueError(f"{root_uri}: cannot be replaced by a relative path of the same length")
    return pdf.replace(prefix, b"./" * (pad // 2) + PARENT.encode())
