"""Where the project root is, so notebooks run the same from JupyterLab, papermill or nbval."""

from __future__ import annotations

from pathlib import Path

MARKER = Path("data") / "codebook" / "datapackage.json"


def project_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) holding data."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    raise FileNotFoundError(f"no project root (a folder with {MARKER}) at or above {here}")


BUILT_FOLDERS = ("figures", "reports", "builds")


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
