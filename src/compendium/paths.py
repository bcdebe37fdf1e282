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
