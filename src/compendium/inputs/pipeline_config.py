"""The pipeline's parameters (``snakemake --config name=value``), checked before any step runs.

The names, types, ranges and defaults are a JSON Schema shipped with the package
(``schemas/pipeline_config.json``), checked with ``jsonschema``.  An unknown name is an error
(a typo would otherwise leave the default silently in place), and so is a medium band threshold
that is not below the high one.
"""

from __future__ import annotations

from pathlib import Path

from compendium.inputs.errors import InputError
from compendium.inputs.json_schemas import first_error, load_schema

WHERE = "--config"
# The committed build is made from it; any other corpus builds under builds/<name>/.
DEFAULT_CORPUS = "data/coded/surrogate"


def config_schema() -> dict:
    return load_schema("pipeline_config.json")


def checked_config(config: dict, default_corpus: str = DEFAULT_CORPUS) -> dict:
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


def non_default(values: dict) -> dict:
    """The parameters (other than the corpus) that differ from their defaults."""
    properties = config_schema()["properties"]
    return {
        name: values[name]
        for name in sorted(values)
        if name in properties
        and name != "corpus"
        and values[name] != properties[name].get("default")
    }


def build_prefix(values: dict, default_corpus: str = DEFAULT_CORPUS) -> str:
    """Where a build writes: ``""`` (the committed figures/ and reports/) for the default corpus
    with default parameters, else ``builds/<corpus>[__<name>-<value>...]/``, named from the
    corpus and the non-default parameters, so a variant never writes over another build."""
    changed = non_default(values)
    if values["corpus"] == default_corpus and not changed:
        return ""
    parts = [Path(values["corpus"]).name] + [
        f"{k}-{Path(v).name if isinstance(v, str) else v}" for k, v in changed.items()
    ]
    return f"builds/{'__'.join(parts)}/"


def parse_assignments(pairs: list[str]) -> dict:
    """``name=value`` pairs as Snakemake's ``--config`` reads them (values typed as YAML)."""
    import yaml

    config = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(WHERE, f"{pair!r} is not name=value", field=pair)
        try:
            config[name] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError:
            config[name] = value
    return config
