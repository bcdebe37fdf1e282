"""Inter-coder agreement per theme: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

The first coder is the corpus itself (``segments.csv``: a segment carries its ``theme`` and, if
linked, its ``secondary_theme``).  Further coders are in ``second_coding.csv`` in the corpus
folder (read by :mod:`compendium.inputs.second_coding`), one row per (segment, coder, theme)
a coder assigned; a row with an empty ``theme`` records that the coder read the segment and
assigned no theme (format: ``docs/refi_qda_mapping.md``).  A coder only counts for the
segments it has rows for.

The unit of agreement is, by default, the **segment**: for each theme and each unit, a coder
either assigns the theme (1) or not (0), so each theme is a binary rating.  With
``unit="participant"`` the unit is the participant (does the coder assign the theme to any of
the participant's doubly-coded segments?), the level at which KMI counts mentions.

* Cohen's kappa (two coders): ``statsmodels.stats.inter_rater.cohens_kappa`` on the 2x2 table
  of presence, with its asymptotic 95 % confidence interval.
* Fleiss' kappa (more than two coders, units coded by all): ``fleiss_kappa``; 95 % interval by
  bootstrap over units.
* Krippendorff's alpha (nominal, any number of coders, missing ratings allowed): the
  ``krippendorff`` package; 95 % interval by bootstrap over units with a fixed seed.

A theme is flagged when its kappa (Cohen's for two coders, Fleiss' for more) or its alpha is
below ``threshold``, or cannot be computed (no variation: every unit rated the same).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from compendium.inputs.second_coding import COLUMNS, PRIMARY


def coding_long(segments: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """All coders' coding as (segment_id, participant_id, coder, theme); theme may be NA."""
    primary = pd.concat(
        [
            segments[["segment_id", "participant_id", "theme"]],
            segments[["segment_id", "participant_id", "secondary_theme"]]
            .rename(columns={"secondary_theme": "theme"})
            .dropna(subset=["theme"]),
        ]
    )
    primary = primary[primary["theme"].astype("string").fillna("") != ""].assign(coder=PRIMARY)
    other = second.merge(segments[["segment_id", "participant_id"]], on="segment_id", how="left")
    other = other.assign(theme=other["theme"].replace("", pd.NA))
    columns = ["segment_id", "participant_id", "coder", "theme"]
    return pd.concat([primary[columns], other[columns]], ignore_index=True)


def presence(long: pd.DataFrame, themes: list[str], unit: str = "segment") -> pd.DataFrame:
    """0/1 presence per (unit, coder) and theme; NaN where a coder did not code the unit.

    Rows: a MultiIndex (unit id, coder); columns: themes.  Only units coded by the primary
    coder and at least one other coder are kept.
    """
    if unit not in ("segment", "participant"):
        raise ValueError("unit must be 'segment' or 'participant'")
    key = "segment_id" if unit == "segment" else "participant_id"
    if unit == "participant":
        doubly = long.loc[long["coder"] != PRIMARY, "segment_id"].unique()
        long = long[long["segment_id"].isin(doubly)]
    coded = long[[key, "coder"]].drop_duplicates()
    per_unit = coded.groupby(key)["coder"].nunique()
    keep = per_unit.index[per_unit >= 2]
    coded = coded[coded[key].isin(keep)]
    hits = long.dropna(subset=["theme"])
    hits = hits[hits[key].isin(keep)]
    table = pd.crosstab([hits[key], hits["coder"]], hits["theme"]).clip(upper=1)
    index = pd.MultiIndex.from_frame(coded.sort_values([key, "coder"]), names=["unit", "coder"])
    table.index = table.index.set_names(["unit", "coder"])
    return table.reindex(index=index, columns=themes, fill_value=0).astype(float)


def _ratings(table: pd.DataFrame, theme: str) -> pd.DataFrame:
    """Units x coders matrix of 0/1 (NaN: not coded) for one theme."""
    return table[theme].unstack("coder")


