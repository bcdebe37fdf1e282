"""Figures legible where they are read: no text under 6 pt when printed at A4 text width."""

from pathlib import Path

import pytest
from conftest import ROOT

from compendium.outputs.figure_text import (
    A4_TEXT_WIDTH_MM,
    MIN_PRINTED_PT,
    length_in_points,
    printed_text_sizes,
    texts_below,
    transform_scale,
)

FIGURES = sorted((ROOT / "figures").glob("*.svg"))

# 186 mm = 527.24 pt: a drawing 527.24 pt wide prints at its own size.
TINY = """<?xml version="1.0" encoding="utf-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="100pt"
     viewBox="0 0 {width} 100" version="1.1">
 <g id="text_1">
  <text style="font-size: 8px; font-family: 'DejaVu Sans'" x="10" y="20">Axis label</text>
 </g>
 <g transform="translate(5 5) scale(0.5)">
  <text transform="translate(10 40) rotate(-90)" style="font: 14px 'DejaVu Sans'">Tick</text>
 </g>
 <text style="font-weight: 700; font-size: 10px">Title
  <tspan style="font-size: 9px">sub</tspan></text>
 <text style="font-size: 8px">   </text>
</svg>
"""


def tiny(width: float) -> str:
    return TINY.format(width=width)


def test_a_figure_as_wide_as_the_text_prints_at_its_font_sizes():
    width, texts = printed_text_sizes(tiny(A4_TEXT_WIDTH_MM * 72 / 25.4))
    assert width == pytest.approx(527.244, abs=1e-3)
    sizes = {t.text: round(t.printed_pt, 3) for t in texts}
    # the blank text is not a text; the group's scale(0.5) halves the 14 px tick label;
    # the smallest run of a text (its tspan) is its size
    assert sizes == {"Axis label": 8.0, "Tick": 7.0, "Title sub": 9.0}
    assert texts_below(tiny(527.244)) == []


def test_a_wide_figure_shrinks_its_texts_and_the_small_ones_are_returned():
    below = texts_below(tiny(2 * 527.244))  # printed at half size
    assert [(t.text, round(t.printed_pt, 2)) for t in below] == [
        ("Axis label", 4.0),
        ("Tick", 3.5),
        ("Title sub", 4.5),
    ]
    assert [t.font_size for t in below] == [8.0, 7.0, 9.0]
    # a narrower text column prints smaller still; a 6 pt floor is the default
    narrow = texts_below(tiny(527.244), text_width_mm=130.0)  # x 0.70: 5.6, 4.9 and 6.3 pt
    assert [t.text for t in narrow] == ["Axis label", "Tick"]
    assert [t.text for t in texts_below(tiny(527.244), minimum_pt=8.5)] == ["Axis label", "Tick"]


def test_lengths_and_transforms():
    assert length_in_points("540.5pt") == 540.5
    assert length_in_points("100px") == length_in_points("100") == 75.0
    assert length_in_points("186mm") == pytest.approx(527.244, abs=1e-3)
    with pytest.raises(ValueError, match="not an absolute SVG length"):
        length_in_points("100%")
    assert transform_scale("scale(1 -1) translate(0 -183.36)") == 1.0
    assert transform_scale("rotate(-90 10 20)") == 1.0
    assert transform_scale("matrix(0.5 0 0 0.5 3 4) scale(2)") == pytest.approx(1.0)
    assert transform_scale("translate(3 4) scale(0.25 1)") == 0.5


def test_a_drawing_without_a_viewbox_is_measured_in_css_pixels():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="703px" height="10px">'
        '<text style="font-size: 8px">a</text></svg>'
    )
    (text,) = printed_text_sizes(svg)[1]
    assert text.printed_pt == pytest.approx(8 * 527.244 / 703, abs=1e-3)


def test_what_matplotlib_writes_is_measured(tmp_path):
    """A drawing exactly 186 mm wide (no tight bounding box) prints at its font sizes."""
    import matplotlib.pyplot as plt

    from compendium.outputs.figures import save_figure, set_style

    set_style()
    fig, ax = plt.subplots(figsize=(A4_TEXT_WIDTH_MM / 25.4, 2))
    ax.set_title("Bold title", fontsize=9)
    ax.set_ylabel("Rotated label", fontsize=7)
    ax.text(0.5, 0.5, "two\nlines", fontsize=6.5, transform=ax.transAxes)
    ax.set_xticks([0, 1], ["a", "b"], fontsize=8)
    ax.set_yticks([])
    with plt.rc_context({"savefig.bbox": None}):
        svg, _ = save_figure(fig, tmp_path / "f", title="t", alt="a")
    width, texts = printed_text_sizes(svg)
    assert width == pytest.approx(527.244, abs=1e-3)
    sizes = {t.text: round(t.printed_pt, 1) for t in texts}
    assert sizes == {
        "Bold title": 9.0,
        "Rotated label": 7.0,
        "two": 6.5,
        "lines": 6.5,
        "a": 8.0,
        "b": 8.0,
    }
    assert texts_below(svg, 7.0) == [t for t in texts if t.text in ("two", "lines")]


def test_not_an_svg_is_refused():
    with pytest.raises(ValueError, match="not an SVG document"):
        printed_text_sizes("<html/>")


def test_the_committed_figures_are_there():
    assert len(FIGURES) >= 10, [f.name for f in FIGURES]


@pytest.mark.parametrize("svg", FIGURES, ids=lambda p: p.name)
def test_every_text_of_every_figure_prints_at_6_pt_or_more(svg: Path):
    width, _ = printed_text_sizes(svg)
    small = texts_below(svg, MIN_PRINTED_PT)
    assert not small, (
        f"{svg.name} ({width / 72:.2f} in wide) shown at {A4_TEXT_WIDTH_MM:g} mm has "
        f"{len(small)} text(s) under {MIN_PRINTED_PT:g} pt:\n"
        + "\n".join(
            f"  {t.printed_pt:.2f} pt ({t.font_size:g} in the SVG): {t.text[:80]!r}" for t in small
        )
    )
