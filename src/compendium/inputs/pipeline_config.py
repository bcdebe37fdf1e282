"""The pipeline's parameters (``snakemake --config name=value``), checked before any step runs.

The names, types, ranges and defaults are a JSON Schema shipped with the package
(``schemas/pipeline_config.json``), checked with ``jsonschema``.  An unknown name is an error
(a typo would otherwise leave the default silently in place), and so is a medium band threshold
that is not below the high one.
"""

from __future__ import annotations

from compendium.inputs.errors import InputError
from compendium.inputs.json_schemas import first_error, load_schema

WHERE = "--config"


def config_schema() -> dict:
    return load_schema("pipeline_config.json")


def checked_config(config: dict, default_corpus: str) -> dict:
    """``config`` with every default filled in; :class:`InputError` for a bad value."""
    schema = config_schema()
    error = first_error(schema, dict(config))
    if error is not None:
        keys = [str(k) for k in error.absolute_path]
        field = keys[0] if keys else None
        message = error.message[:200]
        if error.validator == "additionalProperties":
            field = sorted(set(config) - set(schema["properties"]))[0]
            known = ", ".join(sorted(schema["properties"]))
            message = f"unknown parameter {field!r} (known: {known})"
        raise InputError(WHERE, message, field=field)
    values = {name: spec.get("default") for name, spec in schema["properties"].items()}
    values["corpus"] = default_corpus
    values.update(config)
    values["corpus"] = str(values["corpus"]).rstrip("/")
    if values["intersections_medium"] >= values["intersections_high"]:
        raise InputError(
            WHERE,
            f"intersections_medium ({values['intersections_medium']}) must be below "
            f"intersections_high ({values['intersections_high']})",
            field="intersections_medium",
        )
    return values
