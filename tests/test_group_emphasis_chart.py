"""The group emphasis figure draws a suppressed cell as suppressed, never as a zero."""

import re

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from defusedxml.ElementTree import fromstring

from compendium.analysis.group_emphasis import (
    SUPPRESSED,
    group_emphasis_table,
    group_tests,
)
from compendium.charts.group_emphasis import (
    FULL_HEIGHT,
    group_emphasis_figure,
    suppressed_gid,
    suppressed_label,
)
from compendium.outputs.figure_text import texts_below
from compendium.outputs.figures import palette, save_figure, set_style

SVG_NS = "{http://www.w3.org/2000/svg}"
GROUPS = ["G1", "G2", "G3"]
SIZES = {"G1": 16, "G2": 11, "G3": 17}


def hand_table(percent: dict[str, list[str]], themes=("Alpha", "Beta", "Gamma")) -> pd.DataFrame:
    table = pd.DataFrame({"theme": list(themes)})
    for group in GROUPS:
        table[f"{group}_percent"] = percent[group]
        table[f"{group}_size"] = SIZES[group]
    return table


# Beta: G1 and G3 suppressed; Gamma: G2 suppressed, G1 a real 0 %, G3 suppressed
TABLE = hand_table(
    {
        "G1": ["50.0", SUPPRESSED, "0.0"],
        "G2": ["72.7", "100.0", SUPPRESSED],
        "G3": ["41.2", SUPPRESSED, SUPPRESSED],
    }
)
SUPPRESSED_CELLS = [(1, 0), (1, 2), (2, 1), (2, 2)]  # (theme row, group column)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """The figure, its alt text and the SVG that save_figure writes."""
    set_style()
    fig, alt = group_emphasis_figure(TABLE, GROUPS, "test corpus", False, threshold=5)
    ax = fig.axes[0]
    bars = [(p.get_x() + p.get_width() / 2, p.get_height(), p) for p in ax.patches]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    svg_path, _ = save_figure(fig, tmp_path_factory.mktemp("fig") / "ge", title="t", alt=alt)
    return {"bars": bars, "alt": alt, "legend": legend, "svg": svg_path}


def slot(theme: int, group: int) -> float:
    width = 0.8 / len(GROUPS)
    return theme + (group - (len(GROUPS) - 1) / 2) * width


def bars_at(drawn, theme: int, group: int):
    return [(h, p) for x, h, p in drawn["bars"] if x == pytest.approx(slot(theme, group))]


def test_each_suppressed_cell_is_one_full_height_grey_hatched_bar(drawn):
    for theme, group in SUPPRESSED_CELLS:
        [(height, patch)] = bars_at(drawn, theme, group)  # nothing else drawn in that slot
        assert height == FULL_HEIGHT > 0
        assert patch.get_hatch() == "///"
        assert patch.get_gid() == suppressed_gid(theme, group)
        face = mcolors.to_rgb(patch.get_facecolor())
        assert face[0] == face[1] == face[2] > 0.85  # light grey, not the group's colour
        assert face not in [tuple(c) for c in palette(len(GROUPS))]


def test_no_bar_of_height_0_stands_for_a_suppressed_cell(drawn):
    zero = [(x, p) for x, h, p in drawn["bars"] if h == 0]
    # the only bar of height 0 is the real 0 % (Gamma, G1), in its group's colour, unhatched
    assert [x for x, _ in zero] == [pytest.approx(slot(2, 0))]
    assert zero[0][1].get_hatch() is None
    assert mcolors.to_rgb(zero[0][1].get_facecolor()) == pytest.approx(palette(3)[0])
    shown = [(t, g) for t in range(3) for g in range(3) if (t, g) not in SUPPRESSED_CELLS]
    for theme, group in shown:
        [(height, patch)] = bars_at(drawn, theme, group)
        assert height == float(TABLE.loc[theme, f"{GROUPS[group]}_percent"])
        assert patch.get_hatch() is None and patch.get_gid() is None


