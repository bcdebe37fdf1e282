"""Table 4 figure: a Gantt-style view of the sequencing roadmap."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from compendium.analysis.roadmap import WINDOWS
from compendium.outputs.figures import palette

LABEL_CHARS = 34  # an action's text is wrapped to lines of this many characters


def roadmap_figure(table: pd.DataFrame, coverage: pd.DataFrame):  # noqa: F821
    """One bar per action (full, wrapped action text), its themes and High pairs beside it.

    7.1 in of drawing with 8.5-10 pt text: every text prints at 8 pt or more at the A4 text
    width.
    """
    colours = dict(zip(WINDOWS, palette(len(WINDOWS)), strict=True))
    n = len(table)
    fig, ax = plt.subplots(figsize=(7.1, 0.46 * n + 1.4))
    for i, row in enumerate(table.itertuples()):
        start, end = WINDOWS[row.months]
        y = n - 1 - i
        ax.barh(y, end - start, left=start, height=0.62, color=colours[row.months], alpha=0.85)
        highs = coverage.iloc[i]["high_pairs_addressed"]
        note = f"themes {row.themes}" + (f"\nH: {highs}" if highs else "")
        ax.text(end + 0.4, y, note, va="center", fontsize=8.5, linespacing=1.1)
    labels = [textwrap.fill(a, LABEL_CHARS) for a in table["action"]]
    ax.set_yticks(range(n), labels[::-1], fontsize=9, linespacing=1.1)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, 30)
    ax.set_xticks([0, 6, 12, 18, 24])
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlabel("Months from start", fontsize=9)
    ax.set_ylabel("Action (Table 4, printed order)", fontsize=9)
    ax.set_title(
        "Table 4 roadmap: when each action starts and ends,\nwith the themes it addresses "
        "and the High pairs (H) among them",
        fontsize=10,
    )
    ax.legend(
        handles=[Patch(color=c, label=f"{w} months") for w, c in colours.items()],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
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
