"""The published quotations: the appendix quote index rebuilt, and its checks.

``data/extracts/quotes.csv`` holds every quotation printed in sections 4.1-4.3 with its
P-code and location (public, published extracts). From it the compendium rebuilds the
appendix "Quote / Participant / Theme / Subtheme" index; ``compendium.outputs.verify`` audits
it against the printed appendix.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd


def index_location(location: str) -> str:
    """The appendix names a location in section 4.3 without its H number."""
    return "4.3" if location.startswith("4.3") else location


def _location_order(location: str) -> tuple:
    if location == "4.1":
        return (0, location)
    if location.startswith("4.3"):
        return (1, location)
    return (2, location)


def _participant_number(code: str) -> int:
    digits = re.sub(r"\D", "", code)
    return int(digits) if digits else 0


def quote_index(quotes: pd.DataFrame) -> pd.DataFrame:
    """One row per participant and location (``participant, location``) in appendix order."""
    index = pd.DataFrame(
        {"participant": quotes["participant"], "location": quotes["location"].map(index_location)}
    ).drop_duplicates()
    index["_p"] = index["participant"].map(_participant_number)
    index["_l"] = index["location"].map(_location_order)
    index = index.sort_values(["_p", "participant", "_l"]).drop(columns=["_p", "_l"])
    return index.reset_index(drop=True)


def index_differences(rebuilt: pd.DataFrame, printed: pd.DataFrame) -> pd.DataFrame:
    """Locations in one index and not the other."""
    keys = ["participant", "location"]
    merged = rebuilt[keys].merge(printed[keys], on=keys, how="outer", indicator=True)
    merged = merged[merged["_merge"] != "both"]
    side = merged["_merge"].map(
        {
            "left_only": "quoted in text, missing from appendix",
            "right_only": "in appendix, no quotation in text",
        }
    )
    return pd.DataFrame(
        {
            "kind": side.astype(str),
            "participant": merged["participant"],
            "location": merged["location"],
            "detail": "",
        }
    ).reset_index(drop=True)


def reworded_repeats(quotes: pd.DataFrame, min_ratio: float = 0.6) -> pd.DataFrame:
    """Quotations of one participant printed twice with different wording."""
    rows = []
    for participant, group in quotes.groupby("participant", sort=False):
        items = list(group.itertuples())
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a.text == b.text:
                    continue
                ratio = difflib.SequenceMatcher(None, a.text, b.text, autojunk=False).ratio()
                if ratio >= min_ratio:
                    rows.append(
                        {
                            "kind": "repeated quotation worded differently",
                            "participant": participant,
                            "location": f"{a.location} (line {a.source_line}) / "
                            f"{b.location} (line {b.source_line})",
                            "detail": f"similarity {ratio:.2f}",
                        }
                    )
    return pd.DataFrame(rows, columns=["kind", "participant", "location", "detail"])


def quoted_participants_per_theme(
    quotes: pd.DataFrame, codes_by_number: dict[int, str]
) -> pd.DataFrame:
    """Distinct quoted participants per theme chapter (locations T<n><letter>)."""
    chapters = quotes[quotes["location"].str.match(r"^T\d")].copy()
    chapters["code"] = chapters["location"].str[1].astype(int).map(codes_by_number)
    counts = chapters.groupby("code")["participant"].nunique()
    return counts.rename("n_quoted_participants").reset_index()


def quotes_of_unquotable(quotes: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Quotations attributed to a participant flagged ``quotable = no`` (must be empty)."""
    blocked = set(participants.loc[participants["quotable"] == "no", "participant_id"])
    return quotes[quotes["participant"].isin(blocked)]
