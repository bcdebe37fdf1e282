"""A coded corpus: the roster of participants, the groups, and the coded segments.

The corpus is a data package (``participants``, ``groups``, ``segments``; see the schemas in
``data/coded/surrogate/``).  Loading it validates the package (frictionless), then checks what
a schema cannot: every theme, subtheme and secondary theme exists in the codebook, and no
segment belongs to a withdrawn participant (withdrawn transcripts are never read, so their
segments must not be in the package at all).  The analysed set is derived from the roster.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compendium.inputs.codebook import Codebook
from compendium.inputs.errors import InputError
from compendium.inputs.formulas import FORMULA_START
from compendium.inputs.packages import load_package, read_descriptor

ANALYSED = "analysed"
WITHDRAWN = "withdrawn"
# C0 controls, DEL and C1 controls: never in an identifier or a code.  Free text (a group's
# label and typical roles) may hold tab, line feed and carriage return, nothing else of them.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FREE_TEXT = frozenset({"label", "typical_roles"})
# The text tables of a corpus folder (second_coding.csv is optional).
TEXT_TABLES = ("participants", "groups", "segments", "second_coding")


@dataclass(frozen=True)
class CodedCorpus:
    """A validated coded corpus.  ``segments`` only ever holds analysed participants' coding."""

    name: str
    directory: Path
    synthetic: bool
    participants: pd.DataFrame
    groups: pd.DataFrame
    segments: pd.DataFrame

    @property
    def analysed(self) -> pd.DataFrame:
        """Participants whose transcripts are analysed (status ``analysed``)."""
        return self.participants[self.participants["status"] == ANALYSED]

    @property
    def n_analysed(self) -> int:
        return len(self.analysed)

    @property
    def label(self) -> str:
        """How outputs made from this corpus must be labelled."""
        if self.synthetic:
            return (
                "synthetic surrogate corpus"
                if self.name == "surrogate"
                else (f"synthetic corpus '{self.name}'")
            )
        return f"corpus '{self.name}'"


def _row(index: int) -> int:
    """Frictionless row number of a frame index (header is row 1)."""
    return int(index) + 2


def check_against_codebook(segments: pd.DataFrame, codebook: Codebook, path: Path) -> None:
    """Raise InputError at the first theme, subtheme or secondary theme the codebook lacks.

    The corpus schema only says what a code looks like; which codes exist is the codebook's
    to say (any codebook: its themes.csv and subthemes.csv), so these checks are made here.
    """
    codes = set(codebook.codes)
    for column in ("theme", "secondary_theme"):
        values = segments[column]
        bad = values.notna() & ~values.isin(codes)
        if bad.any():
            i = bad.idxmax()
            raise InputError(
                path,
                f"unknown theme code {values[i]!r} (codebook: {' '.join(codebook.codes)})",
                row=_row(i),
                field=column,
            )
    valid = pd.MultiIndex.from_frame(codebook.subthemes[["theme_code", "subtheme"]])
    coded = pd.MultiIndex.from_arrays([segments["theme"], segments["subtheme"]])
    unknown = ~coded.isin(valid)
    if unknown.any():
        i = segments.index[unknown.argmax()]
        theme = segments.at[i, "theme"]
        raise InputError(
            path,
            f"subtheme {segments.at[i, 'subtheme']!r} does not exist under theme {theme!r} "
            f"(codebook: {' '.join(codebook.subtheme_letters(theme))})",
            row=_row(i),
            field="subtheme",
        )
    same = segments["secondary_theme"].notna() & (segments["secondary_theme"] == segments["theme"])
    if same.any():
        i = same.idxmax()
        raise InputError(
            path, "secondary theme repeats the primary theme", row=_row(i), field="secondary_theme"
        )


def check_links(segments: pd.DataFrame, path: Path) -> None:
    """A secondary theme needs a link type and a link type needs a secondary theme."""
    mismatch = segments["secondary_theme"].isna() != segments["link_type"].isna()
    if mismatch.any():
        i = mismatch.idxmax()
        field = "link_type" if pd.isna(segments.at[i, "link_type"]) else "secondary_theme"
        raise InputError(
            path,
            "secondary_theme and link_type must be given together (or both left empty)",
            row=_row(i),
            field=field,
        )


def check_analysed_have_mode(participants: pd.DataFrame, path: Path) -> None:
    missing = (participants["status"] == ANALYSED) & participants["interview_mode"].isna()
    if missing.any():
        i = missing.idxmax()
        raise InputError(
            path,
            "an analysed participant needs an interview mode",
            row=_row(i),
            field="interview_mode",
        )


def check_no_formula_cells(frame: pd.DataFrame, path: Path) -> None:
    """Refuse cells that a spreadsheet would run as a formula (CSV injection), e.g. ``=cmd|...``.

    Outputs are opened in spreadsheets by reviewers; such a cell is refused, not rewritten.
    """
    for column in frame.columns:
        values = frame[column]
        if values.dtype != "string":
            continue
        bad = values.fillna("").str.startswith(FORMULA_START)
        if bad.any():
            i = bad.idxmax()
            raise InputError(
                path,
                f"value {values[i]!r} starts like a spreadsheet formula (CSV injection); "
                "remove the leading character",
                row=_row(i),
                field=column,
            )


