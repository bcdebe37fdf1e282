"""The ``compendium`` command: validate, surrogate, example-study, verify, import-qdpx,
check-disclosure, and the build helpers provenance, manifest, clean-notebook, notebook-page.

Bad input ends with one line ``error: FILE, row N, field 'F': what is wrong`` on stderr and
exit status 2, never a traceback.

Every command works from any folder.  Paths typed on the command line are relative to the
working directory; defaults (codebook, corpus, published values, reports, targets) are under
the project root: ``--root PATH``, else the nearest folder at or above the working directory
holding ``data/codebook/datapackage.json`` (as notebooks find it, :func:`project_root`).
Commands that record paths (provenance, manifest, pdf) record them relative to the root.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from functools import partial
from pathlib import Path

from compendium.inputs.errors import InputError
from compendium.inputs.pipeline_config import DEFAULT_CORPUS
from compendium.paths import (
    MARKER,
    NoProjectRoot,
    is_project_root,
    project_root,
    relative_to_root,
    shown,
)

DEFAULT_CODEBOOK = "data/codebook"
DEFAULT_PUBLISHED = "data/published"
DEFAULT_REPORTS = "reports"
DEFAULT_TARGETS = "data/surrogate/targets.yaml"
DEFAULT_EXAMPLE_CODEBOOK = "data/codebook/example_study"
DEFAULT_EXAMPLE_CORPUS = "data/coded/example_study"
EXIT_BAD_INPUT = 2
EXIT_MISMATCH = 1
# Records a build writes beside (not from) its outputs: never scanned for disclosure.
BUILD_RECORDS = {"manifest.json", "disclosure.json"}


class NoProject(Exception):
    """A path under the project root is needed and there is no project (one line, exit 2)."""


def _root(args, required: bool = True) -> Path | None:
    """``--root``, else the nearest project at or above the working directory (None if there
    is none and ``required`` is false)."""
    given = getattr(args, "root", None)
    if given is not None:
        if not is_project_root(given):
            raise NoProject(f"--root {given}: no compendium project there (no {MARKER.as_posix()})")
        return Path(given).resolve()
    try:
        return project_root()
    except NoProjectRoot:
        if not required:
            return None
        raise NoProject(
            f"no compendium project at or above {Path.cwd()}; run inside the project or pass --root"
        ) from None


def _path(args, value: str | None, default: str) -> Path:
    """A path typed on the command line (relative to the working directory), else ``default``
    under the project root."""
    return Path(value) if value else shown(_root(args) / default)


def _recording_root(args) -> tuple[Path, partial]:
    """The folder recorded paths are relative to (the project root; outside any project, the
    working directory), and the function giving a typed path as seen from there."""
    root = _root(args, required=False) or Path.cwd()
    return root, partial(relative_to_root, root=root)


def _validate(args) -> int:
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.corpus import load_corpus
    from compendium.inputs.second_coding import load_second_coding

    corpus_dir = _path(args, args.corpus_dir, DEFAULT_CORPUS)
    codebook = load_codebook(_path(args, args.codebook, DEFAULT_CODEBOOK))
    corpus = load_corpus(corpus_dir, codebook)
    second = load_second_coding(corpus_dir, corpus.segments, codebook.codes)
    kind = "synthetic" if corpus.synthetic else "not synthetic"
    withdrawn = len(corpus.participants) - corpus.n_analysed
    coders = (
        "no second coding"
        if second is None
        else (
            f"second coding by {second['coder'].nunique()} coder(s) of "
            f"{second['segment_id'].nunique()} segments"
        )
    )
    print(
        f"valid: {corpus_dir} ({kind}): {len(corpus.participants)} participants "
        f"({corpus.n_analysed} analysed, {withdrawn} withdrawn), "
        f"{len(corpus.segments)} segments, {len(corpus.groups)} groups, {coders}"
    )
    return 0


def _surrogate(args) -> int:
    from compendium import surrogate
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.targets import load_targets

    codebook = load_codebook(_path(args, args.codebook, DEFAULT_CODEBOOK))
    targets = load_targets(_path(args, args.targets, DEFAULT_TARGETS), codebook.codes)
    out = _path(args, args.out, DEFAULT_CORPUS)
    written = surrogate.write_from_targets(targets, out)
    print(f"wrote {len(written)} files to {out} (synthetic, seed {targets['seed']})")
    return 0


def _example_study(args) -> int:
    from compendium import example_study
    from compendium.inputs.codebook import load_codebook

    codebook = load_codebook(_path(args, args.codebook, DEFAULT_EXAMPLE_CODEBOOK))
    out = _path(args, args.out, DEFAULT_EXAMPLE_CORPUS)
    written = example_study.write_example(codebook, out)
    print(f"wrote {len(written)} files to {out} (synthetic, seed {example_study.SEED})")
    return 0


def _verify(args) -> int:
    from compendium.outputs.verify import basis_sentence, run_checks, summarise, write_verification

    # The checks read the project's documents (verify_documents): run them at its root.
    root = _root(args)
    at_root = partial(relative_to_root, root=root)
    published = at_root(_path(args, args.published, DEFAULT_PUBLISHED))
    reports = Path(at_root(_path(args, args.reports, DEFAULT_REPORTS)))
    corpus = at_root(_path(args, args.corpus, DEFAULT_CORPUS))
    targets = at_root(_path(args, args.targets, DEFAULT_TARGETS))
    with contextlib.chdir(root):
        frame = run_checks(published, reports, corpus, targets)
        if not frame.empty:
            write_verification(frame, reports / "verification.csv")
    if frame.empty:
        print("verify: nothing to compare (no rebuilt tables found)", file=sys.stderr)
        return EXIT_MISMATCH
    for row in frame.itertuples():
        mark = "ok  " if row.match else "DIFF"
        print(
            f"{mark} {row.item}: published {row.published!r}, rebuilt {row.rebuilt!r} ({row.basis})"
        )
    summary = summarise(frame)
    n_diff = summary["differing"]
    print(f"verify: {basis_sentence(summary)}")
    print(f"verify: {summary['matching']} of {summary['total']} published values reproduced")
    if n_diff and not args.findings:
        return EXIT_MISMATCH
    return 0


def _provenance(args) -> int:
    from compendium.inputs.packages import read_descriptor
    from compendium.outputs.provenance import fragment, write_fragment

    root, at_root = _recording_root(args)
    corpus = at_root(args.corpus) if args.corpus else ""
    inputs, outputs = [at_root(p) for p in args.inputs], [at_root(p) for p in args.outputs]
    notebook, executed, out = at_root(args.notebook), at_root(args.executed), at_root(args.out)
    with contextlib.chdir(root):
        synthetic = bool(corpus and read_descriptor(corpus).get("synthetic", False))
        record = fragment(
            step=args.step,
            notebook=notebook,
            executed_notebook=executed,
            parameters=json.loads(args.parameters),
            inputs=inputs,
            outputs=outputs,
            synthetic=synthetic,
        )
        write_fragment(out, record)
    return 0


def _manifest(args) -> int:
    from compendium.outputs.provenance import write_manifest

    root, at_root = _recording_root(args)
    fragments, out = [at_root(p) for p in args.fragments], at_root(args.out)
    with contextlib.chdir(root):  # the fragments name outputs relative to the root
        write_manifest(out, fragments)
    return 0


def _clean_notebook(args) -> int:
    from compendium.outputs.notebooks import clean_executed_notebook

    if args.out and len(args.notebooks) != 1:
        raise SystemExit("clean-notebook: --out takes exactly one notebook")
    for path in args.notebooks:
        clean_executed_notebook(path, args.out or path)
    return 0


def _notebook_page(args) -> int:
    from compendium.outputs.notebook_pages import write_page

    write_page(args.executed, args.out)
    return 0


def _import_qdpx(args) -> int:
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.refi_qda import import_qdpx
    from compendium.inputs.refi_qda.template import write_template

    codebook = load_codebook(_path(args, args.codebook, DEFAULT_CODEBOOK))
    if args.command == "qdpx-template":  # a mapping (and a roster) to fill in for the project
        lines = write_template(args.project, args.out, codebook)
    else:
        lines = import_qdpx(args.project, args.mapping, args.out, codebook).lines()
    for line in lines:
        print(line)
    return 0


def _check_disclosure(args) -> int:
    from compendium.inputs.packages import load_package
    from compendium.outputs.disclosure import corpus_terms, scan, small_counts, unquotable_named

    terms = None
    if args.corpus:
        tables = load_package(args.corpus, validate=False)
        terms = corpus_terms(tables["participants"], tables["groups"])
    files = sorted(
        p
        for folder in args.folders
        for p in Path(folder).rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name not in BUILD_RECORDS
    )
    problems = [
        f"{d.path}, row {d.record}: participant {d.identifier!r} beside {d.attribute!r}"
        for d in scan(files, terms)
    ]
    if terms is not None:
        problems += [
            f"{d.path}, row {d.record}: names {d.identifier!r}, who may not be quoted"
            for d in unquotable_named(files, terms)
        ]
    problems += [
        f"{c.path}, row {c.row}, field {c.field!r}: count {c.value} is below the suppression "
        f"threshold {args.threshold}"
        for c in small_counts(files, args.threshold)
    ]
    for line in problems[:20]:
        print(f"disclosure: {line}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} disclosure problem(s): do not share these outputs", file=sys.stderr)
        return EXIT_MISMATCH
    print(f"disclosure: {len(files)} files checked, nothing found")
    if args.record:
        from compendium.outputs.results import save_results

        save_results(
            args.record,
            {"files_checked": len(files), "problems": 0, "suppression_threshold": args.threshold},
        )
    return 0


def _diff(args) -> int:
    from compendium.outputs.build_diff import diff_builds, format_diff

    found = diff_builds(args.a, args.b)
    for line in format_diff(found, args.limit):
        print(line)
    return 0 if found.same else EXIT_MISMATCH


UNDER_ROOT = "under the project root"
ROOT_HELP = (
    "the project folder (default: the nearest folder at or above the working directory holding "
    f"{MARKER.as_posix()}); paths typed on the command line stay relative to the working directory"
)


def _audit(args) -> int:
    import os

    from compendium.pipeline.audit import audit_lines, rebuild_one

    root = _root(args)
    path = relative_to_root(args.path, root)
    os.chdir(root)
    for line in audit_lines(path):
        print(line)
    if args.rebuild:
        same, said = rebuild_one(path, root)
        print(said)
        return 0 if same else EXIT_MISMATCH
    return 0


def _build_config(args, root: Path) -> dict:
    from compendium.inputs.pipeline_config import parse_assignments

    config = parse_assignments(args.assignments)
    if args.corpus:
        config["corpus"] = relative_to_root(args.corpus, root)
    return config


def _status(args) -> int:
    import os

    from compendium.pipeline.run import Plan

    root = _root(args)
    config = _build_config(args, root)
    os.chdir(root)
    plan = Plan.make(config)
    if args.steps:
        from compendium.pipeline.status import stale_steps

        print(" ".join(stale_steps(plan.stale)))
        return EXIT_MISMATCH if plan.stale else 0
    for stale in plan.stale:
        print(stale.line())
    if plan.stale:
        print(f"status: {len(plan.stale)} thing(s) not current in the {plan.name}; "
              "make reproduce rebuilds them", file=sys.stderr)  # fmt: skip
        return EXIT_MISMATCH
    print(f"status: {plan.name} is current")
    return 0


def _build(args) -> int:
    import os

    from compendium.pipeline.run import BuildBusy, reproduce

    root = _root(args)
    config = _build_config(args, root)
    os.chdir(root)
    try:
        return reproduce(config, cores=args.cores)
    except BuildBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="compendium", description=__doc__.splitlines()[0])
    parser.add_argument("--root", help=ROOT_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="validate a coded corpus data package")
    p.add_argument("corpus_dir", nargs="?", help=f"default: {DEFAULT_CORPUS} {UNDER_ROOT}")
    p.add_argument("--codebook", help=f"default: {DEFAULT_CODEBOOK} {UNDER_ROOT}")
    p.set_defaults(func=_validate)

    p = sub.add_parser("surrogate", help="write the synthetic surrogate corpus")
    p.add_argument("--targets", help=f"default: {DEFAULT_TARGETS} {UNDER_ROOT}")
    p.add_argument("--out", help=f"default: {DEFAULT_CORPUS} {UNDER_ROOT}")
    p.add_argument("--codebook", help=f"default: {DEFAULT_CODEBOOK} {UNDER_ROOT}")
    p.set_defaults(func=_surrogate)

    p = sub.add_parser(
        "example-study", help="write the worked example's synthetic corpus (its own codebook)"
    )
    p.add_argument("--codebook", help=f"default: {DEFAULT_EXAMPLE_CODEBOOK} {UNDER_ROOT}")
    p.add_argument("--out", help=f"default: {DEFAULT_EXAMPLE_CORPUS} {UNDER_ROOT}")
    p.set_defaults(func=_example_study)

    p = sub.add_parser("verify", help="compare rebuilt values with the published ones")
    p.add_argument("--published", help=f"default: {DEFAULT_PUBLISHED} {UNDER_ROOT}")
    p.add_argument(
        "--reports",
        help=f"rebuilt outputs; verification.csv is written here (default: {DEFAULT_REPORTS} "
        f"{UNDER_ROOT})",
    )
    p.add_argument(
        "--findings",
        action="store_true",
        help="report differences without failing (for corpora other than the surrogate)",
    )
    p.add_argument(
        "--corpus",
        help=f"the corpus the outputs were built from (default: {DEFAULT_CORPUS} {UNDER_ROOT}); "
        "only for the synthetic surrogate are values its targets set counted as calibrated",
    )
    p.add_argument(
        "--targets",
        help=f"the surrogate's calibration targets (default: {DEFAULT_TARGETS} {UNDER_ROOT})",
    )
    p.set_defaults(func=_verify)

    p = sub.add_parser("provenance", help="record what made a step's outputs (Snakefile use)")
    p.add_argument("--step", required=True)
    p.add_argument("--notebook", required=True)
    p.add_argument("--executed", required=True)
    p.add_argument("--parameters", required=True, help="JSON object")
    p.add_argument("--corpus", default="")
    p.add_argument("--inputs", nargs="*", default=[])
    p.add_argument("--outputs", nargs="*", default=[])
    p.add_argument("--out", required=True)
    p.set_defaults(func=_provenance)

    p = sub.add_parser("manifest", help="merge provenance fragments into a manifest")
    p.add_argument("fragments", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(func=_manifest)

    p = sub.add_parser("clean-notebook", help="strip volatile metadata from executed notebooks")
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--out", default="", help="write the cleaned copy here (atomically)")
    p.set_defaults(func=_clean_notebook)

    p = sub.add_parser("notebook-page", help="render an executed notebook as a static HTML page")
    p.add_argument("executed", help="executed notebook, e.g. reports/notebooks/02_salience.ipynb")
    p.add_argument("--out", required=True, help="the page, e.g. reports/notebooks/02_salience.html")
    p.set_defaults(func=_notebook_page)

    p = sub.add_parser("import-qdpx", help="import a REFI-QDA project (.qdpx) as a coded corpus")
    p.add_argument("project")
    p.add_argument("--mapping", required=True, help="mapping YAML (docs/refi_qda_mapping.md)")
    p.add_argument("--out", required=True, help="corpus folder, e.g. data/coded/<name>/")
    p.add_argument("--codebook", help=f"default: {DEFAULT_CODEBOOK} {UNDER_ROOT}")
    p.set_defaults(func=_import_qdpx)

    p = sub.add_parser("qdpx-template", help="write a mapping (and roster) to fill in for a .qdpx")
    p.add_argument("project")
    p.add_argument("--out", required=True, help="the mapping YAML to write, e.g. mapping.yaml")
    p.add_argument("--codebook", help=f"default: {DEFAULT_CODEBOOK} {UNDER_ROOT}")
    p.set_defaults(func=_import_qdpx)

    p = sub.add_parser(
        "check-disclosure",
        help="fail if an output names a participant beside an attribute, or shows a small count",
    )
    p.add_argument("folders", nargs="+", help="output folders, e.g. figures reports")
    p.add_argument("--corpus", default="", help="the corpus the outputs were built from")
    p.add_argument("--threshold", type=int, default=5, help="suppression threshold")
    p.add_argument("--record", help="write what was checked here (JSON) when nothing is found")
    p.set_defaults(func=_check_disclosure)

    p = sub.add_parser("diff", help="every parameter, number, table cell, figure that differs")
    p.add_argument("a", metavar="A", help="a build: a folder holding figures/ and reports/, e.g. .")
    p.add_argument("b", metavar="B", help="another build, e.g. builds/intersections_high-0.6")
    p.add_argument("--limit", type=int, default=200, help="lines printed per group at most")
    p.set_defaults(func=_diff)

    for name, help_text, func in (
        ("status", "list every output that is not current (content, inputs, parameters)", _status),
        ("build", "bring a build up to date (what make reproduce runs)", _build),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument(
            "assignments", nargs="*", metavar="NAME=VALUE", help="pipeline parameters (--config)"
        )
        p.add_argument("--corpus", help=f"corpus folder (default: {DEFAULT_CORPUS})")
        p.set_defaults(func=func)
        if name == "status":
            p.add_argument("--steps", action="store_true", help="print only the steps to rerun")
        else:
            p.add_argument("--cores", type=int, default=2)
    p = sub.add_parser("audit", help="what made one output, and do its inputs still match?")
    p.add_argument("path", help="a built output, e.g. figures/intersections.svg")
    p.add_argument("--rebuild", action="store_true", help="re-make it in a scratch copy")
    p.set_defaults(func=_audit)

    from compendium.cli_records import add_commands  # pdf, crate, archive, exhibits

    add_commands(sub, _root, _recording_root)
    # Last, so that every command, whenever added, takes --root also after its name.
    for command in sub.choices.values():
        command.add_argument("--root", default=argparse.SUPPRESS, help=ROOT_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (InputError, NoProject) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
