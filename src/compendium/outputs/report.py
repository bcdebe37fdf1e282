"""The compendium's report: HTML from a Jinja2 template, every number from computed results.

The template (``compendium/templates/report.html.j2``) holds the narrative; numbers come from
``reports/results/*.json`` (written by the notebooks), tables from ``reports/tables/*.csv``,
figures from ``figures/*.svg`` (embedded, with their alt text). Each table and figure gets a
short caption: what it shows, a synthetic-data badge when it comes from the surrogate corpus,
the notebook that made it (linked to the cell that wrote it, on the notebook's HTML page beside
the executed notebook), the parameters that matter, what ``verify`` found, and links to its
CSV or SVG and PNG.  The sha256 of its inputs are in a collapsed <details> under it (hidden in
print) and in the appendix, which also holds in full the long tables (``summary:`` in the step
declarations) whose body shows counts and key rows only.  Every link is relative, so it
resolves from ``reports/report.html`` and from ``builds/<name>/reports/report.html`` alike.
"""

from __future__ import annotations

import base64
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from compendium.outputs.notebook_pages import exhibit_cell
from compendium.outputs.pdf import font_face_css, svg_with_fonts
from compendium.outputs.report_tables import (
    count_sentence,
    rounded,
    selected_columns,
    table_html,
)
from compendium.outputs.results import load_results
from compendium.outputs.verify import CALIBRATED, summarise
from compendium.pipeline.steps import (
    DECLARATIONS,
    Declarations,
    Exhibit,
    exhibits,
    read_declarations,
)

SHORT_HASH = 10
CODE = ("src/", "notebooks/")
BUILT = ("reports/", "figures/", "builds/")
# Where the template's <style> gets the @font-face rules (filled once the page's text is known).
FONT_FACES = "/* @font-face rules of the shipped fonts */"


class Results(dict):
    """Dict with attribute access, so the template reads ``r.participants.analysed``."""

    def __getattr__(self, name):
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(name) from None
        return Results(value) if isinstance(value, dict) else value


