"""The codebook: seven themes in published order, their subthemes and boundary rules.

Transcribed from section 4.2 of the report into ``data/codebook/`` (each row cites its line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compendium.inputs.packages import load_package


@dataclass(frozen=True)
class Codebook:
    """Themes (ordered as published) and subthemes, as typed frames."""

    themes: pd.DataFrame
    subthemes: pd.DataFrame

    @property
    def codes(self) -> list[str]:
        """Theme short codes in published order (G W D F L V S)."""
        return self.themes.sort_values("order")["code"].tolist()

    def short_name(self, code: str) -> str:
        return str(self.themes.set_index("code").at[code, "short_name"])

    def short_names(self) -> dict[str, str]:
        return dict(zip(self.themes["code"], self.themes["short_name"], strict=True))

    def subtheme_letters(self, code: str) -> list[str]:
        rows = self.subthemes[self.subthemes["theme_code"] == code]
        return sorted(rows["subtheme"].tolist())


def load_codebook(directory: Path | str) -> Codebook:
    """Load and validate the codebook package in ``directory``."""
    tables = load_package(directory)
    themes = tables["themes"].sort_values("order").reset_index(drop=True)
    return Codebook(themes=themes, subthemes=tables["subthemes"])
