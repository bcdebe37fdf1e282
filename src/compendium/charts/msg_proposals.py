"""The MSG proposals figure: a Gantt-style view of the 25 timescales from February 2019.

Three columns, one row per proposal and a heading row per Audit Scotland feature: the full
proposal text (wrapped), a bar from publication to the derived due date (coloured by feature;
for a range such as "3 - 6 months" solid to the earliest end and hatched to the latest) and
the printed timescale (wrapped). A row is as tall as its longer text, so the figure grows
with the text but every word is there, and the 7.3 in width keeps the 8 pt text at 8 pt when
the figure is printed at the A4 text width.
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import blended_transform_factory

from compendium.outputs.figures import palette

FONT = 7.5  # pt, every text of a row
SPACING = 1.15  # line spacing of wrapped text
LINE = FONT * SPACING / 72  # in: one wrapped line
PROPOSAL_CHARS, TIMESCALE_CHARS = 72, 22  # wrapping widths of the two text columns
COLUMNS = (4.3, 1.55, 1.45)  # in: proposal text, bars, printed timescale
ROW_GAP, HEADING_GAP = 0.3, 0.4  # lines of space above a proposal row and a feature heading


def gantt_rows(gantt: pd.DataFrame) -> pd.DataFrame:
    """The figure's rows from top to bottom: a heading where the feature changes, then proposals.

    Columns: ``kind`` ("feature" or "proposal"), ``feature_id``, ``text`` and ``timescale``
    (wrapped), ``lines`` (of the taller text) and ``centre`` (from the top, in lines, the gap
    above the row included). ``row`` is the proposal's position in ``gantt`` (-1 for headings).
    """
    rows = []
    previous = None
    for position, proposal in enumerate(gantt.itertuples()):
        if proposal.feature_id != previous:
            heading = textwrap.fill(f"{proposal.feature_id}. {proposal.feature}", 80)
            rows.append(("feature", proposal.feature_id, heading, "", -1))
            previous = proposal.feature_id
        text = textwrap.fill(f"{proposal.number}. {proposal.proposal}", PROPOSAL_CHARS)
        timescale = textwrap.fill(str(proposal.timescale), TIMESCALE_CHARS)
        rows.append(("proposal", proposal.feature_id, text, timescale, position))
    frame = pd.DataFrame(rows, columns=["kind", "feature_id", "text", "timescale", "row"])
    frame["lines"] = [
        max(t.count("\n"), s.count("\n")) + 1
        for t, s in zip(frame["text"], frame["timescale"], strict=True)
    ]
    gaps = frame["kind"].map({"feature": HEADING_GAP, "proposal": ROW_GAP})
    bottoms = (gaps + frame["lines"]).cumsum()
    frame["centre"] = bottoms - frame["lines"] / 2
    return frame


def msg_proposals_figure(gantt: pd.DataFrame, published: str):
    """Proposals top to bottom in number order, grouped by feature; returns ``(fig, alt)``."""
    features = gantt.drop_duplicates("feature_id").sort_values("feature_id")
    colours = dict(zip(features["feature_id"], palette(len(features)), strict=True))
    n = len(gantt)
    rows = gantt_rows(gantt)
    depth = float((rows["centre"] + rows["lines"] / 2).max()) + ROW_GAP
    height = depth * LINE
    top, bottom = 0.85, 0.3  # in: title, column headings and dates above; the key below
    width, total = sum(COLUMNS), height + top + bottom
    fig = plt.figure(figsize=(width, total))
    lefts = [0.0, COLUMNS[0], COLUMNS[0] + COLUMNS[1]]
    text_ax, ax, time_ax = (
        fig.add_axes((left / width, bottom / total, w / width, height / total))
        for left, w in zip(lefts, COLUMNS, strict=True)
    )
    start = pd.Timestamp(published)
    last = gantt["due"].max()
    ax.set_xlim(start - pd.Timedelta(days=12), last + pd.Timedelta(days=25))
    for axis in (text_ax, ax, time_ax):
        axis.set_ylim(depth, 0)
        axis.grid(False)
    for axis in (text_ax, time_ax):
        axis.set_xlim(0, 1)
        axis.set_axis_off()
    for row in rows.itertuples():
        y, colour = row.centre, colours[row.feature_id]
        if row.kind == "feature":
            text_ax.add_patch(Rectangle((0, y - 0.45), 0.02, 0.9, color=colour, clip_on=False))
            text_ax.text(0.035, y, row.text, va="center", fontsize=FONT + 0.5, fontweight="bold")
            for axis in (text_ax, ax, time_ax):
                axis.axhline(y + row.lines / 2 + 0.15, color="0.55", linewidth=0.6, clip_on=False)
            continue
        proposal = gantt.iloc[row.row]
        text_ax.text(0.035, y, row.text, va="center", fontsize=FONT, linespacing=SPACING)
        time_ax.text(0.06, y, row.timescale, va="center", fontsize=FONT, linespacing=SPACING)
        ax.barh(y, proposal.earliest - proposal.start, left=proposal.start, height=0.9,
                color=colour)  # fmt: skip
        if proposal.due > proposal.earliest:
            ax.barh(
                y,
                proposal.due - proposal.earliest,
                left=proposal.earliest,
                height=0.9,
                color="white",
                edgecolor=colour,
                hatch="///",
                linewidth=0.8,
            )
        below = y + row.lines / 2 + ROW_GAP / 2
        if below < depth - ROW_GAP:
            for axis in (text_ax, ax, time_ax):
                axis.axhline(below, color="0.88", linewidth=0.5, clip_on=False, zorder=0)
    ax.set_yticks([])
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.tick_params(axis="x", labelsize=FONT, top=True, labeltop=True, labelbottom=False, pad=2)
    ax.grid(axis="x", color="0.85", linewidth=0.6)
    ax.axvline(start, color="0.3", linewidth=1)
    heading = {"fontsize": FONT, "fontweight": "bold", "va": "bottom", "linespacing": SPACING}
    above = -3.3  # lines above the first row: over the dates
    text_ax.text(0.0, above, "MSG proposal (number and full text),\nby feature", **heading)
    ax.text(0.5, above, "Due date derived from\nthe printed timescale", ha="center",
            transform=blended_transform_factory(ax.transAxes, ax.transData), **heading)  # fmt: skip
    time_ax.text(0.06, above, "Printed\ntimescale", **heading)
    fig.suptitle(
        f"The {n} MSG proposals: timescales from publication ({start:%-d %B %Y})",
        fontsize=10,
        fontweight="bold",
        x=0.0,
        ha="left",
        y=1.0,
        va="top",
    )
    fig.legend(
        handles=[
            Patch(facecolor="0.35", label="to the due date (or to the earliest end of a range)"),
            Patch(facecolor="white", edgecolor="0.3", hatch="///", label="rest of a range"),
        ],
        loc="lower left",
        bbox_to_anchor=(0.0, 0.0),
        ncol=2,
        fontsize=FONT,
        frameon=False,
        handlelength=2.4,
    )
    per_feature = gantt.groupby("feature_id").size()
    alt = (
        f"Gantt chart of the {n} MSG proposals published {start:%-d %B %Y}, each with its full "
        "text and printed timescale, bars from "
        f"publication to the due date derived from each printed timescale, grouped and coloured "
        f"by the six Audit Scotland features ("
        + "; ".join(
            f"{r.feature}: {per_feature.get(r.feature_id, 0)}" for r in features.itertuples()
        )
        + f"). Due dates run from {gantt['due'].min():%B %Y} to {last:%B %Y}; "
        f"{int(gantt['recurring'].sum())} timescales recur every year."
    )
    return fig, alt
