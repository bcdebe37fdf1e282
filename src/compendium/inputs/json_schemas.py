"""JSON Schemas shipped in ``compendium/schemas`` and the first error ``jsonschema`` finds."""

from __future__ import annotations

import json
from importlib import resources


def load_schema(name: str) -> dict:
    """The parsed schema ``compendium/schemas/<name>``."""
    return json.loads(resources.files("compendium.schemas").joinpath(name).read_text())


def first_error(schema: dict, instance):
    """The most relevant validation error of ``instance`` (``jsonschema.best_match``), or None."""
    import jsonschema  # imported here: only readers that validate pay for it

    validator = jsonschema.Draft202012Validator(schema)
    return jsonschema.exceptions.best_match(validator.iter_errors(instance))
