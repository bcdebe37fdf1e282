"""Text that a spreadsheet would run as a formula (CSV injection), refused by every reader.

Outputs are opened in spreadsheets by reviewers, so a value starting with one of
``FORMULA_START`` (``=cmd|...``, ``+``, ``-``, ``@``, tab, carriage return) is refused where it
enters, never rewritten.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_refusal(value: str) -> str:
    """The end of the message refusing ``value`` (the caller names what the value is)."""
    return (
        f"{value[:40]!r} starts with {value[0]!r}, which a spreadsheet would run as a formula "
        "(CSV injection); refused"
    )
