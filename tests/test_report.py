"""The report as a reader sees it: headless Chromium, PDF pages, numbers from results."""

import html
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from compendium.outputs.notebook_pages import cell_anchors, render_page
from compendium.outputs.pdf import FLAGS, find_browser, pin_pdf_dates
from compendium.outputs.report import render_report

REPORT = ROOT / "reports" / "report.html"
PAGES = ROOT / "reports" / "notebooks"
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
    assert "Made by <a href='notebooks/" in html


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


def rows_in(page: str, block_id: str) -> int:
    """The body rows of the table in the block ``id=block_id`` of the report."""
    block = page.split(f"id='{block_id}'", 1)[1].split("</table>", 1)[0]
    return block.split("<tbody>", 1)[1].count("<tr")


def test_a_long_table_is_summarised_in_the_body_and_in_full_in_the_appendix():
    page = REPORT.read_text(encoding="utf-8")
    timeline = (ROOT / "reports" / "tables" / "timeline.csv").read_text().strip().splitlines()
    assert rows_in(page, "appendix-timeline.csv") == len(timeline) - 1  # every event
    assert rows_in(page, "timeline.csv") <= 16  # the key rows (legislation) only
    assert f"{len(timeline) - 1} rows (category: " in page
    body, appendix = page.split("id='appendix'", 1)
    assert "Appendix B. The inputs of each exhibit" in appendix
    assert appendix.count("<tr><td><a href='#") == body.count("class='exhibit")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_printed_body_is_short_and_the_appendix_follows_it():
    pdf = ROOT / "reports" / "report.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages = text.split("\f")
    first = next(i for i, p in enumerate(pages) if "Appendix A. Long tables in full" in p)
    assert 5 <= first <= 30, f"the body has {first} pages"
    hashes = re.findall(r"\b[0-9a-f]{10}\b", "".join(pages[:first]))
    assert not hashes, hashes  # the inputs' sha256 are in the appendix, not in the captions
    assert re.search(r"\b[0-9a-f]{10}\b", "".join(pages[first:]))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_render(tmp_path):
    pdf = ROOT / "reports" / "report.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 5
    assert all(p.stat().st_size > 2000 for p in pages)


# -- links, captions and notebook pages ------------------------------------------------------


class _Links(HTMLParser):
    """Every href of a page, and every id it defines."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("href") is not None:
            self.hrefs.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def links_of(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_link_of_the_report_resolves():
    """Relative files exist (from reports/, as from builds/<name>/reports/), #anchors exist."""
    report = links_of(REPORT)
    assert len(report.hrefs) > 60
    pages = {REPORT: report}
    broken = []
    for href in report.hrefs:
        if href.startswith(("https://", "http://")):
            continue  # the DOI: not fetched by the tests
        path, _, anchor = href.partition("#")
        target = (REPORT.parent / path).resolve() if path else REPORT
        if not target.is_file():
            broken.append(href)
            continue
        if anchor and target not in pages:
            pages[target] = links_of(target)
        if anchor and anchor not in pages[target].ids:
            broken.append(href)
    assert not broken, broken


CAPTIONS = re.compile(r"<p class='caption'>(.*?)</p>|<figcaption>(.*?)</figcaption>", re.DOTALL)


def test_every_caption_is_short_and_links_to_the_cell_that_made_it():
    captions = [a or b for a, b in CAPTIONS.findall(REPORT.read_text(encoding="utf-8"))]
    exhibits = [c for c in captions if " in full. " not in c]  # the appendix's are titles
    assert len(exhibits) >= 25
    for caption in exhibits:
        text = html.unescape(re.sub(r"<[^>]+>", "", caption))
        assert len(text) <= 350, (len(text), text)
        assert "sha256" not in text  # the hashes are in <details> and in the appendix
        (page,) = re.findall(r"href='(notebooks/[^'#]+\.html)#(cell-\d+)'", caption) or [None]
        assert page, caption
        name, anchor = page
        assert anchor in links_of(REPORT.parent / name).ids, (name, anchor)
        assert re.search(r"href='(tables/[^']+\.csv|\.\./figures/[^']+\.svg)'", caption), caption


