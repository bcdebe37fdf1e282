"""The manifest records the environment that built the outputs, and covers its own fragments.

A manifest is built from the committed provenance fragments (``compendium manifest``, run from
the project root as the build runs it) into a temporary file.
"""

import json
import platform
import re
import subprocess
from importlib import metadata

import pytest
from conftest import ROOT, run_cli

from compendium.inputs.files import sha256_file
from compendium.outputs.pdf import FACES, find_browser
from compendium.outputs.provenance import build_record

FRAGMENTS = sorted((ROOT / "reports" / "provenance").glob("*.json"))


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("manifest") / "manifest.json"
    names = [p.relative_to(ROOT).as_posix() for p in FRAGMENTS]
    made = run_cli("manifest", *names, "--out", str(out))
    assert made.returncode == 0, made.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_python_full_version(manifest):
    assert manifest["python"] == platform.python_version()
    assert manifest["python"].count(".") == 2


def test_every_installed_package_with_its_version(manifest):
    packages = manifest["packages"]
    assert len(packages) > 100
    assert packages["pandas"] == metadata.version("pandas")
    assert packages["matplotlib"] == metadata.version("matplotlib")
    assert "compendium" not in packages  # the project is the commit, not a package
    assert list(packages) == sorted(packages)


def test_chromium_version(manifest):
    if find_browser() is None:
        assert manifest["chromium"] == "not found"
    else:
        assert re.search(r"\d+\.\d+\.\d+", manifest["chromium"]), manifest["chromium"]


def test_the_shipped_fonts_with_their_hashes(manifest):
    fonts = {record["path"]: record for record in manifest["fonts"]}
    assert len(fonts) == len(FACES)
    for face in FACES:
        record = fonts[f"src/compendium/templates/fonts/{face.file}"]
        assert record["sha256"] == sha256_file(face.path) == sha256_file(ROOT / record["path"])
        assert (record["family"], record["weight"], record["style"]) == (
            face.family,
            face.weight,
            face.style,
        )


def test_every_provenance_fragment_is_an_entry_with_its_hash(manifest):
    assert FRAGMENTS
    entries = {entry["path"]: entry for entry in manifest["outputs"]}
    for path in FRAGMENTS:
        name = path.relative_to(ROOT).as_posix()
        assert entries[name]["kind"] == "provenance", name
        assert entries[name]["sha256"] == sha256_file(path), name
        assert entries[name]["step"] == json.loads(path.read_text())["step"]


def test_the_commit_and_whether_the_tree_was_dirty(manifest):
    build = manifest["build"]
    assert re.fullmatch(r"[0-9a-f]{40}", build["commit"]), build
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert build["commit"] == head
    assert isinstance(build["dirty"], bool)


def git(folder, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        capture_output=True,
        check=True,
    )


def test_built_outputs_do_not_make_the_tree_dirty(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "src" / "code.py").write_text("x = 1\n")
    (tmp_path / "reports" / "table.csv").write_text("a\n1\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    monkeypatch.chdir(tmp_path)
    assert build_record()["dirty"] is False
    (tmp_path / "reports" / "table.csv").write_text("a\n2\n")  # the build rewrote an output
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "new.svg").write_text("<svg/>\n")
    assert build_record()["dirty"] is False
    (tmp_path / "src" / "code.py").write_text("x = 2\n")  # a source differs from the commit
    assert build_record()["dirty"] is True


def test_outside_a_git_checkout_the_commit_is_unknown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert build_record() == {"commit": None, "dirty": None}
