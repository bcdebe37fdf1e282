"""The ``compendium`` commands that record and package a build: ``pdf`` (run by the rule pdf),
``crate`` (the build's RO-Crate, rule crate), ``archive`` (the deposit zip, ``make archive``) and
``exhibits`` (the README's list of exhibits).

Registered by :func:`compendium.cli.build_parser` through :func:`add_commands`, which passes the
command line's way of finding the project root (``--root`` or the nearest project), so that
these commands behave as every other one.
"""

from __future__ import annotations

import contextlib
import json
import sys
from functools import partial
from pathlib import Path

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2


def _pdf(args, root_of, recording_root) -> int:
    from compendium.outputs.pdf import html_to_pdf, skip_without_browser
    from compendium.outputs.provenance import pdf_fragment, write_fragment

    root, at_root = recording_root(args)
    html, out, corpus = at_root(args.html), at_root(args.out), args.corpus and at_root(args.corpus)
    provenance = args.provenance and at_root(args.provenance)
    with contextlib.chdir(root):  # the fragment names the HTML and the PDF relative to the root
        not_built = skip_without_browser(out) if args.skip_without_browser else None
        if not not_built:
            html_to_pdf(html, out)
        if provenance:
            write_fragment(provenance, pdf_fragment(html, out, corpus, not_built))
    return 0


def _crate(args, root_of, recording_root) -> int:
    from compendium.inputs.pipeline_config import checked_config
    from compendium.outputs.crate import CRATE, write_crate

    root, at_root = recording_root(args)
    manifest = at_root(args.manifest) if args.manifest else "reports/manifest.json"
    out = at_root(args.out) if args.out else (Path(manifest).parent.parent / CRATE).as_posix()
    with contextlib.chdir(root):  # the manifest names every file relative to the root
        parameters = json.loads(args.parameters) if args.parameters else checked_config({})
        write_crate(manifest, out, parameters)
    return 0


def _archive(args, root_of, recording_root) -> int:
    import os

    from compendium.outputs.archive import archive_members, default_archive, write_archive
    from compendium.pipeline.run import Plan

    root = root_of(args)
    out = Path(args.out).resolve() if args.out else default_archive(root)
    os.chdir(root)
    stale = Plan.make({}).stale  # the archive holds the committed build: it must be current
    if stale:
        for item in stale[:5]:
            print(item.line(), file=sys.stderr)
        print("error: the committed build is not current; run make reproduce", file=sys.stderr)
        return EXIT_MISMATCH
    try:
        members = archive_members(root)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_archive(root, out, members)
    size = out.stat().st_size / 1e6
    print(f"wrote {os.path.relpath(out)}: {len(members)} files, {size:.1f} MB")
    return 0


def _exhibits(args, root_of, recording_root) -> int:
    from compendium.outputs.readme_exhibits import exhibits_table, update_readme, with_exhibits

    root = root_of(args)
    with contextlib.chdir(root):
        try:
            if args.check:
                text = Path("README.md").read_text(encoding="utf-8")
                current = with_exhibits(text, exhibits_table()) == text
            else:
                changed = update_readme()
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    if args.check:
        print(f"README.md: the list of exhibits is {'current' if current else 'out of date'}")
        return 0 if current else EXIT_MISMATCH
    print(f"README.md: list of exhibits {'rewritten' if changed else 'already current'}")
    return 0


def add_commands(sub, root_of, recording_root) -> None:
    """Add the commands to ``sub`` (the parser's subcommands); ``root_of(args)`` is the project
    root, ``recording_root(args)`` the root and the function giving a typed path from there."""
    bind = partial(partial, root_of=root_of, recording_root=recording_root)

    p = sub.add_parser("pdf", help="print the HTML report to PDF with headless Chromium")
    p.add_argument("html")
    p.add_argument("--out", required=True)
    p.add_argument("--provenance", help="write the PDF's provenance fragment here")
    p.add_argument("--corpus", default="", help="the corpus the report was built from")
    p.add_argument(
        "--skip-without-browser",
        action="store_true",
        help="without a browser, write no PDF but a fragment saying it was not built (exit 0)",
    )
    p.set_defaults(func=bind(_pdf))

    p = sub.add_parser("crate", help="describe a build as an RO-Crate (ro-crate-metadata.json)")
    p.add_argument("manifest", nargs="?", help="default: reports/manifest.json under the root")
    p.add_argument("--out", help="default: ro-crate-metadata.json at the manifest's build root")
    p.add_argument(
        "--parameters",
        help="the pipeline's --config values as JSON (default: the committed build's)",
    )
    p.set_defaults(func=bind(_crate))

    p = sub.add_parser("archive", help="the deposit zip: sources, data, build, lock, crate")
    p.add_argument("--out", help="default: dist/compendium-<version>.zip under the root")
    p.set_defaults(func=bind(_archive))

    p = sub.add_parser("exhibits", help="rewrite README.md's list of exhibits from steps.yaml")
    p.add_argument("--check", action="store_true", help="only say whether it is current")
    p.set_defaults(func=bind(_exhibits))
