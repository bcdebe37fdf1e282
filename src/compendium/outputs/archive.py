"""A deposit archive of the committed build: ``dist/compendium-<version>.zip``.

``make archive`` (``compendium archive``) writes one zip ready to deposit (Zenodo, a journal's
replication archive): the sources and data as git tracks them (``git ls-files``: untracked files
never enter), and the committed build as the manifest lists it, with its records (the manifest,
the disclosure scan) and its RO-Crate.  The crate lies at the zip's root and its identifiers are
paths from there, so the zip is itself an RO-Crate.  Nothing under :data:`LEFT_OUT` enters, even
if tracked: the virtualenv, other builds, caches, benchmark scratch folders.

The same tree gives the same bytes: entries sorted, each stamped with ``SOURCE_DATE_EPOCH``
(default 2026-01-01, as the PDF), permissions 0644 (0755 for executables), one compression level.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import tomllib
import zipfile
from pathlib import Path

from compendium.inputs.files import write_bytes_atomic
from compendium.pipeline.status import MANIFEST, RECORDS

# Folders never archived, wherever they are (a path with one of these as a part is left out).
LEFT_OUT = {
    ".venv",
    "builds",
    ".cache",
    "dist",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".snakemake",
    ".hypothesis",
    ".ipynb_checkpoints",
    ".git",
}
LEFT_OUT_PREFIXES = ("benchmarks/.work/",)
ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can hold


def project_version(root: Path | str) -> str:
    with open(Path(root) / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def default_archive(root: Path | str) -> Path:
    return Path(root) / "dist" / f"compendium-{project_version(root)}.zip"


def tracked_files(root: Path | str) -> list[str]:
    """The files git tracks (as paths relative to ``root``); a RuntimeError outside git."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(f"{root}: not a git checkout (the archive takes git's list)") from exc
    return [name for name in listed.decode("utf-8").split("\0") if name]


def built_files(root: Path | str) -> list[str]:
    """The committed build: every output, executed notebook and fragment of the manifest, and
    the records written beside them."""
    root = Path(root)
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    return [entry["path"] for entry in manifest["outputs"]] + list(RECORDS)


def left_out(name: str) -> bool:
    return name.startswith(LEFT_OUT_PREFIXES) or any(p in LEFT_OUT for p in name.split("/"))


def archive_members(root: Path | str) -> list[str]:
    """What the archive holds: tracked files and the build's files that exist (symbolic links
    aside), none under :data:`LEFT_OUT`, sorted."""
    root = Path(root)
    missing = [record for record in RECORDS if not (root / record).is_file()]
    if missing:
        raise RuntimeError(f"no {', '.join(missing)}: run make reproduce first")
    names = set(tracked_files(root)) | set(built_files(root))
    return sorted(
        name
        for name in names
        if not left_out(name) and (root / name).is_file() and not (root / name).is_symlink()
    )


def zip_time() -> tuple[int, ...]:
    epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600")), ZIP_EPOCH)
    return time.gmtime(epoch)[:6]


def write_archive(root: Path | str, out: Path | str, members: list[str]) -> Path:
    """Write ``members`` (paths relative to ``root``) to the zip ``out``, atomically."""
    import io

    root, stamp = Path(root), zip_time()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            path = root / name
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below are read
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return write_bytes_atomic(out, buffer.getvalue())
