"""Table 3: hand-computed pair statistics, the banding rule and its properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compendium.analysis.intersections import (
    band,
    band_matrix,
    pair_statistics,
    sensitivity,
    theme_pairs,
)
from compendium.inputs.corpus import load_corpus

CODES = ["G", "W", "D", "F", "L", "V", "S"]


def test_pair_statistics_by_hand(tiny_corpus, codebook):
    corpus = load_corpus(tiny_corpus, codebook)
    stats = pair_statistics(corpus.segments, corpus.analysed["participant_id"], CODES, 0.5, 0.2)
    assert len(stats) == 21
    gf = stats.set_index("pair").loc["G-F"]
    # A1 links G and F in one segment; A1 and A2 mention G; only A1 mentions F.
    assert (gf.n_mentioning_a, gf.n_mentioning_b, gf.n_mentioning_both) == (2, 1, 1)
    assert gf.n_linking == 1 and gf.linked_segments == 1
    assert gf.c_presence == 0.5  # 1 / (2 + 1 - 1)
    assert gf.share_linking == round(1 / 3, 3)
    assert gf.band == "M"  # 0.333 >= 0.2
    ws = stats.set_index("pair").loc["W-S"]
    assert ws.n_linking == 1 and ws.n_mentioning_both == 1
    gw = stats.set_index("pair").loc["G-W"]
    assert gw.n_mentioning_both == 1 and gw.n_linking == 0 and gw.band == "L"


def test_presence_cannot_be_the_rule(codebook):
    """Three themes everyone mentions give c = 1 by presence, though nobody links them."""
    rows = []
    for p in range(10):
        for t in ("G", "W", "D"):
            rows.append((f"s{p}{t}", f"P{p}", t, "A", None, None))
    segments = pd.DataFrame(
        rows,
        columns=[
            "segment_id",
            "participant_id",
            "theme",
            "subtheme",
            "secondary_theme",
            "link_type",
        ],
    )
    stats = pair_statistics(segments, [f"P{p}" for p in range(10)], CODES, 0.5, 0.2).set_index(
        "pair"
    )
    for pair in ("G-W", "G-D", "W-D"):
        assert stats.at[pair, "c_presence"] == 1.0
        assert stats.at[pair, "band_if_c_presence"] == "H"
        assert stats.at[pair, "band"] == "L"


def test_link_type_filter(tiny_corpus, codebook):
    corpus = load_corpus(tiny_corpus, codebook)
    ids = corpus.analysed["participant_id"]
    only_causal = pair_statistics(corpus.segments, ids, CODES, 0.5, 0.2, ["causal"]).set_index(
        "pair"
    )
    assert only_causal.at["G-F", "n_linking"] == 1
    assert only_causal.at["W-S", "n_linking"] == 0


def test_band_thresholds_are_checked():
    with pytest.raises(ValueError):
        band([0.3], high=0.2, medium=0.4)


def test_matrix_is_symmetric_with_dash_diagonal(tiny_corpus, codebook):
    corpus = load_corpus(tiny_corpus, codebook)
    stats = pair_statistics(corpus.segments, corpus.analysed["participant_id"], CODES, 0.5, 0.2)
    matrix = band_matrix(stats, CODES).set_index("theme")
    assert list(matrix.columns) == CODES
    for a in CODES:
        assert matrix.at[a, a] == "—"
        for b in CODES:
            assert matrix.at[a, b] == matrix.at[b, a]


ORDER = {"L": 0, "M": 1, "H": 2}


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=21),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_bands_are_monotone_in_the_thresholds(shares, a, b, delta):
    medium, high = sorted((a, b))
    looser = band(shares, high, medium)
    stricter = band(shares, min(1.0, high + delta), min(medium + delta, min(1.0, high + delta)))
    assert all(ORDER[tight] <= ORDER[loose] for tight, loose in zip(stricter, looser, strict=True))
    # a larger share never gets a lower band
    order = np.argsort(shares, kind="stable")
    ranks = [ORDER[x] for x in np.asarray(looser)[order]]
    assert ranks == sorted(ranks)


def test_sensitivity_counts_changes_from_the_default():
    stats = pd.DataFrame({"share_linking": [0.1, 0.3, 0.6]})
    grid = sensitivity(stats, [0.5, 0.7], [0.2], 0.5, 0.2).set_index(["high", "medium"])
    assert grid.loc[(0.5, 0.2), "n_changed"] == 0
    assert grid.loc[(0.7, 0.2), "n_changed"] == 1  # 0.6 drops from H to M
    assert grid.loc[(0.7, 0.2), ["n_H", "n_M", "n_L"]].tolist() == [0, 2, 1]


def test_21_pairs_in_codebook_order():
    pairs = theme_pairs(CODES)
    assert len(pairs) == 21 and pairs[0] == ("G", "W") and pairs[-1] == ("V", "S")


LINK_TYPES = ["dual_coded", "causal", "constraint", "co_occurrence"]
PEOPLE = [f"P{i}" for i in range(10)]
random_segments = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.sampled_from(CODES),
        st.sampled_from(CODES + [None]),
        st.sampled_from(LINK_TYPES),
    ),
    max_size=80,
)


def segment_frame(rows) -> pd.DataFrame:
    records = []
    for i, (person, theme, second, link) in enumerate(rows):
        second = second if second != theme else None
        records.append((f"s{i}", person, theme, "A", second, link if second else None))
    columns = ["segment_id", "participant_id", "theme", "subtheme", "secondary_theme", "link_type"]
    frame = pd.DataFrame(records, columns=columns)
    return frame.astype({"secondary_theme": "string", "link_type": "string"})


@settings(max_examples=80, deadline=None)
@given(random_segments, st.sets(st.sampled_from(PEOPLE), min_size=1), random_segments)
def test_random_corpora_give_a_symmetric_table3_that_ignores_withdrawn(rows, analysed, extra):
    """Invariants over random valid corpora: symmetric matrix, counts bounded, withdrawn unseen."""
    analysed = sorted(analysed)
    segments = segment_frame(rows)
    stats = pair_statistics(segments, analysed, CODES, 0.5, 0.2)
    assert len(stats) == 21
    assert (stats["n_linking"] <= stats["n_mentioning_both"]).all()
    assert (stats["n_mentioning_both"] <= len(analysed)).all()
    assert stats["band"].isin(["H", "M", "L"]).all()
    matrix = band_matrix(stats, CODES).set_index("theme")
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    # segments of participants who are not analysed (withdrawn) change nothing
    withdrawn = segment_frame(extra)
    withdrawn = withdrawn[~withdrawn["participant_id"].isin(analysed)]
    withdrawn = withdrawn.assign(segment_id="w" + withdrawn["segment_id"])
    with_withdrawn = pd.concat([segments, withdrawn], ignore_index=True)
    pd.testing.assert_frame_equal(pair_statistics(with_withdrawn, analysed, CODES, 0.5, 0.2), stats)
