"""Table 4 figure: a Gantt-style view of the sequencing roadmap."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from compendium.analysis.roadmap import WINDOWS
from compendium.outputs.figures import palette


def roadmap_figure(table: pd.DataFrame, coverage: pd.DataFrame):  # noqa: F821
    colours = dict(zip(WINDOWS, palette(len(WINDOWS)), strict=True))
    fig, ax = plt.subplots(figsize=(11, 6.4))
    n = len(table)
    for i, row in enumerate(table.itertuples()):
        start, end = WINDOWS[row.months]
        y = n - 1 - i
        ax.barh(y, end - start, left=start, height=0.62, color=colours[row.months], alpha=0.85)
        highs = coverage.iloc[i]["high_pairs_addressed"]
        note = f"themes {row.themes}" + (f"; H: {highs}" if highs else "")
        ax.text(end + 0.3, y, note, va="center", fontsize=8.5)
    ax.set_yticks(range(n), [textwrap.shorten(a, 58) for a in table["action"]][::-1], fontsize=9)
    ax.set_xlim(0, 34)
    ax.set_xticks([0, 6, 12, 18, 24])
    ax.set_xlabel("Months from start")
    ax.set_ylabel("Action (Table 4, printed order)")
    ax.set_title(
        "Table 4 roadmap: when each action starts and ends, with the themes it addresses",
        fontsize=11,
    )
    ax.legend(
        handles=[Patch(color=c, label=f"{w} months") for w, c in colours.items()],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=len(colours),
        fontsize=8.5,
        frameon=False,
    )
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    alt = (
        "Gantt chart of the ten roadmap actions: "
        + "; ".join(
            f"{r.action} ({r.months} months, themes {r.themes})" for r in table.itertuples()
        )
        + "."
    )
    return fig, alt
