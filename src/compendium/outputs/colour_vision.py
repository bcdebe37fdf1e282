"""Colour-vision deficiency: simulate it, and measure how far apart a palette's colours stay.

Simulation is colorspacious's ``sRGB1+CVD`` space (Machado, Oliveira and Fernandes 2009); at
severity 100 ``deuteranomaly``, ``protanomaly`` and ``tritanomaly`` are the dichromacies
deuteranopia, protanopia and tritanopia. Distances are delta E in CAM02-UCS (colorspacious's
``deltaE``), taken from the simulated colour itself, before any clipping to the sRGB gamut.
As a rough guide, a delta E of 1-2 is a just-noticeable difference for large patches; telling
categories apart in small marks, lines and legend swatches needs much more (this compendium
asks for 20).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import NamedTuple

import numpy as np
from colorspacious import cspace_convert, deltaE
from matplotlib.colors import to_rgb

#: Each kind of vision checked, and colorspacious's name for its simulation (None: none).
VISIONS: dict[str, str | None] = {
    "normal": None,
    "deuteranopia": "deuteranomaly",
    "protanopia": "protanomaly",
    "tritanopia": "tritanomaly",
}


class ClosestPair(NamedTuple):
    """The two colours (positions in the palette) that are closest, and their delta E."""

    delta_e: float
    first: int
    second: int


def _space(vision: str, severity: float) -> str | dict:
    if vision not in VISIONS:
        raise ValueError(f"unknown vision {vision!r}; one of {', '.join(VISIONS)}")
    cvd_type = VISIONS[vision]
    if cvd_type is None:
        return "sRGB1"
    return {"name": "sRGB1+CVD", "cvd_type": cvd_type, "severity": severity}


def _rgb(colours: Sequence) -> np.ndarray:
    return np.array([to_rgb(c) for c in colours], dtype=float).reshape(-1, 3)


def simulate(colours: Sequence, vision: str, severity: float = 100) -> np.ndarray:
    """The colours (hex strings or RGB triples in 0-1) as seen with ``vision``, as sRGB in 0-1.

    Clipped to the sRGB gamut, for drawing; the distances below do not clip.
    """
    rgb = _rgb(colours)
    space = _space(vision, severity)
    if space == "sRGB1":
        return rgb
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0.0, 1.0)


def delta_e_matrix(colours: Sequence, vision: str, severity: float = 100) -> np.ndarray:
    """Pairwise CAM02-UCS delta E between the colours as seen with ``vision`` (n x n)."""
    rgb = _rgb(colours)
    space = _space(vision, severity)
    n = len(rgb)
    matrix = np.zeros((n, n))
    for i, j in combinations(range(n), 2):
        matrix[i, j] = matrix[j, i] = deltaE(rgb[i], rgb[j], input_space=space)
    return matrix


def closest_pair(colours: Sequence, vision: str, severity: float = 100) -> ClosestPair:
    """The pair of colours least far apart with ``vision``: needs at least two colours."""
    if len(colours) < 2:
        raise ValueError("a closest pair needs at least two colours")
    matrix = delta_e_matrix(colours, vision, severity)
    i, j = min(combinations(range(len(colours)), 2), key=lambda pair: matrix[pair])
    return ClosestPair(float(matrix[i, j]), i, j)


def minimum_delta_e(colours: Sequence, severity: float = 100) -> dict[str, ClosestPair]:
    """For every kind of vision in ``VISIONS``, the closest pair of ``colours``."""
    return {vision: closest_pair(colours, vision, severity) for vision in VISIONS}
