"""Where the project root is, so notebooks run the same from JupyterLab, papermill or nbval."""

from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("data") / "codebook" / "datapackage.json"


class NoProjectRoot(FileNotFoundError):
    """No folder at or above the start is a project (holds ``data/codebook/datapackage.json``)."""


def is_project_root(folder: Path | str) -> bool:
    return (Path(folder) / MARKER).is_file()


def project_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) holding data."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project_root(folder):
            return folder
    raise NoProjectRoot(f"no project root (a folder with {MARKER}) at or above {here}")


def relative_to_root(path: Path | str, root: Path) -> str:
    """``path`` (relative to the working directory) as recorded: relative to ``root`` (POSIX),
    or absolute when it is outside ``root``.

    A path already relative to the working directory at the root comes back unchanged
    (``data/x`` -> ``data/x``), so records made at the root stay byte-identical.
    """
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, absolute.resolve()):  # as named, then through symbolic links
        if candidate.is_relative_to(root):
            return candidate.relative_to(root).as_posix()
    return absolute.as_posix()


def shown(path: Path) -> Path:
    """``path`` relative to the working directory when it lies under it, else absolute.

    Defaults found under the project root are passed on in this form, so that run at the root a
    command names ``data/coded/surrogate`` in its messages, as before, and elsewhere a full path.
    """
    path = Path(os.path.abspath(path))
    cwd = Path.cwd()
    return path.relative_to(cwd) if path.is_relative_to(cwd) and path != cwd else path


# Built outputs, not sources: the folders, and the committed build's RO-Crate at the root.
BUILT_FOLDERS = ("figures", "reports", "builds", "ro-crate-metadata.json")


def copy_sources(root: Path | str, destination: Path | str, with_outputs: bool = False) -> Path:
    """Copy the files git tracks or would track (not the venv, not built outputs unless asked).

    Used by the rebuild tests and the benchmarks to build in a clean folder.
    """
    import shutil
    import subprocess

    root, destination = Path(root), Path(destination)
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for name in filter(None, listed):
        top = name.split("/")[0]
        if (not with_outputs and top in BUILT_FOLDERS) or name.startswith("benchmarks/.work"):
            continue
        source = root / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination
