"""Figure 1: the interview-derived theory of change, drawn from data with a layered layout.

Layers are the graph's topological generations, drawn top to bottom (causes at the top,
outcomes at the bottom) on at most three columns, so the figure is 7.3 in wide and its text
(8 to 10.5 pt) prints at 8 pt or more at the report's text width (186 mm). Each layer's order
and columns are chosen for fewest detours and crossings (ties to the first found), arrows go
round the boxes in their way through the gaps, and H labels sit clear of boxes and other
arrows, so the drawing is the same on every run.
"""

from __future__ import annotations

import itertools
import textwrap

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from compendium.inputs.models import NODE_KINDS, TheoryOfChange
from compendium.outputs.figures import palette

# Drawing units are inches (the axes fill the figure at 1:1).
COLUMN, ROW = 2.35, 1.3  # distance between node centres across and down
BOX_W, BOX_H = 2.0, 0.74
LABEL_CHARS = 24  # a node label is wrapped to this many characters a line
SLOTS = (-1.0, -0.5, 0.0, 0.5, 1.0)  # columns a node may take (at most three nodes a layer)


def _layers(graph: nx.DiGraph) -> list[list[str]]:
    """Topological generations (a graph with cycles: one layer per node kind), ids sorted."""
    if nx.is_directed_acyclic_graph(graph):
        return [sorted(layer) for layer in nx.topological_generations(graph)]
    by_kind = {k: i for i, k in enumerate(NODE_KINDS)}
    layers = [[] for _ in NODE_KINDS]
    for node, data in sorted(graph.nodes(data=True)):
        layers[by_kind[data["kind"]]].append(node)
    return [layer for layer in layers if layer]


def _placements(nodes: list[str], slots=SLOTS) -> list[dict[str, float]]:
    """Every way to put ``nodes`` on ``slots`` at least one column apart, in a fixed order."""
    if len(nodes) > len(slots[::2]):  # too many for the grid: one column apart, centred
        return [{n: k - (len(nodes) - 1) / 2 for k, n in enumerate(nodes)}]
    options = []
    for columns in itertools.combinations(slots, len(nodes)):
        if all(b - a >= 1 for a, b in itertools.pairwise(columns)):
            for order in itertools.permutations(nodes):
                options.append(dict(zip(order, columns, strict=True)))
    return options


