"""Without a browser the build still makes every other output and the manifest, which says the
PDF was not built; status calls that current until a browser is installed.

Cheap: in a copy that already has the built outputs, only the pdf and manifest rules run
(``snakemake reports/manifest.json --forcerun pdf``), with a PATH that holds every command the
build needs but no browser.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import BIN, buildable_copy, run_in

from compendium.outputs.pdf import BROWSERS

PDF = "reports/report.pdf"


def path_without_browsers(folder: Path) -> str:
    """A folder of links to every command on PATH but the browsers, and the venv's bin first."""
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not Path(directory).is_dir() or Path(directory).resolve() == BIN.resolve():
            continue
        for command in sorted(Path(directory).iterdir()):
            link = folder / command.name
            if command.name in BROWSERS or link.exists() or link.is_symlink():
                continue
            if command.is_file() and os.access(command, os.X_OK):
                link.symlink_to(command)
    return f"{BIN}{os.pathsep}{folder}"


@pytest.fixture(scope="module")
def skipped(tmp_path_factory):
    work, env = buildable_copy(tmp_path_factory.mktemp("nobrowser") / "work")
    before = {p.relative_to(work).as_posix() for p in (work / "figures").rglob("*")}
    env = env | {"PATH": path_without_browsers(work.parent / "bin")}
    made = run_in(work, env, str(BIN / "snakemake"), "reports/manifest.json", "--cores", "2",
                  "--forcerun", "pdf", "--rerun-triggers", "params")  # fmt: skip
    return work, env, made, before


def test_the_build_finishes_and_says_in_one_line_how_to_get_the_pdf(skipped):
    _, _, made, _ = skipped
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    said = [line for line in made.stderr.splitlines() if line.startswith(f"skipped {PDF}")]
    assert len(said) == 1, made.stderr[-2000:]
    assert "sudo apt-get install chromium, then make reproduce" in said[0]


def test_no_pdf_and_the_manifest_says_why(skipped):
    work, _, _, _ = skipped
    assert not (work / PDF).exists()
    manifest = json.loads((work / "reports" / "manifest.json").read_text(encoding="utf-8"))
    assert [n["path"] for n in manifest["not_built"]] == [PDF]
    assert manifest["not_built"][0]["why"]
    assert manifest["chromium"] == "not found"
    assert PDF not in {e["path"] for e in manifest["outputs"]}


def test_every_other_output_is_there_and_in_the_manifest(skipped):
    work, _, _, before = skipped
    manifest = json.loads((work / "reports" / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"] for e in manifest["outputs"]}
    assert all((work / path).is_file() for path in listed)
    assert {p for p in before if (work / p).is_file()} <= listed
    assert "reports/report.html" in listed
    assert "reports/provenance/pdf.json" in listed


def test_status_calls_the_pdf_current_until_a_browser_is_installed(skipped):
    work, env, _, _ = skipped
    status = run_in(work, env, str(BIN / "compendium"), "status")
    assert PDF not in status.stdout, status.stdout
    browser = work.parent / "browser"
    browser.mkdir()
    fake = browser / BROWSERS[0]
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    with_browser = env | {"PATH": f"{env['PATH']}{os.pathsep}{browser}"}
    status = run_in(work, with_browser, str(BIN / "compendium"), "status")
    assert f"{PDF}: not built for want of a browser; one is installed now (step pdf)" in (
        status.stdout
    )
