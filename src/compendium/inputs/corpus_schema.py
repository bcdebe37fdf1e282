"""The coded-corpus data package descriptors shipped with the package (``schemas/``, no data).

Used by the REFI-QDA import and by the surrogate generator to declare what they write.
"""

from __future__ import annotations

from compendium.inputs.json_schemas import load_schema


def corpus_schema() -> dict:
    """The coded-corpus data package descriptor shipped with the package (no data)."""
    return load_schema("coded_corpus.json")


def second_coding_schema() -> dict:
    """The resource descriptor of the optional ``second_coding.csv`` (no data)."""
    return load_schema("second_coding.json")