def _segments_cross(p1, p2, q1, q2) -> bool:
    def turn(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    return turn(p1, p2, q1) * turn(p1, p2, q2) < 0 and turn(q1, q2, p1) * turn(q1, q2, p2) < 0


def layout_cost(graph: nx.DiGraph, grid: dict[str, tuple[float, float]]) -> float:
    """How hard a grid layout is to read: detours round boxes, crossings, then length."""
    inches = {n: (x * COLUMN, y * ROW) for n, (x, y) in grid.items()}
    segments = {(s, t): _anchors(inches[s], inches[t]) for s, t in graph.edges()}
    rows: dict[float, list[float]] = {}
    for x, y in inches.values():
        rows.setdefault(y, []).append(x)
    detours = sum(len(route(start, end, rows)) - 2 for start, end in segments.values()) / 2
    crossings = sum(
        _segments_cross(*segments[a], *segments[b])
        for a, b in itertools.combinations(sorted(segments), 2)
        if not set(a) & set(b)
    )
    length = sum(abs(grid[s][0] - grid[t][0]) for s, t in graph.edges())
    return 4 * detours + 2 * crossings + length


def layered_positions(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Grid positions ``(column, -layer)``: layers top to bottom, columns -1 to 1.

    Each layer starts centred and in id order; then, layer by layer and until nothing
    improves, each layer takes the placement (order and columns) of least ``layout_cost``,
    ties to the first found, so the layout is the same on every run.
    """
    layers = _layers(graph)
    positions = {}
    for depth, layer in enumerate(layers):
        for k, node in enumerate(layer):
            positions[node] = (k - (len(layer) - 1) / 2, -float(depth))
    best = layout_cost(graph, positions)
    for _ in range(6):
        improved = False
        for depth, layer in enumerate(layers):
            for option in _placements(layer):
                trial = positions | {n: (x, -float(depth)) for n, x in option.items()}
                cost = layout_cost(graph, trial)
                if cost < best - 1e-9:
                    positions, best, improved = trial, cost, True
        if not improved:
            break
    return positions


def route(start, end, rows: dict[float, list[float]], margin: float = 0.12) -> list:
    """Points an arrow passes from ``start`` down to ``end`` around the boxes in between.

    ``rows`` maps the centre height of each row of boxes to the centres of its boxes. Where
    the straight line would come within ``margin`` of a box of a row between the two ends, the
    arrow goes down the nearest free place instead (the middle of a gap between two boxes, or
    beside the row): two points, above and below the row. An arrow that meets no box is
    ``[start, end]``.
    """
    (x1, y1), (x2, y2) = start, end
    points = [tuple(start)]
    for y in sorted(rows, reverse=y2 < y1):
        top, bottom = y + BOX_H / 2 + margin / 2, y - BOX_H / 2 - margin / 2
        if not min(y1, y2) < bottom < top < max(y1, y2):
            continue
        across = sorted(x1 + (x2 - x1) * (h - y1) / (y2 - y1) for h in (top, bottom))
        blocked = [(c - BOX_W / 2 - margin, c + BOX_W / 2 + margin) for c in sorted(rows[y])]
        if not any(lo < across[1] and across[0] < hi for lo, hi in blocked):
            continue
        free = [blocked[0][0], blocked[-1][1]] + [
            (a[1] + b[0]) / 2 for a, b in itertools.pairwise(blocked) if a[1] <= b[0]
        ]
        x = min(free, key=lambda e: (abs(e - sum(across) / 2), e))
        points += [(x, top), (x, bottom)] if y2 < y1 else [(x, bottom), (x, top)]
    return points + [tuple(end)]


def route_path(points) -> Path:
    """A smooth path along ``points``: straight for two, else quadratic pieces between them."""
    if len(points) == 2:
        return Path(points, [Path.MOVETO, Path.LINETO])
    vertices, codes = [points[0]], [Path.MOVETO]
    for k in range(1, len(points) - 1):
        following = points[k + 1] if k + 1 == len(points) - 1 else np.mean(points[k : k + 2], 0)
        vertices += [points[k], tuple(following)]
        codes += [Path.CURVE3, Path.CURVE3]
    return Path(vertices, codes)


def _samples(path: Path, n: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points evenly along ``path`` and their distance along it."""
    polygon = path.to_polygons(closed_only=False)[0]
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(polygon, axis=0).T))])
    at = np.linspace(0, along[-1], n)
    return np.column_stack([np.interp(at, along, polygon[:, k]) for k in (0, 1)]), at


def label_point(path: Path, centres, others=(), clearance: float = 0.15) -> tuple[float, float]:
    """The point of ``path`` nearest its middle that is clear of boxes and other arrows.

    Clear: ``clearance`` from every box (``centres``) and from every path in ``others``; if
    no point is, the nearest clear of the boxes; if none is, the middle.
    """
    points, at = _samples(path)
    off_boxes = np.ones(len(points), dtype=bool)
    for x, y in centres:
        off_boxes &= (np.abs(points[:, 0] - x) > BOX_W / 2 + clearance) | (
            np.abs(points[:, 1] - y) > BOX_H / 2 + clearance
        )
    off_arrows = off_boxes.copy()
    for other in others:
        near = _samples(other, 201)[0]
        gaps = np.hypot(*(points[:, None, :] - near[None, :, :]).transpose(2, 0, 1)).min(axis=1)
        off_arrows &= gaps > clearance
    order = np.argsort(np.abs(at - at[-1] / 2), kind="stable")
    best = next(
        (k for k in order if off_arrows[k]), next((k for k in order if off_boxes[k]), order[0])
    )
    return float(points[best, 0]), float(points[best, 1])


def _anchors(p1, p2):
    """Where an arrow leaves the source box and enters the target box (bottom/top edges).

    Arrows to boxes further across leave and enter further from the middle of the edge.
    """
    (x1, y1), (x2, y2) = p1, p2
    if y1 == y2:  # same layer (only in a graph with cycles): side to side
        side = BOX_W / 2 if x2 > x1 else -BOX_W / 2
        return (x1 + side, y1), (x2 - side, y2)
    down = 1 if y2 < y1 else -1
    shift = float(np.clip(0.3 * (x2 - x1), -0.35 * BOX_W, 0.35 * BOX_W))
    return (x1 + shift, y1 - down * BOX_H / 2), (x2 - shift, y2 + down * BOX_H / 2)


