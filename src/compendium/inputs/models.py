"""The theory-of-change model (Figure 1) kept as data: nodes, edges, themes, H intersections."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import yaml

from compendium.inputs.errors import InputError

NODE_KINDS = ("stressor", "lever", "condition", "mechanism", "outcome")


@dataclass(frozen=True)
class TheoryOfChange:
    graph: nx.DiGraph
    caption: str
    source_line: int


def load_theory_of_change(path: Path | str, theme_codes: list[str]) -> TheoryOfChange:
    """Read and check the YAML model; raise InputError naming the node or edge at fault."""
    path = Path(path)
    try:
        model = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(path, f"cannot read YAML ({exc})") from None
    if not isinstance(model, dict) or "nodes" not in model or "edges" not in model:
        raise InputError(path, "expected top-level keys 'nodes' and 'edges'")
    graph = nx.DiGraph()
    for i, node in enumerate(model["nodes"]):
        where = f"nodes[{i}]"
        for key in ("id", "label", "kind", "themes", "source_line"):
            if key not in node:
                raise InputError(path, f"{where} lacks '{key}'", field=key)
        if node["id"] in graph:
            raise InputError(path, f"{where}: duplicate node id {node['id']!r}", field="id")
        if node["kind"] not in NODE_KINDS:
            raise InputError(
                path, f"{where}: kind {node['kind']!r} not in {NODE_KINDS}", field="kind"
            )
        unknown = set(node["themes"]) - set(theme_codes)
        if unknown:
            raise InputError(
                path, f"{where}: unknown theme code(s) {sorted(unknown)}", field="themes"
            )
        graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for i, edge in enumerate(model["edges"]):
        where = f"edges[{i}]"
        for end in ("source", "target"):
            if edge.get(end) not in graph:
                raise InputError(path, f"{where}: {end} {edge.get(end)!r} is not a node", field=end)
        graph.add_edge(
            edge["source"],
            edge["target"],
            label=edge.get("label", ""),
            themes=list(edge.get("themes", [])),
            h_intersections=list(edge.get("h_intersections", [])),
            source_line=edge.get("source_line"),
        )
    caption = model.get("caption", {})
    return TheoryOfChange(graph, caption.get("text", ""), caption.get("source_line", 0))


def themes_on_nodes(model: TheoryOfChange) -> set[str]:
    return {code for _, data in model.graph.nodes(data=True) for code in data["themes"]}


def h_intersections_on_edges(model: TheoryOfChange) -> dict[str, tuple[str, str]]:
    """H id -> (source, target) of the edge carrying it."""
    carried = {}
    for source, target, data in model.graph.edges(data=True):
        for h in data["h_intersections"]:
            carried[h] = (source, target)
    return dict(sorted(carried.items()))
