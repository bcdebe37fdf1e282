"""Group emphasis figure: share of each group mentioning each theme (suppressed cells left out)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from compendium.analysis.group_emphasis import SUPPRESSED
from compendium.outputs.figures import mark_synthetic, palette


def group_emphasis_figure(
    table: pd.DataFrame, groups: list[str], corpus_label: str, synthetic: bool
):
    colours = palette(len(groups))
    x = np.arange(len(table))
    width = 0.8 / len(groups)
    fig, ax = plt.subplots(figsize=(9, 4.8))
    hidden = []
    for k, group in enumerate(groups):
        values = table[f"{group}_percent"]
        shown = values != SUPPRESSED
        heights = pd.to_numeric(values.where(shown), errors="coerce")
        ax.bar(
            x[shown] + (k - (len(groups) - 1) / 2) * width,
            heights[shown],
            width,
            label=f"{group} (n={int(table[f'{group}_size'].iloc[0])})",
            color=colours[k],
        )
        for xi in x[~shown.to_numpy()]:
            ax.text(xi + (k - (len(groups) - 1) / 2) * width, 2, "s", ha="center", fontsize=8)
            hidden.append(f"{table['theme'].iloc[xi]} {group}")
    ax.set_xticks(x, table["theme"], rotation=0)
    ax.set_ylim(0, 105)
    ax.set_xlabel("Theme")
    ax.set_ylabel("Participants in the group mentioning the theme (%)")
    title = "Group emphasis by theme"
    if synthetic:
        title += " (synthetic: a demonstration of the method, not a finding)"
    ax.set_title(f"{title}\n{corpus_label}; 's' marks a suppressed cell", fontsize=10)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        fontsize=8.5,
        ncol=len(groups),
        frameon=False,
    )
    mark_synthetic(fig, synthetic)
    fig.tight_layout()
    alt = (
        f"Grouped bar chart from the {corpus_label}: for each of {len(table)} themes, the "
        f"percentage of each of {', '.join(groups)} mentioning it. "
        + (f"Suppressed cells: {', '.join(hidden)}." if hidden else "No cell is suppressed.")
    )
    return fig, alt
