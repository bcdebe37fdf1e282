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


# -- what the targets calibrate ------------------------------------------------------------
# Each target names the rows of ``reports/verification.csv`` (``compendium verify``) that the
# surrogate was generated to reproduce.  Items are names in which ``*`` stands for any text
# (``table3[*]``: every cell; brackets are literal).  A target that is absent calibrates
# nothing, so its items count as independent; an item two targets fix (a group's analysed count
# is interviewed - withdrawn and also in_person + online) stays calibrated while either is there.


def _value(targets: dict, key: str) -> dict | None:
    """``targets[key]["value"]`` when the target is there (a mapping), else None."""
    block = targets.get(key)
    value = block.get("value") if isinstance(block, dict) else None
    return value if isinstance(value, dict) else None


def _groups(targets: dict) -> list[str]:
    block = targets.get("groups")
    if not isinstance(block, dict):
        return []
    return [
        f"table1[{group}].typical_roles"
        for group, spec in block.items()
        if isinstance(spec, dict) and "typical_roles" in spec
    ]


def _interviewed(targets: dict) -> list[str]:
    groups = _value(targets, "interviewed_per_group")
    if groups is None:
        return []
    return ["headline.interviews_conducted"] + [f"headline.interviewed_{g.lower()}" for g in groups]


def _analysed(groups: list[str]) -> list[str]:
    """Analysed counts: per group (Table 1 n, headline), in total, and as Table 2's base."""
    per_group = [f"table1[{g}].n" for g in groups] + [
        f"headline.analysed_{g.lower()}" for g in groups
    ]
    return [*per_group, "headline.transcripts_analysed", "table2[*].n_analysed"]


def _withdrawn(targets: dict) -> list[str]:
    withdrawn = _value(targets, "withdrawn_per_group")
    if withdrawn is None:
        return []
    # analysed = interviewed - withdrawn, for every interviewed group (absent here = none)
    groups = sorted(set(withdrawn) | set(_value(targets, "interviewed_per_group") or {}))
    return ["headline.transcripts_withdrawn", *_analysed(groups)]


def _modes(targets: dict) -> list[str]:
    modes = _value(targets, "modes_of_analysed")
    if modes is None:
        return []
    per_group = [f"table1[{g}].{mode}" for g in modes for mode in ("in_person", "online")]
    headline = ["headline.interviews_in_person", "headline.interviews_online_teams"]
    return per_group + headline + _analysed(list(modes))  # analysed = in_person + online


def _not_quotable(targets: dict) -> list[str]:
    block = targets.get("not_quotable_analysed")
    present = isinstance(block, dict) and "value" in block
    return ["headline.transcripts_analysed_not_quoted"] if present else []


def _areas(targets: dict) -> list[str]:
    block = targets.get("ijb_areas")
    if not isinstance(block, dict):
        return []
    names = {"represented": "headline.ijb_areas_represented", "total": "headline.ijb_areas_total"}
    return [item for key, item in names.items() if key in block]


def _kmi(targets: dict) -> list[str]:
    return [
        f"table2[{code}].{col}"
        for code in _value(targets, "kmi") or {}
        for col in ("kmi", "percent")
    ]


def _intersections(targets: dict) -> list[str]:
    block = targets.get("intersections")
    if not isinstance(block, dict):
        return []
    items = []
    pairs = block.get("high_pairs") or []
    order = list(_value(targets, "kmi") or {})  # Table 3 names a cell row-column in this order
    for pair in pairs:
        a, b = sorted(pair, key=lambda code: order.index(code) if code in order else len(order))
        items.append(f"table3[{a}-{b}]")
    if pairs:
        items.append("headline.high_intersections")
    ranges = block.get("linked_participants")
    if isinstance(ranges, dict) and "M" in ranges:  # every pair not High is drawn into M
        items.append("table3[*]")
    return items


CALIBRATING_TARGETS = {
    "groups": _groups,
    "interviewed_per_group": _interviewed,
    "withdrawn_per_group": _withdrawn,
    "modes_of_analysed": _modes,
    "not_quotable_analysed": _not_quotable,
    "ijb_areas": _areas,
    "kmi": _kmi,
    "intersections": _intersections,
}
"""Target -> the verification items it makes match by construction.  The other targets
(``seed``, ``segments_per_theme``, ``second_coder``) shape what no published value checks."""


def calibrated_items(targets: dict) -> list[str]:
    """The verification items the targets present calibrate (``*`` stands for any text).

    Read from the keys and values actually in ``targets`` (group codes, the theme codes of
    ``kmi``, the ``intersections`` block...), not from a list: drop a target and its items are
    no longer calibrated.  Sorted, without duplicates.
    """
    return sorted({item for items in CALIBRATING_TARGETS.values() for item in items(targets)})


def is_calibrated(item: str, calibrated: list[str]) -> bool:
    """Whether verification ``item`` is one of ``calibrated`` (``*`` there: any text)."""
    return any(_item_pattern(name).fullmatch(item) for name in calibrated)


def _item_pattern(name: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in name.split("*")))
