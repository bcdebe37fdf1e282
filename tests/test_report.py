"""The report as a reader sees it: headless Chromium, PDF pages, numbers from results."""

import json
import shutil
import subprocess
import tempfile

import pytest
from conftest import ROOT

from compendium.outputs.pdf import FLAGS, find_browser, pin_pdf_dates
from compendium.outputs.report import render_report

REPORT = ROOT / "reports" / "report.html"
BROWSER = find_browser()
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="headless Chromium not installed: sudo apt-get install chromium"
)


def test_numbers_in_the_prose_come_from_the_results(tmp_path):
    """Change one computed input in a copy: the sentence changes with it."""
    shutil.copytree(ROOT / "reports", tmp_path / "reports")
    shutil.copytree(ROOT / "figures", tmp_path / "figures")
    before = render_report(tmp_path)
    assert "9 interviews were held in person and 35 online" in before
    results = tmp_path / "reports" / "results" / "participants.json"
    data = json.loads(results.read_text())
    data["modes"] = {"in_person": 10, "online": 34}
    results.write_text(json.dumps(data))
    after = render_report(tmp_path)
    assert "10 interviews were held in person and 34 online" in after
    assert "9 interviews were held in person" not in after


def test_committed_report_is_what_the_template_renders():
    assert render_report(ROOT) == REPORT.read_text(encoding="utf-8")


def test_every_figure_has_alt_text_and_every_output_a_caption():
    html = REPORT.read_text(encoding="utf-8")
    assert html.count("<figure") >= 6
    assert html.count("<img") == html.count(" alt='")
    assert "alt=''" not in html
    assert html.count("class='caption'") + html.count("<figcaption>") >= html.count("<figure") + 8
    assert "SYNTHETIC DATA" in html
    assert "built-in method" not in html and "object at 0x" not in html and "Undefined" not in html
    assert "Made by <code>notebooks/" in html


def test_pdf_dates_are_pinned():
    pdf = b"/CreationDate (D:20261122230350+00'00')\n/ModDate (D:20261122230350+00'00')"
    pinned = pin_pdf_dates(pdf)
    assert len(pinned) == len(pdf)
    assert b"2026112223" not in pinned


@needs_browser
def test_report_in_headless_chromium(tmp_path):
    """Screenshot, broken images, missing tables and console errors, via the DevTools log."""
    profile = tempfile.mkdtemp()
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            BROWSER,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,20000",
            f"--screenshot={shot}",
            "--enable-logging=stderr",
            "--v=0",
            REPORT.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.stat().st_size > 50_000
    console_errors = [
        line for line in result.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()
    ]
    assert not console_errors, console_errors
    dom = subprocess.run(
        [BROWSER, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", REPORT.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    assert dom.count("<table") >= 12
    assert dom.count("<img") >= 6


@needs_browser
def test_images_decode_in_the_browser(tmp_path):
    """Every embedded figure decodes (naturalWidth > 0) in a real page load."""
    probe = tmp_path / "probe.html"
    html = REPORT.read_text(encoding="utf-8")
    script = (
        "<script>window.addEventListener('load',()=>{const bad=[...document.images]"
        ".filter(i=>!i.complete||i.naturalWidth===0).length;"
        "document.title='broken:'+bad+' tables:'"
        "+document.querySelectorAll('table').length;});</script>"
    )
    probe.write_text(html.replace("</body>", script + "</body>"))
    profile = tempfile.mkdtemp()
    dom = subprocess.run(
        [
            BROWSER,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    assert "<title>broken:0 tables:" in dom, dom[:300]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_render(tmp_path):
    pdf = ROOT / "reports" / "report.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 5
    assert all(p.stat().st_size > 2000 for p in pages)
