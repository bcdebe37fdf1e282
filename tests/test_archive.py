"""The deposit archive: what git tracks and the committed build with its crate, nothing else,
the same bytes every time, and a zip that reads as an RO-Crate."""

from __future__ import annotations

import subprocess
import zipfile

import pytest
from conftest import buildable_copy
from rocrate.rocrate import ROCrate

from compendium.inputs.pipeline_config import checked_config
from compendium.outputs.archive import archive_members, default_archive, write_archive
from compendium.outputs.crate import write_crate

WANTED = (
    "README.md",
    "requirements.lock",
    "ro-crate-metadata.json",
    "reports/manifest.json",
    "notebooks/steps.yaml",
    "Snakefile",
    "data/coded/surrogate/segments.csv",
    "figures/kmi.svg",
)


def git(work, *args):
    subprocess.run(["git", *args], cwd=work, check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy with the built outputs and its crate, under git, with junk beside it."""
    work, _ = buildable_copy(tmp_path_factory.mktemp("archive") / "work")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(work)
        write_crate("reports/manifest.json", "ro-crate-metadata.json",
                    checked_config({}, "data/coded/surrogate"))  # fmt: skip
    git(work, "init", "-q")
    git(work, "add", "--", ".")
    junk = ["builds/x/a.csv", ".cache/corpus/x", "src/__pycache__/x.pyc", ".snakemake/x"]
    junk += [".pytest_cache/x", ".ruff_cache/x", ".hypothesis/x", "benchmarks/.work/x"]
    for name in junk:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text("junk\n")
    git(work, "add", "-f", "--", ".cache/corpus/x", "benchmarks/.work/x")  # tracked by mistake
    (work / "untracked-notes.txt").write_text("not for the deposit\n")
    return work


@pytest.fixture(scope="module")
def archive(project, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "compendium.zip"
    return write_archive(project, out, archive_members(project))


def test_named_after_the_version_in_pyproject(project):
    assert default_archive(project).relative_to(project).as_posix() == "dist/compendium-0.1.0.zip"


def test_holds_sources_data_build_lock_and_crate(archive):
    names = set(zipfile.ZipFile(archive).namelist())
    assert set(WANTED) <= names


def test_leaves_out_the_venv_builds_caches_and_untracked_files(archive):
    names = zipfile.ZipFile(archive).namelist()
    left_out = (".venv/", "builds/", ".cache/", "benchmarks/.work/", "dist/")
    assert not [n for n in names if n.startswith(left_out)]
    parts = {".snakemake", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}
    assert not [n for n in names if parts & set(n.split("/"))]
    assert "untracked-notes.txt" not in names


def test_same_bytes_sorted_entries_fixed_time(project, archive, tmp_path):
    again = write_archive(project, tmp_path / "again.zip", archive_members(project))
    assert again.read_bytes() == archive.read_bytes()
    infos = zipfile.ZipFile(archive).infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(2026, 1, 1, 0, 0, 0)}


def test_the_zip_is_an_ro_crate_holding_every_file_it_describes(archive):
    crate = ROCrate(archive)
    names = set(zipfile.ZipFile(archive).namelist())
    described = [e.id for e in crate.data_entities if e.type != "Dataset"]
    assert described
    assert not [i for i in described if i not in names]
