"""Table 4 coverage, Figure 1 drawn from data, group emphasis suppression."""

import pandas as pd
import pytest
from conftest import ROOT
from matplotlib.patches import FancyArrowPatch

from compendium.analysis.group_emphasis import suppression_mask
from compendium.analysis.roadmap import high_pair_coverage, pairs_of, unaddressed_high_pairs
from compendium.charts.theory_of_change import (
    BOX_H,
    BOX_W,
    label_point,
    layered_positions,
    route,
    route_path,
    theory_of_change_figure,
)
from compendium.inputs.models import load_theory_of_change, themes_on_nodes
from compendium.inputs.packages import load_package

CODES = ["G", "W", "D", "F", "L", "V", "S"]


def test_pairs_of_themes_in_codebook_order():
    assert pairs_of("S W", CODES) == ["W-S"]
    assert pairs_of("F G V", CODES) == ["G-F", "G-V", "F-V"]


def test_coverage_by_hand():
    roadmap = pd.DataFrame(
        {"row": [1, 2], "months": ["0-6", "6-12"], "action": ["a", "b"], "themes": ["G L", "D S"]}
    )
    coverage = high_pair_coverage(roadmap, ["G-L", "F-S"], CODES)
    assert coverage["high_pairs_addressed"].tolist() == ["G-L", ""]
    assert unaddressed_high_pairs(coverage, ["G-L", "F-S"]) == ["F-S"]


def test_table4_data_has_ten_rows_in_printed_order():
    roadmap = load_package(ROOT / "data" / "roadmap")["roadmap"]
    assert roadmap["row"].tolist() == list(range(1, 11))
    assert set(roadmap["months"]) == {"0-6", "6-12", "12-24"}


def test_figure1_draws_every_node_and_edge_and_theme(codebook, tmp_path):
    from compendium.outputs.figures import save_figure, set_style

    set_style()
    model = load_theory_of_change(
        ROOT / "data" / "models" / "theory_of_change.yaml", codebook.codes
    )
    assert themes_on_nodes(model) == set(codebook.codes)
    fig, alt = theory_of_change_figure(model, codebook.short_names())
    ax = fig.axes[0]
    arrows = {p.get_gid() for p in ax.patches if isinstance(p, FancyArrowPatch)}
    assert arrows == {f"edge {s} -> {t}" for s, t in model.graph.edges()}
    assert "causes at the top and outcomes at the bottom" in alt
    svg_path, _ = save_figure(fig, tmp_path / "fig1", title="Figure 1", alt=alt)
    svg = svg_path.read_text()
    for _, data in model.graph.nodes(data=True):
        for word in data["label"].split():
            assert word.replace("&", "&amp;") in svg, word
        assert f"[{' '.join(data['themes'])}]" in svg
    carried = {h for _, _, d in model.graph.edges(data=True) for h in d["h_intersections"]}
    assert carried == {f"H{i}" for i in range(1, 7)}


def test_figure1_layers_run_top_to_bottom_at_most_three_across(codebook):
    model = load_theory_of_change(
        ROOT / "data" / "models" / "theory_of_change.yaml", codebook.codes
    )
    graph = model.graph
    grid = layered_positions(graph)
    assert all(grid[s][1] > grid[t][1] for s, t in graph.edges())  # every arrow points down
    assert {x for x, _ in grid.values()} <= {-1.0, -0.5, 0.0, 0.5, 1.0}
    assert len(set(grid.values())) == len(grid)  # no two boxes in one place
    assert layered_positions(graph) == grid  # the same on every run


def test_an_arrow_goes_round_a_box_in_its_way_and_its_label_clear_of_boxes():
    rows = {0.0: [0.0], -1.3: [0.0, 2.35], -2.6: [0.0]}
    start, end = (0.0, -BOX_H / 2), (0.0, -2.6 + BOX_H / 2)
    points = route(start, end, rows)
    assert len(points) == 4 and points[0] == start and points[-1] == end
    # beside the middle row's first box, away from the second: the left side
    assert points[1][0] == points[2][0] == pytest.approx(-BOX_W / 2 - 0.12)
    assert points[1][1] > -1.3 + BOX_H / 2 > -1.3 - BOX_H / 2 > points[2][1]
    # nothing in the way: a straight arrow
    assert route((2.35, -1.3 - BOX_H / 2), (0.0, -2.6 + BOX_H / 2), rows) == [
        (2.35, -1.3 - BOX_H / 2),
        (0.0, -2.6 + BOX_H / 2),
    ]
    # a gap between two boxes is taken through its middle
    gap = route((-0.9, 0.0), (-0.9, -2.6), {-1.3: [-2.35, 0.0]})
    assert [round(x, 3) for x, _ in gap] == [-0.9, -1.175, -1.175, -0.9]
    x, y = label_point(route_path(points), [(0.0, 0.0), (0.0, -1.3), (2.35, -1.3), (0.0, -2.6)])
    assert abs(x) > BOX_W / 2 or abs(y + 1.3) > BOX_H / 2  # not on the box it goes round


def test_suppression_hides_small_cells_and_their_complements():
    counts = pd.DataFrame({"G1": [10, 3, 9], "G2": [10, 10, 2]}, index=["A", "B", "C"])
    sizes = pd.Series({"G1": 10, "G2": 12})
    mask = suppression_mask(counts, sizes, 5)
    # A: G1 10/10 (complement 0: kept), G2 complement 2 -> suppressed, so G1 too (secondary).
    assert mask.loc["A"].tolist() == [True, True]
    # B: G1 = 3 -> primary; G2 complement 2 -> primary.
    assert mask.loc["B"].tolist() == [True, True]
    # no row is left with exactly one suppressed cell
    assert (mask.sum(axis=1) != 1).all()


def test_tests_of_rows_with_suppressed_cells_are_hidden():
    from compendium.analysis.group_emphasis import (
        SUPPRESSED,
        emphasis_summary,
        group_emphasis_table,
        group_tests,
    )

    counts = pd.DataFrame({"G1": [20, 12], "G2": [5, 19]}, index=["A", "B"])
    sizes = pd.Series({"G1": 20, "G2": 20})
    table = group_emphasis_table(counts, sizes, group_tests(counts, sizes), {"A": "a", "B": "b"}, 5)
    rows = table.set_index("code")
    assert rows.at["A", "p_value"] == "" or rows.at["A", "p_value"] != SUPPRESSED
    assert rows.at["B", "G2_n"] == SUPPRESSED  # complement 1 < 5
    assert rows.at["B", "p_value"] == SUPPRESSED and rows.at["B", "chi2"] == SUPPRESSED
    summary = emphasis_summary(table)
    assert summary["themes_tests_suppressed"] == 1
    assert summary["themes_tested"] == 1
