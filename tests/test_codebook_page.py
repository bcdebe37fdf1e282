"""The codebook page escapes what comes from data: a label cannot inject Markdown or HTML."""

from __future__ import annotations

import shutil

import pandas as pd
from conftest import ROOT
from markdown_it import MarkdownIt

from compendium.inputs.codebook import load_codebook
from compendium.outputs.codebook_page import codebook_markdown, md_text

HOSTILE = "<script>alert(1)</script> [click](javascript:alert(1)) *bold* | cell"


def test_md_text_keeps_data_literal():
    assert md_text("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert md_text("[a](b)") == "\\[a\\](b)"
    assert md_text("# not a heading") == "\\# not a heading"
    assert md_text("1. not a list", line_start=True) == "1\\. not a list"
    assert md_text("- not a list", line_start=True) == "\\- not a list"
    assert md_text("section 4.2.1") == "section 4.2.1"  # inside a line: as it is
    assert md_text("two\nlines | one cell") == "two lines \\| one cell"
    assert md_text("Decision rights (delegation, directions)") == (
        "Decision rights (delegation, directions)"  # ordinary text reads as it is
    )


def test_a_hostile_codebook_label_renders_as_text(tmp_path):
    folder = shutil.copytree(ROOT / "data" / "codebook", tmp_path / "codebook",
                             ignore=shutil.ignore_patterns("example_study"))  # fmt: skip
    themes = pd.read_csv(folder / "themes.csv", dtype=str, keep_default_na=False)
    themes.loc[0, "title"] = HOSTILE
    themes.loc[0, "definition"] = "# Injected heading\n\n- injected item"
    themes.to_csv(folder / "themes.csv", index=False, lineterminator="\n")
    page = codebook_markdown(load_codebook(folder))
    rendered = MarkdownIt("commonmark").enable("table").render(page)
    assert "<script" not in rendered and 'href="javascript' not in rendered
    assert "<a " not in rendered and "<em>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "<h1>Injected" not in rendered and "<li>injected" not in rendered
    # the table keeps its columns: the | of the label stays inside its cell
    header = next(line for line in page.splitlines() if line.startswith("| code"))
    row = next(line for line in page.splitlines() if line.startswith("| G |"))
    assert row.count(" | ") == header.count(" | ")
