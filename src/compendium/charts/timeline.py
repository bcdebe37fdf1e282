"""The documentary timeline figure: events in lanes by category, 1999-2026, milestones marked.

Events before the first year on the axis are listed in a note under the plot; events stated
to the year or month only are drawn with hollow markers.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from compendium.analysis.timeline import with_dates
from compendium.outputs.figures import palette

MARKERS = {"day": "o", "month": "s", "year": "D"}
WIDTH = 7.1  # in: with 8.5-10 pt text every text prints at 8 pt or more at the A4 text width
NOTE_CHARS = 110  # the note on earlier events is wrapped to lines of this many characters
MILESTONE_CHARS = 11  # and a milestone's label


def _lane_offsets(frame: pd.DataFrame) -> np.ndarray:
    """Small vertical offsets that separate events falling in the same lane and year."""
    rank = frame.groupby(["category", frame["start"].dt.year]).cumcount()
    size = frame.groupby(["category", frame["start"].dt.year])["start"].transform("size")
    return ((rank - (size - 1) / 2) * np.minimum(0.7 / size.clip(lower=1), 0.16)).to_numpy()


def label_levels(spans: list[tuple[float, float]]) -> list[int]:
    """A level (0, 1, ...) for each label so that labels on one level do not overlap.

    ``spans`` are the labels' ``(left, right)`` extents in any one unit, in drawing order;
    each takes the lowest level where it clears every label already there.
    """
    taken: list[list[tuple[float, float]]] = []
    levels = []
    for left, right in spans:
        level = next(
            (k for k, row in enumerate(taken) if all(right <= a or left >= b for a, b in row)),
            len(taken),
        )
        if level == len(taken):
            taken.append([])
        taken[level].append((left, right))
        levels.append(level)
    return levels


def timeline_figure(
    events: pd.DataFrame,
    milestones: pd.DataFrame,
    first_year: int = 1999,
    last_year: int = 2026,
):
    """Lane chart of events by category; returns ``(figure, alt_text)``."""
    dated = with_dates(events).sort_values(["start", "source_doc", "source_line"], kind="stable")
    shown = dated[dated["start"].dt.year >= first_year].copy()
    earlier = dated[dated["start"].dt.year < first_year]
    lanes = shown.groupby("category").size().sort_values(ascending=True).index.tolist()
    lane_of = {c: i for i, c in enumerate(lanes)}
    colours = dict(zip(lanes, palette(len(lanes)), strict=True))
    shown["y"] = shown["category"].map(lane_of) + _lane_offsets(shown)

    note = (
        f"Before {first_year} (not drawn): "
        + "; ".join(
            f"{r.start.year} {r.event} [{r.source_doc}]"
            for r in earlier.drop_duplicates("event").itertuples()
        )
        if len(earlier)
        else f"No event before {first_year}."
    )
    note = textwrap.fill(note, NOTE_CHARS)
    height = 0.36 * len(lanes) + 2.9
    fig, ax = plt.subplots(figsize=(WIDTH, height))
    low, high = pd.Timestamp(f"{first_year}-01-01"), pd.Timestamp(f"{last_year}-12-31")
    labels = []
    for row in milestones.itertuples():
        if row.end > row.start:
            ax.axvspan(row.start, row.end, color="0.85", alpha=0.6, zorder=0, linewidth=0)
        else:
            ax.axvline(row.start, color="0.45", linestyle="--", linewidth=1, zorder=0)
        right = (row.start - low) / (high - low) > 0.8  # near the right edge: text to the left
        labels.append(
            ax.annotate(
                textwrap.fill(row.milestone, MILESTONE_CHARS),
                (row.start, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(-2 if right else 2, 4),
                textcoords="offset points",
                ha="right" if right else "left",
                va="bottom",
                fontsize=8.5,
                color="0.2",
            )
        )
    spans = shown[shown["end"] > shown["start"]]
    for row in spans.itertuples():
        ax.plot([row.start, row.end], [row.y, row.y], color=colours[row.category], linewidth=2)
    for precision, marker in MARKERS.items():
        part = shown[shown["date_precision"] == precision]
        ax.scatter(
            part["start"],
            part["y"],
            marker=marker,
            s=26,
            facecolors=[colours[c] if precision == "day" else "white" for c in part["category"]],
            edgecolors=[colours[c] for c in part["category"]],
            linewidths=1.1,
            zorder=3,
        )
    ax.set_yticks(range(len(lanes)), [f"{c} ({(shown['category'] == c).sum()})" for c in lanes])
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(plt.matplotlib.dates.YearLocator(4))
    ax.xaxis.set_minor_locator(plt.matplotlib.dates.YearLocator(1))
    ax.xaxis.set_major_formatter(plt.matplotlib.dates.DateFormatter("%Y"))
    ax.tick_params(labelsize=9)
    ax.grid(axis="x", which="minor", color="0.93", linewidth=0.6)
    ax.set_xlabel("Date stated in the source document", fontsize=9)
    ax.set_ylabel("Event category (events shown)", fontsize=9)
    title = textwrap.fill(
        f"Scottish health and social care integration as the five documents date it, "
        f"{first_year}-{last_year}",
        64,
    )
    ax.legend(
        handles=[
            Line2D([], [], marker=m, linestyle="", color="0.3", markerfacecolor=fc, label=lab)
            for m, fc, lab in (
                ("o", "0.3", "dated to the day"),
                ("s", "white", "to the month"),
                ("D", "white", "to the year"),
            )
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncol=3,
        fontsize=8.5,
        frameon=False,
    )
    lines = note.count("\n") + 1
    fig.text(0.01, 0.005, note, ha="left", va="bottom", fontsize=8.5, linespacing=1.2)
    rect = (0, (lines * 8.5 * 1.2 / 72 + 0.12) / height, 1, 1)
    fig.tight_layout(rect=rect)
    # milestone labels that would overlap go up a level (measured as drawn, 3 pt apart)
    renderer = fig.canvas.get_renderer()
    extents = [label.get_window_extent(renderer) for label in labels]
    levels = label_levels([(e.x0 - 3, e.x1 + 3) for e in extents])
    for label, level in zip(labels, levels, strict=True):
        label.xyann = (label.xyann[0], 4 + 24 * level)
    ax.set_title(title, fontsize=10, pad=8 + 24 * (max(levels, default=0) + 1))
    fig.tight_layout(rect=rect)
    alt = (
        f"Timeline of {len(dated)} events stated in the five documents, in lanes by category "
        f"from {first_year} to {last_year}: "
        + ", ".join(f"{c} {(shown['category'] == c).sum()}" for c in lanes[::-1])
        + f". {len(earlier)} earlier events are listed in a note. Milestones: "
        + "; ".join(
            f"{r.milestone} ({r.start:%B %Y}" + (f" to {r.end:%B %Y})" if r.end > r.start else ")")
            for r in milestones.itertuples()
        )
        + "."
    )
    return fig, alt
