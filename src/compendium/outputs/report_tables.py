"""Tables of the report: sized to their content, scrolling in their own box, summarised.

Split from :mod:`compendium.outputs.report`, which places them; these functions only turn a
table (a DataFrame of text) into HTML and say how it prints.
"""

from __future__ import annotations

import fnmatch
import html
import math
import re

import pandas as pd

# A column with more distinct values than this is counted, not listed, in a table's summary.
MAX_LISTED_VALUES = 12
MANY_COLUMNS = 10
WORD_CAP = 12
TEXT_COLUMN = 25  # characters per value on average: a column of sentences, kept readable
CH = 0.64  # width of "0" in the report's sans face, in em
PRINT_WIDTH = 178 / 25.4 * 72  # points across a printed A4 page, margins and padding aside
SMALLEST_PRINT = 5.0  # pt
# Each header breaks only at spaces and after underscores (never inside a word).
HEADER = re.compile(r"(<th\b[^>]*>)(.*?)(</th>)", re.DOTALL)


def rounded(value: str, digits: int) -> str:
    """A decimal number shown with ``digits`` decimals; any other cell unchanged."""
    if "." not in value:
        return value
    try:
        return f"{float(value):.{digits}f}"
    except ValueError:
        return value


def table_html(frame: pd.DataFrame, wide: bool) -> str:
    """A table in its own horizontal scroll box, its columns as wide as their content.

    Headers break only at spaces and after underscores.  Each column is at least as wide as
    its longest word (up to ``WORD_CAP`` characters), a column of sentences (class ``text``)
    wide enough on a screen to read them, and on paper, which cannot scroll, the table is
    printed small enough for those words to fit across the page (:func:`print_size`).
    """
    many = len(frame.columns) > MANY_COLUMNS
    classes = ["data", "wide" if wide else "narrow", *(["many-columns"] if many else [])]
    body = frame.to_html(index=False, escape=True, border=0, classes=classes)
    widths = [longest_word(frame, column) for column in frame.columns]
    body = body.replace(
        "<table ", f'<table style="--print-size: {print_size(widths, wide, many)}pt" ', 1
    )
    texts = [frame[c].astype(str).str.len().mean() > TEXT_COLUMN for c in frame.columns]
    remaining = iter(zip(widths, texts, strict=True))

    def header(match: re.Match) -> str:
        width, text = next(remaining, (1, False))
        style = f' style="min-width: {width}ch"' + (' class="text"' if text else "")
        return match[1][:-1] + style + ">" + match[2].replace("_", "_<wbr>") + match[3]

    return f"<div class='table-scroll'>{HEADER.sub(header, body)}</div>"


def print_size(widths: list[int], wide: bool, many: bool) -> float:
    """The printed font size (pt) of a table whose columns' longest words are ``widths``
    characters: its class's size, or less, down to ``SMALLEST_PRINT``, for them to fit."""
    size, padding = (6.5, 5.3) if many else (7.5, 9.3) if wide else (8.5, 9.3)
    room = PRINT_WIDTH - padding * len(widths)
    fit = room / (CH * max(sum(widths), 1))
    return max(SMALLEST_PRINT, math.floor(min(size, fit) * 10) / 10)


def longest_word(frame: pd.DataFrame, column: str) -> int:
    """The length of the longest word of a column's values and header pieces, capped."""
    words = [w for v in frame[column].astype(str) for w in v.split()]
    words += str(column).replace("_", "_ ").split()
    return min(max((len(w) for w in words), default=1), WORD_CAP)


def count_sentence(frame: pd.DataFrame, column: str) -> str:
    """``category: audit 18, policy 16`` (most frequent first), or ``43 distinct participant``."""
    counts = sorted(frame[column].value_counts().items(), key=lambda kv: (-kv[1], str(kv[0])))
    if len(counts) > MAX_LISTED_VALUES:
        return f"{len(counts)} distinct {html.escape(column)}"
    listed = ", ".join(f"{html.escape(str(value))} {n}" for value, n in counts)
    return f"{html.escape(column)}: {listed}"


def selected_columns(columns: list[str], patterns: list[str]) -> list[str]:
    """The columns matching any of the glob ``patterns``, in the table's own order."""
    chosen = [c for c in columns if any(fnmatch.fnmatchcase(c, p) for p in patterns)]
    if not chosen:
        raise ValueError(f"no column matches {patterns} (columns: {columns})")
    return chosen
