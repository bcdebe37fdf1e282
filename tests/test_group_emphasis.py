"""Group emphasis tests: chi-square where every expected count is at least 5, otherwise the
Fisher-Freeman-Halton exact test by permutation, with a fixed seed and its Monte Carlo error."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.multitest import multipletests

from compendium.analysis.group_emphasis import (
    CHI_SQUARE,
    N_RESAMPLES,
    NO_VARIATION,
    ONE_GROUP,
    SUPPRESSED,
    emphasis_summary,
    exact_test_name,
    group_emphasis_table,
    group_tests,
    mc_error_bound,
)

FEW = 2_000  # resamples where the test is not about the Monte Carlo error (0.7 s per 10,000)


def frames(mentioned: dict[str, list[int]], sizes: dict[str, int], codes=("A",)):
    return pd.DataFrame(mentioned, index=list(codes)), pd.Series(sizes)


def test_the_default_resamples_keep_the_monte_carlo_error_within_0_005():
    assert N_RESAMPLES == 10_000
    assert mc_error_bound(N_RESAMPLES) == pytest.approx(0.005)
    assert mc_error_bound(N_RESAMPLES) <= 0.005 + 1e-12
    assert exact_test_name() == "Fisher-Freeman-Halton (permutation, 10000 resamples)"


def test_2x2_permutation_p_agrees_with_fishers_exact_p_within_three_standard_errors():
    # mentioned 6 of 7 in G1 and 2 of 6 in G2: the table [[6, 2], [1, 4]] of SciPy's notes,
    # whose exact two-sided p is 0.0163 + 0.0816 + 0.00466 = 0.10256 (4/39)
    counts, sizes = frames({"G1": [6], "G2": [2]}, {"G1": 7, "G2": 6})
    exact = fisher_exact([[6, 2], [1, 4]]).pvalue  # method=None: the exact hypergeometric p
    assert exact == pytest.approx(4 / 39)
    row = group_tests(counts, sizes).loc["A"]
    assert row["test"] == exact_test_name(N_RESAMPLES)  # expected counts 2.3-3.7 < 5
    se = math.sqrt(exact * (1 - exact) / N_RESAMPLES)
    assert abs(row["p_value"] - exact) <= 3 * se
    assert row["p_value_mc_se"] == pytest.approx(
        math.sqrt(row["p_value"] * (1 - row["p_value"]) / N_RESAMPLES)
    )
    assert row["p_value_mc_se"] <= mc_error_bound(N_RESAMPLES)
    assert np.isnan(row["chi2"])


def test_3x2_table_with_small_expected_counts_gets_the_exact_test():
    # 3 groups of 11-17: 14/16, 5/11, 15/17 mention; the not-mentioning row expects 2.5-3.9
    counts, sizes = frames({"G1": [14], "G2": [5], "G3": [15]}, {"G1": 16, "G2": 11, "G3": 17})
    row = group_tests(counts, sizes, n_resamples=FEW, seed=1).loc["A"]
    assert row["min_expected"] < 5
    assert row["test"] == "Fisher-Freeman-Halton (permutation, 2000 resamples)"
    assert 0 < row["p_value"] < 0.05  # G2 stands out
    assert 0 < row["p_value_mc_se"] <= mc_error_bound(FEW)
    assert np.isnan(row["chi2"]) and row["dof"] == 2


def test_table_with_every_expected_count_at_least_5_gets_chi_square():
    counts, sizes = frames({"G1": [12], "G2": [5], "G3": [10]}, {"G1": 20, "G2": 20, "G3": 20})
    row = group_tests(counts, sizes).loc["A"]
    table = np.array([[12, 5, 10], [8, 15, 10]])
    expected = chi2_contingency(table, correction=False)
    assert expected.expected_freq.min() >= 5
    assert row["test"] == CHI_SQUARE
    assert row["chi2"] == pytest.approx(expected.statistic)
    assert row["p_value"] == pytest.approx(expected.pvalue)
    assert np.isnan(row["p_value_mc_se"])  # no Monte Carlo error: not a resampling test


def test_the_seed_makes_the_exact_p_value_reproducible():
    counts, sizes = frames({"G1": [14], "G2": [7], "G3": [15]}, {"G1": 16, "G2": 11, "G3": 17})
    first = group_tests(counts, sizes, n_resamples=FEW, seed=7)
    second = group_tests(counts, sizes, n_resamples=FEW, seed=7)
    assert first.loc["A", "test"].startswith("Fisher-Freeman-Halton")
    assert first.loc["A", "p_value"] == second.loc["A", "p_value"]
    pd.testing.assert_frame_equal(first, second)
    other = group_tests(counts, sizes, n_resamples=FEW, seed=8)
    assert other.loc["A", "p_value"] != first.loc["A", "p_value"]  # the seed is what fixes it


def test_a_themes_p_value_does_not_depend_on_the_other_themes():
    counts, sizes = frames(
        {"G1": [14, 10], "G2": [7, 3], "G3": [15, 12]},
        {"G1": 16, "G2": 11, "G3": 17},
        codes=("A", "B"),
    )
    both = group_tests(counts, sizes, n_resamples=FEW)
    alone = group_tests(counts.loc[["B"]], sizes, n_resamples=FEW)
    assert both.loc["B", "p_value"] == alone.loc["B", "p_value"]


def test_bh_adjusts_chi_square_and_exact_p_values_together_and_test_column_names_each():
    # A: every expected count >= 5; B: 5 of G2 do not mention (expected 1.7); C: all mention
    counts, sizes = frames(
        {"G1": [12, 20, 20], "G2": [5, 15, 20], "G3": [10, 20, 20]},
        {"G1": 20, "G2": 20, "G3": 20},
        codes=("A", "B", "C"),
    )
    tests = group_tests(counts, sizes, n_resamples=FEW)
    assert tests["test"].tolist() == [CHI_SQUARE, exact_test_name(FEW), NO_VARIATION]
    tested = tests["p_value"].notna()
    assert tested.tolist() == [True, True, False]
    adjusted = multipletests(tests.loc[tested, "p_value"], method="fdr_bh")[1]
    assert tests.loc[tested, "p_bh"].tolist() == pytest.approx(list(adjusted))
    table = group_emphasis_table(counts, sizes, tests, {"A": "a", "B": "b", "C": "c"}, 5)
    assert table["test"].tolist() == [CHI_SQUARE, exact_test_name(FEW), NO_VARIATION]
    assert table.loc[1, "p_value_mc_se"] not in ("", SUPPRESSED)
    assert table.loc[0, "p_value_mc_se"] == ""  # chi-square: no Monte Carlo error
    assert emphasis_summary(table)["themes_by_test"] == {
        CHI_SQUARE: ["a"],
        exact_test_name(FEW): ["b"],
        NO_VARIATION: ["c"],
    }


def test_a_suppressed_row_hides_the_exact_p_value_and_its_standard_error():
    # G2: 9 of 11 mention, complement 2 < 5: suppressed (and a second cell with it)
    counts, sizes = frames({"G1": [14], "G2": [9], "G3": [15]}, {"G1": 16, "G2": 11, "G3": 17})
    tests = group_tests(counts, sizes, n_resamples=FEW)
    assert tests.loc["A", "test"] == exact_test_name(FEW)
    table = group_emphasis_table(counts, sizes, tests, {"A": "a"}, 5)
    row = table.iloc[0]
    assert row["suppressed_cells"] >= 2
    for column in ("chi2", "p_value", "p_value_mc_se", "p_bh"):
        assert row[column] == SUPPRESSED, column
    assert row["test"] == exact_test_name(FEW)  # depends on the public margins only
    summary = emphasis_summary(table)
    assert summary["themes_tested"] == 0 and summary["themes_tests_suppressed"] == 1


def test_one_group_is_not_tested_and_says_so():
    counts, sizes = frames({"G1": [10, 3]}, {"G1": 16}, codes=("A", "B"))
    tests = group_tests(counts, sizes)
    assert tests["test"].tolist() == [ONE_GROUP, ONE_GROUP]
    assert tests[["chi2", "p_value", "p_value_mc_se", "p_bh"]].isna().all().all()
    table = group_emphasis_table(counts, sizes, tests, {"A": "a", "B": "b"}, 5)
    assert table["test"].tolist() == [ONE_GROUP, ONE_GROUP]
    assert emphasis_summary(table)["themes_tested"] == 0


def test_two_groups_and_many_themes():
    rng = np.random.default_rng(3)
    codes = [f"T{i}" for i in range(9)]
    sizes = pd.Series({"G1": 30, "G2": 25})
    counts = pd.DataFrame({"G1": rng.integers(1, 30, 9), "G2": rng.integers(1, 25, 9)}, index=codes)
    tests = group_tests(counts, sizes, n_resamples=200)
    assert len(tests) == 9 and tests["p_value"].notna().all()
    assert set(tests["test"]) <= {CHI_SQUARE, exact_test_name(200)}
    assert (tests["dof"] == 1).all()
