"""Group emphasis figure: share of each group mentioning each theme.

A suppressed cell is drawn as what it is, never as a zero: a full-height light grey bar hatched
'///', without the group's colour, labelled with the group and "suppressed" and listed in the
legend and the alt text. A cell of 0 % is a bar of height 0.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from compendium.analysis.group_emphasis import SUPPRESSED
from compendium.outputs.figures import mark_synthetic, palette

SUPPRESSED_STYLE = {"facecolor": "0.93", "edgecolor": "0.5", "hatch": "///", "linewidth": 0.8}
FULL_HEIGHT = 100.0  # percent: a suppressed bar spans the whole scale, so it cannot read as 0


def suppressed_gid(theme_index: int, group_index: int) -> str:
    """The SVG id of the bar standing for a suppressed cell (theme row, group column)."""
    return f"suppressed-{theme_index}-{group_index}"


def suppressed_label(threshold: int | None) -> str:
    under = f"< {threshold}" if threshold is not None else "under the threshold"
    return f"suppressed (count or size \u2212 count {under}, or secondary)"


def group_emphasis_figure(
    table: pd.DataFrame,
    groups: list[str],
    corpus_label: str,
    synthetic: bool,
    threshold: int | None = None,
):
    """Grouped bars of ``{group}_percent`` per theme; returns ``(figure, alt_text)``.

    ``threshold`` (the suppression threshold) is named in the legend and alt text when given.
    """
    colours = palette(len(groups))
    x = np.arange(len(table))
    width = 0.8 / len(groups)
    fig, ax = plt.subplots(figsize=(9, 4.8))
    hidden = []
    for k, group in enumerate(groups):
        offset = (k - (len(groups) - 1) / 2) * width
        values = table[f"{group}_percent"]
        shown = (values != SUPPRESSED).to_numpy()
        heights = pd.to_numeric(values.where(shown), errors="coerce").to_numpy()
        ax.bar(x[shown] + offset, heights[shown], width, color=colours[k])
        for i in x[~shown]:
            (bar,) = ax.bar(i + offset, FULL_HEIGHT, width, **SUPPRESSED_STYLE).patches
            bar.set_gid(suppressed_gid(int(i), k))
            ax.text(
                i + offset,
                FULL_HEIGHT / 2,
                f"{group}: suppressed",
                rotation=90,
                ha="center",
                va="center",
                fontsize=8,
                color="0.2",
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "0.93", "edgecolor": "none"},
            )
            hidden.append(f"{table['theme'].iloc[i]} {group}")
    ax.set_xticks(x, table["theme"], rotation=0)
    ax.set_ylim(0, 105)
    ax.set_xlabel("Theme")
    ax.set_ylabel("Participants in the group mentioning the theme (%)")
    title = "Group emphasis by theme"
    if synthetic:
        title += " (synthetic: a demonstration of the method, not a finding)"
    ax.set_title(
        f"{title}\n{corpus_label}; hatched grey bars are suppressed cells, not zeros",
        fontsize=10,
    )
    handles = [
        Patch(color=colours[k], label=f"{group} (n={int(table[f'{group}_size'].iloc[0])})")
        for k, group in enumerate(groups)
    ]
    if hidden:
        handles.append(Patch(**SUPPRESSED_STYLE, label=suppressed_label(threshold)))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        fontsize=8.5,
        ncol=len(handles),
        frameon=False,
    )
    mark_synthetic(fig, synthetic)
    fig.tight_layout()
    rule = (
        f"a count, or the group size minus the count, under {threshold}"
        if threshold is not None
        else "a count, or the group size minus the count, under the suppression threshold"
    )
    alt = (
        f"Grouped bar chart from the {corpus_label}: for each of {len(table)} themes, the "
        f"percentage of each of {', '.join(groups)} mentioning it. "
        + (
            f"Suppressed cells ({rule}, or a second cell hidden so that the first cannot be "
            "recovered) are drawn as full-height grey hatched bars labelled suppressed, not as "
            f"zero: {', '.join(hidden)}."
            if hidden
            else "No cell is suppressed."
        )
    )
    return fig, alt
