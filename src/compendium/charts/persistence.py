"""Barrier persistence figure: themes x documents (in date order), barrier evidence and all."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from compendium.analysis.persistence import matrix_documents


def persistence_figure(table: pd.DataFrame, doc_labels: dict[str, str], period: str):
    """Two heatmaps, one above the other (barriers; all evidence); returns ``(fig, alt)``.

    ``doc_labels`` maps a document id to its tick label, ``period`` names the years covered.
    """
    documents = matrix_documents(table)
    labels = [doc_labels.get(d, d) for d in documents]
    scopes = (("barrier", "Barrier evidence (barrier or both)"), ("all", "All evidence"))
    vmax = int(table[documents].to_numpy().max()) or 1
    fig, axes = plt.subplots(2, 1, figsize=(7.1, 5.6), sharex=True, layout="constrained")
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
            cbar=False,
            xticklabels=labels,
            yticklabels=[
                f"{t} ({c})" for t, c in zip(rows["theme"], rows["theme_code"], strict=True)
            ],
        )
        ax.set_title(title, fontsize=9.5, loc="left")
        ax.set_xlabel("")
        ax.set_ylabel("Theme", fontsize=9)
        ax.tick_params(axis="x", rotation=0, labelsize=8.5, bottom=False)
        ax.tick_params(axis="y", rotation=0, labelsize=9, left=False)
        ax.grid(False)
    axes[1].set_xlabel("Document (in date order)", fontsize=9)
    colorbar = fig.colorbar(axes[0].collections[0], ax=axes, shrink=0.6, aspect=25)
    colorbar.ax.tick_params(labelsize=8.5)
    colorbar.set_label("Places described (evidence rows)", fontsize=9)
    n_themes = table["theme_code"].nunique()
    fig.suptitle(
        textwrap.fill(
            f"Where each document describes the report's {n_themes} themes, {period}", 75
        ),
        fontsize=10,
        fontweight="bold",
    )
    barrier = table[table["scope"] == "barrier"]
    alt = (
        f"Two heatmaps, one above the other, of the {n_themes} themes against {len(documents)} "
        f"documents in date order, {period} ("
        + ", ".join(labels)
        + "); cells count the places each document describes the theme. Barrier evidence: "
        + "; ".join(
            f"{r.theme} in {r.n_documents} of {len(documents)} documents"
            for r in barrier.itertuples()
        )
        + "."
    )
    return fig, alt
