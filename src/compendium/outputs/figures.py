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

PALETTE = "colorblind"  # seaborn's colour-blind-safe qualitative palette (Okabe-Ito-like)
SYNTHETIC_BADGE = "SYNTHETIC DATA"


def set_style() -> None:
    """House style for every figure; call once at the top of a notebook."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font="DejaVu Sans", font_scale=1.0)
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
    return sns.color_palette(PALETTE, n)


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
