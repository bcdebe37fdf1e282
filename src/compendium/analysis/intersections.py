"""Table 3: the themes intersection matrix, with its banding rule made explicit.

The report prints H/M/L bands (section 4.3) but not the rule that produced them. Here the band
of a pair of themes rests on **segment-level linkage counted per participant**: the number of
analysed participants with at least one segment that links the two themes (dual-coded under
the codebook's boundary rules, or explicitly linked: causal, constraint, co-occurrence).
A pair is H when that share reaches ``high``, M when it reaches ``medium``, L otherwise.

Participant-level co-presence (both themes mentioned somewhere in the transcript) and the
QDA tools' co-occurrence coefficient c = n12 / (n1 + n2 - n12) are computed beside it to show
why they cannot be the rule: with three themes mentioned by every participant, co-presence
puts G-W, G-D and W-D at the top (c = 1) although the report prints M for them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from compendium.analysis.mentions import mention_matrix

DIAGONAL = "—"
BANDS = ("H", "M", "L")


def theme_pairs(codes: list[str]) -> list[tuple[str, str]]:
    """The 21 unordered pairs, each in codebook order."""
    return list(itertools.combinations(codes, 2))


def _pair_keys(first: pd.Series, second: pd.Series, codes: list[str]) -> pd.Series:
    """'a|b' with a before b in codebook order, vectorised."""
    rank = {code: i for i, code in enumerate(codes)}
    r1, r2 = first.map(rank), second.map(rank)
    low = first.where(r1 <= r2, second)
    high = second.where(r1 <= r2, first)
    return low + "|" + high


def linked_segments(
    segments: pd.DataFrame, analysed_ids, codes: list[str], link_types=None
) -> pd.DataFrame:
    """Segments of analysed participants that link two themes, with their pair key."""
    kept = segments[
        segments["participant_id"].isin(pd.Index(analysed_ids))
        & segments["secondary_theme"].notna()
    ]
    if link_types is not None:
        kept = kept[kept["link_type"].isin(list(link_types))]
    pair = _pair_keys(kept["theme"], kept["secondary_theme"], codes)
    return kept.assign(pair=pair.to_numpy())[["participant_id", "pair", "link_type"]]


def band(share, high: float, medium: float) -> np.ndarray:
    """H when share >= high, M when share >= medium, else L (vectorised)."""
    if not 0 <= medium <= high <= 1:
        raise ValueError(f"thresholds must satisfy 0 <= medium <= high <= 1 (got {medium}, {high})")
    share = np.asarray(share, dtype=float)
    return np.select([share >= high, share >= medium], ["H", "M"], default="L")


def pair_statistics(
    segments: pd.DataFrame,
    analysed_ids,
    codes: list[str],
    high: float,
    medium: float,
    link_types=None,
) -> pd.DataFrame:
    """Per pair: presence-based and linkage-based counts, shares, c-coefficients and bands."""
    analysed_ids = pd.Index(analysed_ids)
    n = len(analysed_ids)
    present = mention_matrix(segments, analysed_ids, codes).to_numpy(dtype=np.int64)
    both = present.T @ present  # participants mentioning both themes
    links = linked_segments(segments, analysed_ids, codes, link_types)
    linked_people = links.drop_duplicates(["participant_id", "pair"])["pair"].value_counts()
    linked_count = links["pair"].value_counts()

    # Segment-level c-coefficient over all coded segments (primary or secondary code).
    kept = segments[segments["participant_id"].isin(analysed_ids)]
    seg_with = {
        code: int(((kept["theme"] == code) | (kept["secondary_theme"] == code)).sum())
        for code in codes
    }
    rows = []
    index = {code: i for i, code in enumerate(codes)}
    for a, b in theme_pairs(codes):
        key = f"{a}|{b}"
        n_a, n_b = int(both[index[a], index[a]]), int(both[index[b], index[b]])
        n_ab = int(both[index[a], index[b]])
        n_linked = int(linked_people.get(key, 0))
        n_seg = int(linked_count.get(key, 0))
        union = n_a + n_b - n_ab
        seg_union = seg_with[a] + seg_with[b] - n_seg
        rows.append(
            {
                "pair": f"{a}-{b}",
                "theme_a": a,
                "theme_b": b,
                "n_analysed": n,
                "n_mentioning_a": n_a,
                "n_mentioning_b": n_b,
                "n_mentioning_both": n_ab,
                "share_mentioning_both": round(n_ab / n, 3) if n else 0.0,
                "c_presence": round(n_ab / union, 3) if union else 0.0,
                "n_linking": n_linked,
                "share_linking": round(n_linked / n, 3) if n else 0.0,
                "linked_segments": n_seg,
                "c_segments": round(n_seg / seg_union, 3) if seg_union else 0.0,
            }
        )
    stats = pd.DataFrame(rows)
    stats["band"] = band(stats["share_linking"], high, medium)
    stats["band_if_presence_share"] = band(stats["share_mentioning_both"], high, medium)
    stats["band_if_c_presence"] = band(stats["c_presence"], high, medium)
    return stats


def band_matrix(stats: pd.DataFrame, codes: list[str], column: str = "band") -> pd.DataFrame:
    """Symmetric matrix: ``theme`` column then one column per code; diagonal '—'."""
    matrix = pd.DataFrame(DIAGONAL, index=codes, columns=codes)
    for row in stats.itertuples():
        value = getattr(row, column)
        matrix.at[row.theme_a, row.theme_b] = value
        matrix.at[row.theme_b, row.theme_a] = value
    matrix.index.name = "theme"
    return matrix.reset_index()


def high_pairs(stats: pd.DataFrame) -> list[str]:
    return stats.loc[stats["band"] == "H", "pair"].tolist()


def sensitivity(
    stats: pd.DataFrame, high_grid, medium_grid, default_high: float, default_medium: float
) -> pd.DataFrame:
    """For each (high, medium) on the grid: bands counted and pairs that change band."""
    from tqdm import tqdm

    reference = band(stats["share_linking"], default_high, default_medium)
    rows = []
    grid = [(h, m) for h in high_grid for m in medium_grid if m <= h]
    for high, medium in tqdm(grid, desc="threshold grid", disable=len(grid) < 500):
        bands = band(stats["share_linking"], high, medium)
        rows.append(
            {
                "high": round(float(high), 3),
                "medium": round(float(medium), 3),
                "n_H": int((bands == "H").sum()),
                "n_M": int((bands == "M").sum()),
                "n_L": int((bands == "L").sum()),
                "n_changed": int((bands != reference).sum()),
            }
        )
    return pd.DataFrame(rows)
