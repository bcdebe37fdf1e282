"""Reading a YAML file a user hands in: size cap, UTF-8, no aliases, one clear error.

Shared by the REFI-QDA mapping (:mod:`compendium.inputs.refi_qda`) and the surrogate's
calibration targets (:mod:`compendium.inputs.targets`).  Aliases are refused outright, which
also stops "billion laughs" alias bombs before PyYAML expands them.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from compendium.inputs.errors import InputError


def read_text_capped(
    path: Path, what: str, max_bytes: int, missing: str = "", encoding: str = "utf-8"
) -> str:
    """The text of a file a user hands in: present, at most ``max_bytes``, UTF-8 (the line of
    the first byte that is not); one :class:`InputError` otherwise."""
    if not path.is_file():
        raise InputError(path, f"{what} is missing{missing}")
    raw = path.read_bytes()
    if len(raw) > max_bytes:
        raise InputError(path, f"{what} is larger than {max_bytes} bytes")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, f"byte 0x{raw[exc.start]:02x} is not UTF-8", row=line) from None


def read_yaml(path: Path, what: str, max_bytes: int):
    """Parse ``path`` with the safe loader; return ``(data, text)``.

    ``what`` names the file in messages ("mapping file", "targets file").
    """
    text = read_text_capped(path, what, max_bytes)
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise InputError(path, "YAML aliases (*name) are not allowed here", row=line)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            path, f"not valid YAML ({problem})", row=mark.line + 1 if mark else None
        ) from None
    return data, text


def line_of(text: str, key: str, after: int = 0) -> int | None:
    """The first line (1-based) after line ``after`` where ``key:`` is written, if any."""
    pattern = re.compile(rf"\s*['\"]?{re.escape(key)}['\"]?\s*:")
    for number, line in enumerate(text.splitlines(), 1):
        if number > after and pattern.match(line):
            return number
    return None


def line_of_path(text: str, keys) -> int | None:
    """The line of a nested key such as ``("kmi", "value", "G")``: each key is searched for
    after the line of its parent (flow-style ``{G: 44}`` entries give the parent's line)."""
    line = 0
    for key in keys:
        if isinstance(key, int):
            continue
        found = line_of(text, str(key), after=line)
        if found is None:
            return line or None
        line = found
    return line or None
