"""Deterministic figures: SVG and PNG, colour-blind-safe palette, alt text in both files.

``save_figure`` fixes matplotlib's SVG hash salt and strips dates and software stamps, so that
two builds of the same figure give the same bytes; the alt text is written into the SVG
(``<title>``/``<desc>`` and ``aria-label``) and into the PNG's ``Description`` chunk.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from compendium.inputs.files import write_bytes_atomic  # noqa: E402

# The categorical palette, in the order ``palette(n)`` hands it out. Computed for this compendium
# (no published palette has ten colours that stay apart under all three dichromacies: seaborn's
# "colorblind" falls to CAM02-UCS delta E 5.8 under protanopia, Okabe-Ito to 11.0 and Paul Tol's
# "muted" to 11.8 under tritanopia): a max-min search in CAM02-UCS over normal vision and
# deuteranopia, protanopia and tritanopia (Machado et al. 2009 at severity 100, as colorspacious
# simulates them), with every colour at lightness J' 35-80 and chroma 20-36, so none is near
# white, near black or grey (grey is kept for reference marks and suppressed cells). The order
# puts the widest gaps first. Minimum delta E over the four kinds of vision, for the first n:
# n=2: 60.8, n=3: 37.5, n=4: 23.3, n=5-6: 23.2, n=7: 20.9, n=8-10: 20.7 (checked in
# tests/test_colour_vision.py, which keeps it at 20 or more; seaborn's was 5.8 from n=6).
PALETTE = (
    "#980c00",  # dark red
    "#a9a4ff",  # periwinkle
    "#603c7e",  # plum
    "#00a06d",  # bluish green
    "#c5c700",  # yellow
    "#984cff",  # violet
    "#da5200",  # vermillion
    "#a56b9d",  # mauve
    "#ff9bb6",  # pink
    "#00664d",  # dark green
)
SYNTHETIC_BADGE = "SYNTHETIC DATA"


def set_style() -> None:
    """House style for every figure; call once at the top of a notebook."""
    sns.set_theme(style="whitegrid", palette=list(PALETTE), font="DejaVu Sans", font_scale=1.0)
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "compendium",
            "svg.fonttype": "none",  # text stays text: searchable, accessible, testable
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
        }
    )


def palette(n: int) -> list:
    """The first ``n`` colours of ``PALETTE`` (RGB triples): one per category, all told apart."""
    if not 0 <= n <= len(PALETTE):
        raise ValueError(
            f"{n} categories: the palette keeps at most {len(PALETTE)} colours apart under "
            "colour-vision deficiencies; label or facet the categories instead of colouring them"
        )
    return sns.color_palette(PALETTE[:n])


def mark_synthetic(fig, synthetic: bool) -> None:
    """Stamp the figure with a visible badge when it is made from the surrogate corpus."""
    if synthetic:
        fig.text(
            0.995,
            0.005,
            SYNTHETIC_BADGE,
            ha="right",
            va="bottom",
            fontsize=8,
            color="#7a0000",
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "#ffe8e8", "edgecolor": "#7a0000"},
        )


def _svg_with_alt(svg: str, title: str, alt: str) -> str:
    title_x, alt_x = html.escape(title), html.escape(alt)
    start = svg.index("<svg")
    end = svg.index(">", start)
    opening = svg[start:end]
    opening += f' role="img" aria-label="{alt_x}"'
    head = f"\n <title>{title_x}</title>\n <desc>{alt_x}</desc>"
    return svg[:start] + opening + ">" + head + svg[end + 1 :]


def save_figure(fig, stem: Path | str, *, title: str, alt: str) -> tuple[Path, Path]:
    """Save ``fig`` as ``stem.svg`` and ``stem.png`` (atomically, byte-reproducibly)."""
    stem = Path(stem)
    svg_buffer = io.StringIO()
    fig.savefig(svg_buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _svg_with_alt(svg_buffer.getvalue(), title, alt)
    png_buffer = io.BytesIO()
    fig.savefig(
        png_buffer,
        format="png",
        metadata={"Software": None, "Title": title, "Description": alt},
    )
    svg_path = write_bytes_atomic(stem.with_suffix(".svg"), svg.encode("utf-8"))
    png_path = write_bytes_atomic(stem.with_suffix(".png"), png_buffer.getvalue())
    plt.close(fig)
    return svg_path, png_path