def cohen(a: np.ndarray, b: np.ndarray) -> dict:
    """Cohen's kappa of two 0/1 vectors via statsmodels, with its 95 % interval."""
    from statsmodels.stats.inter_rater import cohens_kappa

    both = np.array(
        [
            [np.sum((a == 1) & (b == 1)), np.sum((a == 1) & (b == 0))],
            [np.sum((a == 0) & (b == 1)), np.sum((a == 0) & (b == 0))],
        ],
        dtype=float,
    )
    n = both.sum()
    agreement = float(np.trace(both) / n) if n else np.nan
    expected = (both.sum(0) * both.sum(1)).sum() / n**2 if n else np.nan
    if not n or np.isclose(expected, 1.0):
        return {"n": int(n), "agreement": agreement, "kappa": np.nan, "low": np.nan, "high": np.nan}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = cohens_kappa(both, return_results=True)
    return {
        "n": int(n),
        "agreement": agreement,
        "kappa": float(res.kappa),
        "low": float(res.kappa_low),
        "high": float(res.kappa_upp),
    }


def fleiss(ratings: np.ndarray) -> float:
    """Fleiss' kappa of a units x coders 0/1 matrix with no missing value."""
    from statsmodels.stats.inter_rater import fleiss_kappa

    ones = ratings.sum(axis=1)
    counts = np.column_stack([ratings.shape[1] - ones, ones])
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(fleiss_kappa(counts, method="fleiss"))
    return value if np.isfinite(value) else np.nan


def alpha(ratings: np.ndarray) -> float:
    """Krippendorff's nominal alpha of a coders x units matrix (NaN = missing)."""
    import krippendorff

    values = ratings[~np.isnan(ratings)]
    if values.size == 0 or np.unique(values).size < 2:
        return np.nan
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(krippendorff.alpha(reliability_data=ratings, level_of_measurement="nominal"))
    return value if np.isfinite(value) else np.nan


