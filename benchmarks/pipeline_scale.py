"""The whole pipeline (``make reproduce CORPUS=...``) on scaled corpora of 10^5 and 10^6 segments.

By default also 1,500 segments (about the surrogate's 1,455): the fixed cost of a build.

Run as ``python benchmarks/pipeline_scale.py [N ...] [--from-head] [--cores C]``; prints one
JSON line per corpus size, the last line being the list of all of them.  For each N:

1. a fresh copy of the project (``copy_sources``, or ``git archive HEAD`` with ``--from-head``
   when the working tree is mid-change) under ``benchmarks/.work/``, whose ``.venv/bin`` links to
   this environment's programs, and whose own ``src/`` is the code that runs (``PYTHONPATH``);
2. a scaled synthetic corpus of N segments (100 per participant, ``surrogate.scaled_corpus``)
   written to ``data/coded/scaled_N`` of the copy (not timed);
3. ``make reproduce CORPUS=data/coded/scaled_N CORES=C`` timed from start to end, with an empty
   corpus cache: the ``compendium validate`` that starts the build validates in full and fills
   the cache, every notebook step then loads the corpus from it;
4. where the time goes: ``papermill`` and ``compendium`` in the copy's ``.venv/bin`` are
   wrappers that log each call's start and end, so each notebook's time, the validate command
   and the helpers are known (Snakemake's own log has no start times with ``--quiet rules``);
5. ``load_corpus`` on the same corpus in a separate process: a miss (full validation) then a hit.

Targets live here and in results.md, never in timed unit tests: 10^6 segments in at most 60 s
on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from compendium.paths import copy_sources

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
BIN = Path(sys.executable).parent
PER_PARTICIPANT = 100
TARGET_SEGMENTS, TARGET_SECONDS = 1_000_000, 60.0
WRAPPED = ("papermill", "compendium")
WRAPPER = """#!/bin/bash
start=$(date +%s.%N)
{real} "$@"
status=$?
echo "{name} $start $(date +%s.%N) $*" >> {log}
exit $status
"""
LOAD_TIMES = """
import json, os, sys, tempfile, time
from compendium.inputs.codebook import load_codebook
from compendium.inputs.corpus import load_corpus
with tempfile.TemporaryDirectory() as cache:
    os.environ["COMPENDIUM_CORPUS_CACHE"] = cache
    codebook = load_codebook(sys.argv[2])
    times = []
    for _ in range(2):
        start = time.perf_counter()
        load_corpus(sys.argv[1], codebook)
        times.append(time.perf_counter() - start)
