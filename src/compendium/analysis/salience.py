"""Table 2: the Key Mention Indicator (KMI) per theme, with Wilson 95% intervals.

KMI (report section 3.9) is the number and share of analysed interviews in which a theme is
raised at least once: breadth of salience, not intensity.  Intervals are Wilson score
intervals from statsmodels (``proportion_confint(method="wilson")``), which behave well at
proportions of 0 or 1, where the normal approximation collapses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from compendium.analysis.mentions import theme_mentions
from compendium.inputs.codebook import Codebook

TABLE2_COLUMNS = [
    "theme",
    "code",
    "n_mentioning",
    "n_analysed",
    "percent",
    "ci_low",
    "ci_high",
    "explains",
    "mechanism_keywords",
]


def wilson_interval(count, nobs, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval(s) for ``count`` successes out of ``nobs`` (proportions)."""
    low, high = proportion_confint(
        np.asarray(count), np.asarray(nobs), alpha=1 - confidence, method="wilson"
    )
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def kmi_counts(segments: pd.DataFrame, analysed_ids, codes: list[str]) -> pd.Series:
    """Number of analysed participants mentioning each theme, in codebook order."""
    mentions = theme_mentions(segments, analysed_ids)
    return mentions["theme"].value_counts().reindex(codes, fill_value=0).astype("int64")


def kmi_table(
    segments: pd.DataFrame, analysed_ids, codebook: Codebook, confidence: float = 0.95
) -> pd.DataFrame:
    """Table 2: KMI per theme in published order, percentages to one decimal."""
    codes = codebook.codes
    n_analysed = len(pd.Index(analysed_ids))
    counts = kmi_counts(segments, analysed_ids, codes)
    low, high = wilson_interval(counts.to_numpy(), n_analysed, confidence)
    themes = codebook.themes.set_index("code").loc[codes]
    table = pd.DataFrame(
        {
            "theme": themes["table2_name"].to_numpy(),
            "code": codes,
            "n_mentioning": counts.to_numpy(),
            "n_analysed": n_analysed,
            "percent": np.round(100 * counts.to_numpy() / n_analysed, 1),
            "ci_low": np.round(100 * low, 1),
            "ci_high": np.round(100 * high, 1),
            "explains": themes["explains"].to_numpy(),
            "mechanism_keywords": themes["mechanism_keywords"].to_numpy(),
        }
    )
    return table[TABLE2_COLUMNS]
