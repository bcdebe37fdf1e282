"""The 25 MSG proposals (February 2019), their six Audit Scotland features and timescales.

The counts per feature are rebuilt from the proposals and set beside the counts the Orkney
IJB paper prints.  The crosswalk of each proposal to the report's seven themes is the
compendium's own coding (``data/documents/msg_theme_crosswalk.csv``, with a rationale per row).
"""

from __future__ import annotations

import re

import pandas as pd

PROPOSAL_COLUMNS = ["number", "feature", "proposal", "timescale", "due"]

_MONTHS = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?months?\s*$", re.IGNORECASE)


def proposals_table(proposals: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Proposals in number order with their feature name and due date (``due``)."""
    named = proposals.merge(features[["feature_id", "feature"]], on="feature_id", how="left")
    named = named.rename(columns={"due_date": "due"}).sort_values("number")
    return named[["feature_id", *PROPOSAL_COLUMNS]].reset_index(drop=True)


def feature_counts(proposals: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Per feature: proposals counted from the table, the printed count, and whether they agree."""
    counted = proposals.groupby("feature_id").size()
    out = features.sort_values("feature_id")[
        ["feature_id", "feature", "n_proposals_printed"]
    ].copy()
    out.insert(2, "n_proposals", out["feature_id"].map(counted).fillna(0).astype(int))
    printed = out["n_proposals_printed"]
    out["matches_printed"] = (printed.isna() | (printed == out["n_proposals"])).astype(bool)
    return out.reset_index(drop=True)


def timescale_months(timescale: pd.Series) -> pd.DataFrame:
    """``min_months``/``max_months`` for timescales printed as "N months" or "N - M months".

    Timescales given as dates or events ("By 1st April 2019 ...") give empty values.
    """
    parts = timescale.fillna("").str.strip().str.rstrip(".").str.extract(_MONTHS)
    low = pd.to_numeric(parts[0], errors="coerce").astype("Int64")
    high = pd.to_numeric(parts[1], errors="coerce").astype("Int64").fillna(low)
    return pd.DataFrame({"min_months": low, "max_months": high}, index=timescale.index)


def gantt_table(table: pd.DataFrame, published: str) -> pd.DataFrame:
    """Bars from the publication date: ``start``, ``earliest`` (range start) and ``due``.

    ``recurring`` marks timescales that repeat every year ("thereafter each year"), ``open``
    those that run on ("onwards").
    """
    out = table.copy()
    start = pd.Timestamp(published)
    months = timescale_months(out["timescale"])
    out["start"] = start
    out["due"] = pd.to_datetime(out["due"], format="%Y-%m-%d")
    earliest = pd.Series(
        [
            start + pd.DateOffset(months=int(m)) if pd.notna(m) else pd.NaT
            for m in months["min_months"]
        ],
        index=out.index,
        dtype="datetime64[ns]",
    )
    out["earliest"] = earliest.fillna(out["due"])
    text = out["timescale"].fillna("").str.lower()
    out["recurring"] = text.str.contains("each year|every year|annually", regex=True)
    out["open"] = text.str.contains("onwards")
    return out


def crosswalk_long(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """One row per (proposal number, theme code)."""
    pairs = crosswalk.assign(theme=crosswalk["themes"].str.split()).explode("theme")
    return pairs[["number", "theme"]].reset_index(drop=True)


def feature_theme_matrix(
    proposals: pd.DataFrame, crosswalk: pd.DataFrame, features: pd.DataFrame, codes: list[str]
) -> pd.DataFrame:
    """Features x themes: how many proposals of each feature the crosswalk codes to each theme."""
    pairs = crosswalk_long(crosswalk).merge(proposals[["number", "feature_id"]], on="number")
    matrix = pd.crosstab(pairs["feature_id"], pairs["theme"])
    matrix = matrix.reindex(index=features["feature_id"].sort_values(), columns=codes).fillna(0)
    matrix = matrix.astype(int)
    matrix.columns.name = None
    named = features.set_index("feature_id")["feature"]
    matrix.insert(0, "feature", matrix.index.map(named))
    return matrix.reset_index()


def theme_totals(crosswalk: pd.DataFrame, codes: list[str]) -> pd.Series:
    """Number of proposals coded to each theme (a proposal may carry several)."""
    counts = crosswalk_long(crosswalk)["theme"].value_counts()
    return counts.reindex(codes, fill_value=0).astype(int)
