"""A readable codebook page (Markdown) generated from a codebook package.

Everything the page says is read from the codebook: how many themes and subthemes, their
codes, the package's sources and description; section and line references are shown
where the codebook has them (a codebook transcribed from a report), left out where it does not.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from compendium.inputs.codebook import Codebook

# Markdown's inline syntax; & < > become entities, so no HTML can be injected either.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~!{}])")
BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def md_text(value, line_start: bool = False) -> str:
    """Text from the codebook as literal Markdown: on one line (a table row stays a row), HTML
    escaped, Markdown punctuation backslash-escaped, and, where it starts a line
    (``line_start``), no list, quote or heading started."""
    if pd.isna(value):
        return ""
    text = html.escape(" ".join(str(value).split()), quote=False)
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    if not line_start:
        return text
    return BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def _bullets(text) -> list[str]:
    if pd.isna(text):
        return ["- none"]
    parts = [part for part in str(text).split(" | ") if part.strip()]
    return [f"- {md_text(part, line_start=True)}" for part in parts]


def _given(value) -> bool:
    return not pd.isna(value) and str(value).strip() != ""


def _where(section=None, line=None) -> str:
    """ " (section 4.2.1, line 786)", or as much of it as is known, or nothing."""
    parts = [f"section {section}"] if _given(section) else []
    parts += [f"line {line}"] if _given(line) else []
    return f" ({', '.join(parts)})" if parts else ""


def shape_sentence(codebook: Codebook) -> str:
    """How many themes and subthemes, and the theme codes: "4 themes with 10 subthemes
    (3, 2, 3, 2); codes RX RF IS FN." (or "each with 3 subthemes" when all have as many)."""
    per_theme = [len(codebook.subtheme_letters(code)) for code in codebook.codes]
    if len(set(per_theme)) == 1:
        counts = f", each with {per_theme[0]} subtheme{'s' if per_theme[0] != 1 else ''}"
    else:
        counts = f" with {sum(per_theme)} subthemes ({', '.join(map(str, per_theme))})"
    return f"{len(per_theme)} themes{counts}; codes {' '.join(map(md_text, codebook.codes))}."


def source_sentence(codebook: Codebook, source: str | None) -> str:
    """Where the codebook comes from: the ``sources`` of its ``datapackage.json`` (title and
    link), else ``source`` as given; then the package's description."""
    cited = [
        md_text(str(item.get("title", "")).strip().rstrip("."))
        + (f", {md_text(item['path'])}" if item.get("path") else "")
        for item in codebook.descriptor.get("sources") or []
        if str(item.get("title", "")).strip()
    ]
    if not cited and source:
        cited = [md_text(source)]
    parts = [f"Source: {'; '.join(cited)}." if cited else ""]
    description = md_text(str(codebook.descriptor.get("description", "")).strip())
    parts.append(description)
    return " ".join(p for p in parts if p)


def codebook_markdown(codebook: Codebook, source: str | None = None) -> str:
    """Themes in presented order, each with definition, subthemes and boundary rules.

    ``source`` names what the codebook was transcribed from when its ``datapackage.json``
    declares no ``sources`` of its own.
    """
    where = codebook.directory.as_posix().rstrip("/") + "/" if codebook.directory else "a codebook"
    themes = codebook.themes
    with_section = themes["section"].map(_given).any()
    header = ["code", "theme", *(["section"] if with_section else [])]
    header += ["what it primarily explains", "mechanism keywords"]
    lines = [
        "# Codebook",
        "",
        f"Generated from {md_text(where)}: {shape_sentence(codebook)}",
        "",
        *([text, ""] if (text := source_sentence(codebook, source)) else []),
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
    ]
    for row in themes.itertuples():
        cells = [row.code, row.title, *([row.section] if with_section else [])]
        cells += [row.explains, row.mechanism_keywords]
        lines.append("| " + " | ".join(md_text(c) for c in cells) + " |")
    for row in themes.itertuples():
        subthemes = codebook.subthemes[codebook.subthemes["theme_code"] == row.code]
        partners = (
            f" (dual-code with {md_text(row.dual_code_with)})" if _given(row.dual_code_with) else ""
        )
        lines += [
            "",
            f"## {md_text(row.code)}: {md_text(row.title)}"
            f"{_where(md_text(row.section), md_text(row.source_line))}",
            "",
            md_text(row.definition, line_start=True),
            "",
            "Subthemes:",
            "",
            *[
                f"- {md_text(s.code)} ({md_text(s.subtheme)}): {md_text(s.name)}"
                f"{_where(line=md_text(s.source_line))}"
                for s in subthemes.itertuples()
            ],
            "",
            f"Include when{_where(line=row.boundary_line)}:",
            "",
            *_bullets(row.include_rule),
            "",
            "Exclude when:",
            "",
            *_bullets(row.exclude_rules),
            "",
            f"Dual-coding rule{partners}:",
            "",
            *_bullets(row.dual_coding_rule),
        ]
    return "\n".join(lines) + "\n"
