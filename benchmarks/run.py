"""Benchmarks for the whole pipeline (``make bench``); results go to benchmarks/results.md.

Each benchmark measures two things side by side in one run and prints their ratio:

1. clean rebuild: Snakemake on all cores vs a plain sequential loop of the same papermill
   commands (taken from Snakemake's own dry run), each in a fresh copy of the sources;
2. no-op rebuild: wall time and notebooks executed;
3. one parameter changed (``intersections_high``): notebooks executed vs total;
4. analytics on 10^4, 10^5, 10^6 segments: time and peak memory;
5. the whole pipeline (``make reproduce CORPUS=...``) on scaled corpora of 10^5 and 10^6
   segments, and ``load_corpus`` on 10^6 segments with and without its cache
   (``benchmarks/pipeline_scale.py``);
6. the test suite's wall time (what ``make pytest`` runs).

Targets live here and in results.md, never in timed unit tests.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from compendium.paths import copy_sources

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
BIN = Path(sys.executable).parent
CORES = os.cpu_count() or 1
ENV = os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def fresh_copy(name: str) -> Path:
    target = WORK / name
    shutil.rmtree(target, ignore_errors=True)
    return copy_sources(ROOT, target)


def run(cmd: list[str] | str, cwd: Path, shell: bool = False) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        cmd, cwd=cwd, env=ENV, shell=shell, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{cmd!r} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed, result.stdout + result.stderr


def jobs_run(log: str) -> list[str]:
    """Jobs Snakemake ran or planned, from its "Job stats" table (``all`` left out)."""
    jobs, inside = [], False
    for line in log.splitlines():
        if line.startswith("Job stats:"):
            if jobs:
                break
            inside = True
            continue
        if inside:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit() and parts[0] not in {"total", "job", "all"}:
                jobs.append(parts[0])
            elif parts and parts[0] == "total":
                inside = False
    return jobs


def notebook_of(command: str) -> str:
    return command.split("papermill ")[1].split()[0] if "papermill " in command else "~"


def planned_commands(cwd: Path) -> list[str]:
    """A full build's shell commands from Snakemake's dry run, notebooks in their numbered order."""
    _, out = run([str(BIN / "snakemake"), "-n", "-p", "--forceall", "--cores", "1"], cwd)
    commands = [
        line.removeprefix("Shell command: ").strip()
        for line in out.splitlines()
        if line.startswith("Shell command: ") and line.strip() != "Shell command: None"
    ]
    return sorted(commands, key=notebook_of)


def bench_rebuild() -> dict:
    sequential = fresh_copy("sequential")
    commands = planned_commands(sequential)
    start = time.perf_counter()
    for command in commands:
        for folder in (
            "reports/tables",
            "reports/notebooks",
            "reports/provenance",
            "reports/results",
            "figures",
        ):
            (sequential / folder).mkdir(parents=True, exist_ok=True)
        run(["bash", "-c", f"set -euo pipefail; {command}"], sequential)
    t_sequential = time.perf_counter() - start
    parallel = fresh_copy("parallel")
    t_parallel, log = run([str(BIN / "snakemake"), "--cores", str(CORES)], parallel)
    return {
        "notebooks": sum("papermill" in c for c in commands),
        "sequential_s": round(t_sequential, 1),
        "snakemake_s": round(t_parallel, 1),
        "ratio": round(t_parallel / t_sequential, 2),
        "copy": parallel,
        "jobs": len(jobs_run(log)),
    }


def make_ready(copy: Path) -> None:
    """``make`` in a copy finds this environment, as after ``make setup``."""
    venv = copy / ".venv"
    venv.mkdir(exist_ok=True)
    if not (venv / "bin").exists():
        (venv / "bin").symlink_to(BIN)
    (venv / ".installed-stamp").touch()


def bench_noop(copy: Path) -> dict:
    """``make reproduce`` on a current build: the content check, and no Snakemake."""
    make_ready(copy)
    run(["make", "--no-print-directory", "reproduce", f"CORES={CORES}"], copy)  # settle
    times, said = [], ""
    for _ in range(5):
        elapsed, said = run(["make", "--no-print-directory", "reproduce", f"CORES={CORES}"], copy)
        times.append(elapsed)
    return {
        "seconds_best": round(min(times), 2),
        "seconds_all": [round(t, 2) for t in times],
        "executed": 0 if "nothing to do" in said else -1,
    }


def bench_parameter(copy: Path, total: int) -> dict:
    """A parameter variant (``make reproduce CONFIG=...``): built beside the committed build."""
    make_ready(copy)
    elapsed, log = run(["make", "--no-print-directory", "reproduce", f"CORES={CORES}",
                        "CONFIG=intersections_high=0.55"], copy)  # fmt: skip
    executed = [
        line.split()[0]
        for line in log.splitlines()
        if line.rstrip().endswith(" s") and not line.startswith("built ")
    ]
    return {
        "executed": executed,
        "n_executed": len(executed),
        "total": total,
        "seconds": round(elapsed, 1),
    }


def bench_analytics() -> list[dict]:
    rows = []
    for n in (10_000, 100_000, 1_000_000):
        _, out = run(
            [str(BIN / "python"), str(ROOT / "benchmarks" / "analytics_scale.py"), str(n)], ROOT
        )
        rows.append(json.loads(out.strip().splitlines()[-1]))
    return rows


def bench_pipeline_scale() -> list[dict]:
    _, out = run(
        [str(BIN / "python"), str(ROOT / "benchmarks" / "pipeline_scale.py"), "--cores", "2"], ROOT
    )
    return json.loads(out.strip().splitlines()[-1])


def pipeline_rows(pipeline: list[dict]) -> list[str]:
    """Table rows of the whole-pipeline benchmark on scaled corpora."""
    rows = []
    for row in pipeline:
        target = row["segments"] == 1_000_000  # smaller sizes show the fixed cost of a build
        met = ("yes" if row["seconds"] <= 60 else "no") if target else "-"
        rows.append(
            f"| whole pipeline, `make reproduce CORPUS=...` on {row['segments']:,} segments "
            f"({row['cores']} cores, empty corpus cache) | {row['seconds']} s ({row['cpu_s']} s CPU): "
            f"first notebook at {row['until_first_notebook_s']} s (the corpus is checked in full "
            f"first), {row['notebook_count']} notebooks {row['notebooks_s']} s, "
            f"{row['helper_calls']} helper calls {row['helpers_s']} s "
            f"| 10^6 in at most 60 s on 2 cores | {met} |"
        )
    for row in pipeline:
        rows.append(
            f"| `load_corpus` on {row['segments']:,} segments: miss (full validation) vs cache hit "
            f"| {row['miss_s']} s vs {row['hit_s']} s | - | - |"
        )
    return rows


def bench_tests() -> dict:
    elapsed, _ = run(["make", "--no-print-directory", "pytest", f"CORES={CORES}"], ROOT)
    return {"seconds": round(elapsed, 1)}


def write_results(rebuild, noop, parameter, analytics, pipeline, tests) -> str:
    a = {row["segments"]: row for row in analytics}
    growth = [
        round(a[10 * n]["seconds"] / a[n]["seconds"], 1)
        for n in (10_000, 100_000)
        if a[n]["seconds"] > 0
    ]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} by `make bench` on {platform.machine()}, {CORES} cores, "
        f"Python {platform.python_version()}.",
        "",
        "| benchmark | measured | target | met |",
        "| --- | --- | --- | --- |",
        f"| clean rebuild, Snakemake `--cores {CORES}` vs sequential papermill loop ({rebuild['notebooks']} notebooks) "
        f"| {rebuild['snakemake_s']} s vs {rebuild['sequential_s']} s = **{rebuild['ratio']}x** | at most 0.55x "
        f"| {'yes' if rebuild['ratio'] <= 0.55 else 'no'} |",
        f"| no-op rebuild | {noop['seconds_best']} s (runs: {noop['seconds_all']}), {noop['executed']} notebooks executed "
        f"| at most 1.0 s, 0 notebooks | {'yes' if noop['seconds_best'] <= 1.0 and noop['executed'] == 0 else 'no'} |",
        f"| a parameter variant (`make reproduce CONFIG=intersections_high=0.55`, into "
        f"`builds/surrogate__intersections_high-0.55/`) | {parameter['seconds']} s, "
        f"{parameter['n_executed']} jobs | figures/ and reports/ untouched | see tests |",
        *[
            f"| analytics on {row['segments']:,} segments | {row['seconds']} s, peak {row['peak_mb']} MB "
            f"| 10^6 in at most 5 s and 1 GB | {'yes' if row['seconds'] <= 5 and row['peak_mb'] <= 1024 else 'no'} |"
            for row in analytics
        ],
        f"| analytics growth for 10x data | {growth} x | at most 12x | {'yes' if all(g <= 12 for g in growth) else 'no'} |",
        *pipeline_rows(pipeline),
        f"| test suite (`make pytest`, {CORES} workers) | {tests['seconds']} s | at most 180 s "
        f"| {'yes' if tests['seconds'] <= 180 else 'no'} |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    print("clean rebuild: sequential loop vs Snakemake ...", flush=True)
    rebuild = bench_rebuild()
    print(rebuild, flush=True)
    noop = bench_noop(rebuild["copy"])
    print("no-op:", noop, flush=True)
    parameter = bench_parameter(rebuild["copy"], rebuild["jobs"])
    print("parameter:", parameter, flush=True)
    analytics = bench_analytics()
    print("analytics:", analytics, flush=True)
    pipeline = bench_pipeline_scale()
    print("pipeline on scaled corpora:", pipeline, flush=True)
    tests = bench_tests()
    print("tests:", tests, flush=True)
    text = write_results(rebuild, noop, parameter, analytics, pipeline, tests)
    notes = ROOT / "benchmarks" / "notes.md"
    if notes.is_file():
        text += "\n" + notes.read_text(encoding="utf-8")
    (ROOT / "benchmarks" / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