def control_refusal(value: str, free_text: bool = False) -> str | None:
    """Why ``value`` is refused for holding a control character (None: it holds none)."""
    found = (CONTROL_IN_TEXT if free_text else CONTROL).search(value)
    if found is None:
        return None
    which = (
        "text may hold no control character but tab, line feed and carriage return"
        if free_text
        else "identifiers and codes may hold no control character"
    )
    return f"value {value[:40]!r} holds the control character U+{ord(found.group()):04X}; {which}"


def check_no_control_characters(
    frame: pd.DataFrame, path: Path, free_text: frozenset[str] = FREE_TEXT
) -> None:
    """Refuse a cell holding a C0 or C1 control character or DEL (NUL, ESC, U+0085...).

    Identifiers and codes may hold none; ``free_text`` columns may hold tab, line feed and
    carriage return.
    """
    for column in frame.columns:
        if frame[column].dtype not in ("string", object):
            continue
        cells = frame[column].astype("string").to_numpy(dtype=object, na_value="")
        text = column in free_text
        if (CONTROL_IN_TEXT if text else CONTROL).search("".join(cells)) is None:
            continue  # the usual case: one search over the whole column
        for position, value in enumerate(cells):
            if refusal := control_refusal(value, text):
                raise InputError(path, refusal, row=_row(position), field=column)


def check_text_tables(directory: Path) -> None:
    """After frictionless refused a corpus: a control character is the error to report.

    Frictionless sees one only as a broken pattern or a dangling foreign key, without naming
    it; the tables are read here unchecked, and any that cannot be read are left to that error.
    """
    for table in TEXT_TABLES:
        path = directory / f"{table}.csv"
        if not path.is_file():
            continue
        try:
            with warnings.catch_warnings():  # a ragged row: pandas' warning, not ours to print
                warnings.simplefilter("ignore")
                frame = pd.read_csv(
                    path, dtype=str, keep_default_na=False, index_col=False, encoding="utf-8"
                )
        except (OSError, ValueError):
            continue
        check_no_control_characters(frame, path)


def check_no_withdrawn_segments(
    segments: pd.DataFrame, participants: pd.DataFrame, path: Path
) -> None:
    withdrawn = set(participants.loc[participants["status"] == WITHDRAWN, "participant_id"])
    hit = segments["participant_id"].isin(withdrawn)
    if hit.any():
        i = hit.idxmax()
        raise InputError(
            path,
            f"segment of withdrawn participant {segments.at[i, 'participant_id']!r}: withdrawn "
            "transcripts must be removed from the corpus, not only flagged",
            row=_row(i),
            field="participant_id",
        )


def check_has_segments(segments: pd.DataFrame, path: Path) -> None:
    """A corpus of no segment has nothing to analyse: refused, not built into empty outputs."""
    if segments.empty:
        raise InputError(
            path,
            "no segments: a coded corpus needs at least one coded segment of an analysed "
            "participant",
        )


def load_corpus(directory: Path | str, codebook: Codebook) -> CodedCorpus:
    """Validate and load the coded corpus in ``directory``.

    A corpus is validated once per content: once it has passed, its typed tables are cached
    under a key made of every byte of the folder, the codebook and the validator's code
    (:mod:`compendium.inputs.corpus_cache`), and loading the same content again returns them
    without frictionless.  A corpus that fails is never cached: its error is raised every time.
    """
    from compendium.inputs import corpus_cache

    cached_tables = ("participants", "groups", "segments")
    directory = Path(directory)
    entry, tables = corpus_cache.lookup(directory, codebook, cached_tables)
    descriptor = read_descriptor(directory)
    if tables is None:
        try:
            tables = load_package(directory)
        except InputError:
            check_text_tables(directory)
            raise
        segments_path = directory / "segments.csv"
        for table in cached_tables:
            check_no_control_characters(tables[table], directory / f"{table}.csv")
            check_no_formula_cells(tables[table], directory / f"{table}.csv")
        check_has_segments(tables["segments"], segments_path)
        check_no_withdrawn_segments(tables["segments"], tables["participants"], segments_path)
        check_against_codebook(tables["segments"], codebook, segments_path)
        check_links(tables["segments"], segments_path)
        check_analysed_have_mode(tables["participants"], directory / "participants.csv")
        fields = {table: tables[table] for table in cached_tables}
        corpus_cache.store(entry, fields, directory, codebook)
    return CodedCorpus(
        name=descriptor.get("name", directory.name),
        directory=directory,
        synthetic=bool(descriptor.get("synthetic", False)),
        participants=tables["participants"],
        groups=tables["groups"],
        segments=tables["segments"],
    )


def corpus_summary(corpus: CodedCorpus) -> dict:
    """Counts that describe a loaded corpus (no participant-level detail)."""
    linked = corpus.segments["secondary_theme"].notna()
    return {
        "corpus": corpus.name,
        "synthetic": corpus.synthetic,
        "participants": int(len(corpus.participants)),
        "analysed": corpus.n_analysed,
        "withdrawn": int((corpus.participants["status"] == WITHDRAWN).sum()),
        "groups": int(len(corpus.groups)),
        "segments": int(len(corpus.segments)),
        "linked_segments": int(linked.sum()),
    }
