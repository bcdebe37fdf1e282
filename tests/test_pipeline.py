"""The whole pipeline: a clean rebuild gives the committed bytes; the manifest covers it all."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import BIN, ROOT, command_env, copy_project

from compendium.inputs.files import sha256_file

pytestmark = pytest.mark.full_build
BUILT = ("figures", "reports")


def built_files(root: Path) -> dict[str, bytes]:
    files = {}
    for folder in BUILT:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def complete(path: Path) -> bool:
    """Whether a built file is whole (parses, or ends as its format ends)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        json.loads(data)
        return True
    if path.suffix == ".ipynb":
        return bool(json.loads(data)["cells"])
    if path.suffix == ".csv":
        return data.endswith(b"\n") and len(pd.read_csv(path, dtype=str).columns) > 0
    ends = {
        ".svg": b"</svg>\n",
        ".png": b"IEND\xaeB`\x82",
        ".html": b"</html>\n",
        ".pdf": b"%%EOF\n",
    }
    return (
        data.rstrip(b"\n").endswith(ends[path.suffix].rstrip(b"\n"))
        if path.suffix in ends
        else True
    )


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    """Build from a copy of the sources (no committed outputs) in a temporary directory.

    The first build is killed (SIGKILL, whole process group) once outputs start to appear;
    what it left behind is recorded, then the build is resumed as `make reproduce` would.
    """
    work = copy_project(tmp_path_factory.mktemp("rebuild"))
    env = command_env()
    env.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    command = [str(BIN / "snakemake"), "all", "--cores", "2", "--rerun-incomplete", "--quiet"]
    first = subprocess.Popen(
        command,
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if len(list((work / "reports" / "tables").glob("*.csv"))) >= 2:
            break
        time.sleep(0.2)
    time.sleep(1.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    left = [
        p
        for folder in BUILT
        if (work / folder).is_dir()
        for p in (work / folder).rglob("*")
        if p.is_file() and not p.name.startswith(".")
    ]
    broken = [str(p.relative_to(work)) for p in left if not complete(p)]
    # resume as `make reproduce` does: lift the stale lock, rerun incomplete jobs
    subprocess.run(
        [str(BIN / "snakemake"), "--unlock", "--cores", "1"],
        cwd=work,
        env=env,
        capture_output=True,
        check=True,
    )
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"work": work, "left": left, "broken": broken}


def test_interrupted_build_leaves_no_half_written_output(clean_build):
    assert clean_build["left"], "the build was killed before writing anything"
    assert not clean_build["broken"], clean_build["broken"]


BUILD_FIELD = re.compile(rb'\n  "build": \{[^{}]*\},')


def reproducible(name: str, data: bytes) -> bytes:
    """What a rebuild must reproduce: the bytes, less the manifest's ``build`` field (the commit
    built from and whether the tree was dirty: facts of a build, not of its outputs; README,
    'Same bytes on another machine'), and nothing else."""
    if name != "reports/manifest.json":
        return data
    rest, found = BUILD_FIELD.subn(b"", data)
    assert found == 1, f"{name}: no build field"
    return rest


@pytest.mark.slow
def test_clean_rebuild_gives_the_committed_bytes(clean_build):
    committed = built_files(ROOT)
    rebuilt = built_files(clean_build["work"])
    assert sorted(rebuilt) == sorted(committed), "different sets of built files"
    differing = [
        name
        for name in committed
        if reproducible(name, committed[name]) != reproducible(name, rebuilt[name])
    ]
    assert not differing, f"rebuilt bytes differ: {differing}"


def test_manifest_lists_every_output_with_its_hash():
    manifest = json.loads((ROOT / "reports" / "manifest.json").read_text())
    entries = {entry["path"]: entry for entry in manifest["outputs"]}
    on_disk = [
        p.relative_to(ROOT).as_posix()
        for folder in ("figures", "reports/tables")
        for p in sorted((ROOT / folder).rglob("*"))
        if p.is_file()
    ]
    assert on_disk, "no outputs found"
    missing = [p for p in on_disk if p not in entries]
    assert not missing, f"not in the manifest: {missing}"
    for path, entry in entries.items():
        assert sha256_file(ROOT / path) == entry["sha256"], path
        for source in entry["inputs"]:
            assert sha256_file(ROOT / source["path"]) == source["sha256"], (path, source["path"])
        assert (entry["notebook"] or "").startswith("notebooks/") or entry["command"], path
        assert isinstance(entry["synthetic"], bool)


def test_outputs_from_the_surrogate_are_flagged_synthetic():
    """Synthetic when made from the surrogate, directly or through another synthetic output."""
    manifest = json.loads((ROOT / "reports" / "manifest.json").read_text())
    synthetic = {e["path"] for e in manifest["outputs"] if e["synthetic"]}
    for entry in manifest["outputs"]:
        inputs = [s["path"] for s in entry["inputs"]]
        if any(p.startswith("data/coded/surrogate/") for p in inputs):
            assert entry["synthetic"], entry["path"]
        elif entry["synthetic"]:
            assert any(p in synthetic for p in inputs), entry["path"]
    assert "reports/report.html" in synthetic
    assert "figures/fig1_theory_of_change.svg" not in synthetic
    assert "reports/tables/quote_index.csv" not in synthetic  # published quotations only
    assert "reports/tables/quotes_per_theme.csv" in synthetic  # checked against the roster


def test_verify_passes_on_the_committed_outputs(tmp_path):
    result = subprocess.run(
        [str(BIN / "compendium"), "verify", "--reports", str(ROOT / "reports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "DIFF" not in result.stdout


def test_verify_fails_on_a_changed_value(tmp_path):
    import shutil

    reports = tmp_path / "reports"
    shutil.copytree(ROOT / "reports", reports)
    table = reports / "tables" / "table2_kmi.csv"
    table.write_text(table.read_text().replace("Finance,F,42,", "Finance,F,41,"))
    result = subprocess.run(
        [sys.executable, "-m", "compendium", "verify", "--reports", str(reports)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "DIFF table2[F].kmi: published '42', rebuilt '41'" in result.stdout


def test_no_op_rebuild_executes_nothing(clean_build):
    result = subprocess.run(
        [str(BIN / "snakemake"), "--cores", "2"],
        cwd=clean_build["work"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Nothing to be done" in result.stdout + result.stderr, result.stdout[-2000:]


def planned_rules(work: Path) -> set[str]:
    """The rules a dry run of Snakemake would run in ``work``."""
    result = subprocess.run([str(BIN / "snakemake"), "-n", "--cores", "1"], cwd=work,
                            capture_output=True, text=True, check=True)  # fmt: skip
    return {
        line.split("rule ")[1].strip(":").strip()
        for line in result.stdout.splitlines()
        if line.startswith(("rule ", "localrule "))
    }


def test_changing_a_parameter_reruns_only_its_dependants(clean_build):
    """A declared parameter of the committed build changes (another value of a --config
    parameter is a variant, built in a folder of its own: see test_qdpx_tiny_project.py)."""
    steps = clean_build["work"] / "notebooks" / "steps.yaml"
    original = steps.read_text(encoding="utf-8")
    assert "grid_step: 0.05" in original
    steps.write_text(original.replace("grid_step: 0.05", "grid_step: 0.1"), encoding="utf-8")
    try:
        planned = planned_rules(clean_build["work"])
    finally:
        steps.write_text(original, encoding="utf-8")
    assert {"intersections", "roadmap", "verify", "report"} <= planned  # roadmap reads Table 3
    untouched = {"participants", "salience", "validate", "theory_of_change", "group_emphasis"}
    assert not planned & untouched, planned


def test_editing_a_module_reruns_exactly_the_steps_that_import_it(clean_build):
    """The code inputs are computed from the notebooks' imports, transitively."""
    work = clean_build["work"]
    module = work / "src" / "compendium" / "analysis" / "mentions.py"
    original = module.read_bytes()
    module.write_bytes(original + b"\n# edited\n")  # Snakemake reruns on content, not mtime
    try:
        planned = planned_rules(work)
    finally:
        module.write_bytes(original)
    # mentions.py is imported by the salience, intersections and group-emphasis modules;
    # roadmap and quotes read their tables; verification and the report come after all.
    assert {"salience", "intersections", "group_emphasis", "report", "manifest"} <= planned
    assert not planned & {"participants", "timeline", "coreq", "validate", "theory_of_change"}


def make_env(work: Path) -> dict[str, str]:
    """``make`` in a copy finds the installed environment, as after ``make setup``."""
    (work / ".venv").mkdir(exist_ok=True)
    if not (work / ".venv" / "bin").exists():
        (work / ".venv" / "bin").symlink_to(BIN)
    (work / ".venv" / ".installed-stamp").touch()
    return command_env()


def make_in(work: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=work, env=make_env(work),
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_a_current_build_does_not_start_snakemake(clean_build):
    work = clean_build["work"]
    logs = work / ".cache" / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    result = make_in(work, "reproduce")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "status: committed build is current; nothing to do"
    assert not logs.exists()  # Snakemake never started


def test_status_lists_edited_and_deleted_outputs_and_reproduce_repairs_them(clean_build):
    work = clean_build["work"]
    before = built_files(work)
    kmi = work / "figures" / "kmi.svg"
    kmi.write_text(kmi.read_text().replace("Key Mention", "Key mention"))  # edited by hand
    (work / "reports" / "tables" / "table1_participants.csv").unlink()
    (work / "figures" / "mine.png").write_bytes(b"a student's figure")
    status = subprocess.run([str(BIN / "compendium"), "status"], cwd=work,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert status.returncode == 1
    lines = status.stdout.splitlines()
    assert "figures/kmi.svg: bytes differ from the manifest (edited by hand?) (step salience)" in (
        lines
    )
    assert "reports/tables/table1_participants.csv: missing (step participants)" in lines
    assert "figures/mine.png: made by no step" in lines
    built = make_in(work, "reproduce")
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    ran = {line.split()[0] for line in built.stdout.splitlines()}
    assert {"salience", "participants"} <= ran
    assert not ran & {"timeline", "coreq", "intersections", "validate"}
    assert built_files(work) == before  # repaired, not adopted
    assert (work / "builds" / "lab" / "stray" / "figures" / "mine.png").is_file()


def test_a_failing_step_keeps_the_last_good_outputs_and_explains_itself_briefly(clean_build):
    import nbformat

    work = clean_build["work"]
    before = built_files(work)
    notebook = work / "notebooks" / "12_expenditure.ipynb"
    original = notebook.read_bytes()
    nb = nbformat.reads(original.decode(), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise ValueError("Annex A row 7 does not add up")'))
    nbformat.write(nb, notebook)
    try:
        failed = make_in(work, "reproduce")
    finally:
        notebook.write_bytes(original)
    assert failed.returncode != 0
    lines = failed.stderr.strip().splitlines()
    assert len(lines) <= 15, failed.stderr
    assert lines[0].startswith(
        "error: step expenditure failed in notebooks/12_expenditure.ipynb, cell "
    ), lines
    assert "ValueError: Annex A row 7 does not add up" in failed.stderr
    assert (work / ".cache" / "runs" / "expenditure.ipynb").is_file()
    assert "IPKernelApp" not in failed.stdout + failed.stderr
    assert built_files(work) == before  # nothing it had made before is gone


def test_a_build_refused_for_disclosure_leaves_nothing_disclosing_behind(clean_build):
    import nbformat
    import pandas as pd

    work = clean_build["work"]
    before = built_files(work)
    roster = pd.read_csv(work / "data" / "coded" / "surrogate" / "participants.csv", dtype=str)
    (unquotable,) = roster.loc[roster["quotable"] == "no", "participant_id"]
    notebook = work / "notebooks" / "14_source_audit.ipynb"
    original = notebook.read_bytes()
    nb = nbformat.reads(original.decode(), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        f"write_csv(audit.assign(quoted='{unquotable}'), table_path)"
    ))  # fmt: skip
    nbformat.write(nb, notebook)
    try:
        refused = make_in(work, "reproduce")
    finally:
        notebook.write_bytes(original)
    assert refused.returncode != 0
    assert refused.stderr.startswith("error: step disclosure failed"), refused.stderr
    named = [ln for ln in refused.stderr.splitlines() if ln.startswith("  disclosure: ")]
    assert named and all(unquotable in ln for ln in named), refused.stderr  # file and row
    assert any("reports/tables/source_discrepancies.csv, row " in ln for ln in named)
    assert built_files(work) == before  # the previous outputs, and nothing it wrote
    # no copy of what the build wrote is kept aside either: no snapshot, no scratch notebook
    assert not [p for p in (work / ".cache" / "last-good").rglob("*") if p.is_file()]
    runs = work / ".cache" / "runs"
    assert not [p for p in runs.rglob("*") if p.is_file()] if runs.exists() else True


def test_one_build_at_a_time_and_a_killed_builds_lock_is_lifted(clean_build):
    work = clean_build["work"]
    env = make_env(work)
    (work / ".cache").mkdir(exist_ok=True)
    # a build in progress holds the lock
    holder = subprocess.Popen(["flock", str(work / ".cache" / "build.lock"), "sleep", "60"],
                              start_new_session=True)  # fmt: skip
    try:
        time.sleep(0.5)
        second = subprocess.run(["make", "reproduce"], cwd=work, env=env,
                                capture_output=True, text=True, check=False)  # fmt: skip
    finally:
        os.killpg(holder.pid, signal.SIGKILL)  # flock and the sleep that holds the lock
        holder.wait()
    assert second.returncode != 0
    assert "another build is running in this project" in second.stderr
    said = [ln for ln in second.stderr.strip().splitlines() if not re.match(r"make(\[\d+\])?:", ln)]
    assert len(said) == 1, second.stderr  # one line (and make's own "Error 2")
    # a killed build leaves Snakemake's own lock behind; the next build lifts it and runs
    locks = work / ".snakemake" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    (locks / "0.input.lock").write_text(str(work / "Snakefile") + "\n")
    (locks / "0.output.lock").write_text(str(work / "reports" / "manifest.json") + "\n")
    third = subprocess.run(["make", "reproduce"], cwd=work, env=env,
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert third.returncode == 0, third.stdout[-2000:] + third.stderr[-2000:]


def adapting_blocks() -> tuple[list[str], str, str]:
    """The notebook cells, the declaration and the copy command of docs/adapting.md."""
    text = (ROOT / "docs" / "adapting.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```([^\n]*)\n(.*?)```", text, flags=re.S)
    cells = [body for info, body in blocks if info.startswith("python cell")]
    assert blocks and any(info == "python cell parameters" for info, _ in blocks)
    (declaration,) = [body for info, body in blocks if info == "yaml steps.yaml"]
    copy = next(body for info, body in blocks if info == "sh" and body.startswith("cp "))
    return cells, declaration, copy.strip()


def test_adding_a_step_by_the_documented_route(clean_build):
    """docs/adapting.md, replayed: copy a notebook, declare it, `make reproduce`; the figure is
    then in the manifest and in the report, in the section the declaration names."""
    import nbformat

    work = clean_build["work"]
    cells, declaration, copy = adapting_blocks()
    subprocess.run(copy, shell=True, cwd=work, check=True)
    target = work / copy.split()[-1]
    nb = nbformat.read(target, as_version=4)
    nb.cells = [nbformat.v4.new_code_cell(source.rstrip("\n")) for source in cells]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, target)
    steps = work / "notebooks" / "steps.yaml"
    steps.write_text(steps.read_text(encoding="utf-8") + "\n" + declaration, encoding="utf-8")

    env = make_env(work)
    built = subprocess.run(["make", "reproduce", "CORES=2"], cwd=work, env=env,
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    ran = built.stdout + built.stderr
    assert "segments_per_participant" in ran
    assert "Rule: salience" not in ran  # nothing else is rebuilt

    manifest = json.loads((work / "reports" / "manifest.json").read_text())
    entry = {e["path"]: e for e in manifest["outputs"]}["figures/segments_per_participant.svg"]
    assert entry["notebook"] == "notebooks/17_segments_per_participant.ipynb"
    assert entry["synthetic"] is True
    assert any(i["path"] == "data/coded/surrogate/segments.csv" for i in entry["inputs"])
    report = (work / "reports" / "report.html").read_text(encoding="utf-8")
    section = report.split('id="section-participants"')[1].split("<h2")[0]
    assert "id='segments_per_participant'" in section and "<figure" in section
    assert "Coded segments per analysed participant" in section
