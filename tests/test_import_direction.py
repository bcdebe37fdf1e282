"""Imports point one way, there is no import cycle, and no module is over 500 lines.

Layers, from the top: notebooks -> (cli, surrogate, outputs, charts) -> analysis -> inputs;
the step declarations (``pipeline``), read by the Snakefile and the report, stand on inputs.
``inputs`` reads and checks what comes in and knows nothing of what is computed or written from
it; ``analysis`` computes from inputs and draws or writes nothing; ``charts`` draw analysis
results and save them only through ``outputs.figures``; ``outputs`` (tables, report,
verification, provenance) never reach for the surrogate generator or the command line.
Every ``import`` counts, including those inside functions (a lazy import is still a
dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest
from conftest import ROOT

PACKAGE = ROOT / "src" / "compendium"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, source: str) -> set[str]:
    """Every ``compendium`` module ``source`` imports, anywhere in it.

    ``from compendium.inputs import corpus`` names the module ``compendium.inputs.corpus``;
    relative imports are resolved against ``name``.
    """
    is_package = MODULES.get(name, Path()).name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [module]
            targets += [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES]
        else:
            continue
        out.update(t for t in targets if t == "compendium" or t.startswith("compendium."))
    return out


IMPORTS = {name: imported_modules(name, path.read_text()) for name, path in MODULES.items()}


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


# layer -> (modules it must not import, exceptions among them)
RULES = {
    "compendium.inputs": (
        (
            "compendium.analysis",
            "compendium.charts",
            "compendium.outputs",
            "compendium.surrogate",
            "compendium.cli",
        ),
        (),
    ),
    "compendium.analysis": (
        ("compendium.charts", "compendium.outputs", "compendium.surrogate", "compendium.cli"),
        (),
    ),
    "compendium.charts": (
        ("compendium.outputs", "compendium.surrogate", "compendium.cli"),
        ("compendium.outputs.figures",),  # saving a figure, and its style
    ),
    "compendium.outputs": (("compendium.charts", "compendium.surrogate", "compendium.cli"), ()),
    # the step declarations: read by the Snakefile and the report, built on inputs only
    "compendium.pipeline": (
        (
            "compendium.analysis",
            "compendium.charts",
            "compendium.outputs",
            "compendium.surrogate",
            "compendium.cli",
        ),
        (),
    ),
}


def violations(layer: str, imports: dict[str, set[str]]) -> list[str]:
    forbidden, allowed = RULES[layer]
    return [
        f"{module} imports {target}"
        for module, targets in sorted(imports.items())
        if within(module, layer)
        for target in sorted(targets)
        if any(within(target, f) for f in forbidden) and not any(within(target, a) for a in allowed)
    ]


def test_the_walk_sees_every_layer_and_lazy_imports():
    for layer in RULES:
        assert any(within(m, layer) for m in MODULES), layer
    lazy = "def f():\n    from compendium import surrogate\n    from ..outputs import verify\n"
    assert imported_modules("compendium.inputs.x", lazy) == {
        "compendium",
        "compendium.surrogate",
        "compendium.outputs",
        "compendium.outputs.verify",
    }


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_point_down(layer):
    bad = violations(layer, IMPORTS)
    assert not bad, f"{layer} must not import {RULES[layer][0]}:\n" + "\n".join(bad)


def import_graph(imports: dict[str, set[str]]) -> nx.DiGraph:
    """Module -> module it imports (a package's ``__init__`` included when named)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(imports)
    for module, targets in imports.items():
        for target in targets:
            if target in imports and target != module:
                graph.add_edge(module, target)
    return graph


def test_no_import_cycle():
    graph = import_graph(IMPORTS)
    if not nx.is_directed_acyclic_graph(graph):
        edges = nx.find_cycle(graph)
        cycle = " -> ".join([*(module for module, _ in edges), edges[0][0]])
        pytest.fail(f"import cycle: {cycle}")


def test_no_module_over_500_lines():
    too_long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in MODULES.values()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert not too_long, f"modules over {MAX_LINES} lines (split them): " + "; ".join(too_long)
