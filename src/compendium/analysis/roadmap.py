"""Table 4: the sequencing roadmap (report section 6.2), and which High intersections it covers.

The roadmap is data (``data/roadmap/roadmap.csv``). The coverage check asks, for each action,
which High theme pairs of the rebuilt Table 3 lie among the themes it addresses, and which High
pair no action addresses. The data are never edited to make the check pass.
"""

from __future__ import annotations

import itertools

import pandas as pd

TABLE4_COLUMNS = ["months", "action", "dependency", "owner", "early_signal", "themes"]
WINDOWS = {"0-6": (0, 6), "6-12": (6, 12), "12-24": (12, 24)}


def table4(roadmap: pd.DataFrame) -> pd.DataFrame:
    """The ten actions in printed order with the published column set."""
    return roadmap.sort_values("row")[TABLE4_COLUMNS].reset_index(drop=True)


def pairs_of(themes: str, codes: list[str]) -> list[str]:
    """All theme pairs ('G-L') among a space-separated list of codes, in codebook order."""
    present = [c for c in codes if c in themes.split()]
    return [f"{a}-{b}" for a, b in itertools.combinations(present, 2)]


def high_pair_coverage(
    roadmap: pd.DataFrame, high_pairs: list[str], codes: list[str]
) -> pd.DataFrame:
    """Per action: the High pairs it addresses (may be none)."""
    rows = []
    for row in roadmap.sort_values("row").itertuples():
        covered = [p for p in pairs_of(row.themes, codes) if p in set(high_pairs)]
        rows.append(
            {
                "row": row.row,
                "months": row.months,
                "action": row.action,
                "themes": row.themes,
                "high_pairs_addressed": " ".join(covered),
                "n_high_pairs": len(covered),
            }
        )
    return pd.DataFrame(rows)


def unaddressed_high_pairs(coverage: pd.DataFrame, high_pairs: list[str]) -> list[str]:
    addressed = set(" ".join(coverage["high_pairs_addressed"]).split())
    return [p for p in high_pairs if p not in addressed]
