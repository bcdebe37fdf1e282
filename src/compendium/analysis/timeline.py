"""The documentary timeline: every dated event the five documents state, in date order.

Where two documents date the same event, both rows are kept (``discrepancies.csv`` records
where they disagree).  Milestones (the 2011 CHPs, the 2015-2018 Audit Scotland reports, the
2019 MSG proposals, the 2025 Act) are picked from the events by the rules in
:data:`MILESTONE_RULES`, never typed in.
"""

from __future__ import annotations

import pandas as pd

TIMELINE_COLUMNS = [
    "date",
    "date_precision",
    "event",
    "body",
    "category",
    "source_doc",
    "source_line",
]

# Each milestone: the years it may fall in, a pattern its event or body must match (case
# insensitive), the categories it may have (None: any) and which matching event marks it
# ("first", "last", or "span" for a period from the first to the last match).
MILESTONE_RULES = [
    {
        "milestone": "2011 CHPs",
        "years": (2011, 2011),
        "pattern": r"\bCHPs?\b|Community Health Partnership",
        "categories": None,
        "pick": "first",
    },
    {
        "milestone": "Audit Scotland 2015-2018",
        "years": (2015, 2018),
        "pattern": r"Audit Scotland",
        "categories": ["audit"],
        "pick": "span",
    },
    {
        "milestone": "2019 MSG proposals",
        "years": (2019, 2019),
        "pattern": r"Ministerial Strategic Group|\bMSG\b|proposals",
        "categories": None,
        "pick": "first",
    },
    {
        "milestone": "2025 Care Reform Act",
        "years": (2025, 2025),
        "pattern": r"Care Reform \(Scotland\) Act",
        "categories": ["legislation", "parliament"],
        "pick": "first",
    },
]


def with_dates(events: pd.DataFrame) -> pd.DataFrame:
    """A copy with ``date``/``date_end`` parsed to timestamps (``start``/``end``)."""
    out = events.copy()
    out["start"] = pd.to_datetime(out["date"], format="%Y-%m-%d")
    end = out["date_end"] if "date_end" in out.columns else pd.Series(pd.NA, index=out.index)
    out["end"] = pd.to_datetime(end, format="%Y-%m-%d").fillna(out["start"])
    return out


def timeline_table(events: pd.DataFrame) -> pd.DataFrame:
    """Events in date order (ties: document, then line), with the published column set."""
    ordered = with_dates(events).sort_values(["start", "source_doc", "source_line"], kind="stable")
    return ordered[TIMELINE_COLUMNS].reset_index(drop=True)


def document_order(sources: pd.DataFrame, documents: list[str]) -> list[str]:
    """``documents`` ordered by their date in ``sources.csv`` (then by id)."""
    dated = sources[sources["doc_id"].isin(documents)].sort_values(["date", "doc_id"])
    return dated["doc_id"].tolist()


def events_per_document(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Number of events each citing document states, documents in date order."""
    counts = events["source_doc"].value_counts()
    order = document_order(sources, counts.index.tolist())
    return pd.DataFrame(
        {"source_doc": order, "n_events": [int(counts[d]) for d in order]}
    ).reset_index(drop=True)


def events_per_category(events: pd.DataFrame) -> pd.DataFrame:
    """Number of events per category, largest first (ties alphabetical)."""
    counts = events.groupby("category").size().rename("n_events").reset_index()
    return counts.sort_values(["n_events", "category"], ascending=[False, True]).reset_index(
        drop=True
    )


def pre_period(events: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Events dated before ``first_year`` (drawn as a note, not on the axis)."""
    dated = with_dates(events)
    return timeline_table(events[(dated["start"].dt.year < first_year).to_numpy()])


def milestones(events: pd.DataFrame, rules: list[dict] | None = None) -> pd.DataFrame:
    """One row per milestone rule that some event meets: its date (span) and the event chosen."""
    dated = with_dates(events).sort_values(["start", "source_doc", "source_line"], kind="stable")
    text = dated["event"].fillna("") + " " + dated["body"].fillna("")
    rows = []
    for rule in rules or MILESTONE_RULES:
        low, high = rule["years"]
        hit = dated["start"].dt.year.between(low, high) & text.str.contains(
            rule["pattern"], case=False, regex=True
        )
        if rule["categories"] is not None:
            hit &= dated["category"].isin(rule["categories"])
        matched = dated[hit]
        if matched.empty:
            continue
        chosen = matched.iloc[-1] if rule["pick"] == "last" else matched.iloc[0]
        end = matched["end"].max() if rule["pick"] == "span" else chosen["end"]
        rows.append(
            {
                "milestone": rule["milestone"],
                "start": chosen["start"],
                "end": end,
                "event": chosen["event"],
                "source_doc": chosen["source_doc"],
                "source_line": chosen["source_line"],
                "n_matching_events": len(matched),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "milestone",
            "start",
            "end",
            "event",
            "source_doc",
            "source_line",
            "n_matching_events",
        ],
    )
