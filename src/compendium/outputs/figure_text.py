"""How large each text of an SVG figure prints when the figure fills the report's text width.

The report shows every figure at 100% of the A4 text width (186 mm: 210 mm less the 12 mm
margins of ``@page`` in ``templates/report.html.j2``), so a text of font size ``s`` (in the
SVG's user units) prints at ``s x 186 mm / width of the drawing`` in points. Matplotlib writes
the drawing in points (``width="540pt"`` and the same ``viewBox``) and each text's size in its
``style`` (``font-size: 11px`` or ``font: 10px 'DejaVu Sans'``, in user units); scales in the
``transform`` of the text or of a group around it are applied, and a ``<tspan>`` may set its
own size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element  # only the type: parsing goes through defusedxml

from defusedxml.ElementTree import fromstring

A4_TEXT_WIDTH_MM = 186.0
MIN_PRINTED_PT = 6.0
PT_PER_MM = 72 / 25.4
DEFAULT_FONT_SIZE = 16.0  # CSS "medium", in user units, when nothing sets a size

SVG = "{http://www.w3.org/2000/svg}"
# Lengths in CSS units, in points (pt).
_UNITS_PT = {"": 0.75, "px": 0.75, "pt": 1.0, "pc": 12.0, "in": 72.0, "mm": PT_PER_MM}
_UNITS_PT["cm"] = 10 * PT_PER_MM
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_SIZE = rf"({_NUMBER})\s*(px|pt|pc|in|mm|cm|em|%)?"
_FONT_SIZE = re.compile(rf"(?:^|;)\s*font-size\s*:\s*{_SIZE}")
# The shorthand ``font: [style] [variant] [weight] size[/line-height] family``: the size is the
# first number with a unit (a bare weight such as 700 has none).
_FONT_SHORTHAND = re.compile(
    rf"(?:^|;)\s*font\s*:[^;]*?(?<![\w.-])({_NUMBER})\s*(px|pt|pc|in|mm|cm|em|%)(?=[\s/])"
)
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")


@dataclass(frozen=True)
class PrintedText:
    """One ``<text>`` of a figure: its words, its font size and its printed size in points."""

    text: str
    font_size: float  # in the SVG's user units, transforms applied (smallest run)
    printed_pt: float


def length_in_points(value: str) -> float:
    """``"540.2pt"`` -> 540.2; ``"100px"`` or ``"100"`` -> 75.0 (CSS: 1 px = 0.75 pt)."""
    match = re.fullmatch(rf"\s*({_NUMBER})\s*(px|pt|pc|in|mm|cm)?\s*", value)
    if match is None:
        raise ValueError(f"not an absolute SVG length: {value!r}")
    return float(match.group(1)) * _UNITS_PT[match.group(2) or ""]


def _own_font_size(element: Element, inherited: float) -> float:
    """The size an element sets (style first, then the attribute), else the inherited one."""
    style = element.get("style", "")
    match = _FONT_SIZE.search(style) or _FONT_SHORTHAND.search(style)
    raw = (match.group(1), match.group(2) or "") if match else None
    if raw is None and element.get("font-size"):
        attribute = re.fullmatch(rf"\s*{_SIZE}\s*", element.get("font-size"))
        raw = (attribute.group(1), attribute.group(2) or "") if attribute else None
    if raw is None:
        return inherited
    number, unit = float(raw[0]), raw[1]
    if unit == "em":
        return number * inherited
    if unit == "%":
        return number / 100 * inherited
    return number * _UNITS_PT[unit] / _UNITS_PT["px"]  # user units are CSS px


def transform_scale(transform: str) -> float:
    """The factor by which a ``transform`` list scales lengths (sqrt of its determinant).

    ``scale(1 -1)``, ``rotate(-90)`` and ``translate`` keep sizes; ``scale(0.5)`` halves them.
    """
    determinant = 1.0
    for name, arguments in _TRANSFORM.findall(transform or ""):
        values = [float(v) for v in re.findall(_NUMBER, arguments)]
        if name == "matrix" and len(values) == 6:
            determinant *= values[0] * values[3] - values[1] * values[2]
        elif name == "scale" and values:
            determinant *= values[0] * (values[1] if len(values) > 1 else values[0])
    return math.sqrt(abs(determinant))


def _drawing_width_user_units(root: Element) -> float:
    view_box = root.get("viewBox")
    if view_box:
        return float(re.split(r"[\s,]+", view_box.strip())[2])
    return length_in_points(root.get("width")) / _UNITS_PT["px"]


def _runs(element: Element, size: float, scale: float):
    """(size x scale) of every part of ``element`` that holds visible characters."""
    size = _own_font_size(element, size)
    scale *= transform_scale(element.get("transform", ""))
    if (element.text or "").strip():
        yield size * scale
    for child in element:
        if child.tag == f"{SVG}tspan":
            yield from _runs(child, size, scale)
        if (child.tail or "").strip():
            yield size * scale


def _texts(element: Element, size: float, scale: float):
    """(element, font size) of every ``<text>`` below ``element``, sizes and scales inherited."""
    for child in element:
        child_size = _own_font_size(child, size)
        child_scale = scale * transform_scale(child.get("transform", ""))
        if child.tag == f"{SVG}text":
            runs = list(_runs(child, size, scale))
            if runs:
                yield child, min(runs)
        else:
            yield from _texts(child, child_size, child_scale)


def printed_text_sizes(
    svg: str | bytes | Path, text_width_mm: float = A4_TEXT_WIDTH_MM
) -> tuple[float, list[PrintedText]]:
    """The drawing's width in points and every text's printed size at ``text_width_mm``."""
    if isinstance(svg, Path):
        svg = svg.read_bytes()
    root = fromstring(svg)
    if root.tag != f"{SVG}svg":
        raise ValueError(f"not an SVG document (root element {root.tag!r})")
    width_pt = length_in_points(root.get("width"))
    factor = text_width_mm * PT_PER_MM / _drawing_width_user_units(root)
    texts = [
        PrintedText(
            text=" ".join("".join(element.itertext()).split()),
            font_size=size,
            printed_pt=size * factor,
        )
        for element, size in _texts(root, _own_font_size(root, DEFAULT_FONT_SIZE), 1.0)
    ]
    return width_pt, texts


def texts_below(
    svg: str | bytes | Path,
    minimum_pt: float = MIN_PRINTED_PT,
    text_width_mm: float = A4_TEXT_WIDTH_MM,
) -> list[PrintedText]:
    """The texts of ``svg`` that print smaller than ``minimum_pt`` at ``text_width_mm``."""
    _, texts = printed_text_sizes(svg, text_width_mm)
    return [t for t in texts if t.printed_pt < minimum_pt]
