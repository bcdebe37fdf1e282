"""Is a build current?  Content decides, not timestamps.

``reports/manifest.json`` records, for every output, its sha256 and the step, parameters and
input bytes (data, notebook, code) that made it.  An output is current when its bytes are the
recorded ones, every recorded input still has its recorded bytes, the step would run with the
same parameters and read the same inputs today, and nothing is missing.  Anything else names the
step that must run again: a hand-edited or hand-run output is repaired, never adopted.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from compendium.inputs.files import sha256_file
from compendium.pipeline.steps import Step, files_of

# Written by a build beside its outputs, not by a step; the RO-Crate at the build's root.
MANIFEST = "reports/manifest.json"
DISCLOSURE = "reports/disclosure.json"
CRATE = "ro-crate-metadata.json"
RECORDS = (MANIFEST, DISCLOSURE, CRATE)
PDF_STEP = "pdf"
CRATE_STEP = "crate"


@dataclass(frozen=True)
class Stale:
    """One thing that is not current: the path, what changed, and the step that makes it."""

    path: str
    reason: str
    step: str | None

    def line(self) -> str:
        made_by = f" (step {self.step})" if self.step else ""
        return f"{self.path}: {self.reason}{made_by}"


class _Hashes(dict):
    def __missing__(self, path: str) -> str | None:
        value = sha256_file(path) if Path(path).is_file() else None
        self[path] = value
        return value


def _step_status(step: Step, entries: list[dict], hashes: _Hashes) -> list[Stale]:
    stale: list[Stale] = []
    recorded = {e["path"]: e for e in entries}
    for path in (*step.built, step.provenance):
        if not Path(path).is_file():
            stale.append(Stale(path, "missing", step.name))
        elif path in recorded and hashes[path] != recorded[path]["sha256"]:
            stale.append(Stale(path, "bytes differ from the manifest (edited by hand?)", step.name))
    if not entries:
        return stale or [Stale(step.notebook, "not built yet", step.name)]
    first = entries[0]
    for source in first["inputs"]:
        if hashes[source["path"]] is None:
            stale.append(Stale(source["path"], "input is missing", step.name))
        elif hashes[source["path"]] != source["sha256"]:
            stale.append(Stale(source["path"], "input changed", step.name))
    if first["parameters"] != step.parameters:
        changed = sorted(
            k
            for k in set(first["parameters"]) | set(step.parameters)
            if first["parameters"].get(k) != step.parameters.get(k)
        )
        detail = ", ".join(
            f"{k} {first['parameters'].get(k)!r} -> {step.parameters.get(k)!r}" for k in changed
        )
        stale.append(Stale(step.notebook, f"parameters changed: {detail}", step.name))
    recorded_inputs = {s["path"] for s in first["inputs"]}
    declared = step.inputs
    added, dropped = sorted(declared - recorded_inputs), sorted(recorded_inputs - declared)
    if added:
        stale.append(Stale(step.notebook, f"reads new inputs: {', '.join(added[:3])}", step.name))
    if dropped:
        stale.append(Stale(step.notebook, f"no longer reads: {', '.join(dropped[:3])}", step.name))
    return stale


def _pdf_status(pdf: str, entries: list[dict], not_built: list[dict], hashes) -> list[Stale]:
    """The PDF: as printed (bytes and input as recorded), or recorded as not built for want of
    a browser, which stays current until one of the browsers looked for is installed."""
    printed = next((e for e in entries if e["path"] == pdf), None)
    skipped = next((n for n in not_built if n["path"] == pdf), None)
    if not entries or (printed is None and skipped is None):
        return [Stale(pdf, "missing", PDF_STEP)]
    if any(hashes[s["path"]] != s["sha256"] for s in entries[0]["inputs"]):
        return [Stale(pdf, "input differs from the manifest", PDF_STEP)]
    if printed is not None:
        if not Path(pdf).is_file():
            return [Stale(pdf, "missing", PDF_STEP)]
        if hashes[pdf] != printed["sha256"]:
            return [Stale(pdf, "bytes differ from the manifest (edited by hand?)", PDF_STEP)]
        return []
    if any(shutil.which(name) for name in skipped.get("needs", [])):
        return [Stale(pdf, "not built for want of a browser; one is installed now", PDF_STEP)]
    if Path(pdf).is_file():
        return [Stale(pdf, "the manifest says it was not built", PDF_STEP)]
    return []


def _crate_status(out: str, hashes) -> list[Stale]:
    """The RO-Crate is current when every file it hashes still has those bytes (its ids are
    paths from the build's root)."""
    path = Path(f"{out}{CRATE}")
    if not path.is_file():
        return []
    try:
        graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
    except (ValueError, KeyError):
        return [Stale(path.as_posix(), "not a crate", CRATE_STEP)]
    changed = [
        e["@id"]
        for e in graph
        if "sha256" in e and hashes[os.path.normpath(f"{out}{e['@id']}")] != e["sha256"]
    ]
    if changed:
        detail = f"{len(changed)} file(s) changed since it was written, e.g. {changed[0]}"
        return [Stale(path.as_posix(), detail, CRATE_STEP)]
    return []


def build_status(steps: list[Step], out: str = "") -> list[Stale]:
    """Everything not current in the build whose outputs start with ``out`` (paths relative to
    the project root, which must be the working directory)."""
    manifest_path = Path(f"{out}{MANIFEST}")
    if not manifest_path.is_file():
        return [Stale(manifest_path.as_posix(), "missing: the build has not finished", None)]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    by_step: dict[str, list[dict]] = {}
    for entry in manifest["outputs"]:
        by_step.setdefault(entry.get("step"), []).append(entry)
    hashes = _Hashes()
    stale: list[Stale] = []
    for step in steps:
        stale += _step_status(step, by_step.get(step.name, []), hashes)
    pdf = f"{out}reports/report.pdf"
    stale += _pdf_status(pdf, by_step.get(PDF_STEP, []), manifest.get("not_built", []), hashes)
    for record, step in ((DISCLOSURE, None), (CRATE, CRATE_STEP)):
        if not Path(f"{out}{record}").is_file():
            stale.append(Stale(f"{out}{record}", "missing", step))
    stale += _crate_status(out, hashes)
    known = {e["path"] for e in manifest["outputs"]} | {f"{out}{r}" for r in RECORDS}
    known |= {path for step in steps for path in (*step.built, step.provenance)}
    known |= {f"{out}reports/provenance/{PDF_STEP}.json", pdf}
    for folder in ("figures", "reports"):
        for path in files_of(f"{out}{folder}") if Path(f"{out}{folder}").is_dir() else []:
            if path not in known and not Path(path).name.startswith("."):
                stale.append(Stale(path, "made by no step", None))
    return stale


def stale_steps(stale: list[Stale]) -> list[str]:
    """The steps to run again (in order of first mention)."""
    return list(dict.fromkeys(s.step for s in stale if s.step))


def stray_files(stale: list[Stale]) -> list[str]:
    return [s.path for s in stale if s.reason == "made by no step"]
