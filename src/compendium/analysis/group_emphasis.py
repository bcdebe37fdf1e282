"""Group emphasis: the share of each group (G1/G2/G3) mentioning each theme, with tests.

Per theme, a chi-square test of independence between group and mention (scipy) with
Benjamini-Hochberg correction across themes (statsmodels). Small cells are suppressed before
anything is shown: a count below the threshold, or a complement (group size minus count)
below it, since group sizes are public; then secondary suppression hides a second cell in any
row with exactly one suppressed cell, so that no suppressed cell can be recovered from the
row total (the KMI, which is published).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests

from compendium.analysis.mentions import mention_matrix

SUPPRESSED = "suppressed"


def mention_counts(
    segments, analysed: pd.DataFrame, codes: list[str]
) -> tuple[pd.DataFrame, pd.Series]:
    """Themes x groups counts of participants mentioning, and group sizes."""
    matrix = mention_matrix(segments, analysed["participant_id"], codes)
    groups = analysed.set_index("participant_id")["group"].reindex(matrix.index)
    counts = matrix.groupby(groups).sum().T.astype("int64")
    sizes = groups.value_counts().reindex(counts.columns).astype("int64")
    return counts, sizes


def group_tests(counts: pd.DataFrame, sizes: pd.Series) -> pd.DataFrame:
    rows = []
    for code, row in counts.iterrows():
        table = np.vstack([row.to_numpy(), (sizes - row).to_numpy()])
        if (table.sum(axis=1) == 0).any():
            rows.append(
                {
                    "code": code,
                    "chi2": np.nan,
                    "dof": 0,
                    "p_value": np.nan,
                    "min_expected": np.nan,
                    "test": "not testable (no variation)",
                }
            )
            continue
        result = chi2_contingency(table, correction=False)
        rows.append(
            {
                "code": code,
                "chi2": float(result.statistic),
                "dof": int(result.dof),
                "p_value": float(result.pvalue),
                "min_expected": float(result.expected_freq.min()),
                "test": "chi-square"
                + (" (expected < 5: read with caution)" if result.expected_freq.min() < 5 else ""),
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
    # With the margins public, a row's chi-square (or p-value) can pin down its cells: a row
    # with a suppressed cell shows no test statistics either.
    hidden = mask.any(axis=1).to_numpy()
    for column, values in (
        ("chi2", tests["chi2"].round(3)),
        ("p_value", tests["p_value"].round(4)),
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
    """What the table shows: themes with shown tests, and those below ``alpha`` after BH."""
    shown = table[~table["p_bh"].isin([SUPPRESSED, ""])]
    significant = shown.loc[pd.to_numeric(shown["p_bh"]) < alpha, "theme"].tolist()
    return {
        "themes_tested": int(len(shown)),
        "themes_differing_bh05": significant,
        "themes_tests_suppressed": int((table["p_bh"] == SUPPRESSED).sum()),
        "suppressed_cells": int(table["suppressed_cells"].sum()),
    }
