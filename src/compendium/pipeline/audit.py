"""``compendium audit PATH``: for one output, what made it and whether its inputs still match.

A reviewer starts from a figure or table: the manifest names the step, the notebook (or the
command, for the PDF), the parameters and every input with its sha256.  ``--rebuild`` re-makes
that one output in a scratch copy of the project (sources and committed outputs, so only its
step runs) and says whether the bytes are identical; the working tree is never touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from compendium.inputs.errors import InputError
from compendium.inputs.files import sha256_file

MANIFEST = "reports/manifest.json"


def manifest_entry(path: str) -> tuple[dict, dict]:
    """The manifest holding ``path`` (root-relative) and its entry; :class:`InputError` if none."""
    parts = Path(path).parts
    build = Path(*parts[:2]) if parts[:1] == ("builds",) and len(parts) > 2 else Path()
    manifest_path = build / MANIFEST
    if not manifest_path.is_file():
        raise InputError(manifest_path, "no manifest: build the project first (make reproduce)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        if entry["path"] == path:
            return manifest, entry
    raise InputError(manifest_path, f"{path} is not an output listed here", field="path")


def _state(path: str, sha256: str) -> str:
    if not Path(path).is_file():
        return "MISSING"
    return "matches" if sha256_file(path) == sha256 else "CHANGED"


def audit_lines(path: str) -> list[str]:
    """What made ``path`` and whether its bytes and every input's bytes still match."""
    _, entry = manifest_entry(path)
    made_by = entry.get("command") or entry["notebook"]
    lines = [
        f"{path}: {_state(path, entry['sha256'])} the manifest (sha256 {entry['sha256'][:12]})",
        f"  step:       {entry['step']}",
        f"  made by:    {made_by}",
    ]
    if entry.get("executed_notebook"):
        lines.append(f"  as run:     {entry['executed_notebook']}")
    parameters = {
        k: v for k, v in entry["parameters"].items() if not k.endswith(("_path", "_stem", "_dir"))
    }
    shown = ", ".join(f"{k}={v}" for k, v in sorted(parameters.items())) or "none"
    lines.append(f"  parameters: {shown}")
    lines.append(f"  synthetic:  {'yes' if entry['synthetic'] else 'no'}")
    lines.append(f"  inputs ({len(entry['inputs'])}):")
    for source in entry["inputs"]:
        state = _state(source["path"], source["sha256"])
        lines.append(f"    {state:<8} {source['sha256'][:12]}  {source['path']}")
    return lines


def rebuild_one(path: str, root: Path) -> tuple[bool, str]:
    """Re-make ``path`` in a scratch copy of the project; (identical?, what was said)."""
    from compendium.paths import copy_sources

    manifest, entry = manifest_entry(path)
    if path.startswith("builds/"):
        raise InputError(path, "audit --rebuild re-makes outputs of the committed build only")
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="compendium-audit-") as scratch:
        work = copy_sources(root, Path(scratch) / "project", with_outputs=True)
        (work / path).unlink()
        target = entry["step"] if entry["step"] != "pdf" else "pdf"
        env = os.environ | {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
        result = subprocess.run(
            [str(bin_dir / "snakemake"), path, "--cores", "2", "--rerun-triggers", "params",
             "--forcerun", target, "--quiet", "all"],
            cwd=work, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0 or not (work / path).is_file():
            tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
            return False, "rebuild failed: " + " / ".join(tail)
        same = sha256_file(work / path) == entry["sha256"]
    word = "identical to" if same else "DIFFERENT from"
    return same, f"rebuilt {path} in a scratch copy: {word} the manifest's bytes"
