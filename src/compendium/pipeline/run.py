"""``make reproduce``: bring a build up to date, one build at a time, and say briefly what ran.

Snakemake runs the steps; this module decides what Snakemake must rerun and keeps the build
honest around it:

* **one build at a time**: an exclusive ``flock`` on ``.cache/build.lock``; the kernel releases
  it when a build ends or is killed, so a stale lock never blocks, and holding it a build may
  lift the lock a killed Snakemake left behind;
* **content decides**: :func:`compendium.pipeline.status.build_status` compares the outputs
  with the manifest; when everything is current Snakemake is not even started, otherwise the
  steps that are not current are forced to rerun (an output edited by hand is repaired, never
  adopted) and files that no step makes are moved out to ``builds/lab/stray/``;
* **quiet**: one line per finished step with its seconds; Snakemake's and the kernels' own
  output goes to ``.cache/logs/``;
* **a failure keeps the last good outputs**: the built files are hard-linked aside before
  Snakemake starts and put back where a failed step removed them; the failed notebook, as far
  as it ran, stays in ``.cache/runs/`` and the message (at most about 15 lines) names the step,
  the notebook, the cell and the exception's own message;
* **a build refused for disclosure leaves nothing it wrote**: every file made or changed by the
  build is removed and the previous outputs are put back, so no disclosing file stays in
  ``figures/``, ``reports/`` or ``builds/<name>/``; the message names each file and row.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from compendium.pipeline.status import build_status, stale_steps, stray_files
from compendium.pipeline.steps import build_values, left_out, read_declarations, resolve_steps

CACHE = Path(".cache")
LOCK = CACHE / "build.lock"
RUNS = CACHE / "runs"
LOGS = CACHE / "logs"
BUILT = ("figures", "reports")
MESSAGE_LINES = 8  # lines of an exception's message shown


class BuildBusy(RuntimeError):
    """Another build holds the project's lock."""


def acquire_lock():
    """The project's build lock (kept open for the life of the process), or :class:`BuildBusy`."""
    CACHE.mkdir(exist_ok=True)
    handle = open(LOCK, "a+")  # noqa: SIM115 (held until the process ends)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise BuildBusy(
            f"another build is running in this project (pid {holder}); wait for it to finish, "
            "then run make reproduce again"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    shutil.rmtree(".snakemake/locks", ignore_errors=True)  # only a killed build leaves them
    return handle


@dataclass
class Plan:
    """What one build is: its parameters, folder, steps and what is not current."""

    config: dict
    out: str
    steps: list
    stale: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # one line per step the codebook does not fit

    @classmethod
    def make(cls, config: dict) -> Plan:
        parameters, values, out = build_values(config)
        declarations = read_declarations()
        steps = resolve_steps(declarations, values, out)
        return cls(
            config=parameters,
            out=out,
            steps=steps,
            stale=build_status(steps, out),
            left_out=list(left_out(declarations, values).values()),
        )

    @property
    def name(self) -> str:
        return self.out.rstrip("/").split("/")[-1] if self.out else "committed build"

    def snakemake_config(self) -> list[str]:
        return [f"{k}={v}" for k, v in sorted(self.config.items())]


def move_stray(paths: list[str]) -> list[str]:
    """Files in a build folder that no step makes go to ``builds/lab/stray/`` (never deleted)."""
    moved = []
    for path in paths:
        target = Path("builds/lab/stray") / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved.append(f"moved {path} (made by no step) to {target}")
    return moved


def snapshot(out: str, where: Path) -> None:
    """Hard links to every built file: a step that fails cannot take the last good outputs."""
    shutil.rmtree(where, ignore_errors=True)
    for folder in BUILT:
        source = Path(f"{out}{folder}")
        if source.is_dir():
            for path in source.rglob("*"):
                if path.is_file():
                    target = where / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(path, target)


def roll_back(out: str, where: Path) -> int:
    """Make the build folders exactly the snapshot again: every file made or changed since is
    removed (a refused build leaves nothing it wrote), every file removed is put back."""
    removed = 0
    for folder in BUILT:
        current = Path(f"{out}{folder}")
        for path in sorted(current.rglob("*")) if current.is_dir() else []:
            saved = where / path
            if path.is_file() and (
                not saved.is_file() or saved.stat().st_ino != path.stat().st_ino
            ):
                path.unlink()
                removed += 1
    restore(out, where)
    return removed


def restore(out: str, where: Path) -> int:
    """Put back every snapshot file that is missing now; returns how many."""
    restored = 0
    for path in where.rglob("*") if where.is_dir() else []:
        original = Path(*path.relative_to(where).parts)
        if path.is_file() and not original.exists():
            original.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, original)
            restored += 1
    return restored


