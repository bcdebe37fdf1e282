"""Barrier persistence figure: themes x documents (in date order), barrier evidence and all."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from compendium.analysis.persistence import matrix_documents


def persistence_figure(table: pd.DataFrame, doc_labels: dict[str, str], period: str):
    """Two heatmaps side by side (barriers; all evidence); returns ``(figure, alt_text)``.

    ``doc_labels`` maps a document id to its tick label, ``period`` names the years covered.
    """
    documents = matrix_documents(table)
    labels = [doc_labels.get(d, d) for d in documents]
    scopes = (("barrier", "Barrier evidence (barrier or both)"), ("all", "All evidence"))
    vmax = int(table[documents].to_numpy().max()) or 1
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
    for ax, (scope, title) in zip(axes, scopes, strict=True):
        rows = table[table["scope"] == scope]
        sns.heatmap(
            rows[documents].to_numpy(),
            ax=ax,
            cmap="cividis",
            vmin=0,
            vmax=vmax,
            annot=True,
            fmt="d",
            annot_kws={"fontsize": 9},
            linewidths=0.6,
            linecolor="white",
            cbar=scope == "all",
            cbar_kws={"label": "Places described (evidence rows)"},
            xticklabels=labels,
            yticklabels=[
                f"{t} ({c})" for t, c in zip(rows["theme"], rows["theme_code"], strict=True)
            ],
        )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("Document (in date order)")
        ax.tick_params(axis="x", rotation=35, labelsize=8.5)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
        ax.tick_params(axis="y", rotation=0)
        ax.grid(False)
    axes[0].set_ylabel("Theme")
    axes[1].set_ylabel("")
    fig.suptitle(
        f"Where each document describes the report's seven themes, {period}",
        fontsize=11,
        fontweight="bold",
    )
    fig.tight_layout()
    barrier = table[table["scope"] == "barrier"]
    alt = (
        f"Two heatmaps of the seven themes against {len(documents)} documents in date order, "
        f"{period} ("
        + ", ".join(labels)
        + "); cells count the places each document describes the theme. Barrier evidence: "
        + "; ".join(
            f"{r.theme} in {r.n_documents} of {len(documents)} documents"
            for r in barrier.itertuples()
        )
        + "."
    )
    return fig, alt
