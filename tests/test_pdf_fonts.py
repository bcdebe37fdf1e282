"""The report carries its own fonts: the same PDF whatever fonts and font settings a machine has.

The report is rendered from the committed outputs and printed twice, once with the machine's
fontconfig and once with a fontconfig that holds none of the shipped fonts and prefers others
(Liberation, Noto, ... if installed; else no font at all): the two PDFs must be the same bytes,
and list only the shipped fonts.
"""

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from fontTools.ttLib import TTFont

from compendium.outputs.pdf import (
    FACES,
    FONT_DIR,
    FONT_LICENCE,
    MONO,
    SANS,
    find_browser,
    html_to_pdf,
)
from compendium.outputs.report import render_report

needs_browser = pytest.mark.skipif(
    find_browser() is None, reason="headless Chromium not installed: sudo apt-get install chromium"
)
GENERIC = {"sans-serif", "serif", "monospace"}
_FAMILY = re.compile(r"font-family:\s*([^;}]*)")
_SVG = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(ROOT)


def families(css: str) -> list[list[str]]:
    """The family lists of every ``font-family`` declaration in ``css``."""
    return [
        [name.strip().strip("'\"") for name in value.split(",")] for value in _FAMILY.findall(css)
    ]


def shipped_names() -> set[str]:
    """PostScript names of the shipped faces (what a PDF calls an embedded font)."""
    return {TTFont(face.path)["name"].getDebugName(6) for face in FACES}


def pdf_fonts(pdf: Path) -> set[str]:
    """Font names in ``pdf`` without the subset tag (``AAAAAA+DejaVuSans`` -> ``DejaVuSans``)."""
    if shutil.which("pdffonts"):
        listing = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        names = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    else:  # Chromium writes its font dictionaries uncompressed
        names = re.findall(r"/BaseFont /([^\s/]+)", pdf.read_bytes().decode("latin-1"))
    return {name.split("+", 1)[-1] for name in names}


def other_fontconfig(folder: Path) -> Path:
    """A fontconfig with every installed font except DejaVu (so none that is shipped), which
    prefers other sans and monospace fonts; with only DejaVu installed it has no font at all."""
    fonts = folder / "other-fonts"
    fonts.mkdir()
    system = Path("/usr/share/fonts")
    installed = sorted(p for ext in ("ttf", "otf", "ttc") for p in system.rglob(f"*.{ext}"))
    for path in installed:
        if "dejavu" not in path.name.lower():
            (fonts / path.name).symlink_to(path)
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
        "  <alias><family>sans-serif</family><prefer><family>Liberation Sans</family>"
        "<family>Noto Sans</family></prefer></alias>\n"
        "  <alias><family>monospace</family><prefer><family>Liberation Mono</family>"
        "<family>Noto Sans Mono</family></prefer></alias>\n</fontconfig>\n"
    )
    return config


def test_the_fonts_ship_with_their_licence():
    for face in FACES:
        assert face.path.is_file(), face.path
    licence = (FONT_DIR / FONT_LICENCE).read_text(encoding="utf-8")
    assert "Bitstream" in licence and "DejaVu changes are in public domain" in licence


def test_the_page_names_only_the_shipped_families(page):
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    declared = families(style)
    assert {SANS, MONO} <= {names[0] for names in declared}
    for names in declared:
        assert set(names) <= {SANS, MONO} | GENERIC, names
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; font-weight: (\d+)', style)
    assert sorted(faces) == sorted((face.family, str(face.weight)) for face in FACES)
    assert "src: url(data:font/ttf;base64," in style and "url(http" not in style
    assert "Bitstream" in style  # the fonts' licence travels with them


def test_every_figure_embeds_the_fonts_its_text_names(page):
    svgs = [base64.b64decode(data).decode("utf-8") for data in _SVG.findall(page)]
    assert len(svgs) >= 6
    for svg in svgs:
        text_families = {names[0] for names in families(svg) if names}
        assert text_families <= {SANS, MONO}, text_families
        embedded = set(re.findall(r'@font-face \{ font-family: "([^"]+)"', svg))
        assert text_families <= embedded, (text_families, embedded)
        assert "DejaVu Sans'" not in svg


@needs_browser
def test_the_pdf_is_the_same_bytes_under_another_fontconfig(page, tmp_path, monkeypatch):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    here = html_to_pdf(html, tmp_path / "here.pdf")

    monkeypatch.setenv("FONTCONFIG_FILE", str(other_fontconfig(tmp_path)))
    there = html_to_pdf(html, tmp_path / "there.pdf")
    # the other fontconfig does reach Chromium: a page naming no font gets none of ours
    control = tmp_path / "control.html"
    control.write_text(
        "<!DOCTYPE html><html><body><p style='font-family: sans-serif'>Sans text</p>"
        "<p><code>monospace text</code></p></body></html>"
    )
    control_fonts = pdf_fonts(html_to_pdf(control, tmp_path / "control.pdf"))
    assert not control_fonts & shipped_names(), control_fonts

    assert here.read_bytes() == there.read_bytes(), "the PDF depends on the machine's fonts"
    fonts = pdf_fonts(here)
    assert fonts <= shipped_names(), f"fonts not shipped with the report: {fonts}"
    assert {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"} <= fonts, fonts
