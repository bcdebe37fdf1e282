"""The MSG proposals figure: a Gantt-style view of the 25 timescales from February 2019.

Each bar runs from publication to the derived due date, coloured by Audit Scotland feature;
for a range ("3 - 6 months") the bar is solid to the earliest end and hatched to the latest.
Recurring timescales ("thereafter each year") and open ones ("onwards") carry a label.
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from compendium.outputs.figures import palette


def msg_proposals_figure(gantt: pd.DataFrame, published: str):
    """Horizontal bars, proposals top to bottom in number order; returns ``(figure, alt_text)``."""
    features = gantt.drop_duplicates("feature_id").sort_values("feature_id")
    colours = dict(zip(features["feature_id"], palette(len(features)), strict=True))
    n = len(gantt)
    fig, ax = plt.subplots(figsize=(10, 0.3 * n + 2.6))
    start = pd.Timestamp(published)
    for i, row in enumerate(gantt.itertuples()):
        y = n - 1 - i
        colour = colours[row.feature_id]
        ax.barh(y, row.earliest - row.start, left=row.start, height=0.64, color=colour)
        if row.due > row.earliest:
            ax.barh(
                y,
                row.due - row.earliest,
                left=row.earliest,
                height=0.64,
                color="white",
                edgecolor=colour,
                hatch="///",
                linewidth=0.8,
            )
        ax.text(
            row.due + pd.Timedelta(days=6),
            y,
            textwrap.shorten(row.timescale, 60),
            va="center",
            fontsize=7.5,
        )
    labels = [f"{r.number}. {textwrap.shorten(r.proposal, 52)}" for r in gantt.itertuples()]
    ax.set_yticks(range(n), labels[::-1], fontsize=7.5)
    ax.set_ylim(-0.7, n - 0.3)
    last = gantt["due"].max()
    ax.set_xlim(start - pd.Timedelta(days=10), last + pd.Timedelta(days=200))
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.axvline(start, color="0.3", linewidth=1)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"Due date derived from the printed timescale (from {start:%-d %B %Y})")
    ax.set_ylabel("MSG proposal (number and opening words)")
    ax.set_title("The 25 MSG proposals: timescales from publication, by feature", fontsize=11)
    ax.legend(
        handles=[
            *[
                Patch(color=colours[r.feature_id], label=f"{r.feature_id}. {r.feature}")
                for r in features.itertuples()
            ],
            Patch(facecolor="white", edgecolor="0.3", hatch="///", label="range of a timescale"),
        ],
        loc="upper center",
        bbox_to_anchor=(0.4, -0.1),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    per_feature = gantt.groupby("feature_id").size()
    alt = (
        f"Gantt chart of the {n} MSG proposals published {start:%-d %B %Y}, bars from "
        f"publication to the due date derived from each printed timescale, coloured by the "
        f"six Audit Scotland features ("
        + "; ".join(
            f"{r.feature}: {per_feature.get(r.feature_id, 0)}" for r in features.itertuples()
        )
        + f"). Due dates run from {gantt['due'].min():%B %Y} to {last:%B %Y}; "
        f"{int(gantt['recurring'].sum())} timescales recur every year."
    )
    return fig, alt
