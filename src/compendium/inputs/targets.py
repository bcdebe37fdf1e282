"""The surrogate's calibration targets (``data/surrogate/targets.yaml``), read and checked.

The shape (keys, types, ranges) is a JSON Schema shipped with the package
(``schemas/surrogate_targets.json``), checked with ``jsonschema``; the rules that tie fields
together (group counts that add up, theme codes of the codebook, counts within the analysed
sample) are checked here.  Any problem is one :class:`InputError` naming the file, the line
and the field, before anything is generated or written.
"""

from __future__ import annotations

import re
from pathlib import Path

from compendium.inputs.errors import InputError
from compendium.inputs.formulas import FORMULA_START, formula_refusal
from compendium.inputs.json_schemas import first_error, load_schema
from compendium.inputs.yaml_files import line_of_path, read_yaml

MAX_TARGETS_BYTES = 256 * 1024


def targets_schema() -> dict:
    return load_schema("surrogate_targets.json")


def _shape_error(path: Path, text: str, error) -> InputError:
    keys = [str(k) for k in error.absolute_path]
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    field = keys[-1] if keys else None
    named = re.search(r"'([^']{1,80})' (?:is a required property|was unexpected)", message)
    if error.validator == "required" and named:
        field = named.group(1)
    elif error.validator == "additionalProperties" and named:
        field = named.group(1)
        keys = [*keys, field]
    where = ".".join(str(k) for k in error.absolute_path) or "top level"
    return InputError(path, f"{where}: {message}", row=line_of_path(text, keys), field=field)


def check_targets(targets: dict, path: Path, text: str, themes: list[str] | None) -> None:
    """Rules across fields; ``themes`` (the codebook's codes) when known."""

    def fail(keys: list[str], message: str) -> None:
        field = next((k for k in reversed(keys) if k != "value"), keys[0])
        raise InputError(path, message, row=line_of_path(text, keys), field=field)

    for group, spec in sorted(targets["groups"].items()):
        for name, value in sorted(spec.items()) if isinstance(spec, dict) else ():
            if value.startswith(FORMULA_START):
                fail(["groups", group, name], f"groups.{group}.{name}: {formula_refusal(value)}")
    interviewed = targets["interviewed_per_group"]["value"]
    withdrawn = targets["withdrawn_per_group"]["value"]
    modes = targets["modes_of_analysed"]["value"]
    described = sorted(k for k in targets["groups"] if k != "source_line")
    for key, groups in (("groups", described), ("modes_of_analysed", sorted(modes))):
        if groups != sorted(interviewed):
            message = f"groups {groups} differ from interviewed_per_group's {sorted(interviewed)}"
            fail([key], f"{key}: {message}")
    for group in withdrawn:
        if group not in interviewed:
            fail(["withdrawn_per_group", "value", group], f"unknown group {group!r}")
    for group, n in sorted(interviewed.items()):
        total = modes[group]["in_person"] + modes[group]["online"] + withdrawn.get(group, 0)
        if total != n:
            message = f"in_person + online + withdrawn = {total}, but {n} were interviewed"
            fail(["modes_of_analysed", "value", group], f"modes_of_analysed.{group}: {message}")
    analysed = sum(m["in_person"] + m["online"] for m in modes.values())
    if targets["not_quotable_analysed"]["value"] > analysed:
        message = f"more than the {analysed} analysed participants"
        fail(["not_quotable_analysed", "value"], f"not_quotable_analysed: {message}")
    areas = targets["ijb_areas"]
    if areas["represented"] > min(areas["total"], analysed):
        message = (
            f"{areas['represented']} is more than the {areas['total']} areas or the "
            f"{analysed} analysed participants"
        )
        fail(["ijb_areas", "represented"], f"ijb_areas.represented: {message}")
    kmi = targets["kmi"]["value"]
    if themes is not None and sorted(kmi) != sorted(themes):
        message = f"themes {sorted(kmi)} differ from the codebook's {sorted(themes)}"
        fail(["kmi", "value"], f"kmi: {message}")
    for theme, n in sorted(kmi.items()):
        if n > analysed:
            message = f"{n} mentioning is more than the {analysed} analysed participants"
            fail(["kmi", "value", theme], f"kmi.{theme}: {message}")
    intersections = targets["intersections"]
    for a, b in intersections["high_pairs"]:
        if a == b or a not in kmi or b not in kmi:
            message = f"[{a}, {b}] is not a pair of two different themes of kmi"
            fail(["intersections", "high_pairs"], f"intersections.high_pairs: {message}")
    for band, (low, high) in sorted(intersections["linked_participants"].items()):
        if low > high or high > analysed:
            message = f"[{low}, {high}] is not a range within 0..{analysed}"
            where = ["intersections", "linked_participants", band]
            fail(where, f"intersections.linked_participants.{band}: {message}")


def load_targets(path: Path | str, themes: list[str] | None = None) -> dict:
    """Read, shape-check and cross-check the targets file; return it as a dict."""
    path = Path(path)
    targets, text = read_yaml(path, "targets file", MAX_TARGETS_BYTES)
    if not isinstance(targets, dict):
        raise InputError(path, "expected a mapping of calibration targets")
    error = first_error(targets_schema(), targets)
    if error is not None:
        raise _shape_error(path, text, error)
    check_targets(targets, path, text, themes)
    return targets