def test_the_svg_has_a_hatch_pattern_for_each_suppressed_cell(drawn):
    root = fromstring(drawn["svg"].read_text(encoding="utf-8"))
    patterns = {p.get("id"): p for p in root.iter(f"{SVG_NS}pattern")}
    assert patterns
    for theme, group in SUPPRESSED_CELLS:
        [element] = [e for e in root.iter() if e.get("id") == suppressed_gid(theme, group)]
        fills = [
            re.search(r"url\(#([^)]+)\)", p.get("style", "") + p.get("fill", ""))
            for p in element.iter(f"{SVG_NS}path")
        ]
        [pattern_id] = [m.group(1) for m in fills if m]
        hatch = patterns[pattern_id]
        assert list(hatch.iter(f"{SVG_NS}path")), "the pattern draws the hatch lines"
    ids = [e.get("id") for e in root.iter() if (e.get("id") or "").startswith("suppressed-")]
    assert sorted(ids) == sorted(suppressed_gid(t, g) for t, g in SUPPRESSED_CELLS)


def test_legend_labels_and_alt_text_say_suppressed(drawn):
    assert drawn["legend"] == [
        "G1 (n=16)",
        "G2 (n=11)",
        "G3 (n=17)",
        "suppressed (count or size \u2212 count < 5, or secondary)",
    ]
    texts = fromstring(drawn["svg"].read_text(encoding="utf-8")).iter(f"{SVG_NS}text")
    labels = [" ".join(t.itertext()).strip() for t in texts]
    assert sorted(t for t in labels if t.endswith(": suppressed")) == sorted(
        f"{GROUPS[group]}: suppressed" for _, group in SUPPRESSED_CELLS
    )
    alt = drawn["alt"]
    assert "drawn as full-height grey hatched bars labelled suppressed, not as zero" in alt
    assert "under 5" in alt
    assert alt.endswith("Beta G1, Gamma G2, Beta G3, Gamma G3.")
    svg = drawn["svg"].read_text(encoding="utf-8")
    assert "not as zero: Beta G1" in svg  # the alt text is in the SVG (desc, aria-label)


def test_every_text_prints_at_6_pt_or_more_at_a4_text_width(drawn):
    assert texts_below(drawn["svg"]) == []


def test_without_suppressed_cells_there_is_no_hatch_and_the_alt_text_says_so(tmp_path):
    set_style()
    table = hand_table({"G1": ["10.0", "0.0"], "G2": ["20.0", "30.0"], "G3": ["0.0", "5.0"]}, "AB")
    fig, alt = group_emphasis_figure(table, GROUPS, "test corpus", False, threshold=5)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "G1 (n=16)",
        "G2 (n=11)",
        "G3 (n=17)",
    ]
    assert alt.endswith("No cell is suppressed.")
    svg_path, _ = save_figure(fig, tmp_path / "ge", title="t", alt=alt)
    assert "<pattern" not in svg_path.read_text(encoding="utf-8")


def test_a_group_with_every_cell_suppressed_keeps_its_legend_entry():
    set_style()
    table = hand_table(
        {"G1": ["10.0", "20.0"], "G2": [SUPPRESSED, SUPPRESSED], "G3": [SUPPRESSED, "5.0"]}, "AB"
    )
    fig, alt = group_emphasis_figure(table, GROUPS, "test corpus", True)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:3] == ["G1 (n=16)", "G2 (n=11)", "G3 (n=17)"]
    assert (
        legend[3]
        == suppressed_label(None)
        == ("suppressed (count or size \u2212 count under the threshold, or secondary)")
    )
    assert "under the suppression threshold" in alt and "A G2, B G2, A G3" in alt


def test_cells_the_analysis_suppresses_are_drawn_hatched():
    """End to end from counts: G2's 9 of 11 (complement 2 < 5) and a second cell with it."""
    counts = pd.DataFrame({"G1": [14, 8], "G2": [9, 6], "G3": [15, 8]}, index=["A", "B"])
    sizes = pd.Series(SIZES)
    tests = group_tests(counts, sizes, n_resamples=200)
    table = group_emphasis_table(counts, sizes, tests, {"A": "Alpha", "B": "Beta"}, 5)
    hidden = [
        (i, k)
        for i in range(2)
        for k, g in enumerate(GROUPS)
        if table.loc[i, f"{g}_n"] == SUPPRESSED
    ]
    assert len(hidden) >= 2
    set_style()
    fig, alt = group_emphasis_figure(table, GROUPS, "test corpus", False, threshold=5)
    by_gid = {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}
    assert set(by_gid) == {suppressed_gid(i, k) for i, k in hidden}
    assert all(p.get_height() == FULL_HEIGHT and p.get_hatch() == "///" for p in by_gid.values())
    assert "suppressed" in alt
