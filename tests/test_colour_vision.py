"""The categorical palette keeps every pair of categories apart, also with colour-blind eyes.

For every n up to the most categories one figure colours (10: the timeline's event categories;
then the six MSG features, the five kinds of box in Figure 1, three groups, three roadmap
windows), every pair of the first n colours of ``palette`` is at least ``MIN_DELTA_E`` = 20
apart in CAM02-UCS with normal vision and with simulated deuteranopia, protanopia and
tritanopia (severity 100). Measured minimum over n = 2..10 (reached at n = 10 or earlier):
normal 21.6, deuteranopia 20.7, protanopia 20.8, tritanopia 20.9. Seaborn's "colorblind",
used before, had 13.0, 8.5, 5.8 and 6.1 (its orange and vermillion: 10.6 under deuteranopia).
"""

import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from conftest import ROOT

from compendium.analysis.roadmap import WINDOWS
from compendium.inputs.models import NODE_KINDS
from compendium.outputs.colour_vision import (
    VISIONS,
    ClosestPair,
    closest_pair,
    delta_e_matrix,
    minimum_delta_e,
    simulate,
)
from compendium.outputs.figures import PALETTE, palette, set_style

MIN_DELTA_E = 20.0
MEASURED = {"normal": 21.6, "deuteranopia": 20.7, "protanopia": 20.8, "tritanopia": 20.9}


def categories_per_figure() -> dict[str, int]:
    """How many colours each figure that colours categories asks ``palette`` for (at most)."""
    documents = ROOT / "data" / "documents"
    groups = [
        len(pd.read_csv(path)) for path in sorted((ROOT / "data" / "coded").glob("*/groups.csv"))
    ]
    return {
        "timeline (event categories)": pd.read_csv(documents / "events.csv")["category"].nunique(),
        "MSG proposals (features)": pd.read_csv(documents / "msg_proposals.csv")[
            "feature_id"
        ].nunique(),
        "Figure 1 (kinds of box)": len(NODE_KINDS),
        "roadmap (windows)": len(WINDOWS),
        "group emphasis (groups)": max(groups),
        "agreement (two coders)": 2,
    }


MAX_CATEGORIES = max(categories_per_figure().values())


def test_the_palette_has_a_colour_for_every_category_of_every_figure():
    assert MAX_CATEGORIES == 10, categories_per_figure()
    assert len(PALETTE) >= MAX_CATEGORIES, categories_per_figure()


@pytest.mark.parametrize("vision", list(VISIONS))
def test_every_pair_of_the_first_n_colours_is_at_least_20_apart(vision):
    worst = []
    for n in range(2, MAX_CATEGORIES + 1):
        pair = closest_pair(palette(n), vision)
        assert pair.delta_e >= MIN_DELTA_E, (n, vision, PALETTE[pair.first], PALETTE[pair.second])
        worst.append(pair.delta_e)
    assert min(worst) == pytest.approx(MEASURED[vision], abs=0.05)


def test_the_measured_minimum_is_reached_by_the_whole_palette():
    whole = minimum_delta_e(palette(MAX_CATEGORIES))
    assert {v: round(p.delta_e, 1) for v, p in whole.items()} == MEASURED


def test_seaborns_colorblind_palette_fails_where_it_was_used():
    old = sns.color_palette("colorblind", 10)
    orange, vermillion = old[1], old[3]  # MSG features 2 and 4, lever and mechanism boxes
    assert closest_pair([orange, vermillion], "deuteranopia").delta_e == pytest.approx(
        10.6, abs=0.1
    )
    assert closest_pair([orange, vermillion], "normal").delta_e == pytest.approx(16.3, abs=0.1)
    assert minimum_delta_e(old)["protanopia"].delta_e < MIN_DELTA_E


def test_palette_refuses_more_categories_than_it_keeps_apart():
    assert len(palette(len(PALETTE))) == len(PALETTE)
    assert palette(0) == []
    with pytest.raises(ValueError, match="label or facet"):
        palette(len(PALETTE) + 1)


def test_the_house_style_cycles_through_the_palette():
    import matplotlib
    from matplotlib.colors import to_hex

    set_style()
    cycle = [to_hex(c) for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle == list(PALETTE)


def test_normal_vision_is_no_simulation_and_severity_0_changes_nothing():
    colours = ["#d55e00", "#0072b2", (0.2, 0.6, 0.2)]
    assert np.allclose(simulate(colours, "normal")[0], [0xD5 / 255, 0x5E / 255, 0])
    for vision in ("deuteranopia", "protanopia", "tritanopia"):
        assert np.allclose(simulate(colours, vision, severity=0), simulate(colours, "normal"))
        assert np.allclose(
            delta_e_matrix(colours, vision, severity=0), delta_e_matrix(colours, "normal")
        )


def test_red_and_green_merge_for_deuteranopes_but_not_for_tritanopes():
    red, green = "#cc3333", "#339933"
    seen = {vision: closest_pair([red, green], vision).delta_e for vision in VISIONS}
    assert seen["deuteranopia"] < 0.5 * seen["normal"]
    assert seen["protanopia"] < 0.5 * seen["normal"]
    assert seen["tritanopia"] > 0.8 * seen["normal"]
    simulated = simulate([red, green], "deuteranopia")
    assert ((simulated >= 0) & (simulated <= 1)).all()


def test_closest_pair_names_the_positions_and_the_matrix_is_symmetric():
    colours = ["#000000", "#ffffff", "#fefefe"]
    matrix = delta_e_matrix(colours, "normal")
    assert np.allclose(matrix, matrix.T) and np.allclose(np.diag(matrix), 0)
    pair = closest_pair(colours, "normal")
    assert isinstance(pair, ClosestPair) and (pair.first, pair.second) == (1, 2)
    assert pair.delta_e < 1
    assert set(minimum_delta_e(colours)) == set(VISIONS)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown vision"):
        simulate(["#000000"], "achromatopsia")
    with pytest.raises(ValueError, match="at least two"):
        closest_pair(["#000000"], "normal")
