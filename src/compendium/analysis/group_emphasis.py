"""Group emphasis: the share of each participant group mentioning each theme, with tests.

The groups are the corpus's (``groups.csv``: one or more; the report's corpus has G1, G2, G3)
and the themes the codebook's, in its order.

Per theme, a test of independence between group and mention on the groups x (mentioned, not)
table: Pearson's chi-square (scipy ``chi2_contingency``) only where every expected count is at
least ``MIN_EXPECTED``; otherwise the Fisher-Freeman-Halton exact test (scipy ``fisher_exact``
with a ``PermutationMethod``: ``N_RESAMPLES`` resamples from a fixed seed), whose p-value
carries a Monte Carlo standard error sqrt(p(1 - p) / n_resamples), at most
0.5 / sqrt(n_resamples) (0.005 for 10,000 resamples).  With small groups (the report's have
11-17 participants) most themes get the exact test.  Benjamini-Hochberg correction across the
themes tested (statsmodels).  With a single group, or a theme mentioned by everyone or no one,
there is nothing to test.

Small cells are suppressed before anything is shown: a count below the threshold, or a
complement (group size minus count) below it, since group sizes are public; then secondary
suppression hides a second cell in any row with exactly one suppressed cell, so that no
suppressed cell can be recovered from the row total (the KMI, which is published).
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from scipy.stats import PermutationMethod, chi2_contingency, fisher_exact
from scipy.stats.contingency import expected_freq
from statsmodels.stats.multitest import multipletests

from compendium.analysis.mentions import mention_matrix

SUPPRESSED = "suppressed"
MIN_EXPECTED = 5  # chi-square only where every expected count reaches this
N_RESAMPLES = 10_000  # Monte Carlo standard error of an exact p-value at most 0.005
SEED = 20190208
CHI_SQUARE = "chi-square"
NO_VARIATION = "not testable (no variation)"
ONE_GROUP = "not testable (one group)"


def exact_test_name(n_resamples: int = N_RESAMPLES) -> str:
    return f"Fisher-Freeman-Halton (permutation, {n_resamples} resamples)"


def mc_standard_error(p_value: float, n_resamples: int) -> float:
    """Monte Carlo standard error of a permutation p-value: sqrt(p(1 - p) / n)."""
    return float(np.sqrt(p_value * (1 - p_value) / n_resamples))


def mc_error_bound(n_resamples: int = N_RESAMPLES) -> float:
    """The largest Monte Carlo standard error any p-value can have: 0.5 / sqrt(n)."""
    return float(0.5 / np.sqrt(n_resamples))


def theme_rng(seed: int, code: str) -> np.random.Generator:
    """One stream per theme, from the seed and the theme's code: a theme's p-value does not
    depend on which other themes are tested, or in which order."""
    return np.random.default_rng([seed, zlib.crc32(code.encode("utf-8"))])


def mention_counts(
    segments, analysed: pd.DataFrame, codes: list[str]
) -> tuple[pd.DataFrame, pd.Series]:
    """Themes x groups counts of participants mentioning, and group sizes."""
    matrix = mention_matrix(segments, analysed["participant_id"], codes)
    groups = analysed.set_index("participant_id")["group"].reindex(matrix.index)
    counts = matrix.groupby(groups).sum().T.astype("int64")
    sizes = groups.value_counts().reindex(counts.columns).astype("int64")
    return counts, sizes


def group_tests(
    counts: pd.DataFrame,
    sizes: pd.Series,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> pd.DataFrame:
    """Per theme: the test used, its statistic (chi-square only), p-value, the Monte Carlo
    standard error of an exact test's p-value, and the BH-adjusted p-value."""
    rows = []
    for code, row in counts.iterrows():
        table = np.vstack([row.to_numpy(), (sizes - row).to_numpy()])
        untested = {
            "code": code,
            "chi2": np.nan,
            "dof": 0,
            "p_value": np.nan,
            "p_value_mc_se": np.nan,
            "min_expected": np.nan,
        }
        if table.shape[1] < 2:
            rows.append(untested | {"test": ONE_GROUP})
            continue
        if (table.sum(axis=1) == 0).any():
            rows.append(untested | {"test": NO_VARIATION})
            continue
        expected = expected_freq(table)
        dof = table.shape[1] - 1
        if expected.min() >= MIN_EXPECTED:
            result = chi2_contingency(table, correction=False)
            rows.append(
                untested
                | {
                    "chi2": float(result.statistic),
                    "dof": dof,
                    "p_value": float(result.pvalue),
                    "min_expected": float(expected.min()),
                    "test": CHI_SQUARE,
                }
            )
            continue
        method = PermutationMethod(n_resamples=n_resamples, rng=theme_rng(seed, str(code)))
        p_value = float(fisher_exact(table, method=method).pvalue)
        rows.append(
            untested
            | {
                "dof": dof,
                "p_value": p_value,
                "p_value_mc_se": mc_standard_error(p_value, n_resamples),
                "min_expected": float(expected.min()),
                "test": exact_test_name(n_resamples),
            }
        )
    tests = pd.DataFrame(rows).set_index("code")
    testable = tests["p_value"].notna()
    tests["p_bh"] = np.nan
    if testable.any():
        tests.loc[testable, "p_bh"] = multipletests(
            tests.loc[testable, "p_value"], method="fdr_bh"
        )[1]
    return tests


