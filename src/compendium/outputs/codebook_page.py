"""A readable codebook page (Markdown) generated from ``data/codebook/``."""

from __future__ import annotations

from compendium.inputs.codebook import Codebook


def _bullets(text: str) -> list[str]:
    return [f"- {part.strip()}" for part in str(text).split(" | ") if part.strip()]


def codebook_markdown(codebook: Codebook, source: str) -> str:
    """Themes in published order, each with definition, subthemes and boundary rules."""
    lines = [
        "# Codebook",
        "",
        f"Generated from `data/codebook/` (transcribed from {source}, section 4.2; line",
        "numbers refer to that text). Seven themes, each with three subthemes; codes G W D F L V S",
        "as in Table 3.",
        "",
        "| code | theme | section | what it primarily explains | mechanism keywords |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in codebook.themes.itertuples():
        cells = [row.code, row.title, row.section, row.explains, row.mechanism_keywords]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    for row in codebook.themes.itertuples():
        subthemes = codebook.subthemes[codebook.subthemes["theme_code"] == row.code]
        lines += [
            "",
            f"## {row.code}: {row.title} (section {row.section}, line {row.source_line})",
            "",
            str(row.definition),
            "",
            "Subthemes:",
            "",
            *[
                f"- {s.code} ({s.subtheme}): {s.name} (line {s.source_line})"
                for s in subthemes.itertuples()
            ],
            "",
            f"Include when (line {row.boundary_line}):",
            "",
            *_bullets(row.include_rule),
            "",
            "Exclude when:",
            "",
            *_bullets(row.exclude_rules),
            "",
            f"Dual-coding rule (dual-code with {row.dual_code_with}):",
            "",
            *_bullets(row.dual_coding_rule),
        ]
    return "\n".join(lines) + "\n"
