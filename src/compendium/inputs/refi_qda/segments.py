"""Spans -> the rows of ``segments.csv`` (linked and dual-coded pairs, numbered segments) and
other coders' codings -> the rows of ``second_coding.csv``.
"""

from __future__ import annotations

import pandas as pd

from compendium.inputs.refi_qda.report import ImportReport

EXTENT = ["_source", "_start", "_end"]


def segments_table(collected, theme_order: list[str], links: dict) -> pd.DataFrame:
    """Pair linked spans (typed links), then overlapping spans of different themes
    (dual-coded); number the segments.

    A linked pair is numbered at its origin's place.  The columns ``EXTENT`` (source guid,
    start, end of the segment) are for matching other coders' codings and are not written.
    """
    order = {code: i for i, code in enumerate(theme_order)}
    rows = []
    for pid, _name, source, spans in collected:
        spans = sorted(
            spans, key=lambda s: (s.start, -(s.end - s.start), order[s.theme], s.subtheme)
        )
        used = [False] * len(spans)
        index = {span: i for i, span in enumerate(spans)}
        typed = {}
        for origin, target, kind in links.get(source, []):
            typed[index[origin]] = (target, kind)
            used[index[origin]] = used[index[target]] = True
        for i, first in enumerate(spans):
            if i in typed:
                target, kind = typed[i]
                start, end = min(first.start, target.start), max(first.end, target.end)
                rows.append(
                    (pid, first.theme, first.subtheme, target.theme, kind, source, start, end)
                )
                continue
            if used[i]:
                continue
            used[i] = True
            partner = None
            for j in range(i + 1, len(spans)):
                other = spans[j]
                if other.start >= first.end:
                    break
                if not used[j] and other.theme != first.theme and other.start < first.end:
                    partner = j
                    break
            extent = (source, first.start, first.end)
            if partner is None:
                rows.append((pid, first.theme, first.subtheme, "", "", *extent))
            else:
                used[partner] = True
                pair = (spans[partner].theme, "dual_coded")
                end = max(first.end, spans[partner].end)
                rows.append((pid, first.theme, first.subtheme, *pair, source, first.start, end))
    frame = pd.DataFrame(
        rows,
        columns=[
            "participant_id",
            "theme",
            "subtheme",
            "secondary_theme",
            "link_type",
            *EXTENT,
        ],
    )
    counter = frame.groupby("participant_id", sort=False).cumcount() + 1
    width = max(3, len(str(int(counter.max())))) if len(frame) else 3
    frame.insert(
        0, "segment_id", frame["participant_id"] + "-" + counter.map(f"{{:0{width}d}}".format)
    )
    return frame


def second_coding_table(segments: pd.DataFrame, others, report: ImportReport) -> pd.DataFrame:
    """Other coders' codings as ``second_coding.csv`` rows, matched to the primary segments.

    Each coding goes to the segment of the same source it overlaps most (ties: the earlier
    segment); a coding overlapping none is counted, not compared.  A coder is taken to have
    read every segment of each source it coded at all: a segment it gave no theme gets a row
    with an empty theme.
    """
    by_source = {key: frame for key, frame in segments.groupby("_source", sort=False)}
    assigned: dict[tuple[str, str], set[str]] = {}
    read: set[tuple[str, str]] = set()
    for coder, source, start, end, theme in others:
        report.second_coders[coder] = report.second_coders.get(coder, 0) + 1
        read.add((coder, source))
        candidates = by_source.get(source)
        if candidates is None:
            report.second_unmatched += 1
            continue
        overlap = (
            candidates["_end"].clip(upper=end) - candidates["_start"].clip(lower=start)
        ).to_numpy()
        if overlap.max() <= 0:
            report.second_unmatched += 1
            continue
        segment = candidates["segment_id"].iloc[int(overlap.argmax())]
        assigned.setdefault((segment, coder), set()).add(theme)
    rows = []
    for coder, source in sorted(read):
        for segment in by_source.get(source, pd.DataFrame(columns=["segment_id"]))["segment_id"]:
            themes = sorted(assigned.get((segment, coder), set())) or [""]
            rows += [(segment, coder, theme) for theme in themes]
    frame = pd.DataFrame(rows, columns=["segment_id", "coder", "theme"])
    return frame.sort_values(["segment_id", "coder", "theme"], kind="stable").reset_index(drop=True)
