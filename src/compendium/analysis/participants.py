"""Table 1: participant profile by group (analysed participants only)."""

from __future__ import annotations

import pandas as pd

TABLE1_COLUMNS = ["group", "n", "typical_roles", "in_person", "online"]
MODES = ["in_person", "online"]


def participant_profile(analysed: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Counts of analysed participants and interview modes per group, with an ``All`` row.

    ``typical_roles`` describes each group as a whole (from the corpus's groups table); the
    table never lists individual participants.
    """
    modes = pd.crosstab(analysed["group"], analysed["interview_mode"])
    modes = modes.reindex(index=groups["group"], columns=MODES, fill_value=0)
    table = groups[["group", "typical_roles"]].set_index("group").join(modes)
    table["n"] = modes.sum(axis=1)
    table = table.reset_index()
    total = {
        "group": "All",
        "n": int(table["n"].sum()),
        "typical_roles": "",
        "in_person": int(table["in_person"].sum()),
        "online": int(table["online"].sum()),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return table[TABLE1_COLUMNS].astype({"n": "int64", "in_person": "int64", "online": "int64"})


def roster_summary(participants: pd.DataFrame) -> dict[str, int]:
    """Headline counts from the roster: interviewed, withdrawn, analysed, not quotable."""
    analysed = participants["status"] == "analysed"
    return {
        "interviewed": int(len(participants)),
        "withdrawn": int((participants["status"] == "withdrawn").sum()),
        "analysed": int(analysed.sum()),
        "not_quotable_analysed": int((analysed & (participants["quotable"] == "no")).sum()),
    }


def headline_counts(participants: pd.DataFrame) -> dict:
    """Roster summary plus counts by group and interview mode (aggregates only)."""
    analysed = participants[participants["status"] == "analysed"]
    return roster_summary(participants) | {
        "interviewed_by_group": participants["group"].value_counts().sort_index().to_dict(),
        "analysed_by_group": analysed["group"].value_counts().sort_index().to_dict(),
        "modes": analysed["interview_mode"].value_counts().sort_index().to_dict(),
        "areas_represented": int(analysed["area"].dropna().nunique()),
    }
