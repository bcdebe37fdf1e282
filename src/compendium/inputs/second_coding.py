"""A second coder's coding of a corpus: ``second_coding.csv`` (optional).

One row per (segment, coder, theme) another coder assigned; a row with an empty ``theme``
records that the coder read the segment and assigned no theme.  The file sits in the corpus
folder, declared in its ``datapackage.json`` (then frictionless checks it, foreign key to the
segments included) or not; either way :func:`load_second_coding` checks every row against the
corpus and the codebook.  Format: ``docs/refi_qda_mapping.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compendium.inputs.corpus import check_no_control_characters, check_no_formula_cells
from compendium.inputs.errors import InputError
from compendium.inputs.packages import check_encoding

PRIMARY = "primary"
SECOND_CODING = "second_coding.csv"
COLUMNS = ["segment_id", "coder", "theme"]


def load_second_coding(
    directory: Path | str, segments: pd.DataFrame, theme_codes: list[str]
) -> pd.DataFrame | None:
    """Read and check ``second_coding.csv`` of a corpus folder (None when there is none)."""
    path = Path(directory) / SECOND_CODING
    if not path.exists():
        return None
    check_encoding(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(path, f"not a readable CSV table ({exc})") from None
    if list(frame.columns) != COLUMNS:
        missing = [c for c in COLUMNS if c not in frame.columns]
        raise InputError(
            path,
            f"columns must be {', '.join(COLUMNS)} (found {', '.join(map(str, frame.columns))})",
            row=1,
            field=(missing or [None])[0],
        )
    check_no_control_characters(frame, path, free_text=frozenset())  # no free text here
    known = set(segments["segment_id"])
    codes = set(theme_codes)
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if row.segment_id not in known:
            raise InputError(path, f"unknown segment {row.segment_id!r}", row=i, field="segment_id")
        if not row.coder or row.coder == PRIMARY:
            raise InputError(
                path, f"coder must be a non-empty name other than {PRIMARY!r}", row=i, field="coder"
            )
        if row.theme and row.theme not in codes:
            raise InputError(
                path,
                f"unknown theme code {row.theme!r} (codebook: {' '.join(theme_codes)})",
                row=i,
                field="theme",
            )
    check_no_formula_cells(frame.astype("string"), path)
    dup = frame.duplicated(keep="first")
    if dup.any():
        raise InputError(path, "duplicate row", row=int(np.argmax(dup.to_numpy())) + 2)
    return frame
