"""Reproducible research compendium for *From Policy to Practice* (Bektaş & Cairney, 2026).

Layers (arrows point down only): notebooks -> ``compendium.analysis`` / ``compendium.outputs``
-> ``compendium.inputs``.  ``compendium.surrogate`` writes the synthetic coded corpus and
``compendium.cli`` exposes the commands ``validate``, ``verify``, ``surrogate``, ``provenance``,
``manifest`` and ``clean-notebook``.
"""

__version__ = "0.1.0"
