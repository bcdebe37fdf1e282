"""The compendium's report: HTML from a Jinja2 template, every number from computed results.

The template (``compendium/templates/report.html.j2``) holds the narrative; numbers come from
``reports/results/*.json`` (written by the notebooks), tables from ``reports/tables/*.csv``,
figures from ``figures/*.svg`` (embedded, with their alt text). Each table and figure gets a
caption naming the notebook that made it, its parameters, the short sha256 of its inputs, a
synthetic-data badge when it comes from the surrogate corpus, and what ``verify`` found.
"""

from __future__ import annotations

import base64
import fnmatch
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from compendium.outputs.pdf import font_face_css, svg_with_fonts
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
# Where the template's <style> gets the @font-face rules (filled once the page's text is known).
FONT_FACES = "/* @font-face rules of the shipped fonts */"


def rounded(value: str, digits: int) -> str:
    """A decimal number shown with ``digits`` decimals; any other cell unchanged."""
    if "." not in value:
        return value
    try:
        return f"{float(value):.{digits}f}"
    except ValueError:
        return value


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

    def caption_meta(self, step: str, verify: str | None) -> Markup:
        record = self.provenance.get(step)
        if record is None:
            raise KeyError(f"no provenance recorded for step {step!r}")
        params = {
            k: v
            for k, v in record["parameters"].items()
            if not k.endswith(("_path", "_stem", "_dir")) and k != "model_path"
        }
        inputs = [
            f"{Path(i['path']).name} {i['sha256'][:SHORT_HASH]}"
            for i in record["inputs"]
            if not i["path"].startswith(("src/", "notebooks/"))
        ]
        parts = [
            '<span class="badge synthetic">SYNTHETIC DATA</span>' if record["synthetic"] else "",
            f"Made by <code>{html.escape(record['notebook'])}</code>",
            "parameters: "
            + (
                ", ".join(
                    f"<code>{html.escape(k)}={html.escape(str(v))}</code>"
                    for k, v in params.items()
                )
                or "none"
            ),
            "inputs (sha256): " + ", ".join(f"<code>{html.escape(i)}</code>" for i in inputs),
        ]
        note, cls = self.verify_note(verify)
        if note:
            parts.append(f'<span class="verify {cls}">{html.escape(note.rstrip("."))}</span>')
        return Markup('<span class="meta">' + "; ".join(p for p in parts if p) + ".</span>")

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

    def table(self, exhibit: Exhibit) -> Markup:
        frame = pd.read_csv(self.root / exhibit.path, dtype=str, keep_default_na=False)
        if exhibit.columns:
            frame = frame[selected_columns(list(frame.columns), exhibit.columns)]
        if exhibit.digits is not None:
            frame = frame.map(lambda value: rounded(value, exhibit.digits))
        number = self._number("table")
        body = frame.to_html(
            index=False,
            escape=True,
            border=0,
            classes=["data", "wide" if exhibit.wide else "narrow"],
        )
        name = Path(exhibit.path).name
        caption = (
            f"<p class='caption'><strong>Table C{number}. "
            f"{html.escape(self.caption_of(exhibit))}</strong> "
            f"(<code>{html.escape(exhibit.path)}</code>). "
            f"{self.caption_meta(exhibit.step, exhibit.verify)}</p>"
        )
        return Markup(f"<div class='table-block' id='{html.escape(name)}'>{caption}{body}</div>")

    def figure(self, exhibit: Exhibit) -> Markup:
        svg = svg_with_fonts((self.root / f"{exhibit.path}.svg").read_text(encoding="utf-8"))
        title = self.caption_of(exhibit)
        match = re.search(r'aria-label="([^"]*)"', svg)
        alt = html.unescape(match.group(1)) if match else title
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        number = self._number("figure")
        stem = Path(exhibit.path).name
        return Markup(
            f"<figure id='{html.escape(stem)}'><img src='data:image/svg+xml;base64,{data}' "
            f"alt='{html.escape(alt, quote=True)}'/>"
            f"<figcaption><strong>Figure C{number}. {html.escape(title)}</strong> "
            f"(<code>{html.escape(exhibit.path)}.svg</code>, <code>.png</code>). "
            f"{self.caption_meta(exhibit.step, exhibit.verify)}</figcaption></figure>"
        )

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


def selected_columns(columns: list[str], patterns: list[str]) -> list[str]:
    """The columns matching any of the glob ``patterns``, in the table's own order."""
    chosen = [c for c in columns if any(fnmatch.fnmatchcase(c, p) for p in patterns)]
    if not chosen:
        raise ValueError(f"no column matches {patterns} (columns: {columns})")
    return chosen


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
        other_sections=context.other_sections,
        built=context.built,
        section_title=context.declarations.section_title,
        verification=summary,
        synthetic=any(p["synthetic"] for p in context.provenance.values()),
        font_faces=Markup(FONT_FACES),
    )
    return page.replace(FONT_FACES, font_face_css(page), 1)