def test_every_executed_notebook_has_its_page_the_same_bytes_when_rendered_again():
    executed = sorted(PAGES.glob("*.ipynb"))
    assert executed
    for notebook in executed:
        page = notebook.with_suffix(".html")
        text = page.read_text(encoding="utf-8")
        assert render_page(notebook) == text, f"{page.name} is not what nbconvert renders"
        assert "<script" not in text.lower(), page.name  # nothing to run, nothing to load
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        assert cell_anchors(text) == [c["id"] for c in cells], page.name


# -- the page in a browser, on a desktop and on a phone --------------------------------------

# In the page: how wide the document is, and every word of the visible text that a line break
# cuts in two (a run of letters or digits whose characters lie on more than one line).
MEASURE = """(() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/[A-Za-z0-9]{2,}/g)) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
        .map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  const ths = [...document.querySelectorAll("th")].map(getComputedStyle);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    broken: broken.slice(0, 20),
    headerStyles: [...new Set(ths.map(s => [s.overflowWrap, s.wordBreak, s.hyphens].join(" ")))],
    viewport: (document.querySelector("meta[name=viewport]") || {}).content || "",
    images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length,
  };
})()"""


class DevTools:
    """A page in headless Chromium driven over the DevTools protocol (websocket-client)."""

    def __init__(self, profile: Path):
        import websocket

        self.process = subprocess.Popen(
            [BROWSER, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (active.is_file() and active.read_text().strip()):
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port"
            time.sleep(0.1)
        port = active.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            (target,) = [t for t in json.load(answer) if t["type"] == "page"][:1]
        self.socket = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(json.loads(self.socket.recv()))

    def errors(self) -> list[str]:
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(str(params["exceptionDetails"].get("text")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(str(params.get("args")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text", ""))
        return found

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def in_browser(url: str, width: int, mobile: bool, profile: Path) -> tuple[dict, list[str]]:
    """Load ``url`` at ``width`` CSS pixels (a phone: mobile emulation, viewport meta honoured)
    and measure it; also the page's console errors and exceptions."""
    browser = DevTools(profile)
    try:
        browser.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                     deviceScaleFactor=1, mobile=mobile)  # fmt: skip
        for domain in ("Page", "Runtime", "Log"):
            browser.call(f"{domain}.enable")
        browser.call("Page.navigate", url=url)
        browser.wait_for("Page.loadEventFired")
        result = browser.call("Runtime.evaluate", expression=MEASURE, returnByValue=True)
        return result["result"]["value"], browser.errors()
    finally:
        browser.close()


@needs_browser
@pytest.mark.parametrize(("width", "mobile"), [(1280, False), (390, True)])
def test_the_page_fits_its_window_on_a_desktop_and_on_a_phone(tmp_path, width, mobile):
    """No sideways scrolling (wide tables scroll in their own box), no word cut in two, no
    console error, every image decoded."""
    measured, errors = in_browser(REPORT.as_uri(), width, mobile, tmp_path / "profile")
    assert not errors, errors
    assert measured["viewport"] == "width=device-width, initial-scale=1"
    assert measured["width"] == width
    assert measured["scrollWidth"] <= width, measured
    assert measured["broken"] == [], measured["broken"]
    assert measured["headerStyles"] == ["normal normal manual"]
    assert measured["images"] == 0


@needs_browser
def test_a_notebook_page_works_without_scripts_on_a_phone(tmp_path):
    page = PAGES / "02_salience.html"
    measured, errors = in_browser(page.as_uri(), 390, True, tmp_path / "profile")
    assert not errors, errors
    assert measured["scrollWidth"] <= 390, measured  # code and tables scroll in their boxes
    assert measured["images"] == 0


def test_pdf_links_are_made_relative_to_the_pdf_at_the_same_length():
    from compendium.outputs.pdf import relative_links

    root = "file:///tmp/compendium-abc/b/"  # 29 characters: ../ after 13 "./"
    pdf = b"<< /URI (" + root.encode() + b"reports/notebooks/02.html#cell-03) >>"
    out = relative_links(pdf, root)
    assert len(out) == len(pdf)
    assert b"/URI (" + b"./" * 13 + b"../reports/notebooks/02.html#cell-03)" in out
    assert b"file://" not in out
    with pytest.raises(ValueError):
        relative_links(pdf, root + "x")  # an odd pad cannot be filled with "./"
