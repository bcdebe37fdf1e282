"""The import itself: check everything, build the coded-corpus package in a temporary
folder, validate it with :func:`compendium.inputs.corpus.load_corpus`, move it into place.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from compendium.inputs.corpus_schema import corpus_schema, second_coding_schema
from compendium.inputs.errors import InputError
from compendium.inputs.files import csv_text, sha256_file
from compendium.inputs.refi_qda.archive import read_project_xml
from compendium.inputs.refi_qda.codings import (
    collect_codings,
    leaf_codes,
    project_codes,
    typed_links,
)
from compendium.inputs.refi_qda.mapping import PARTICIPANT_FIELDS, load_mapping, resolve_code
from compendium.inputs.refi_qda.participants import project_variables
from compendium.inputs.refi_qda.project_xml import (
    parse_project,
    project_selections,
    project_sources,
    text_sources,
)
from compendium.inputs.refi_qda.report import ImportReport
from compendium.inputs.refi_qda.routes import read_participants
from compendium.inputs.refi_qda.segments import EXTENT, second_coding_table, segments_table

CORPUS_FILES = ("participants.csv", "groups.csv", "segments.csv", "datapackage.json")
KNOWN_OUT_FILES = {*CORPUS_FILES, "second_coding.csv"}


def _descriptor(name: str, qdpx: Path, mapping, second_coding: bool) -> dict:
    package = copy.deepcopy(corpus_schema())
    if second_coding:
        package["resources"].append(second_coding_schema())
    package["name"] = name
    package["title"] = f"Coded corpus imported from the REFI-QDA project {qdpx.name}"
    package["synthetic"] = False
    package["imported_from"] = {
        "format": "REFI-QDA project (urn:QDA-XML:project:1.0)",
        "project": qdpx.name,
        "project_sha256": sha256_file(qdpx),
        "mapping": mapping.path.name,
        "mapping_sha256": sha256_file(mapping.path),
    }
    if mapping.roster is not None:
        package["imported_from"]["roster"] = mapping.roster.name
        package["imported_from"]["roster_sha256"] = sha256_file(mapping.roster)
    return package


def _refuse_empty(doc, report: ImportReport, collected, others: int) -> None:
    """One line, nothing written, when no analysed participant's coding becomes a segment."""
    if collected:
        return
    read = report.codings - report.uncased_codings - report.withdrawn_codings
    if read == 0:
        raise InputError(
            doc.where,
            f"nothing to import: no text selection of an analysed participant is coded "
            f"({report.codings} coding(s) of text selections in the project, "
            f"{report.uncased_codings} in sources of no participant, "
            f"{report.withdrawn_codings} of withdrawn participants)",
        )
    raise InputError(
        doc.where,
        f"nothing to import: none of the {read} coding(s) of analysed participants becomes a "
        f"segment ({sum(report.unmapped_codes.values())} of codes not in the mapping, "
        f"{sum(report.ignored_codes.values())} of codes mapped to null, "
        f"{others} by other coders); map their codes to themes",
    )


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "--out exists and is not a folder")
    if out_dir.is_dir():
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in KNOWN_OUT_FILES)
        if foreign:
            raise InputError(
                out_dir,
                f"--out holds files that are not a coded corpus ({foreign[0]!r}); "
                "refusing to write there",
            )


def _write_package(tmp: Path, frames: dict[str, pd.DataFrame], descriptor: dict) -> None:
    for name, frame in frames.items():
        (tmp / f"{name}.csv").write_text(csv_text(frame), encoding="utf-8", newline="")
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    (tmp / "datapackage.json").write_text(text, encoding="utf-8", newline="")


def _move_into_place(tmp: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    for name in KNOWN_OUT_FILES:  # a re-import over an earlier one: each file replaced atomically
        if (tmp / name).exists():
            os.replace(tmp / name, out_dir / name)
        elif (out_dir / name).exists():  # e.g. a second coding the new project no longer has
            (out_dir / name).unlink()
    shutil.rmtree(tmp, ignore_errors=True)


def import_qdpx(
    qdpx_path: Path | str,
    mapping_path: Path | str,
    out_dir: Path | str,
    codebook=None,
) -> ImportReport:
    """Convert the REFI-QDA project ``qdpx_path`` into a coded-corpus package in ``out_dir``."""
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.corpus import load_corpus
    from compendium.inputs.second_coding import load_second_coding

    qdpx, mapping_path, out_dir = Path(qdpx_path), Path(mapping_path), Path(out_dir)
    if codebook is None:
        codebook = load_codebook("data/codebook")
    _check_out_dir(out_dir)
    mapping = load_mapping(mapping_path, codebook)
    doc = parse_project(qdpx, read_project_xml(qdpx))
    report = ImportReport(out_dir=out_dir)
    codes = project_codes(doc)
    variables = project_variables(doc)
    sources = project_sources(doc)
    reading = read_participants(doc, mapping, variables, sources, project_selections(doc, sources))
    report.route, report.route_detail, report.records = (
        reading.route, reading.detail, reading.records
    )  # fmt: skip
    report.sources, report.text_sources = len(sources), len(text_sources(sources))
    report.participant_sources = len({g for p in reading.participants for g in p.sources})
    collected, others, linkable = collect_codings(
        doc, mapping, codes, reading.participants, sources, report
    )
    links = typed_links(doc, mapping, linkable, codebook.codes, report)
    _refuse_empty(doc, report, collected, len(others))

    participants = pd.DataFrame(
        [p.participant for p in reading.participants], columns=list(PARTICIPANT_FIELDS)
    )
    participants = participants.sort_values("participant_id").reset_index(drop=True)
    groups = pd.DataFrame(
        [(code, label, roles) for code, (label, roles) in sorted(mapping.groups.items())],
        columns=["group", "label", "typical_roles"],
    )
    extents = segments_table(collected, codebook.codes, links)
    second = second_coding_table(extents, others, report)
    segments = extents.drop(columns=EXTENT)
    report.participants = len(participants)
    report.analysed = int((participants["status"] == "analysed").sum())
    report.withdrawn = int((participants["status"] == "withdrawn").sum())
    report.segments = len(segments)
    report.dual_coded = int((segments["link_type"] == "dual_coded").sum())
    chains = {chain[0]: chain for chain in codes.values()}
    report.idle_codes = sum(
        resolve_code(mapping, chains[path]) is None and path not in report.unmapped_codes
        for path in leaf_codes(codes)
    )

    descriptor = _descriptor(out_dir.name, qdpx, mapping, not second.empty)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.import-"))
    try:
        frames = {"participants": participants, "groups": groups, "segments": segments}
        if not second.empty:
            frames["second_coding"] = second
        _write_package(tmp, frames, descriptor)
        try:
            corpus = load_corpus(tmp, codebook)
            load_second_coding(tmp, corpus.segments, codebook.codes)
        except InputError as exc:  # name the file as it would be in out_dir
            raise InputError(
                out_dir / Path(str(exc.path)).name,
                f"imported corpus does not validate: {exc.message}",
                row=exc.row,
                field=exc.field,
            ) from None
        os.chmod(tmp, 0o755)
        _move_into_place(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return report
