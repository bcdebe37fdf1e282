"""Barrier persistence: which of the report's seven themes each document describes, 2011-2025.

``theme_evidence.csv`` records, per document, the lines where it describes a barrier or an
enabler of integration under one of the seven themes.  The matrix counts those places per
theme (rows, codebook order) and document (columns, ordered by the document's date); the
barrier matrix keeps rows whose stance is ``barrier`` or ``both``.
"""

from __future__ import annotations

import pandas as pd

BARRIER_STANCES = ("barrier", "both")


def evidence_matrix(
    evidence: pd.DataFrame, documents: list[str], codes: list[str], barriers_only: bool
) -> pd.DataFrame:
    """Themes x documents counts of evidence rows (zeros where a document is silent)."""
    rows = evidence[evidence["stance"].isin(BARRIER_STANCES)] if barriers_only else evidence
    matrix = pd.crosstab(rows["theme_code"], rows["doc_id"])
    matrix = matrix.reindex(index=codes, columns=documents).fillna(0).astype(int)
    matrix.index.name = "theme_code"
    matrix.columns.name = None
    return matrix


def persistence_table(
    evidence: pd.DataFrame,
    sources: pd.DataFrame,
    names: dict[str, str],
    codes: list[str],
) -> pd.DataFrame:
    """Both matrices stacked (``scope`` barrier / all), with theme names and document spread.

    ``n_documents`` counts the documents with at least one row for the theme; ``first`` and
    ``last`` name the earliest and latest of them.
    """
    documents = (
        sources[sources["doc_id"].isin(evidence["doc_id"])]
        .sort_values(["date", "doc_id"])["doc_id"]
        .tolist()
    )
    parts = []
    for scope, barriers_only in (("barrier", True), ("all", False)):
        matrix = evidence_matrix(evidence, documents, codes, barriers_only)
        present = matrix.gt(0)
        table = matrix.reset_index()
        table.insert(0, "scope", scope)
        table.insert(2, "theme", table["theme_code"].map(names))
        table["n_documents"] = present.sum(axis=1).to_numpy()
        table["first"] = present.idxmax(axis=1).where(present.any(axis=1), "").to_numpy()
        table["last"] = present.iloc[:, ::-1].idxmax(axis=1).where(present.any(axis=1), "")
        table["last"] = table["last"].to_numpy()
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def persistent_themes(table: pd.DataFrame, scope: str = "barrier") -> list[str]:
    """Theme codes described in every document of the matrix (for ``scope``)."""
    rows = table[table["scope"] == scope]
    documents = matrix_documents(table)
    return rows.loc[rows["n_documents"] == len(documents), "theme_code"].tolist()


def matrix_documents(table: pd.DataFrame) -> list[str]:
    """The document columns of a :func:`persistence_table`, in date order."""
    fixed = {"scope", "theme_code", "theme", "n_documents", "first", "last"}
    return [c for c in table.columns if c not in fixed]


def document_labels(order: list[str], sources: pd.DataFrame) -> tuple[dict[str, str], str]:
    """Tick labels ``doc (year)``, ``n.d.`` when a document prints no date, and the period."""
    dates = sources.set_index("doc_id")["date"]
    years = {doc: (str(dates[doc])[:4] if pd.notna(dates.get(doc)) else "n.d.") for doc in order}
    labels = {doc: f"{doc}\n({years[doc]})" for doc in order}
    dated = sorted(y for y in years.values() if y != "n.d.")
    undated = sum(y == "n.d." for y in years.values())
    period = f"documents of {dated[0]}-{dated[-1]}" if dated else "undated documents"
    if undated:
        period += f" and {undated} undated"
    return labels, period
