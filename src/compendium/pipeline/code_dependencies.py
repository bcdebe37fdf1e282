"""Which files of ``src/compendium`` a notebook depends on, computed from its imports.

Snakemake cannot see inside a notebook, so each step's rule lists the package files the
notebook uses: the modules it imports, the modules those import (transitively, imports inside
functions included), the ``__init__.py`` of every package on the way, and the package data
files (schemas, templates) that one of those modules names in a string literal.  Editing any of
them reruns the step; editing a module it does not reach does not.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

PACKAGE = "compendium"


def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else source
    # IPython magics and shell escapes are not Python.
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("%", "!")))


def notebook_source(notebook: Path | str) -> str:
    """The code cells of a notebook, joined."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return "\n".join(_cell_source(c) for c in cells if c.get("cell_type") == "code")


class PackageIndex:
    """The modules and data files of the package rooted at ``package_dir``."""

    def __init__(self, package_dir: Path | str):
        self.package_dir = Path(package_dir)
        self.data_files = {
            p.name: p
            for p in self.package_dir.rglob("*")
            if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
        }

    def module_file(self, dotted: str) -> Path | None:
        parts = dotted.split(".")
        if parts[0] != PACKAGE:
            return None
        base = self.package_dir.joinpath(*parts[1:])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def imported_modules(self, source: str) -> tuple[set[str], set[str]]:
        """Dotted names of package modules imported by ``source``, and its string literals."""
        names: set[str] = set()
        strings: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] == PACKAGE:
                    names.add(node.module)
                    for alias in node.names:  # "from compendium.analysis import salience"
                        if self.module_file(f"{node.module}.{alias.name}"):
                            names.add(f"{node.module}.{alias.name}")
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
        return names, strings

    @cache  # noqa: B019 (one index per Snakemake run)
    def _module_info(self, path: Path) -> tuple[frozenset[str], frozenset[str]]:
        names, strings = self.imported_modules(path.read_text(encoding="utf-8"))
        return frozenset(names), frozenset(strings)

    def closure(self, source: str) -> set[Path]:
        """Package files reached from ``source``: modules, their packages, named data files."""
        names, strings = self.imported_modules(source)
        seen: set[Path] = set()
        todo = list(names)
        while todo:
            parts = todo.pop().split(".")
            for i in range(1, len(parts) + 1):
                path = self.module_file(".".join(parts[:i]))
                if path is None or path in seen:
                    continue
                seen.add(path)
                more_names, more_strings = self._module_info(path)
                todo.extend(more_names)
                strings |= more_strings
        seen.update(self.data_files[s] for s in strings if s in self.data_files)
        return seen


def notebook_code_files(
    notebook: Path | str, package_dir: Path | str, relative_to: Path | str
) -> list[str]:
    """Sorted paths (relative to ``relative_to``) of the package files ``notebook`` uses."""
    index = _index(str(Path(package_dir).resolve()))
    base = Path(relative_to).resolve()
    files = index.closure(notebook_source(notebook))
    return sorted(p.resolve().relative_to(base).as_posix() for p in files)


@cache
def _index(package_dir: str) -> PackageIndex:
    return PackageIndex(package_dir)