print(json.dumps({"miss_s": round(times[0], 2), "hit_s": round(times[1], 2)}))
"""


def project_copy(name: str, from_head: bool) -> Path:
    target = WORK / name
    shutil.rmtree(target, ignore_errors=True)
    if not from_head:
        return copy_sources(ROOT, target)
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def wrapped_venv(work: Path, log: Path) -> None:
    """``.venv/bin`` of the copy: links to this environment's programs, timing wrappers for some.

    ``make`` finds it set up (a stamp newer than pyproject.toml and the lock): it installs nothing.
    """
    bin_dir = work / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for program in BIN.iterdir():
        if program.name in WRAPPED:
            script = bin_dir / program.name
            script.write_text(WRAPPER.format(real=program, name=program.name, log=log))
            script.chmod(0o755)
        else:
            (bin_dir / program.name).symlink_to(program)
    (work / ".venv" / ".installed-stamp").touch()


def write_scaled(work: Path, n_segments: int) -> str:
    from compendium import surrogate

    name = f"scaled_{n_segments}"
    corpus = surrogate.scaled_corpus(max(3, n_segments // PER_PARTICIPANT), PER_PARTICIPANT, seed=1)
    surrogate.write(corpus, work / "data" / "coded" / name, name=name)
    return f"data/coded/{name}"


def calls(log: Path) -> list[dict]:
    """The wrapped calls, in the order they started: program, what it ran, start, seconds."""
    rows = []
    for line in log.read_text().splitlines():
        program, start, end, *args = line.split()
        what = args[0] if args else ""
        if program == "papermill":
            what = Path(what).stem
        start, end = float(start), float(end)
        rows.append({"program": program, "what": what, "start": start, "s": end - start})
    return sorted(rows, key=lambda row: row["start"])


def profile(rows: list[dict], started: float, elapsed: float) -> dict:
    """Where the wall time of one build goes.

    ``compendium build`` (what ``make reproduce`` runs) encloses the whole build: it checks the
    corpus in-process, then runs Snakemake, whose steps call ``papermill`` and the other
    ``compendium`` helpers.
    """
    notebooks = sorted(
        ((row["what"], round(row["s"], 1)) for row in rows if row["program"] == "papermill"),
        key=lambda item: -item[1],
    )
    envelope = {"build", "validate"}
    own = [row for row in rows if row["program"] == "compendium"]
    validate = [row for row in own if row["what"] == "validate"]
    helpers = [row for row in own if row["what"] not in envelope]
    first_notebook = min(row["start"] for row in rows if row["program"] == "papermill")
    last_end = max(row["start"] + row["s"] for row in rows if row["what"] not in envelope)
    return {
        "validate_command_s": round(sum(row["s"] for row in validate), 1),
        "until_first_notebook_s": round(first_notebook - started, 1),
        "after_last_step_s": round(started + elapsed - last_end, 1),
        "notebooks_s": round(sum(s for _, s in notebooks), 1),
        "helpers_s": round(sum(row["s"] for row in helpers), 1),
        "helper_calls": len(helpers),
        "slowest_notebooks": notebooks[:6],
        "notebook_count": len(notebooks),
    }


def bench_size(n_segments: int, from_head: bool, cores: int, cache: bool = True) -> dict:
    work = project_copy(f"pipeline_{n_segments}", from_head)
    log = work / "calls.log"
    wrapped_venv(work, log)
    corpus = write_scaled(work, n_segments)
    env = os.environ | {
        "PATH": f"{work / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(work / "src"),
    }
    env.pop("COMPENDIUM_CORPUS_CACHE", None)
    if not cache:  # every step validates the corpus in full, as before the cache
        env["COMPENDIUM_CORPUS_CACHE"] = "off"
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    result = subprocess.run(
        ["make", "--no-print-directory", "reproduce", f"CORPUS={corpus}", f"CORES={cores}"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.time() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
    if result.returncode != 0:
        tail = result.stdout[-3000:] + "\n" + result.stderr[-3000:]
        raise RuntimeError(f"make reproduce failed:\n{tail}")
    loads = subprocess.run(
        [sys.executable, "-c", LOAD_TIMES, corpus, "data/codebook"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        "segments": n_segments,
        "cores": cores,
        "source": "HEAD" if from_head else "working tree",
        "corpus_cache": cache,
        "seconds": round(elapsed, 1),
        "cpu_s": round(cpu, 1),  # user + system of the build: at best cpu_s / cores of wall time
        "load_1min_after": round(os.getloadavg()[0], 1),  # other work on the machine
        "corpus_mb": round(sum(p.stat().st_size for p in (work / corpus).iterdir()) / 2**20, 1),
        **json.loads(loads.strip().splitlines()[-1]),
        **profile(calls(log), started, elapsed),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("segments", nargs="*", type=int, default=[1_500, 100_000, 1_000_000])
    parser.add_argument("--from-head", action="store_true", help="build the last commit's files")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-cache", action="store_true", help="corpus cache off (for comparison)")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.segments:
        rows.append(bench_size(n, args.from_head, args.cores, cache=not args.no_cache))
        print(json.dumps(rows[-1]), flush=True)
    print(json.dumps(rows))
    return rows


if __name__ == "__main__":
    main()
