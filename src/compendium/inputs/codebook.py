"""The codebook: a study's themes in presented order, their subthemes and boundary rules.

A codebook is a data package (``themes.csv``, ``subthemes.csv``, their Table Schemas and
``datapackage.json``).  Its codes are data, not rules: the schemas only say what a code looks
like, and any study may bring its own (two themes or more, one subtheme or more each).  The
shipped codebook, ``data/codebook/``, is transcribed from section 4.2 of the report (each row
cites its line); ``data/codebook/example_study/`` is the worked example's.

Loading validates the package (frictionless: types, patterns, unique codes, every subtheme's
theme in ``themes.csv``), then checks what a Table Schema cannot: the columns the pipeline
reads are there, there are at least two themes, every theme has a subtheme, a subtheme letter
is used once under its theme, and ``dual_code_with`` names other themes of the same codebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from compendium.inputs.errors import InputError
from compendium.inputs.packages import load_package, read_descriptor

MIN_THEMES = 2
# Columns the pipeline reads; a codebook's own schema may not leave them out.
THEME_COLUMNS = (
    "order",
    "code",
    "short_name",
    "table2_name",
    "title",
    "section",
    "explains",
    "mechanism_keywords",
    "definition",
    "include_rule",
    "exclude_rules",
    "dual_coding_rule",
    "dual_code_with",
    "source_line",
    "table2_line",
    "boundary_line",
)
SUBTHEME_COLUMNS = ("theme_code", "subtheme", "code", "name", "source_line")


@dataclass(frozen=True)
class Codebook:
    """Themes (ordered as presented) and subthemes, as typed frames; the package's
    descriptor (``datapackage.json``: title, description, sources) and folder when loaded."""

    themes: pd.DataFrame
    subthemes: pd.DataFrame
    descriptor: dict = field(default_factory=dict, compare=False)
    directory: Path | None = field(default=None, compare=False)

    @property
    def codes(self) -> list[str]:
        """Theme codes in presented order (the shipped codebook: G W D F L V S)."""
        return self.themes.sort_values("order")["code"].tolist()

    def short_name(self, code: str) -> str:
        return str(self.themes.set_index("code").at[code, "short_name"])

    def short_names(self) -> dict[str, str]:
        return dict(zip(self.themes["code"], self.themes["short_name"], strict=True))

    def subtheme_letters(self, code: str) -> list[str]:
        rows = self.subthemes[self.subthemes["theme_code"] == code]
        return sorted(rows["subtheme"].tolist())


def _row(index: int) -> int:
    """Row number in the CSV file of a frame index (header is row 1)."""
    return int(index) + 2


def check_columns(frame: pd.DataFrame, expected: tuple[str, ...], path: Path) -> None:
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)}: the pipeline reads them "
            "(a column may be empty where its schema allows)",
            row=1,
            field=missing[0],
        )


def check_codebook(themes: pd.DataFrame, subthemes: pd.DataFrame, directory: Path) -> None:
    """What the Table Schemas cannot say; :class:`InputError` at the first problem."""
    themes_path, subthemes_path = directory / "themes.csv", directory / "subthemes.csv"
    check_columns(themes, THEME_COLUMNS, themes_path)
    check_columns(subthemes, SUBTHEME_COLUMNS, subthemes_path)
    if len(themes) < MIN_THEMES:
        raise InputError(
            themes_path,
            f"{len(themes)} theme(s): a codebook needs at least {MIN_THEMES} "
            "(intersections are pairs of themes)",
        )
    codes = set(themes["code"])
    without = [code for code in themes["code"] if code not in set(subthemes["theme_code"])]
    if without:
        i = themes.index[themes["code"] == without[0]][0]
        raise InputError(
            themes_path,
            f"theme {without[0]!r} has no subtheme in subthemes.csv (a coded segment names one)",
            row=_row(i),
            field="code",
        )
    repeated = subthemes.duplicated(["theme_code", "subtheme"])
    if repeated.any():
        i = repeated.idxmax()
        raise InputError(
            subthemes_path,
            f"subtheme {subthemes.at[i, 'subtheme']!r} appears twice under theme "
            f"{subthemes.at[i, 'theme_code']!r}",
            row=_row(i),
            field="subtheme",
        )
    for i, row in themes.iterrows():
        named = str(row["dual_code_with"]).split() if pd.notna(row["dual_code_with"]) else []
        for code in named:
            if code not in codes or code == row["code"]:
                why = "the theme itself" if code == row["code"] else "not a theme of this codebook"
                raise InputError(
                    themes_path,
                    f"dual_code_with names {code!r}, {why} (codes: {' '.join(sorted(codes))})",
                    row=_row(i),
                    field="dual_code_with",
                )


def load_codebook(directory: Path | str) -> Codebook:
    """Load and validate the codebook package in ``directory``."""
    directory = Path(directory)
    tables = load_package(directory)
    for name in ("themes", "subthemes"):
        if name not in tables:
            raise InputError(directory / "datapackage.json", f"the codebook has no {name} table")
    check_codebook(tables["themes"], tables["subthemes"], directory)
    themes = tables["themes"].sort_values("order").reset_index(drop=True)
    return Codebook(
        themes=themes,
        subthemes=tables["subthemes"],
        descriptor=read_descriptor(directory),
        directory=directory,
    )
