"""Compare rebuilt values with the values the report publishes (``data/published/``).

Published values are references, never inputs: only this module (and the surrogate's
calibration targets) read them.  Each check yields rows ``item, published, rebuilt, match``;
``compendium verify`` prints them, writes ``reports/verification.csv`` and fails on any
mismatch (for a real corpus, ``--findings`` reports differences without failing).

Each row also says what its match proves (``basis``): ``calibrated`` when the verified corpus is
the synthetic surrogate and its calibration targets (``data/surrogate/targets.yaml``) were set
to that very value, so it matches by construction; ``independent`` when the value comes out of
the data and the code without being a target (the appendix quote index, documentary counts,
Annex A, codebook and roadmap counts), and for every row of any other corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from compendium.inputs.files import write_csv
from compendium.inputs.packages import load_package, read_descriptor
from compendium.inputs.targets import calibrated_items, is_calibrated, load_targets
from compendium.outputs.results import load_results
from compendium.outputs.verification_values import Comparison, Context, compared
from compendium.outputs.verify_documents import CHECKS as DOCUMENT_CHECKS


def compare_cells(
    label: str, published: pd.DataFrame, rebuilt: pd.DataFrame, key: str, columns: dict[str, str]
) -> Iterator[Comparison]:
    """Cell-by-cell comparison; ``columns`` maps published column -> rebuilt column."""
    rebuilt_rows = rebuilt.set_index(key)
    for _, row in published.iterrows():
        k = row[key]
        for pub_col, reb_col in columns.items():
            value = rebuilt_rows.at[k, reb_col] if k in rebuilt_rows.index else "(missing row)"
            yield compared(f"{label}[{k}].{pub_col}", row[pub_col], value)


def check_table1(ctx: Context) -> Iterator[Comparison]:
    rebuilt = ctx.table("table1_participants.csv")
    if rebuilt is None:
        return
    columns = {c: c for c in ("n", "typical_roles", "in_person", "online")}
    yield from compare_cells(
        "table1", ctx.published["table1_participants"], rebuilt, "group", columns
    )


def check_table2(ctx: Context) -> Iterator[Comparison]:
    rebuilt = ctx.table("table2_kmi.csv")
    if rebuilt is None:
        return
    columns = {"kmi": "n_mentioning", "n_analysed": "n_analysed", "percent": "percent"}
    yield from compare_cells("table2", ctx.published["table2_kmi"], rebuilt, "code", columns)


HEADLINE_RESULTS = {
    "interviews_conducted": ("participants", "interviewed"),
    "transcripts_withdrawn": ("participants", "withdrawn"),
    "transcripts_analysed": ("participants", "analysed"),
    "transcripts_analysed_not_quoted": ("participants", "not_quotable_analysed"),
    "interviewed_g1": ("participants", "interviewed_by_group.G1"),
    "interviewed_g2": ("participants", "interviewed_by_group.G2"),
    "interviewed_g3": ("participants", "interviewed_by_group.G3"),
    "analysed_g1": ("participants", "analysed_by_group.G1"),
    "analysed_g2": ("participants", "analysed_by_group.G2"),
    "analysed_g3": ("participants", "analysed_by_group.G3"),
    "interviews_in_person": ("participants", "modes.in_person"),
    "interviews_online_teams": ("participants", "modes.online"),
    "themes": ("salience", "n_themes"),
    "ijb_areas_represented": ("participants", "areas_represented"),
    "ijb_areas_total": ("participants", "areas_total"),
    "high_intersections": ("intersections", "n_high"),
    "subthemes": ("codebook", "subthemes"),
    "roadmap_actions": ("roadmap", "n_actions"),
}


def _lookup(results: dict, step: str, dotted: str):
    value = results.get(step)
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def check_headlines(ctx: Context) -> Iterator[Comparison]:
    published = ctx.published["headline_counts"].set_index("item")
    for item, (step, dotted) in HEADLINE_RESULTS.items():
        value = _lookup(ctx.results, step, dotted)
        if value is None or item not in published.index:
            continue
        yield compared(f"headline.{item}", published.at[item, "value"], value)


def check_table3(ctx: Context) -> Iterator[Comparison]:
    """All 21 cells of the upper triangle (the matrix is symmetric by construction)."""
    rebuilt = ctx.table("table3_intersections.csv")
    if rebuilt is None:
        return
    published = ctx.published["table3_intersections"]
    codes = [c for c in published.columns if c in set(published["theme"])]
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            pub = published.set_index("theme").at[a, b]
            reb = rebuilt.set_index("theme").at[a, b] if a in set(rebuilt["theme"]) else ""
            yield compared(f"table3[{a}-{b}]", pub, reb)


def check_quote_index(ctx: Context) -> Iterator[Comparison]:
    """Every printed appendix entry is rebuilt from the quotations, and nothing more."""
    rebuilt = ctx.table("quote_index.csv")
    if rebuilt is None or "quote_index" not in ctx.published:
        return
    keys = ["participant", "location"]
    printed = ctx.published["quote_index"][keys].astype(str)
    merged = rebuilt[keys].merge(printed, on=keys, how="outer", indicator=True)
    for row in merged.itertuples():
        published = "listed" if row._3 in {"both", "right_only"} else "absent"
        rebuilt_value = "listed" if row._3 in {"both", "left_only"} else "absent"
        yield Comparison(f"quote_index[{row.participant}@{row.location}]", published, rebuilt_value)


CHECKS: list[Callable[[Context], Iterator[Comparison]]] = [
    check_table1,
    check_table2,
    check_headlines,
    check_table3,
    check_quote_index,
    *DOCUMENT_CHECKS,
]


CALIBRATED = "calibrated"
INDEPENDENT = "independent"


def calibration(corpus_dir: Path | str, targets_path: Path | str) -> list[str]:
    """The items (names or fnmatch patterns) the verified corpus reproduces by construction.

    Those the targets calibrate (:func:`~compendium.inputs.targets.calibrated_items`) when the
    corpus is the synthetic surrogate (its ``datapackage.json`` says ``synthetic``); none for
    any other corpus, whose targets are then not read.
    """
    if not read_descriptor(corpus_dir).get("synthetic", False):
        return []
    return calibrated_items(load_targets(targets_path))


def run_checks(
    published_dir: Path | str,
    reports_dir: Path | str,
    corpus_dir: Path | str,
    targets_path: Path | str,
) -> pd.DataFrame:
    """Every check's rows, with the ``basis`` of each (see :func:`calibration`)."""
    calibrated = calibration(corpus_dir, targets_path)
    reports_dir = Path(reports_dir)
    ctx = Context(
        published=load_package(published_dir),
        tables=reports_dir / "tables",
        results=load_results(reports_dir / "results"),
    )
    rows = [c for check in CHECKS for c in check(ctx)]
    return pd.DataFrame(
        {
            "item": [c.item for c in rows],
            "published": [c.published for c in rows],
            "rebuilt": [c.rebuilt for c in rows],
            "match": [c.match for c in rows],
            "basis": [
                CALIBRATED if is_calibrated(c.item, calibrated) else INDEPENDENT for c in rows
            ],
        }
    )


def write_verification(frame: pd.DataFrame, path: Path | str) -> Path:
    return write_csv(frame, path)


def summarise(frame: pd.DataFrame) -> dict:
    """Counts for prose: how many published values were compared and reproduced, and how many
    of those reproduced match by construction of the surrogate (calibrated) or independently."""
    calibrated = frame["basis"] == CALIBRATED
    return {
        "total": int(len(frame)),
        "matching": int(frame["match"].sum()),
        "differing": int((~frame["match"]).sum()),
        "matching_calibrated": int((frame["match"] & calibrated).sum()),
        "matching_independent": int((frame["match"] & ~calibrated).sum()),
    }


def basis_sentence(summary: dict) -> str:
    """How many of the reproduced values prove something: for the command and the notebook."""
    return (
        f"{summary['matching_calibrated']} reproduced by construction of the surrogate "
        f"(calibrated), {summary['matching_independent']} independent of its calibration"
    )