def bootstrap(statistic, matrix: np.ndarray, n_boot: int, seed: int, level: float = 0.95):
    """Percentile interval of ``statistic`` over units (rows of ``matrix``) resampled."""
    rng = np.random.default_rng(seed)
    n = matrix.shape[0]
    if n < 2 or n_boot < 1:
        return np.nan, np.nan
    values = []
    for _ in range(n_boot):
        value = statistic(matrix[rng.integers(0, n, n)])
        if np.isfinite(value):
            values.append(value)
    if len(values) < max(10, n_boot // 10):
        return np.nan, np.nan
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


TWO_CODER_COLUMNS = [
    "theme",
    "unit",
    "n_units",
    "n_coders",
    "observed_agreement",
    "cohen_kappa",
    "cohen_low",
    "cohen_high",
    "alpha",
    "alpha_low",
    "alpha_high",
    "flag",
]


def agreement_by_theme(
    segments: pd.DataFrame,
    second: pd.DataFrame,
    themes: list[str],
    *,
    threshold: float = 0.6,
    unit: str = "segment",
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per theme: units, coders, agreement statistics with 95 % intervals, and a flag.

    Without a second coding (``second`` is None) the table has no rows.
    """
    if second is None or second.empty:
        return pd.DataFrame(columns=TWO_CODER_COLUMNS)
    table = presence(coding_long(segments, second), themes, unit)
    coders = sorted(table.index.get_level_values("coder").unique(), key=lambda c: (c != PRIMARY, c))
    rows = []
    for theme in themes:
        ratings = _ratings(table, theme).reindex(columns=coders)
        row = {"theme": theme, "unit": unit, "n_units": len(ratings), "n_coders": len(coders)}
        if len(coders) == 2:
            pair = ratings.dropna()
            stats = cohen(pair.iloc[:, 0].to_numpy(), pair.iloc[:, 1].to_numpy())
            row |= {
                "observed_agreement": stats["agreement"],
                "cohen_kappa": stats["kappa"],
                "cohen_low": stats["low"],
                "cohen_high": stats["high"],
            }
        if len(coders) > 2:
            complete = ratings.dropna().to_numpy()
            row["fleiss_kappa"] = fleiss(complete) if len(complete) else np.nan
            row["fleiss_low"], row["fleiss_high"] = bootstrap(fleiss, complete, n_boot, seed)
        matrix = ratings.to_numpy()
        row["alpha"] = alpha(matrix.T)
        row["alpha_low"], row["alpha_high"] = bootstrap(lambda m: alpha(m.T), matrix, n_boot, seed)
        kappa = row.get("cohen_kappa", row.get("fleiss_kappa"))
        row["flag"] = bool(
            not np.isfinite(kappa)
            or not np.isfinite(row["alpha"])
            or kappa < threshold
            or row["alpha"] < threshold
        )
        rows.append(row)
    return pd.DataFrame(rows)


def generated_with(descriptor: dict) -> dict | None:
    """How a synthetic second coding was generated (None for a real one).

    The surrogate's descriptor records, on its ``second_coding`` resource, the disagreement
    rate, share of transcripts and seed it was generated with (``compendium surrogate``).
    """
    for resource in descriptor.get("resources", []):
        if resource.get("name") == "second_coding" and "generated_with" in resource:
            return dict(resource["generated_with"])
    return None


def primary_theme_disagreement(segments: pd.DataFrame, second: pd.DataFrame | None) -> pd.DataFrame:
    """Per other coder: segments coded, and the share whose primary theme it did not assign.

    This is the quantity the surrogate's ``disagreement_rate`` sets, so on the surrogate it
    checks the generator; on real data it is a plain, theme-free summary of disagreement.
    """
    if second is None:
        second = pd.DataFrame(columns=COLUMNS)
    coded = second[["segment_id", "coder"]].drop_duplicates()
    assigned = second.merge(segments[["segment_id", "theme"]], on=["segment_id", "theme"])
    kept = assigned[["segment_id", "coder"]].drop_duplicates().assign(kept=True)
    merged = coded.merge(kept, on=["segment_id", "coder"], how="left")
    merged["kept"] = merged["kept"].astype("boolean").fillna(False).astype(bool)
    out = merged.groupby("coder").agg(segments=("segment_id", "size"), kept=("kept", "sum"))
    out["primary_disagreement"] = 1 - out["kept"] / out["segments"]
    participants = second.merge(segments[["segment_id", "participant_id"]], on="segment_id")
    out["participants"] = participants.groupby("coder")["participant_id"].nunique()
    return out.reset_index()[["coder", "participants", "segments", "primary_disagreement"]]


def agreement_summary(table: pd.DataFrame, threshold: float) -> dict:
    """What the report and the notebook's narrative say about the per-theme table."""
    if table.empty:
        return {"available": False, "threshold": threshold, "themes_flagged": []}
    kappa = table["cohen_kappa"] if "cohen_kappa" in table else table["fleiss_kappa"]
    return {
        "available": True,
        "threshold": threshold,
        "unit": str(table["unit"].iloc[0]),
        "units": int(table["n_units"].iloc[0]),
        "coders": int(table["n_coders"].iloc[0]),
        "kappa_statistic": "Cohen" if "cohen_kappa" in table else "Fleiss",
        "kappa_min": float(kappa.min()),
        "kappa_max": float(kappa.max()),
        "alpha_min": float(table["alpha"].min()),
        "alpha_max": float(table["alpha"].max()),
        "themes_flagged": table.loc[table["flag"], "theme"].tolist(),
    }


def generator_check(generator: dict | None, by_coder: pd.DataFrame) -> dict | None:
    """Compare a synthetic coder's measured primary-theme disagreement with its set rate.

    Returns the rate, the measured share, the binomial standard error of a share at that rate
    over the segments coded, and the difference in standard errors (None for real coding).
    """
    if generator is None or by_coder.empty:
        return None
    row = by_coder.iloc[0]
    rate = float(generator["disagreement_rate"])
    se = float(np.sqrt(rate * (1 - rate) / row["segments"]))
    measured = float(row["primary_disagreement"])
    return {
        "coder": str(row["coder"]),
        "rate_set": rate,
        "measured": measured,
        "segments": int(row["segments"]),
        "standard_error": se,
        "z": (measured - rate) / se if se > 0 else 0.0,
    }