def suppression_mask(counts: pd.DataFrame, sizes: pd.Series, threshold: int) -> pd.DataFrame:
    """True where a cell must be hidden (primary then secondary suppression)."""
    complement = sizes.to_numpy()[None, :] - counts.to_numpy()
    values = counts.to_numpy()
    primary = ((values > 0) & (values < threshold)) | ((complement > 0) & (complement < threshold))
    mask = primary.copy()
    for i in range(mask.shape[0]):
        if mask[i].sum() == 1:
            candidates = [j for j in np.argsort(values[i], kind="stable") if not mask[i, j]]
            if candidates:  # none with a single group, whose one cell is the row total
                mask[i, candidates[0]] = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def group_emphasis_table(
    counts: pd.DataFrame,
    sizes: pd.Series,
    tests: pd.DataFrame,
    names: dict[str, str],
    threshold: int,
) -> pd.DataFrame:
    mask = suppression_mask(counts, sizes, threshold)
    table = pd.DataFrame({"theme": [names[c] for c in counts.index], "code": counts.index})
    for group in counts.columns:
        n = counts[group]
        pct = (100 * n / sizes[group]).round(1)
        table[f"{group}_n"] = [
            SUPPRESSED if m else str(v) for v, m in zip(n, mask[group], strict=True)
        ]
        table[f"{group}_percent"] = [
            SUPPRESSED if m else f"{v:.1f}" for v, m in zip(pct, mask[group], strict=True)
        ]
        table[f"{group}_size"] = int(sizes[group])
    table["total_n"] = counts.sum(axis=1).to_numpy()
    # With the margins public, a row's chi-square or p-value (or the p-value's Monte Carlo
    # standard error, a function of it) can pin down its cells: a row with a suppressed cell
    # shows no test statistics either.  Which test a row used depends on the margins alone
    # (the smallest expected count), so the test's name is shown in every row.
    hidden = mask.any(axis=1).to_numpy()
    for column, values in (
        ("chi2", tests["chi2"].round(3)),
        ("p_value", tests["p_value"].round(4)),
        ("p_value_mc_se", tests["p_value_mc_se"].round(4)),
        ("p_bh", tests["p_bh"].round(4)),
    ):
        table[column] = [
            SUPPRESSED if h else ("" if pd.isna(v) else f"{v:g}")
            for h, v in zip(hidden, values, strict=True)
        ]
    table["test"] = tests["test"].to_numpy()
    table["suppressed_cells"] = mask.sum(axis=1).to_numpy()
    return table


def emphasis_summary(table: pd.DataFrame, alpha: float = 0.05) -> dict:
    """What the table shows: themes with shown tests, those below ``alpha`` after BH, and
    which themes each test was used for."""
    shown = table[~table["p_bh"].isin([SUPPRESSED, ""])]
    significant = shown.loc[pd.to_numeric(shown["p_bh"]) < alpha, "theme"].tolist()
    return {
        "themes_tested": int(len(shown)),
        "themes_differing_bh05": significant,
        "themes_tests_suppressed": int((table["p_bh"] == SUPPRESSED).sum()),
        "suppressed_cells": int(table["suppressed_cells"].sum()),
        "themes_by_test": {
            str(test): group["theme"].tolist() for test, group in table.groupby("test", sort=False)
        },
    }
