"""Which analysed participant mentions which theme: the basis of KMI and of group emphasis.

A theme is *mentioned* by a participant when at least one of their segments is coded to it,
as primary or as secondary (dual-coded / linked) theme.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def theme_mentions(segments: pd.DataFrame, analysed_ids) -> pd.DataFrame:
    """Unique (participant_id, theme) pairs among analysed participants, sorted."""
    kept = segments[segments["participant_id"].isin(pd.Index(analysed_ids))]
    primary = kept[["participant_id", "theme"]]
    secondary = kept.loc[kept["secondary_theme"].notna(), ["participant_id", "secondary_theme"]]
    secondary = secondary.rename(columns={"secondary_theme": "theme"})
    mentions = pd.concat([primary, secondary], ignore_index=True).drop_duplicates()
    return mentions.sort_values(["participant_id", "theme"]).reset_index(drop=True)


def mention_matrix(segments: pd.DataFrame, analysed_ids, codes: list[str]) -> pd.DataFrame:
    """Boolean participants x themes matrix (every analysed participant is a row)."""
    mentions = theme_mentions(segments, analysed_ids)
    index = pd.Index(sorted(pd.Index(analysed_ids)), name="participant_id")
    rows = index.get_indexer(mentions["participant_id"])
    cols = pd.Index(codes).get_indexer(mentions["theme"])
    keep = (rows >= 0) & (cols >= 0)
    matrix = np.zeros((len(index), len(codes)), dtype=bool)
    matrix[rows[keep], cols[keep]] = True
    return pd.DataFrame(matrix, index=index, columns=codes)
