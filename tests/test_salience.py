"""KMI and Wilson intervals: hand-computed cases and properties."""

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from compendium.analysis.mentions import theme_mentions
from compendium.analysis.salience import kmi_counts, kmi_table, wilson_interval
from compendium.inputs.corpus import load_corpus

CODES = ["G", "W", "D", "F", "L", "V", "S"]


def test_kmi_counts_by_hand(tiny_corpus, codebook):
    corpus = load_corpus(tiny_corpus, codebook)
    counts = kmi_counts(corpus.segments, corpus.analysed["participant_id"], codebook.codes)
    # G: A1, A2; W: A1 (primary), A3 (secondary); F: A1 (secondary); S: A3.
    assert counts.to_dict() == {"G": 2, "W": 2, "D": 0, "F": 1, "L": 0, "V": 0, "S": 1}


def test_kmi_table_percent_and_order(tiny_corpus, codebook):
    corpus = load_corpus(tiny_corpus, codebook)
    table = kmi_table(corpus.segments, corpus.analysed["participant_id"], codebook)
    assert table["code"].tolist() == CODES
    assert table.loc[table["code"] == "G", "percent"].item() == 66.7
    assert table.loc[table["code"] == "F", "percent"].item() == 33.3
    assert (table["n_analysed"] == 3).all()


def test_wilson_interval_by_hand():
    # 44/44 with z = 1.959964: lower bound = n / (n + z^2)
    z = 1.959963984540054
    z2 = z**2
    low, high = wilson_interval(44, 44)
    assert math.isclose(low.item(), 44 / (44 + z2), rel_tol=1e-9)
    assert math.isclose(high.item(), 1.0)
    # 37/44 by the closed form
    p, n = 37 / 44, 44
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low, high = wilson_interval(37, 44)
    assert math.isclose(low.item(), centre - half, rel_tol=1e-9)
    assert math.isclose(high.item(), centre + half, rel_tol=1e-9)


segments_strategy = st.lists(
    st.tuples(
        st.sampled_from([f"P{i}" for i in range(8)]),
        st.sampled_from(CODES),
        st.sampled_from(CODES + [None]),
    ),
    max_size=60,
)


def frame(rows):
    return pd.DataFrame(
        [(f"s{i}", p, t, "A", s if s != t else None) for i, (p, t, s) in enumerate(rows)],
        columns=["segment_id", "participant_id", "theme", "subtheme", "secondary_theme"],
    )


@settings(max_examples=80, deadline=None)
@given(segments_strategy, st.sets(st.sampled_from([f"P{i}" for i in range(8)]), min_size=1))
def test_kmi_never_exceeds_analysed_and_ignores_the_others(rows, analysed):
    segments = frame(rows)
    counts = kmi_counts(segments, sorted(analysed), CODES)
    assert (counts <= len(analysed)).all()
    withdrawn_only = segments[~segments["participant_id"].isin(analysed)]
    assert kmi_counts(withdrawn_only, sorted(analysed), CODES).sum() == 0


@settings(max_examples=60, deadline=None)
@given(segments_strategy, st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(rows, rnd):
    segments = frame(rows)
    analysed = sorted(set(segments["participant_id"])) or ["P0"]
    shuffled = segments.sample(frac=1, random_state=rnd.randint(0, 10**6))
    a = kmi_counts(segments, analysed, CODES)
    b = kmi_counts(shuffled, analysed, CODES)
    pd.testing.assert_series_equal(a, b)
    pd.testing.assert_frame_equal(
        theme_mentions(segments, analysed), theme_mentions(shuffled, analysed)
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_interval_contains_the_estimate(k, n):
    k = min(k, n)
    low, high = wilson_interval(k, n)
    assert 0 <= low <= high <= 1
    assert low - 1e-9 <= k / n <= high + 1e-9
    assert np.isfinite([low, high]).all()
