"""SPICe Annex A (2014-15, £m): totals and the delegated share recomputed from the rows.

The table prints, per row, Scotland's total expenditure, the estimated expenditure on
delegated functions and the delegated share.  Section totals are recomputed from the rows above
them (back to the previous total), the grand total from every non-total row, and each share
from the amounts.  Printed and recomputed values stand side by side; every difference is kept,
flagged and given its likely reason, never forced to agree.
"""

from __future__ import annotations

import pandas as pd

# The columns of expenditure.csv: two amounts (£m) and the printed share (%).
TOTAL = "scotland_total"
DELEGATED = "delegated"
SHARE = "delegated_share"
AMOUNTS = (TOTAL, DELEGATED)
# Differences up to this much are rounding of printed values (£m, percentage points).
AMOUNT_TOLERANCE = 0.5
SHARE_TOLERANCE = 0.05

CHECK_COLUMNS = [
    "row_order",
    "row_label",
    "column",
    "printed",
    "recomputed",
    "difference",
    "differs",
    "likely_reason",
    "source_line",
]


def sections(expenditure: pd.DataFrame) -> pd.Series:
    """For each row, the order of the total row that closes its section (totals: their own)."""
    ordered = expenditure.sort_values("row_order")
    closing = ordered["row_order"].where(ordered["is_total"]).bfill()
    return closing.reindex(expenditure.index)


def recomputed_totals(expenditure: pd.DataFrame) -> pd.DataFrame:
    """Each total row recomputed: section totals from their rows, the last total from all rows.

    Returns one row per total row with ``<amount>`` recomputed and the component rows' labels.
    """
    ordered = expenditure.sort_values("row_order")
    totals = ordered[ordered["is_total"].astype(bool)]
    items = ordered[~ordered["is_total"].astype(bool)].assign(section=sections(ordered))
    grand = totals["row_order"].max()
    by_section = items.groupby("section")[list(AMOUNTS)].sum()
    out = totals[["row_order", "row_label", "source_line"]].copy()
    for column in AMOUNTS:
        section_sum = out["row_order"].map(by_section[column]).fillna(0)
        out[column] = section_sum.where(out["row_order"] != grand, items[column].sum())
    return out.reset_index(drop=True)


def _reason_amount(diff: float, items: pd.DataFrame, column: str) -> str:
    """Why a printed total differs from the sum of its rows (the likeliest reading)."""
    if abs(diff) <= AMOUNT_TOLERANCE:
        return ""
    omitted = items[(items[column] - abs(diff)).abs() <= AMOUNT_TOLERANCE]
    if not omitted.empty:
        label = omitted["row_label"].iloc[0]
        sign = "leaves out" if diff < 0 else "adds"
        reason = f"the printed total {sign} the row '{label}' ({abs(diff):,.0f})"
        if "transfer" in label.lower():
            reason += (
                ": money transferred between the bodies would otherwise be counted twice, "
                "once as health board and once as local authority expenditure"
            )
        return reason
    if abs(diff) <= AMOUNT_TOLERANCE * len(items):
        return "rounding of the printed rows"
    return "unexplained: check the transcription against the seed line"


def expenditure_check(expenditure: pd.DataFrame) -> pd.DataFrame:
    """Printed vs recomputed for every total amount and every share, with reasons."""
    ordered = expenditure.sort_values("row_order")
    # printed section headings carry no amounts: nothing to check on them
    ordered = ordered.dropna(subset=[TOTAL, DELEGATED]).reset_index(drop=True)
    items = ordered[~ordered["is_total"].astype(bool)]
    recomputed = recomputed_totals(ordered).set_index("row_order")
    grand = recomputed.index.max()
    rows = []
    for order, row in recomputed.iterrows():
        printed = ordered.set_index("row_order").loc[order]
        scope = items if order == grand else items[sections(ordered)[items.index] == order]
        for column in AMOUNTS:
            diff = float(row[column]) - float(printed[column])
            rows.append(
                {
                    "row_order": order,
                    "row_label": row["row_label"],
                    "column": column,
                    "printed": float(printed[column]),
                    "recomputed": float(row[column]),
                    "difference": diff,
                    "reason": _reason_amount(-diff, scope, column),
                    "source_line": row["source_line"],
                }
            )
        share = 100 * row[DELEGATED] / row[TOTAL]
        rows.append(
            {
                "row_order": order,
                "row_label": row["row_label"],
                "column": SHARE + " (recomputed totals)",
                "printed": float(printed[SHARE]),
                "recomputed": round(share, 1),
                "difference": round(share - float(printed[SHARE]), 1) + 0.0,
                "reason": (
                    ""
                    if abs(share - float(printed[SHARE])) <= SHARE_TOLERANCE
                    else "follows from the difference between the printed and recomputed totals"
                ),
                "source_line": row["source_line"],
            }
        )
    share = 100 * ordered[DELEGATED] / ordered[TOTAL]
    diff = share - ordered[SHARE].astype(float)
    shares = pd.DataFrame(
        {
            "row_order": ordered["row_order"],
            "row_label": ordered["row_label"],
            "column": SHARE,
            "printed": ordered[SHARE].astype(float),
            "recomputed": share.round(1),
            "difference": diff.round(1) + 0.0,
            "reason": diff.abs()
            .gt(SHARE_TOLERANCE)
            .map({True: "printed share does not follow from the printed amounts", False: ""}),
            "source_line": ordered["source_line"],
        }
    )
    out = pd.concat([pd.DataFrame(rows), shares], ignore_index=True)
    out["differs"] = out["reason"] != ""
    out = out.rename(columns={"reason": "likely_reason"})
    return out.sort_values(["row_order", "column"], kind="stable")[CHECK_COLUMNS].reset_index(
        drop=True
    )


def summary(check: pd.DataFrame) -> dict:
    """Counts and the grand-total values for prose and results."""
    flagged = check[check["differs"]]
    return {
        "n_values_checked": len(check),
        "n_differences": len(flagged),
        "differences": [
            f"{r.row_label} / {r.column}: printed {r.printed:g}, recomputed {r.recomputed:g}"
            for r in flagged.itertuples()
        ],
    }
