"""The pipeline's step declarations (``notebooks/steps.yaml``), checked and resolved.

One short declaration per notebook says what the step reads, which parameters it takes, what it
writes and in which report section its exhibits appear.  The Snakefile makes one rule per step
from :func:`resolve_steps`; the report places the exhibits of :func:`exhibits` in their
sections.  A bad declaration stops everything with one line naming the file, line and field.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from compendium.inputs.errors import InputError
from compendium.inputs.json_schemas import first_error, load_schema
from compendium.inputs.pipeline_config import build_prefix, checked_config
from compendium.inputs.yaml_files import line_of_path, read_yaml
from compendium.pipeline.code_dependencies import notebook_code_files

DECLARATIONS = Path("notebooks") / "steps.yaml"
BUILT_FOLDERS = ("reports/", "figures/")
# Every step also renders its executed notebook as a page with this module (RUN_NOTEBOOK).
PAGE_CODE = "src/compendium/outputs/notebook_pages.py"
MAX_BYTES = 200_000


@dataclass
class Declarations:
    path: Path
    text: str
    sections: dict[str, str]
    steps: dict[str, dict]

    def error(self, keys, message: str) -> InputError:
        keys = [k for k in keys if k is not None]
        return InputError(
            self.path, message, row=line_of_path(self.text, keys), field=".".join(map(str, keys))
        )

    def section_title(self, key: str) -> str:
        return self.sections.get(key) or key.replace("_", " ").capitalize()


def read_declarations(path: Path | str = DECLARATIONS) -> Declarations:
    """The declarations in ``path``, checked against ``schemas/steps.json``."""
    path = Path(path)
    data, text = read_yaml(path, "step declarations", MAX_BYTES)
    error = first_error(load_schema("steps.json"), data)
    if error is not None:
        keys = [str(k) for k in error.absolute_path]
        raise InputError(
            path, error.message[:200], row=line_of_path(text, keys), field=".".join(keys) or None
        )
    return Declarations(path, text, data.get("sections") or {}, data["steps"])


def output_spec(value) -> dict:
    """An output declared as a bare path or as a mapping with a caption."""
    return {"path": value} if isinstance(value, str) else dict(value)


def output_files(key: str, path: str) -> dict[str, str]:
    """The files behind one output parameter: a ``*_stem`` makes an SVG and a PNG."""
    if key.endswith("_stem"):
        return {f"{key}_svg": f"{path}.svg", f"{key}_png": f"{path}.png"}
    return {key: path}


@dataclass
class Exhibit:
    """A table or figure of the report, as declared (paths relative to the build root)."""

    step: str
    key: str
    path: str
    caption: str
    section: str
    verify: str | None = None
    columns: list[str] | None = None
    digits: int | None = None
    wide: bool = False
    # a long table: the body shows a summary (counts, key rows), the appendix the whole table
    summary: dict | None = None

    @property
    def kind(self) -> str:
        return "figure" if self.key.endswith("_stem") else "table"


def exhibits(declarations: Declarations) -> list[Exhibit]:
    """Every output with a caption, in declaration order."""
    found = []
    for name, step in declarations.steps.items():
        for key, value in step["outputs"].items():
            spec = output_spec(value)
            if "caption" not in spec:
                continue
            section = spec.get("section") or step.get("section")
            if section is None:
                raise declarations.error(
                    ["steps", name, "outputs", key], "an exhibit needs a section"
                )
            found.append(
                Exhibit(
                    step=name,
                    key=key,
                    path=spec["path"],
                    caption=spec["caption"],
                    section=section,
                    verify=spec.get("verify"),
                    columns=spec.get("columns"),
                    digits=spec.get("digits"),
                    wide=bool(spec.get("wide", False)),
                    summary=spec.get("summary"),
                )
            )
    return found


@dataclass
class Step:
    """One step resolved for a build: every path is relative to the project root."""

    name: str
    notebook: str
    executed: str
    provenance: str
    page: str  # the executed notebook as an HTML page, beside it (compendium notebook-page)
    parameters: dict
    files: dict[str, str]
    data: list[str] = field(default_factory=list)
    upstream: list[str] = field(default_factory=list)
    # the src/compendium files it runs: the notebook's imports, followed, and the page renderer
    code: list[str] = field(default_factory=list)
    # made from the coded corpus, directly or through another step's output: its outputs carry
    # the corpus's label (synthetic or not)
    from_corpus: bool = False

    @property
    def built(self) -> tuple[str, ...]:
        """Everything the step writes but its provenance record: outputs, executed notebook,
        its page."""
        return (*self.files.values(), self.executed, self.page)

    @property
    def inputs(self) -> set[str]:
        """Every file the step depends on: notebook, code, data and upstream outputs."""
        return {self.notebook, *self.code, *self.data, *self.upstream}


def files_of(path: str) -> list[str]:
    """A file, or every file under a folder (sorted), so editing any of them reruns the step.

    A subfolder holding a data package of its own (``datapackage.json``, such as the example
    study's codebook inside ``data/codebook/``) is another input, not part of this one."""
    item = Path(path)
    if not item.is_dir():
        return [item.as_posix()]
    nested = [d for d in item.rglob("datapackage.json") if d.parent != item]
    return sorted(
        p.as_posix()
        for p in item.rglob("*")
        if p.is_file() and not any(p.is_relative_to(d.parent) for d in nested)
    )


def input_spec(value) -> tuple[str, list[str] | None]:
    """An input declared as a bare path, or as ``{path: FOLDER, files: [NAME, ...]}``: the
    path, and the files of the folder the step reads (None: all of them)."""
    if isinstance(value, str):
        return value, None
    return value["path"], list(value["files"])


def files_named(folder: str, patterns: list[str]) -> list[str]:
    """The files of ``folder`` that ``patterns`` name (relative names, or glob patterns such as
    ``*.schema.json``).  A plain name must exist (a ValueError says which does not); a pattern
    may match nothing, so optional files of a data package can be named too."""
    if not Path(folder).is_dir():
        raise ValueError(f"{folder} is not a folder, so it has no files to name")
    relative = {PurePosixPath(f).relative_to(folder).as_posix(): f for f in files_of(folder)}
    chosen = set()
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            chosen.update(f for name, f in relative.items() if fnmatch.fnmatchcase(name, pattern))
        elif pattern in relative:
            chosen.add(relative[pattern])
        else:
            raise ValueError(f"no file {pattern} in {folder}")
    return sorted(chosen)


class _Resolver:
    def __init__(self, declarations: Declarations, values: dict, out: str):
        self.declarations = declarations
        self.values = values
        self.out = out
        self.made: dict[str, str] = {}  # built file -> step that makes it
        self.from_corpus: set[str] = set()  # built files made from the coded corpus

    def value(self, keys, raw):
        if isinstance(raw, str) and raw.startswith("$"):
            name = raw[1:]
            if name not in self.values:
                known = ", ".join(sorted(self.values))
                raise self.declarations.error(keys, f"unknown pipeline parameter {raw} ({known})")
            return self.values[name]
        return raw

    def built(self, path: str) -> bool:
        return path.startswith(BUILT_FOLDERS) or path in {"reports", "figures"}

    def step(self, name: str, spec: dict, earlier: list[Step]) -> Step:
        keys = ["steps", name]
        notebook = f"notebooks/{spec['notebook']}"
        if not Path(notebook).is_file():
            raise self.declarations.error([*keys, "notebook"], f"no notebook {notebook}")
        parameters, data, upstream = {}, [], []
        from_corpus = False
        for key, declared in (spec.get("inputs") or {}).items():
            raw, named = input_spec(declared)
            path = str(self.value([*keys, "inputs", key], raw))
            from_corpus |= raw == "$corpus"
            if self.built(path):
                if named is not None:
                    raise self.declarations.error(
                        [*keys, "inputs", key, "files"], "files: names files of a data folder"
                    )
                if path in self.made:
                    upstream.append(self.out + path)
                elif not spec.get("after"):
                    raise self.declarations.error(
                        [*keys, "inputs", key], f"no step declared above makes {path}"
                    )
                parameters[key] = self.out + path
            else:
                if not Path(path).exists():
                    raise self.declarations.error([*keys, "inputs", key], f"no file {path}")
                parameters[key] = path
                try:
                    data.extend(files_of(path) if named is None else files_named(path, named))
                except ValueError as exc:
                    raise self.declarations.error(
                        [*keys, "inputs", key, "files"], str(exc)
                    ) from None
        for path in spec.get("reads") or []:
            data.extend(files_of(path))
        for key, raw in (spec.get("parameters") or {}).items():
            parameters[key] = self.value([*keys, "parameters", key], raw)
        files = {}
        for key, value in spec["outputs"].items():
            path = output_spec(value)["path"]
            if not path.startswith(BUILT_FOLDERS):
                raise self.declarations.error(
                    [*keys, "outputs", key], f"{path}: outputs go under reports/ or figures/"
                )
            for file_key, file in output_files(key, path).items():
                if file in self.made:
                    raise self.declarations.error(
                        [*keys, "outputs", key], f"{file} is made by step {self.made[file]} too"
                    )
                self.made[file] = name
                files[file_key] = self.out + file
            parameters[key] = self.out + path
        if spec.get("after"):
            upstream.extend(f for s in earlier for f in s.files.values())
            upstream.extend(s.provenance for s in earlier)
            upstream.extend(s.executed for s in earlier)  # the report links to their cells
        from_corpus |= any(path.removeprefix(self.out) in self.from_corpus for path in upstream)
        if from_corpus:
            self.from_corpus.update(f.removeprefix(self.out) for f in files.values())
        stem = Path(notebook).name
        return Step(
            name=name,
            notebook=notebook,
            executed=f"{self.out}reports/notebooks/{stem}",
            provenance=f"{self.out}reports/provenance/{name}.json",
            page=f"{self.out}reports/notebooks/{Path(stem).stem}.html",
            parameters=parameters,
            files=files,
            data=sorted(set(data)),
            upstream=sorted(set(upstream)),
            code=[*notebook_code_files(notebook, "src/compendium", "."), PAGE_CODE],
            from_corpus=from_corpus,
        )


def build_values(config: dict) -> tuple[dict, dict, str]:
    """One build: its checked parameters (``--config``), the values its declarations may name
    (``$name``: the parameters, ``findings`` and ``build_root``), and its folder prefix
    (``""`` for the committed build, else ``builds/<name>/``).  The Snakefile, ``compendium
    build`` and the README's list of exhibits all start from here."""
    parameters = checked_config(config)
    out = build_prefix(parameters)
    return parameters, parameters | {"findings": out != "", "build_root": out or "."}, out


def theme_codes(codebook: str) -> tuple[str, ...]:
    """The theme codes of a codebook folder (``themes.csv``, column ``code``), in its order."""
    import csv

    path = Path(codebook) / "themes.csv"
    if not path.is_file():
        raise InputError(path, "the codebook has no themes.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle) if row.get("code"))


def left_out(declarations: Declarations, values: dict) -> dict[str, str]:
    """Steps made for one codebook (``fits_codebook:``) that this build's codebook does not
    fit: step -> one line saying why.  They are left out of the build and the report, never
    run on themes they do not know."""
    codebook = str(values.get("codebook", "data/codebook"))
    reasons = {}
    for name, spec in declarations.steps.items():
        made_for = spec.get("fits_codebook")
        if made_for and Path(made_for).resolve() != Path(codebook).resolve():
            ours, theirs = theme_codes(codebook), theme_codes(made_for)
            if theirs != ours:
                reasons[name] = (
                    f"left out: {name} (made for the themes of {made_for}: {' '.join(theirs)}; "
                    f"this build's codebook {codebook} has {' '.join(ours)})"
                )
    return reasons


def resolve_steps(declarations: Declarations, values: dict, out: str = "") -> list[Step]:
    """The declared steps for one build: ``values`` are the pipeline parameters (``$name``),
    ``out`` the build's folder prefix (``""`` or ``builds/<name>/``).

    Steps with ``after: all`` (verification, the report) come after every other step, wherever
    it is declared, and after the ``after: all`` steps declared above them; so a step appended
    at the end of the file still reaches the report.  Steps the codebook does not fit
    (:func:`left_out`) are not resolved at all.
    """
    resolver = _Resolver(declarations, values, out)
    steps: list[Step] = []
    skipped = left_out(declarations, values)
    ordered = sorted(
        ((name, spec) for name, spec in declarations.steps.items() if name not in skipped),
        key=lambda item: bool(item[1].get("after")),
    )
    for name, spec in ordered:
        steps.append(resolver.step(name, spec, steps))
    return steps
