"""Executed notebooks as static HTML pages (``reports/notebooks/NN_x.html``), for reading.

Each executed notebook is also rendered by nbconvert's ``HTMLExporter`` (JupyterLab template)
into a page beside it, with every output, so a reader of the report can click from a caption to
the cell that made a table or figure.  The page needs no JavaScript and loads nothing: the
template's require.js, MathJax, Mermaid and widget scripts are left out, JavaScript outputs are
dropped, and a short stylesheet replaces JupyterLab's 240 kB one.  Each cell's anchor is its id,
which ``compendium clean-notebook`` has already made stable (``cell-00``, ``cell-01``, ...), so
``NN_x.html#cell-05`` always names the same cell.  Nothing volatile enters: the same notebook
gives the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import nbformat

from compendium.inputs.files import write_text_atomic

# The page: JupyterLab's template without any <script>, with a stylesheet of its own.
PAGE_TEMPLATE = (
    """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}
<style type="text/css">
"""
    + """
  :root { --jp-cell-editor-background: #f5f6f8; --jp-cell-editor-active-background: #fff;
          --jp-mirror-editor-comment-color: #408080; --jp-mirror-editor-error-color: #f00;
          --jp-mirror-editor-keyword-color: #008000; --jp-mirror-editor-number-color: #080;
          --jp-mirror-editor-operator-color: #a2f; --jp-mirror-editor-punctuation-color: #05a;
          --jp-mirror-editor-string-color: #ba2121; --jp-mirror-editor-variable-color: #212121; }
  body { font-family: "DejaVu Sans", sans-serif; font-size: 14px; line-height: 1.45;
         color: #1a1a1a; margin: 0 auto; max-width: 62rem; padding: 0 0.75rem 3rem; }
  .compendium-banner { font-size: 13px; border-bottom: 1px solid #bbb; padding: 0.5rem 0; }
  .jp-Cell { margin: 0.6rem 0; scroll-margin-top: 0.5rem; }
  .jp-Cell:target { outline: 3px solid #e69f00; outline-offset: 2px; }
  .jp-InputPrompt, .jp-OutputPrompt { font-family: "DejaVu Sans Mono", monospace;
         font-size: 12px; color: #555; }
  .jp-InputArea-editor { background: #f5f6f8; border: 1px solid #dde; padding: 0.25rem 0.5rem;
         overflow-x: auto; }
  pre { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; margin: 0;
        white-space: pre; }
  .jp-OutputArea-output { overflow-x: auto; margin-top: 0.25rem; }
  .jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"] { background: #fdd; }
  img, svg { max-width: 100%; height: auto; }
  table { border-collapse: collapse; font-size: 12.5px; }
  th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
  th { background: #eef1f5; }
  .jp-MarkdownOutput { max-width: 48rem; }
  a.anchor-link { display: none; }
</style>
{%- endblock notebook_css -%}
{%- block body_header -%}
<body>
<main>
<p class="compendium-banner">Executed notebook <code>{{ resources.compendium_notebook }}</code>
as it ran in the build (<a href="{{ resources.compendium_ipynb }}">.ipynb</a>);
every cell's anchor is its id, <code>#cell-NN</code>.</p>
{%- endblock body_header -%}
{%- block data_javascript scoped -%}{%- endblock data_javascript -%}
{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}
"""
)

# A cell's anchor: its stable id itself (JupyterLab's template writes id="cell-id=<id>").
ANCHOR_MACRO = """\
{%- macro cell_id_anchor(cell) -%}
{% if cell.id | length > 0 -%}id="{{ cell.id | escape_html }}"{%- endif %}
{%- endmacro %}
"""

SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
PARAMETER_TAGS = {"parameters", "injected-parameters"}
PAGE_KEY = "compendium_notebook_page.html.j2"


def exporter():
    from nbconvert import HTMLExporter

    loader = jinja2.DictLoader({PAGE_KEY: PAGE_TEMPLATE, "cell_id_anchor.j2": ANCHOR_MACRO})
    return HTMLExporter(
        template_name="lab",
        template_file=PAGE_KEY,
        extra_loaders=[loader],
        exclude_anchor_links=True,
        embed_images=True,
    )


def render_page(notebook: Path | str) -> str:
    """The HTML page of the executed notebook at ``notebook`` (no <script>, stable anchors)."""
    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    resources = {
        "metadata": {"name": notebook.stem, "path": ""},
        "compendium_notebook": notebook.name,
        "compendium_ipynb": notebook.name,
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    if SCRIPT.search(body):  # an output the template does not drop: refuse, never ship it
        raise ValueError(f"{notebook}: the page would carry a <script>; refusing to write it")
    lines = [line.rstrip() for line in body.splitlines()]
    return "\n".join(lines).strip() + "\n"


def cell_anchors(page: str) -> list[str]:
    """The cell anchors (``id="cell-NN"``) of a rendered page, in order."""
    return re.findall(r'\bid="(cell-[^"]+)"', page)


def write_page(notebook: Path | str, out: Path | str) -> Path:
    """Render ``notebook`` and write its page to ``out`` atomically."""
    return write_text_atomic(Path(out), render_page(notebook))


def _code_cells(notebook: Path | str) -> list[tuple[str, str]]:
    """(id, source) of the code cells that are not parameter cells, in order."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = []
    for cell in nb.get("cells", []):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.get("cell_type") != "code" or tags & PARAMETER_TAGS or not cell.get("id"):
            continue
        source = cell.get("source", "")
        cells.append((cell["id"], "".join(source) if isinstance(source, list) else source))
    return cells


def exhibit_cell(notebook: Path | str, parameter: str) -> str | None:
    """The id of the cell of an executed notebook that writes the output named by
    ``parameter`` (such as ``table2_path``): the first cell passing it to a save or write
    call, else the first that mentions it (parameter cells aside); None if none does."""
    cells = _code_cells(notebook)
    name = re.escape(parameter)
    call = re.compile(rf"\b\w*(?:save|write|to_csv)\w*\s*\((?:[^()]|\([^()]*\))*\b{name}\b")
    mention = re.compile(rf"\b{name}\b")
    for pattern in (call, mention):
        for cell_id, source in cells:
            if pattern.search(source):
                return cell_id
    return None