@dataclass
class ReportContext:
    """Where the built outputs are, and what the provenance and verification say of them."""

    root: Path
    provenance: dict = field(default_factory=dict)
    verification: pd.DataFrame | None = None
    counter: dict = field(default_factory=lambda: {"table": 0, "figure": 0})
    declarations: Declarations | None = None
    declared: list[Exhibit] = field(default_factory=list)
    rendered: list[tuple[str, Exhibit]] = field(default_factory=list)  # (label, exhibit)
    cells: dict = field(default_factory=dict)  # (step, output) -> anchor of the cell
    rendered_sections: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, root: Path | str, steps_path: Path | str = DECLARATIONS) -> ReportContext:
        root = Path(root)
        declarations = read_declarations(steps_path)
        provenance = {}
        for path in sorted((root / "reports" / "provenance").glob("*.json")):
            provenance[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        verification_path = root / "reports" / "verification.csv"
        verification = (
            pd.read_csv(verification_path, dtype={"published": str, "rebuilt": str})
            if verification_path.is_file()
            else None
        )
        return cls(
            root=root,
            provenance=provenance,
            verification=verification,
            declarations=declarations,
            declared=exhibits(declarations),
        )

    # -- captions -------------------------------------------------------------------------
    def verify_note(self, prefix: str | None) -> tuple[str, str]:
        """What ``verify`` found for the rows named ``prefix``, and the note's style class.

        A match counts as independent only where the value was not a calibration target of
        the corpus (``basis`` in ``reports/verification.csv``): ``match`` when some values are
        reproduced independently, ``calibrated`` (neutral) when every match is by construction
        of the surrogate, ``mismatch`` when any value differs.  ``("", "")`` when nothing is
        compared.
        """
        if not prefix or self.verification is None:
            return "", ""
        rows = self.verification[self.verification["item"].str.startswith(prefix)]
        if rows.empty:
            return "", ""
        n, n_ok = len(rows), int(rows["match"].sum())
        if n_ok < n:
            return (
                f"Differs from the published values: {n - n_ok} of {n} values differ "
                "(see Verification).",
                "mismatch",
            )
        n_calibrated = int((rows["basis"] == CALIBRATED).sum())
        n_independent = n_ok - n_calibrated
        matched = f"{n_ok} of {n} match the published values"
        if not n_independent:
            return f"{matched}, all {n_ok} by construction of the surrogate.", "calibrated"
        if not n_calibrated:
            return f"{matched}, all {n_ok} independently.", "match"
        return (
            f"{matched}: {n_independent} independent, {n_calibrated} by construction of the "
            "surrogate.",
            "match",
        )

    # -- captions -------------------------------------------------------------------------
    def record(self, step: str) -> dict:
        record = self.provenance.get(step)
        if record is None:
            raise KeyError(f"no provenance recorded for step {step!r}")
        return record

    def notebook_link(self, exhibit: Exhibit) -> str:
        """The executed notebook's page, anchored at the cell that wrote the exhibit."""
        executed = Path(self.record(exhibit.step)["executed_notebook"]).name
        key = (exhibit.step, exhibit.key)
        if key not in self.cells:
            path = self.root / "reports" / "notebooks" / executed
            self.cells[key] = exhibit_cell(path, exhibit.key) if path.is_file() else None
        anchor = f"#{self.cells[key]}" if self.cells[key] else ""
        page = f"notebooks/{Path(executed).stem}.html{anchor}"
        return f"<a href='{html.escape(page)}'><code>{html.escape(executed)}</code></a>"

    def caption_meta(self, exhibit: Exhibit) -> Markup:
        """Badge, notebook (linked), parameters, what ``verify`` found, links to the files."""
        record = self.record(exhibit.step)
        params = [
            f"<code>{html.escape(k)}={html.escape(str(v))}</code>"
            for k, v in record["parameters"].items()
            if not k.endswith(("_path", "_stem", "_dir"))
        ]
        made = f"Made by {self.notebook_link(exhibit)}"
        if params:
            made += " with " + ", ".join(params)
        parts = [made + "."]
        if record["synthetic"]:
            parts.insert(0, '<span class="badge synthetic">SYNTHETIC DATA</span>')
        note, cls = self.verify_note(exhibit.verify)
        if note:
            parts.append(f'<span class="verify {cls}">{html.escape(note)}</span>')
        parts.append(" · ".join(self.file_links(exhibit)))
        return Markup('<span class="meta">' + " ".join(parts) + "</span>")

    def file_links(self, exhibit: Exhibit) -> list[str]:
        """Relative links to the exhibit's files (from the build's ``reports/``)."""
        if exhibit.kind == "figure":
            files = [(f"{exhibit.path}.svg", "SVG"), (f"{exhibit.path}.png", "PNG")]
        else:
            files = [(exhibit.path, "CSV")]
        return [
            f"<a href='{html.escape(posixpath.relpath(path, 'reports'))}'>{label}</a>"
            for path, label in files
        ]

    def input_groups(self, step: str) -> tuple[list[dict], list[dict], list[dict]]:
        """The inputs of a step: data files, built outputs of other steps, code."""
        inputs = self.record(step)["inputs"]
        code = [i for i in inputs if i["path"].startswith(CODE)]
        built = [i for i in inputs if not i["path"].startswith(CODE) and built_path(i["path"])]
        data = [i for i in inputs if i not in code and i not in built]
        return data, built, code

    def inputs_details(self, exhibit: Exhibit) -> str:
        """The sha256 of the exhibit's inputs, in a collapsed <details> (not printed)."""
        data, built, code = self.input_groups(exhibit.step)
        items = [
            f"<li><code>{html.escape(i['path'])}</code> <code>{i['sha256'][:SHORT_HASH]}</code>"
            "</li>"
            for i in (*data, *(built if len(built) <= 5 else []))
        ]
        if len(built) > 5:
            items.append(f"<li>{len(built)} outputs of earlier steps</li>")
        items.append(f"<li>{len(code)} code files (notebook and modules)</li>")
        return (
            "<details class='inputs'><summary>Inputs and their sha256</summary>"
            f"<ul>{''.join(items)}</ul></details>"
        )

    def inputs_compact(self, step: str) -> str:
        """One line of the appendix: data files by folder with short hashes, code counted."""
        data, built, code = self.input_groups(step)
        folders: dict[str, list[str]] = {}
        for item in (*data, *(built if len(built) <= 5 else [])):
            folder, name = posixpath.split(item["path"])
            folders.setdefault(folder, []).append(
                f"{html.escape(name)} <code>{item['sha256'][:SHORT_HASH]}</code>"
            )
        lines = [
            f"{html.escape(folder)}/: " + ", ".join(names) for folder, names in folders.items()
        ]
        if len(built) > 5:
            lines.append(f"{len(built)} outputs of earlier steps")
        lines.append(f"{len(code)} code files")
        return "<br>".join(lines)

    def _number(self, kind: str) -> int:
        self.counter[kind] += 1
        return self.counter[kind]

    # -- blocks ---------------------------------------------------------------------------
    def caption_of(self, exhibit: Exhibit) -> str:
        parameters = self.provenance[exhibit.step]["parameters"]
        try:
            return exhibit.caption.format_map(parameters)
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError(
                f"step {exhibit.step}, output {exhibit.key}: caption {exhibit.caption!r} "
                f"cannot be filled from the step's parameters ({exc})"
            ) from None

    def frame_of(self, exhibit: Exhibit) -> pd.DataFrame:
        frame = pd.read_csv(self.root / exhibit.path, dtype=str, keep_default_na=False)
        if exhibit.columns:
            frame = frame[selected_columns(list(frame.columns), exhibit.columns)]
        if exhibit.digits is not None:
            frame = frame.map(lambda value: rounded(value, exhibit.digits))
        return frame

    def table(self, exhibit: Exhibit) -> Markup:
        frame = self.frame_of(exhibit)
        label = f"Table C{self._number('table')}"
        self.rendered.append((label, exhibit))
        name = Path(exhibit.path).name
        caption = (
            f"<p class='caption'><strong>{label}. {html.escape(self.caption_of(exhibit))}."
            f"</strong> {self.caption_meta(exhibit)}</p>"
        )
        shown, note = (
            (frame, "") if exhibit.summary is None else self.summary(exhibit, frame, label)
        )
        body = note + (table_html(shown, exhibit.wide) if not shown.empty else "")
        return Markup(
            f"<div class='exhibit table-block' id='{html.escape(name)}'>{caption}{body}"
            f"{self.inputs_details(exhibit)}</div>"
        )

    def summary(
        self, exhibit: Exhibit, frame: pd.DataFrame, label: str
    ) -> tuple[pd.DataFrame, str]:
        """A long table in the body: its counts and key rows (the rows shown, and a sentence);
        the whole of it is in the appendix."""
        spec = exhibit.summary
        named = [*spec.get("count", []), *(spec.get("where") or {}), *spec.get("columns", [])]
        if missing := [c for c in named if c not in frame.columns]:
            raise ValueError(
                f"step {exhibit.step}, output {exhibit.key}: the summary names no column "
                f"{', '.join(missing)} (columns: {', '.join(frame.columns)})"
            )
        counts = [count_sentence(frame, column) for column in spec.get("count", [])]
        keys = frame
        for column, values in (spec.get("where") or {}).items():
            keys = keys[keys[column].isin(values)]
        shown = keys.head(spec.get("rows", 10))
        if spec.get("columns"):
            shown = shown[selected_columns(list(shown.columns), spec["columns"])]
        where = "; ".join(
            f"{html.escape(column)} {' or '.join(html.escape(v) for v in values)}"
            for column, values in (spec.get("where") or {}).items()
        )
        if shown.empty:
            rows = ""
        elif where:
            rows = f" Below, {len(shown)} of the {len(keys)} rows with {where}."
        else:
            rows = f" Below, its first {len(shown)}."
        text = (
            f"{len(frame)} rows"
            + (f" ({'; '.join(counts)})" if counts else "")
            + "."
            + rows
            + f" In full: <a href='#appendix-{html.escape(Path(exhibit.path).name)}'>"
            f"{label} in the appendix</a>."
        )
        return shown, f"<p class='summary'>{text}</p>"

    def figure(self, exhibit: Exhibit) -> Markup:
        svg = svg_with_fonts((self.root / f"{exhibit.path}.svg").read_text(encoding="utf-8"))
        title = self.caption_of(exhibit)
        match = re.search(r'aria-label="([^"]*)"', svg)
        alt = html.unescape(match.group(1)) if match else title
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        label = f"Figure C{self._number('figure')}"
        self.rendered.append((label, exhibit))
        stem = Path(exhibit.path).name
        return Markup(
            f"<figure class='exhibit' id='{html.escape(stem)}'>"
            f"<img src='data:image/svg+xml;base64,{data}' alt='{html.escape(alt, quote=True)}'/>"
            f"<figcaption><strong>{label}. {html.escape(title)}.</strong> "
            f"{self.caption_meta(exhibit)}</figcaption>{self.inputs_details(exhibit)}</figure>"
        )

    # -- appendix -------------------------------------------------------------------------
    def appendix(self) -> Markup:
        """The long tables in full, then the inputs of every exhibit with short sha256."""
        blocks = []
        full = [(label, e) for label, e in self.rendered if e.summary is not None]
        if full:
            blocks.append("<h2 id='appendix' class='appendix'>Appendix A. Long tables in full</h2>")
        for label, exhibit in full:
            name = Path(exhibit.path).name
            links = " · ".join(self.file_links(exhibit))
            frame = self.frame_of(exhibit)
            blocks.append(
                f"<div class='table-block' id='appendix-{html.escape(name)}'>"
                f"<p class='caption'><strong>{label} in full. "
                f"{html.escape(self.caption_of(exhibit))}.</strong> "
                f"<a href='#{html.escape(name)}'>In the body</a> · {links}</p>"
                f"{table_html(frame, exhibit.wide)}</div>"
            )
        rows = [
            f"<tr><td><a href='#{html.escape(Path(e.path).name)}'>{label}</a></td>"
            f"<td>{html.escape(Path(self.record(e.step)['notebook']).name)}</td>"
            f"<td>{self.inputs_compact(e.step)}</td></tr>"
            for label, e in self.rendered
        ]
        if rows:
            blocks.append(
                "<h2 id='appendix-inputs' class='appendix'>Appendix B. The inputs of each exhibit"
                "</h2><p>Each exhibit's data files with the first "
                f"{SHORT_HASH} hex digits of their sha256 (<code>sha256sum</code> gives the "
                "rest); <code>reports/manifest.json</code> lists every input, code included, in "
                "full.</p><div class='table-scroll'><table class='data inputs'><thead><tr>"
                "<th>exhibit</th><th>notebook</th><th>inputs (sha256)</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>"
            )
        return Markup("\n".join(blocks))

    def built(self, step: str) -> bool:
        """Whether ``step`` ran in this build (it left a provenance record)."""
        return step in self.provenance

    def exhibits(self, section: str) -> Markup:
        """The tables and figures declared for ``section``, in declaration order."""
        self.rendered_sections.add(section)
        blocks = [
            self.figure(e) if e.kind == "figure" else self.table(e)
            for e in self.declared
            if e.section == section and self.built(e.step)
        ]
        return Markup("\n".join(blocks))

    def other_sections(self) -> Markup:
        """Sections declared for exhibits but not written in the template: heading + exhibits."""
        blocks = []
        for section in dict.fromkeys(e.section for e in self.declared if self.built(e.step)):
            if section in self.rendered_sections:
                continue
            title = html.escape(self.declarations.section_title(section))
            blocks.append(f"<h2 id='section-{html.escape(section)}'>{title}</h2>")
            blocks.append(self.exhibits(section))
        return Markup("\n".join(blocks))


def built_path(path: str) -> bool:
    """An output of a step (under ``reports/`` or ``figures/``, of this build or another)."""
    return path.startswith(BUILT)


def render_report(
    root: Path | str,
    template_dir: Path | str | None = None,
    steps_path: Path | str = DECLARATIONS,
) -> str:
    """Render the report HTML for the outputs under ``root``."""
    root = Path(root)
    context = ReportContext.load(root, steps_path)
    loader = (
        jinja2.FileSystemLoader(str(template_dir))
        if template_dir
        else jinja2.PackageLoader("compendium", "templates")
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    results = Results(load_results(root / "reports" / "results"))
    verification = context.verification
    summary = None
    if verification is not None:  # counts by basis: summarise (compendium verify's own)
        summary = summarise(verification) | {
            "differing": verification[~verification["match"]].to_dict("records"),
        }
    template = env.get_template("report.html.j2")
    page = template.render(
        r=results,
        exhibits=context.exhibits,
        appendix=context.appendix,
        other_sections=context.other_sections,
        built=context.built,
        section_title=context.declarations.section_title,
        verification=summary,
        synthetic=any(p["synthetic"] for p in context.provenance.values()),
        font_faces=Markup(FONT_FACES),
    )
    return page.replace(FONT_FACES, font_face_css(page), 1)
