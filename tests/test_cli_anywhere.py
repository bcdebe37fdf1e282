"""Every ``compendium`` command works from any folder.

The installed console script runs from a folder outside the project (``tmp_path``) with
``--root``, from the project's ``notebooks/`` folder without it, and from outside any project
without it (one line, exit 2).  Paths typed on the command line are relative to the working
directory; defaults are under the project root; recorded paths are relative to the root.
Nothing here writes into the project: every output goes to ``tmp_path``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_hostile_inputs import build_running
from test_refi_qda import EXPECTED_PARTICIPANTS, EXPECTED_SEGMENTS, MAPPING, write_qdpx

from compendium.outputs.pdf import find_browser

SURROGATE = ROOT / "data" / "coded" / "surrogate"
NOTEBOOKS = ROOT / "notebooks"
ROOT_ARGS = ("--root", str(ROOT))


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Relative path -> (SHA-256, modification time) of every file: a rewrite with the same
    bytes still shows."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file())
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in files
    }


def no_project_error(folder: Path) -> str:
    return (
        f"error: no compendium project at or above {folder.resolve()}; "
        "run inside the project or pass --root\n"
    )


@pytest.fixture
def outside(tmp_path) -> Path:
    """A working folder with no project at or above it."""
    work = tmp_path / "work"
    work.mkdir()
    for folder in (work, *work.resolve().parents):
        assert not (folder / "data" / "codebook" / "datapackage.json").exists(), folder
    return work


# ------------------------------------------------------------------------------- validate


@pytest.mark.parametrize("where", ["before the command", "after the command"])
def test_validate_from_outside_with_root(outside, where):
    args = (*ROOT_ARGS, "validate") if where == "before the command" else ("validate", *ROOT_ARGS)
    result = run_cli(*args, cwd=outside)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"valid: {SURROGATE} (synthetic): 46 participants"), (
        result.stdout
    )
    assert result.stderr == ""


def test_every_command_takes_root_after_its_name():
    from compendium.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"validate", "surrogate", "verify", "provenance", "manifest", "pdf"} <= set(commands)
    for name, command in commands.items():
        assert "--root" in command._option_string_actions, name


def test_a_relative_root_is_relative_to_the_working_directory(outside):
    result = run_cli("--root", os.path.relpath(ROOT, outside), "validate", cwd=outside)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"valid: {SURROGATE} (synthetic)")


def test_typed_paths_are_relative_to_the_working_directory(outside):
    shutil.copytree(SURROGATE, outside / "mine")
    mine = run_cli(*ROOT_ARGS, "validate", "mine", cwd=outside)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.startswith("valid: mine (synthetic): 46 participants")
    # a path that exists under the root but not under the working directory is not found
    project_relative = run_cli(*ROOT_ARGS, "validate", "data/coded/surrogate", cwd=outside)
    assert project_relative.returncode == 2
    assert project_relative.stderr == (
        "error: data/coded/surrogate/datapackage.json: no data package descriptor here "
        "(expected datapackage.json)\n"
    )


def test_validate_from_the_notebooks_folder_without_root():
    result = run_cli("validate", cwd=NOTEBOOKS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"valid: {SURROGATE} (synthetic): 46 participants")


def test_validate_at_the_root_names_the_default_as_before():
    result = run_cli("validate", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid: data/coded/surrogate (synthetic): 46 participants")


# --------------------------------------------------------------------------------- verify


def copied_reports(work: Path) -> Path:
    reports = shutil.copytree(ROOT / "reports", work / "reports")
    (reports / "verification.csv").unlink()
    return reports


@pytest.mark.parametrize("place", ["outside with --root", "notebooks/ without --root"])
def test_verify_writes_only_into_the_reports_it_is_given(outside, place):
    reports = copied_reports(outside)
    before = snapshot(ROOT / "reports")
    if place == "outside with --root":  # 'reports' is typed: the copy, not the project's
        result = run_cli(*ROOT_ARGS, "verify", "--reports", "reports", cwd=outside)
    else:
        result = run_cli("verify", "--reports", str(reports), cwd=NOTEBOOKS)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "DIFF" not in result.stdout
    total = result.stdout.strip().splitlines()[-1]
    assert total.startswith("verify: ") and total.endswith("published values reproduced")
    assert (reports / "verification.csv").read_text().startswith("item,published,rebuilt,match")
    if not build_running():  # a build in the project rewrites reports/ legitimately
        assert snapshot(ROOT / "reports") == before


# ------------------------------------------------------------------------------ surrogate


def test_surrogate_from_outside_writes_where_it_is_told(outside):
    before = snapshot(SURROGATE)
    result = run_cli(*ROOT_ARGS, "surrogate", "--out", "corpus", cwd=outside)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote 5 files to corpus (synthetic, seed ")
    written = outside / "corpus"
    assert sorted(p.name for p in written.iterdir()) == sorted(p.name for p in SURROGATE.iterdir())
    for path in sorted(SURROGATE.iterdir()):  # targets and codebook came from the root
        assert (written / path.name).read_bytes() == path.read_bytes(), path.name
    assert snapshot(SURROGATE) == before  # the committed surrogate is not rewritten


# ---------------------------------------------------------------------------- import-qdpx


def qdpx_inputs(folder: Path) -> None:
    write_qdpx(folder / "in" / "project.qdpx")
    shutil.copy(MAPPING, folder / "in" / "mapping.yaml")


def test_import_qdpx_from_outside_with_relative_paths(outside):
    qdpx_inputs(outside)
    args = ("import-qdpx", "in/project.qdpx", "--mapping", "in/mapping.yaml", "--out", "corpus")
    result = run_cli(*ROOT_ARGS, *args, cwd=outside)  # no --codebook: the root's
    assert result.returncode == 0, result.stderr
    assert (outside / "corpus" / "participants.csv").read_text() == EXPECTED_PARTICIPANTS
    assert (outside / "corpus" / "segments.csv").read_text() == EXPECTED_SEGMENTS
    check = run_cli(*ROOT_ARGS, "validate", "corpus", cwd=outside)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("valid: corpus (not synthetic): 4 participants")


def test_import_qdpx_from_the_notebooks_folder_without_root(outside):
    qdpx_inputs(outside)
    out = outside / "corpus"
    result = run_cli(
        "import-qdpx", str(outside / "in" / "project.qdpx"),
        "--mapping", str(outside / "in" / "mapping.yaml"), "--out", str(out),
        cwd=NOTEBOOKS,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (out / "segments.csv").read_text() == EXPECTED_SEGMENTS


# ---------------------------------------------------------------- outside any project


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "corpus"],  # the corpus is typed, the codebook is a default
        ["surrogate", "--out", "corpus"],
        ["verify", "--reports", "reports"],
        ["import-qdpx", "p.qdpx", "--mapping", "m.yaml", "--out", "corpus"],
    ],
    ids=" ".join,
)
def test_outside_any_project_without_root_is_one_line(outside, args):
    result = run_cli(*args, cwd=outside)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == no_project_error(outside)
    assert result.stdout == ""
    assert list(outside.iterdir()) == []


def test_a_root_that_is_no_project_is_refused(outside):
    result = run_cli("--root", str(outside), "validate", cwd=outside)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: --root {outside}: no compendium project there "
        "(no data/codebook/datapackage.json)\n"
    )


# ----------------------------------------------- provenance and manifest: recorded paths

STEP = "02_salience"


def provenance_args(prefix: str, out: Path) -> list[str]:
    """``compendium provenance`` as the Snakefile calls it, every path behind ``prefix``."""
    return [
        "provenance", "--step", "salience",
        "--notebook", f"{prefix}notebooks/{STEP}.ipynb",
        "--executed", f"{prefix}reports/notebooks/{STEP}.ipynb",
        "--parameters", '{"corpus": "data/coded/surrogate"}',
        "--corpus", f"{prefix}data/coded/surrogate",
        "--inputs", f"{prefix}notebooks/{STEP}.ipynb", f"{prefix}data/codebook",
        f"{prefix}data/coded/surrogate",
        "--outputs", f"{prefix}reports/tables/table2_kmi.csv",
        "--out", str(out),
    ]  # fmt: skip


def test_provenance_and_manifest_record_root_relative_paths_from_anywhere(outside):
    runs = {
        "root": (ROOT, "", ()),
        "notebooks": (NOTEBOOKS, "../", ()),
        "outside": (outside, f"{ROOT}/", ROOT_ARGS),
    }
    fragments, manifests = {}, {}
    for name, (cwd, prefix, root_args) in runs.items():
        fragment = outside / f"{name}.json"
        made = run_cli(*root_args, *provenance_args(prefix, fragment), cwd=cwd)
        assert made.returncode == 0, (name, made.stderr)
        fragments[name] = fragment.read_bytes()
        manifest = outside / f"manifest-{name}.json"
        merged = run_cli(*root_args, "manifest", str(fragment), "--out", str(manifest), cwd=cwd)
        assert merged.returncode == 0, (name, merged.stderr)
        manifests[name] = manifest.read_bytes()
    assert fragments["notebooks"] == fragments["root"]
    assert fragments["outside"] == fragments["root"]
    assert manifests["notebooks"] == manifests["root"]
    assert manifests["outside"] == manifests["root"]
    record = json.loads(fragments["root"])
    assert record["notebook"] == f"notebooks/{STEP}.ipynb"
    assert record["outputs"] == ["reports/tables/table2_kmi.csv"]
    assert record["synthetic"] is True
    paths = [entry["path"] for entry in record["inputs"]]
    assert f"notebooks/{STEP}.ipynb" in paths
    assert "data/coded/surrogate/segments.csv" in paths
    assert all(not p.startswith(("/", "..")) for p in paths)
    ids = [entry["id"] for entry in json.loads(manifests["root"])["outputs"]]
    assert ids == [f"reports/notebooks/{STEP}.ipynb", "reports/tables/table2_kmi.csv"]


# ------------------------------------------------------------------------------------ pdf


@pytest.mark.skipif(find_browser() is None, reason="needs headless Chromium")
def test_pdf_from_outside_with_root_records_paths_outside_the_root_in_full(outside):
    (outside / "page.html").write_text("<!doctype html><title>t</title><p>A page.</p>\n")
    result = run_cli(
        *ROOT_ARGS, "pdf", "page.html", "--out", "out/page.pdf",
        "--provenance", "page.json", "--corpus", str(SURROGATE),
        cwd=outside,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (outside / "out" / "page.pdf").read_bytes().startswith(b"%PDF")
    record = json.loads((outside / "page.json").read_text())
    html, pdf = (outside / "page.html").resolve(), (outside / "out" / "page.pdf").resolve()
    assert record["command"] == f"compendium pdf {html} --out {pdf}"
    assert record["inputs"][0]["path"] == str(html)
    assert record["synthetic"] is True
