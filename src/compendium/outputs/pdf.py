"""Print the HTML report to PDF with headless Chromium, then pin its dates.

Chromium is used (not WeasyPrint) because the report's browser test already needs it, it
renders the embedded SVG figures and CSS exactly as the HTML check sees them, and Debian ships
it. Chromium stamps the PDF with the current time; those 14 digits are replaced by the time
of ``SOURCE_DATE_EPOCH`` (default: 2026-01-01), and the ids of its tagged-PDF structure
elements, which vary with the load context, are renumbered in order; byte lengths are
unchanged, so the cross-reference table stays valid and two builds give the same bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from compendium.inputs.files import write_bytes_atomic

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install it with: sudo apt-get install chromium (Debian/Ubuntu)"
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


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


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


def html_to_pdf(html_path: Path | str, pdf_path: Path | str, timeout: int = 180) -> Path:
    browser = find_browser()
    if browser is None:
        raise RuntimeError(
            f"the PDF report needs headless Chromium, which is not installed; {INSTALL_HINT}"
        )
    html_path = Path(html_path).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.pdf"
        subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={scratch}/profile",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                html_path.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        data = out.read_bytes()
    return write_bytes_atomic(pdf_path, normalise_pdf(data))
