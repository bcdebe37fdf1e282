"""The source audit: where the documents disagree with each other or with themselves.

Each row of ``discrepancies.csv`` keeps both sides (document, line, verbatim snippet); this
module only lays them out for the report's audit section.  Nothing is resolved here.
"""

from __future__ import annotations

import pandas as pd

AUDIT_COLUMNS = [
    "discrepancy_id",
    "kind",
    "subject",
    "side_a_doc",
    "side_a_line",
    "side_a_snippet",
    "side_b_doc",
    "side_b_line",
    "side_b_snippet",
    "within_document",
    "note",
]


def source_audit(discrepancies: pd.DataFrame) -> pd.DataFrame:
    """The audit table in id order; ``within_document`` marks a document disagreeing with itself."""
    out = discrepancies.sort_values("discrepancy_id").copy()
    out["within_document"] = (out["side_a_doc"] == out["side_b_doc"]).astype(bool)
    return out[AUDIT_COLUMNS].reset_index(drop=True)


def counts_by_kind(audit: pd.DataFrame) -> pd.DataFrame:
    """Discrepancies per kind, split into within-document and between-document."""
    counts = pd.crosstab(audit["kind"], audit["within_document"])
    counts = counts.reindex(columns=[True, False], fill_value=0)
    counts.columns = ["within_document", "between_documents"]
    counts["total"] = counts.sum(axis=1)
    return counts.reset_index().sort_values(["total", "kind"], ascending=[False, True])


def documents_involved(audit: pd.DataFrame) -> pd.Series:
    """How many discrepancies each document takes part in (on either side, counted once)."""
    sides = pd.concat(
        [
            audit[["discrepancy_id", "side_a_doc"]].set_axis(["id", "doc"], axis=1),
            audit[["discrepancy_id", "side_b_doc"]].set_axis(["id", "doc"], axis=1),
        ]
    ).drop_duplicates()
    return sides.groupby("doc").size().sort_values(ascending=False).rename("n_discrepancies")
