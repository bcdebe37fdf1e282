"""Figure 1: the interview-derived theory of change, drawn from data with a layered layout.

Layers are the graph's topological generations (causes left, outcomes right); within a layer
nodes are ordered by id, so the drawing is the same on every run.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch

from compendium.inputs.models import NODE_KINDS, TheoryOfChange
from compendium.outputs.figures import palette


def layered_positions(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    if nx.is_directed_acyclic_graph(graph):
        layers = [sorted(layer) for layer in nx.topological_generations(graph)]
    else:
        by_kind = {k: i for i, k in enumerate(NODE_KINDS)}
        layers = [[] for _ in NODE_KINDS]
        for node, data in sorted(graph.nodes(data=True)):
            layers[by_kind[data["kind"]]].append(node)
        layers = [layer for layer in layers if layer]
    positions = {}
    for x, layer in enumerate(layers):
        for k, node in enumerate(layer):
            positions[node] = (x * 3.4, (len(layer) - 1) / 2 - k)
    return positions


def theory_of_change_figure(model: TheoryOfChange, names: dict[str, str]):
    """Draw every node (label, kind, themes) and every edge (H intersections emphasised)."""
    graph = model.graph
    pos = {n: (x, y * 1.55) for n, (x, y) in layered_positions(graph).items()}
    colours = dict(zip(NODE_KINDS, palette(len(NODE_KINDS)), strict=True))
    fig, ax = plt.subplots(figsize=(13, 8.2))
    box_w, box_h = 2.3, 1.0
    for source, target, data in sorted(graph.edges(data=True)):
        (x1, y1), (x2, y2) = pos[source], pos[target]
        is_h = bool(data["h_intersections"])
        ax.annotate(
            "",
            xy=(x2 - box_w / 2 if x2 > x1 else x2 + (box_w / 2 if x2 < x1 else 0), y2),
            xytext=(x1 + box_w / 2 if x2 > x1 else x1 - (box_w / 2 if x2 < x1 else 0), y1),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#222222" if is_h else "#9a9a9a",
                "lw": 2.2 if is_h else 1.0,
                "connectionstyle": "arc3,rad=0.08",
                "shrinkA": 2,
                "shrinkB": 2,
            },
            zorder=1,
        )
        if is_h:
            ax.text(
                (x1 + x2) / 2,
                (y1 + y2) / 2 + 0.12,
                "+".join(data["h_intersections"]),
                fontsize=8,
                fontweight="bold",
                ha="center",
                va="bottom",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                zorder=3,
            )
    for node, data in sorted(graph.nodes(data=True)):
        x, y = pos[node]
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.04,rounding_size=0.15",
                facecolor=tuple(0.3 * c + 0.7 for c in colours[data["kind"]]),
                edgecolor=colours[data["kind"]],
                linewidth=1.5,
                zorder=2,
            )
        )
        label = textwrap.fill(data["label"], 20)
        themes = " ".join(data["themes"])
        ax.text(x, y + 0.1, label, ha="center", va="center", fontsize=9, zorder=4)
        ax.text(
            x,
            y - 0.36,
            f"[{themes}]",
            ha="center",
            va="center",
            fontsize=7.5,
            color="#333333",
            zorder=4,
        )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 1.5, max(xs) + 1.5)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 1.0)
    ax.set_axis_off()
    handles = [
        Line2D(
            [0],
            [0],
            marker="s",
            linestyle="",
            markersize=11,
            markerfacecolor=colours[k],
            alpha=0.5,
            label=k,
        )
        for k in NODE_KINDS
        if any(d["kind"] == k for _, d in graph.nodes(data=True))
    ]
    handles.append(Line2D([0], [0], color="#222222", lw=2.2, label="carries a High intersection"))
    handles.append(Line2D([0], [0], color="#9a9a9a", lw=1.0, label="other link"))
    ax.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, -0.06),
    )
    codes = ", ".join(f"{c} {n}" for c, n in names.items())
    ax.set_title(
        "Figure 1. Interview-derived theory of change for integration (encoded from report "
        "§4.1 and §4.3)\n" + f"Theme codes: {codes}",
        fontsize=10,
    )
    fig.tight_layout()
    alt = (
        f"Directed diagram with {graph.number_of_nodes()} boxes and "
        f"{graph.number_of_edges()} arrows. "
        + "; ".join(
            f"{d['label']} ({d['kind']}; themes {' '.join(d['themes'])})"
            for _, d in sorted(graph.nodes(data=True))
        )
        + ". Arrows carrying High intersections: "
        + "; ".join(
            f"{graph.nodes[s]['label']} to {graph.nodes[t]['label']} "
            f"({'+'.join(d['h_intersections'])})"
            for s, t, d in sorted(graph.edges(data=True))
            if d["h_intersections"]
        )
        + "."
    )
    return fig, alt