def theory_of_change_figure(model: TheoryOfChange, names: dict[str, str]):
    """Draw every node (label, kind, themes) and every edge (H intersections emphasised)."""
    graph = model.graph
    pos = {n: (x * COLUMN, y * ROW) for n, (x, y) in layered_positions(graph).items()}
    colours = dict(zip(NODE_KINDS, palette(len(NODE_KINDS)), strict=True))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    left, right = min(xs) - BOX_W / 2 - 0.2, max(xs) + BOX_W / 2 + 0.2
    bottom, top = min(ys) - BOX_H / 2 - 0.1, max(ys) + BOX_H / 2 + 0.1
    fig = plt.figure(figsize=(right - left, top - bottom))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    rows: dict[float, list[float]] = {}
    for x, y in pos.values():
        rows.setdefault(y, []).append(x)
    paths = {(s, t): route_path(route(*_anchors(pos[s], pos[t]), rows)) for s, t in graph.edges()}
    for source, target, data in sorted(graph.edges(data=True)):
        path = paths[source, target]
        is_h = bool(data["h_intersections"])
        ax.add_patch(
            FancyArrowPatch(
                path=path,
                arrowstyle="-|>,head_length=5,head_width=2.6",
                color="#222222" if is_h else "#8a8a8a",
                linewidth=2.0 if is_h else 1.0,
                shrinkA=0,
                shrinkB=1,
                zorder=3 if is_h else 1,
                gid=f"edge {source} -> {target}",
            )
        )
        if is_h:
            others = [p for e, p in sorted(paths.items()) if e != (source, target)]
            ax.text(
                *label_point(path, sorted(pos.values()), others),
                "+".join(data["h_intersections"]),
                fontsize=8.5,
                fontweight="bold",
                ha="center",
                va="center",
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": "white",
                    "edgecolor": "#222222",
                    "linewidth": 0.6,
                },  # fmt: skip
                zorder=5,
            )
    for node, data in sorted(graph.nodes(data=True)):
        x, y = pos[node]
        ax.add_patch(
            FancyBboxPatch(
                (x - BOX_W / 2, y - BOX_H / 2),
                BOX_W,
                BOX_H,
                boxstyle="round,pad=0.0,rounding_size=0.08",
                facecolor=tuple(0.3 * c + 0.7 for c in colours[data["kind"]]),
                edgecolor=colours[data["kind"]],
                linewidth=1.5,
                zorder=4,
            )
        )
        label = textwrap.fill(data["label"], LABEL_CHARS)
        themes = " ".join(data["themes"])
        ax.text(x, y + 0.1, label, ha="center", va="center", fontsize=9.5, zorder=6)
        ax.text(
            x,
            y - BOX_H / 2 + 0.12,
            f"{data['kind']} · themes [{themes}]",
            ha="center",
            va="center",
            fontsize=8,
            color="#333333",
            zorder=6,
        )
    ax.set_axis_off()
    handles = [
        Line2D(
            [0],
            [0],
            marker="s",
            linestyle="",
            markersize=10,
            markerfacecolor=tuple(0.3 * c + 0.7 for c in colours[k]),
            markeredgecolor=colours[k],
            label=k,
        )
        for k in NODE_KINDS
        if any(d["kind"] == k for _, d in graph.nodes(data=True))
    ]
    handles.append(Line2D([0], [0], color="#222222", lw=2.0, label="carries a High intersection"))
    handles.append(Line2D([0], [0], color="#8a8a8a", lw=1.0, label="other link"))
    ax.legend(
        handles=handles,
        loc="upper center",
        ncol=4,
        fontsize=8.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
        handlelength=2.0,
        columnspacing=1.2,
    )
    codes = ", ".join(f"{c} {n}" for c, n in names.items())
    subtitle = "\n".join(
        textwrap.fill(line, 110, break_on_hyphens=False)
        for line in (
            "Encoded from report §4.1 and §4.3; arrows run from causes (top) to outcomes (bottom).",
            f"Theme codes: {codes}.",
        )
    )
    ax.set_title(
        "Figure 1. Interview-derived theory of change for integration",
        fontsize=10.5,
        pad=8 + 12 * (subtitle.count("\n") + 1),
    )
    ax.text(0.5, 1.0, subtitle, transform=ax.transAxes, ha="center", va="bottom", fontsize=8.5)
    alt = (
        f"Directed diagram with {graph.number_of_nodes()} boxes and "
        f"{graph.number_of_edges()} arrows, causes at the top and outcomes at the bottom. "
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