_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_START = re.compile(r"^(?:local)?rule (\w+):$")
_FINISHED = re.compile(r"Finished jobid: \d+ \(Rule: (\w+)\)")
_ERROR = re.compile(r"^Error in rule (\w+):")


def follow(process: subprocess.Popen, log, say) -> list[str]:
    """Copy Snakemake's output to ``log``; say each finished step with its seconds.

    Returns the rules that failed."""
    stamp, started, failed = None, {}, []
    for line in process.stdout:
        log.write(line)
        text = line.rstrip("\n")
        if match := _STAMP.match(text):
            stamp = datetime.strptime(match.group(1), "%a %b %d %H:%M:%S %Y")
        elif match := _START.match(text):
            started[match.group(1)] = stamp
        elif match := _FINISHED.search(text):
            rule = match.group(1)
            if rule != "all":
                begun = started.get(rule)
                seconds = (stamp - begun).total_seconds() if stamp and begun else 0.0
                say(f"{rule:<20} {seconds:5.0f} s")
        elif match := _ERROR.match(text):
            failed.append(match.group(1))
    process.wait()
    return failed


def notebook_error(executed: Path) -> tuple[int, str] | None:
    """(cell number, "Name: message") of the first cell that raised, in a papermill output."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    for number, cell in enumerate(cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return number, f"{output.get('ename')}: {output.get('evalue')}"
    return None


def failure_message(plan: Plan, rule: str, log_path: Path) -> list[str]:
    step = next((s for s in plan.steps if s.name == rule), None)
    lines = [f"error: step {rule} failed"]
    found = notebook_error(RUNS / f"{plan.out}{rule}.ipynb") if step else None
    if step and found:
        cell, message = found
        lines[0] += f" in {step.notebook}, cell {cell}"
        lines += ["  " + m for m in message.splitlines()[:MESSAGE_LINES]]
        lines.append(f"  the notebook as far as it ran: {RUNS / f'{plan.out}{rule}.ipynb'}")
    else:
        said = [
            ln.rstrip()
            for ln in log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            if ln.startswith(("error:", "disclosure:", "RuntimeError", "FileNotFoundError"))
            or "problem(s)" in ln
        ]
        lines += ["  " + ln for ln in said[:MESSAGE_LINES]]
    lines.append(f"  the previous outputs are kept; full log: {log_path}")
    lines.append("  fix the cause, then run make reproduce again")
    return lines


def not_built_lines(out: str) -> list[str]:
    """One line per output the build's manifest says was not made (the PDF without a browser),
    with how to get it."""
    try:
        manifest = json.loads(Path(f"{out}reports/manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [
        f"skipped {item['path']}: {item['why']}; to get it: {item['how']}"
        for item in manifest.get("not_built", [])
    ]


def validate(corpus: str, codebook: str) -> None:
    """Check the corpus once before any step runs (:class:`InputError` names file, row, field);
    the steps then load it from the cache this fills."""
    from compendium.inputs.codebook import load_codebook
    from compendium.inputs.corpus import load_corpus

    load_corpus(corpus, load_codebook(codebook))


def reproduce(config: dict, cores: int, say=print, warn=None) -> int:
    """Bring the build of ``config`` up to date; 0 when it is, 1 when a step failed."""
    warn = warn or (lambda text: print(text, file=sys.stderr))
    started = time.monotonic()
    _lock = acquire_lock()  # noqa: F841 (held until return)
    plan = Plan.make(config)
    if not plan.stale:
        say(f"status: {plan.name} is current; nothing to do")
        for line in not_built_lines(plan.out):
            say(line)
        return 0
    validate(plan.config["corpus"], plan.config["codebook"])
    for line in plan.left_out:
        say(line)
    for line in move_stray(stray_files(plan.stale)):
        say(line)
    forced = stale_steps(plan.stale)
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{plan.name.replace(' ', '_')}.log"
    saved = CACHE / "last-good" / (plan.out or "committed")
    snapshot(plan.out, saved)
    command = [
        str(Path(sys.executable).parent / "snakemake"),
        "--cores", str(cores),
        "--rerun-incomplete",
        "--rerun-triggers", "params",
        "--config", *plan.snakemake_config(),
    ]  # fmt: skip
    if forced:
        command += ["--forcerun", *forced]
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        failed = follow(process, log, say)
    if process.returncode != 0:
        rule = failed[0] if failed else "unknown"
        if rule == "disclosure":  # nothing disclosing may stay where it would be shared
            roll_back(plan.out, saved)
        else:
            restore(plan.out, saved)
        shutil.rmtree(saved, ignore_errors=True)  # put back: the hard links are no longer needed
        for line in failure_message(plan, rule, log_path):
            warn(line)
        return 1
    shutil.rmtree(saved, ignore_errors=True)
    for line in not_built_lines(plan.out):
        say(line)
    say(f"built {plan.name} in {time.monotonic() - started:.0f} s")
    return 0
