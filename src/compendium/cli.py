"""The ``compendium`` command: validate, surrogate, verify, import-qdpx, check-disclosure, and
the build helpers provenance, manifest, clean-notebook.

Bad input ends with one line ``error: FILE, row N, field 'F': what is wrong`` on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from compendium.inputs.errors import InputError

DEFAULT_CODEBOOK = "data/codebook"
DEFAULT_CORPUS = "data/coded/surrogate"
DEFAULT_PUBLISHED = "data/published"
EXIT_BAD_INPUT = 2
EXIT_MISMATCH = 1
# Records a build writes beside (not from) its outputs: never scanned for disclosure.
BUILD_RECORDS = {"manifest.json", "disclosure.json"}


def _validate(args) -> int:
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.corpus import load_corpus
    from compendium.inputs.second_coding import load_second_coding

    codebook = load_codebook(args.codebook)
    corpus = load_corpus(args.corpus_dir, codebook)
    second = load_second_coding(args.corpus_dir, corpus.segments, codebook.codes)
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
        f"valid: {args.corpus_dir} ({kind}): {len(corpus.participants)} participants "
        f"({corpus.n_analysed} analysed, {withdrawn} withdrawn), "
        f"{len(corpus.segments)} segments, {len(corpus.groups)} groups, {coders}"
    )
    return 0


def _surrogate(args) -> int:
    from compendium import surrogate
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.targets import load_targets

    targets = load_targets(args.targets, load_codebook(args.codebook).codes)
    written = surrogate.write_from_targets(targets, args.out)
    print(f"wrote {len(written)} files to {args.out} (synthetic, seed {targets['seed']})")
    return 0


def _verify(args) -> int:
    from compendium.outputs.verify import run_checks, write_verification

    frame = run_checks(args.published, args.reports)
    if frame.empty:
        print("verify: nothing to compare (no rebuilt tables found)", file=sys.stderr)
        return EXIT_MISMATCH
    for row in frame.itertuples():
        mark = "ok  " if row.match else "DIFF"
        print(f"{mark} {row.item}: published {row.published!r}, rebuilt {row.rebuilt!r}")
    write_verification(frame, Path(args.reports) / "verification.csv")
    n_diff = int((~frame["match"]).sum())
    print(f"verify: {len(frame) - n_diff} of {len(frame)} published values reproduced")
    if n_diff and not args.findings:
        return EXIT_MISMATCH
    return 0


def _provenance(args) -> int:
    from compendium.inputs.packages import read_descriptor
    from compendium.outputs.provenance import fragment, write_fragment

    synthetic = bool(args.corpus and read_descriptor(args.corpus).get("synthetic", False))
    record = fragment(
        step=args.step,
        notebook=args.notebook,
        executed_notebook=args.executed,
        parameters=json.loads(args.parameters),
        inputs=args.inputs,
        outputs=args.outputs,
        synthetic=synthetic,
    )
    write_fragment(args.out, record)
    return 0


def _manifest(args) -> int:
    from compendium.outputs.provenance import write_manifest

    write_manifest(args.out, args.fragments)
    return 0


def _clean_notebook(args) -> int:
    from compendium.outputs.notebooks import clean_executed_notebook

    if args.out and len(args.notebooks) != 1:
        raise SystemExit("clean-notebook: --out takes exactly one notebook")
    for path in args.notebooks:
        clean_executed_notebook(path, args.out or path)
    return 0


def _import_qdpx(args) -> int:
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.refi_qda import import_qdpx

    report = import_qdpx(args.project, args.mapping, args.out, load_codebook(args.codebook))
    for line in report.lines():
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


def _pdf(args) -> int:
    from compendium.outputs.pdf import html_to_pdf
    from compendium.outputs.provenance import pdf_fragment, write_fragment

    html_to_pdf(args.html, args.out)
    if args.provenance:
        write_fragment(args.provenance, pdf_fragment(args.html, args.out, args.corpus))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="compendium", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="validate a coded corpus data package")
    p.add_argument("corpus_dir", nargs="?", default=DEFAULT_CORPUS)
    p.add_argument("--codebook", default=DEFAULT_CODEBOOK)
    p.set_defaults(func=_validate)

    p = sub.add_parser("surrogate", help="write the synthetic surrogate corpus")
    p.add_argument("--targets", default="data/surrogate/targets.yaml")
    p.add_argument("--out", default=DEFAULT_CORPUS)
    p.add_argument("--codebook", default=DEFAULT_CODEBOOK)
    p.set_defaults(func=_surrogate)

    p = sub.add_parser("verify", help="compare rebuilt values with the published ones")
    p.add_argument("--published", default=DEFAULT_PUBLISHED)
    p.add_argument("--reports", default="reports")
    p.add_argument(
        "--findings",
        action="store_true",
        help="report differences without failing (for corpora other than the surrogate)",
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

    p = sub.add_parser("import-qdpx", help="import a REFI-QDA project (.qdpx) as a coded corpus")
    p.add_argument("project")
    p.add_argument("--mapping", required=True, help="mapping YAML (docs/refi_qda_mapping.md)")
    p.add_argument("--out", required=True, help="corpus folder, e.g. data/coded/<name>/")
    p.add_argument("--codebook", default=DEFAULT_CODEBOOK)
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

    p = sub.add_parser("pdf", help="print the HTML report to PDF with headless Chromium")
    p.add_argument("html")
    p.add_argument("--out", required=True)
    p.add_argument("--provenance", help="write the PDF's provenance fragment here")
    p.add_argument("--corpus", default="", help="the corpus the report was built from")
    p.set_defaults(func=_pdf)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
