"""Is a build current?  Content decides, not timestamps.

``reports/manifest.json`` records, for every output, its sha256 and the step, parameters and
input bytes (data, notebook, code) that made it.  An output is current when its bytes are the
recorded ones, every recorded input still has its recorded bytes, the step would run with the
same parameters and read the same inputs today, and nothing is missing.  Anything else names the
step that must run again: a hand-edited or hand-run output is repaired, never adopted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from compendium.inputs.files import sha256_file
from compendium.pipeline.code_dependencies import notebook_code_files
from compendium.pipeline.steps import Step, files_of

# Written by a build beside its outputs, not by a step.
RECORDS = ("reports/manifest.json", "reports/disclosure.json")
PDF_STEP = "pdf"


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


def _declared_inputs(step: Step) -> set[str]:
    code = notebook_code_files(step.notebook, "src/compendium", ".")
    return {step.notebook, *code, *step.data, *step.upstream}


def _step_status(step: Step, entries: list[dict], hashes: _Hashes) -> list[Stale]:
    stale: list[Stale] = []
    recorded = {e["path"]: e for e in entries}
    for path in (*step.files.values(), step.executed, step.provenance):
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
    added = sorted(_declared_inputs(step) - recorded_inputs)
    if added:
        stale.append(Stale(step.notebook, f"reads new inputs: {', '.join(added[:3])}", step.name))
    return stale


def build_status(steps: list[Step], out: str = "") -> list[Stale]:
    """Everything not current in the build whose outputs start with ``out`` (paths relative to
    the project root, which must be the working directory)."""
    manifest_path = Path(f"{out}reports/manifest.json")
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
    pdf_entries = by_step.get(PDF_STEP, [])
    pdf = f"{out}reports/report.pdf"
    if not pdf_entries or not Path(pdf).is_file():
        stale.append(Stale(pdf, "missing", PDF_STEP))
    elif hashes[pdf] != pdf_entries[0]["sha256"] or any(
        hashes[s["path"]] != s["sha256"] for s in pdf_entries[0]["inputs"]
    ):
        stale.append(Stale(pdf, "bytes or input differ from the manifest", PDF_STEP))
    for record in RECORDS[1:]:
        if not Path(f"{out}{record}").is_file():
            stale.append(Stale(f"{out}{record}", "missing", None))
    known = {e["path"] for e in manifest["outputs"]} | {f"{out}{r}" for r in RECORDS}
    known |= {path for step in steps for path in (*step.files.values(), step.provenance)}
    known.add(f"{out}reports/provenance/{PDF_STEP}.json")
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
