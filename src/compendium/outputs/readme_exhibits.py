"""The README's list of exhibits, generated from ``notebooks/steps.yaml``.

``compendium exhibits`` rewrites the block between :data:`START` and :data:`END` in
``README.md``: one row per table and figure of the report (an output declared with a caption),
grouped by report section in the order ``sections:`` gives, with the notebook that makes it and
its output files; captions are filled with the parameters of the committed build.  With
``--check`` it only says whether the block is current (``tests/test_readme_exhibits.py``).
"""

from __future__ import annotations

from pathlib import Path

from compendium.inputs.files import write_text_atomic

START = "<!-- exhibits:start -->"
END = "<!-- exhibits:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def exhibits_table(steps_path: Path | str = "notebooks/steps.yaml") -> str:
    """The Markdown table (run at the project root)."""
    from compendium.pipeline.steps import build_values, exhibits, read_declarations, resolve_steps

    declarations = read_declarations(steps_path)
    _, values, _ = build_values({})  # the committed build
    steps = {step.name: step for step in resolve_steps(declarations, values)}
    order = list(declarations.sections)
    found = sorted(
        (e for e in exhibits(declarations) if e.step in steps),
        key=lambda e: order.index(e.section) if e.section in order else len(order),
    )
    rows = [
        "| report section | exhibit | notebook | output |",
        "| --- | --- | --- | --- |",
    ]
    for exhibit in found:
        step = steps[exhibit.step]
        caption = exhibit.caption.format_map(step.parameters)
        files = f"`{exhibit.path}.svg`, `.png`" if exhibit.kind == "figure" else f"`{exhibit.path}`"
        rows.append(
            f"| {_cell(declarations.section_title(exhibit.section))} "
            f"| {exhibit.kind.capitalize()}: {_cell(caption)} | `{step.notebook}` | {files} |"
        )
    return "\n".join(rows) + "\n"


def with_exhibits(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    if not readme.count(START) == readme.count(END) == 1 or readme.find(START) > readme.find(END):
        raise ValueError(f"README.md needs one {START} line and one {END} line after it")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}{END}{tail}"


def update_readme(readme: Path | str = "README.md", steps_path="notebooks/steps.yaml") -> bool:
    """Rewrite the block; True when it changed."""
    readme = Path(readme)
    text = readme.read_text(encoding="utf-8")
    new = with_exhibits(text, exhibits_table(steps_path))
    if new != text:
        write_text_atomic(readme, new)
    return new != text
