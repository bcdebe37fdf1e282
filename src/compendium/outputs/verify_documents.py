"""Verification items for the documentary steps (issue 5), for ``verify.CHECKS``.

Only values that must agree are compared here:

* MSG proposals per feature: the count the Orkney paper prints vs the count rebuilt from the
  proposals (``reports/tables/msg_features.csv``);
* SPICe Annex A: each printed total and share in ``reports/tables/expenditure_check.csv`` vs
  the value transcribed in ``data/documents/expenditure.csv`` (the check carries the source's
  numbers unchanged).  Printed and *recomputed* totals may legitimately differ: that is a
  finding about the source, reported in the check table, not a verification failure;
* events per document: ``data/documents/events.csv`` vs the rebuilt timeline table and the
  counts the timeline step saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from compendium.outputs.verification_values import Comparison, Context, compared
from compendium.paths import project_root

DOCUMENTS = Path("data") / "documents"


def _documents_table(name: str) -> pd.DataFrame | None:
    path = project_root() / DOCUMENTS / f"{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else None


def check_msg_features(ctx: Context) -> Iterator[Comparison]:
    """Printed proposal count per feature vs the count rebuilt from the proposals."""
    rebuilt = ctx.table("msg_features.csv")
    if rebuilt is None:
        return
    for row in rebuilt.itertuples():
        if row.n_proposals_printed == "":
            continue
        yield compared(
            f"msg_features[{row.feature_id}].n_proposals", row.n_proposals_printed, row.n_proposals
        )


def check_annex_a_printed(ctx: Context) -> Iterator[Comparison]:
    """Each printed value in the Annex A check equals the transcribed value it stands for."""
    check = ctx.table("expenditure_check.csv")
    source = _documents_table("expenditure")
    if check is None or source is None:
        return
    rows = source.set_index("row_order")
    for row in check.itertuples():
        column = row.column.split(" ")[0]
        printed = rows.at[row.row_order, column] if row.row_order in rows.index else ""
        yield compared(
            f"annex_a[{row.row_order}].{row.column}.printed",
            str(printed).replace(",", "").rstrip("%"),
            row.printed,
        )


def check_events_per_document(ctx: Context) -> Iterator[Comparison]:
    """Events each document states: the data vs the timeline table and the saved counts."""
    events = _documents_table("events")
    table = ctx.table("timeline.csv")
    if events is None or table is None:
        return
    transcribed = events["source_doc"].value_counts()
    rebuilt = table["source_doc"].value_counts()
    saved = ctx.results.get("timeline", {}).get("events_per_document", {})
    for doc in sorted(transcribed.index):
        yield compared(f"timeline.events[{doc}]", transcribed[doc], rebuilt.get(doc, 0))
        if saved:
            yield compared(f"timeline.results.events[{doc}]", transcribed[doc], saved.get(doc))


CHECKS: list[Callable[[Context], Iterator[Comparison]]] = [
    check_msg_features,
    check_annex_a_printed,
    check_events_per_document,
]
