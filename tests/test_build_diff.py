"""``compendium diff A B``: every parameter, number, table cell and figure that differs between
two builds, the parameters first; exit 0 when nothing differs, 1 when something does, 2 when a
folder is not a build."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from compendium.cli import main
from compendium.outputs.build_diff import (
    Number,
    build_prefix,
    compare_table,
    compare_values,
    diff_builds,
    format_diff,
)

TABLE3 = [["pair", "band", "ratio"], ["G-W", "M", "0.25"], ["G-D", "L", "0.1"]]
RESULTS = {"n_high": 6, "bands": {"G-W": {"ratio": 0.25}}, "pairs": ["G-W", "G-D"]}
PARAMETERS = {"high": 0.5, "medium": 0.2, "results_path": "reports/results/intersections.json"}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_build(
    folder: Path,
    table3=TABLE3,
    results=RESULTS,
    parameters=PARAMETERS,
    figures=None,
    prefix: str = "",
) -> Path:
    """A small build: two tables, one results file, figures, one step's provenance (its paths
    recorded with ``prefix``, as a build under ``builds/<name>/`` records them)."""
    reports = folder / "reports"
    write_csv(reports / "tables" / "table3_intersections.csv", table3)
    write_csv(reports / "tables" / "table1_participants.csv", [["group", "n"], ["G1", "16"]])
    write_json(reports / "results" / "intersections.json", results)
    write_json(reports / "results" / "participants.json", {"n_analysed": 44})
    recorded = {k: f"{prefix}{v}" if k.endswith("_path") else v for k, v in parameters.items()}
    write_json(
        reports / "provenance" / "intersections.json",
        {
            "step": "intersections",
            "executed_notebook": f"{prefix}reports/notebooks/03_intersections.ipynb",
            "inputs": [{"path": "data/codebook/themes.csv", "sha256": f"{prefix}0"}],
            "outputs": [f"{prefix}reports/results/intersections.json"],
            "parameters": recorded,
        },
    )
    figures = figures or {"intersections.svg": "<svg>1</svg>", "kmi.svg": "<svg>k</svg>"}
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    for name, text in figures.items():
        (folder / "figures" / name).write_text(text)
    return folder


def run(tmp_path: Path, capsys, *args: str) -> tuple[int, list[str], str]:
    """``compendium diff`` in ``tmp_path``: exit status, stdout lines, stderr."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        status = main(["diff", *args])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_every_kind_of_difference_one_line_each_parameters_first(tmp_path, capsys):
    write_build(tmp_path / "a", figures={"intersections.svg": "<svg>1</svg>", "kmi.png": "k"})
    write_build(
        tmp_path / "builds" / "b",
        table3=[
            ["pair", "band", "ratio"],
            ["G-W", "H", "0.25"],
            ["G-D", "L", "0.1"],
            ["W-D", "M", "0.3"],
        ],
        results={"n_high": 4, "bands": {"G-W": {"ratio": 0.3}}, "pairs": ["G-W", "G-D"]},
        parameters=PARAMETERS | {"high": 0.6},
        figures={"intersections.svg": "<svg>2</svg>", "extra.svg": "<svg>x</svg>"},
        prefix="builds/b/",  # built elsewhere: its paths are not a difference
    )
    status, lines, err = run(tmp_path, capsys, "a", "builds/b")
    assert (status, err) == (1, "")
    assert lines == [
        "parameters",
        "  intersections.high: 0.5 -> 0.6",
        "numbers",
        "  intersections.bands.G-W.ratio: 0.25 -> 0.3",
        "  intersections.n_high: 6 -> 4",
        "tables",
        "  table3_intersections.csv [G-W] band: M -> H",
        "  table3_intersections.csv [W-D] row added",
        "figures",
        "  figures/extra.svg added",
        "  figures/intersections.svg differs",
        "  figures/kmi.png removed",
        "8 differences: 1 parameters, 2 numbers, 2 table cells, 3 figures",
    ]


def test_identical_builds_no_differences_exit_0(tmp_path, capsys):
    write_build(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    # volatile and derivative files are not compared
    (tmp_path / "b" / "reports" / "notebooks").mkdir()
    (tmp_path / "b" / "reports" / "notebooks" / "03_intersections.ipynb").write_text("{}")
    (tmp_path / "b" / "reports" / "manifest.json").write_text("{}")
    provenance = tmp_path / "b" / "reports" / "provenance" / "intersections.json"
    record = json.loads(provenance.read_text())
    record["inputs"][0]["sha256"] = "changed"
    write_json(provenance, record)
    assert run(tmp_path, capsys, "a", "b") == (0, ["no differences"], "")


@pytest.mark.parametrize("missing", ["a", "b"])
def test_a_folder_without_reports_is_not_a_build_exit_2(tmp_path, capsys, missing):
    write_build(tmp_path / "a")
    write_build(tmp_path / "b")
    shutil.rmtree(tmp_path / missing / "reports")
    status, lines, err = run(tmp_path, capsys, "a", "b")
    assert (status, lines) == (2, [])
    assert err.splitlines() == [f"error: {missing}: not a build (no reports/ folder)"]


def test_report_and_other_files_mentioned_not_counted(tmp_path, capsys):
    for name, text in (("a", "<html>1"), ("b", "<html>2")):
        write_build(tmp_path / name)
        (tmp_path / name / "reports" / "report.html").write_text(text)
    (tmp_path / "b" / "reports" / "codebook.md").write_text("# codebook")
    status, lines, _ = run(tmp_path, capsys, "a", "b")
    assert status == 1
    assert lines == [
        "report",
        "  report differs (report.html)",
        "  reports/codebook.md added",
        "0 differences: 0 parameters, 0 numbers, 0 table cells, 0 figures",
    ]


def test_limit_caps_the_lines_of_each_group(tmp_path, capsys):
    write_build(tmp_path / "a")
    write_build(
        tmp_path / "b", table3=[["pair", "band", "ratio"], ["G-W", "H", "1"], ["G-D", "M", "2"]]
    )
    status, lines, _ = run(tmp_path, capsys, "a", "b", "--limit", "1")
    assert status == 1
    assert lines == [
        "tables",
        "  table3_intersections.csv [G-W] band: M -> H",
        "  ... and 3 more",
        "4 differences: 0 parameters, 0 numbers, 4 table cells, 0 figures",
    ]


def test_files_on_one_side_and_a_step_only_in_one_build(tmp_path):
    a, b = write_build(tmp_path / "a"), write_build(tmp_path / "b")
    (a / "reports" / "tables" / "table1_participants.csv").unlink()
    (b / "reports" / "results" / "participants.json").unlink()
    (b / "reports" / "provenance" / "intersections.json").unlink()
    found = diff_builds(a, b)
    assert found.groups["parameters"] == ["reports/provenance/intersections.json removed"]
    assert found.groups["numbers"] == ["reports/results/participants.json removed"]
    assert found.groups["tables"] == ["reports/tables/table1_participants.csv added"]


def test_values_compared_as_written_by_dotted_path():
    n = Number
    assert compare_values({"x": n("0.5")}, {"x": n("0.50")}, "s") == ["s.x: 0.5 -> 0.50"]
    assert compare_values({"x": n("NaN")}, {"x": n("NaN")}, "s") == []
    assert compare_values({"x": n("1")}, {"x": "1"}, "s") == ['s.x: 1 -> "1"']
    assert compare_values({"x": 1}, {"y": 2}, "s") == ["s.x removed: 1", "s.y added: 2"]
    assert compare_values([n("1"), n("2")], [n("1"), n("3")], "s.v") == ["s.v[1]: 2 -> 3"]
    pairs = compare_values(["G-W", "G-D", "W-D"], ["G-W", "F-S"], "s.pairs")
    assert pairs == ['s.pairs: removed "G-D", "W-D"; added "F-S"']
    nested = compare_values([{"a": n("1")}], [{"a": n("2")}], "s.rows")
    assert nested == ["s.rows[0].a: 1 -> 2"]


def test_rows_keyed_by_row_number_when_the_first_column_repeats(tmp_path):
    write_csv(tmp_path / "a.csv", [["participant", "location"], ["P1", "T1A"], ["P1", "T7C"]])
    write_csv(
        tmp_path / "b.csv",
        [
            ["participant", "location", "note"],
            ["P1", "T1A", ""],
            ["P1", "T7D", ""],
            ["P2", "", "x"],
        ],
    )
    assert compare_table("q.csv", tmp_path / "a.csv", tmp_path / "b.csv") == [
        "q.csv column note added",
        "q.csv [row 2] location: T7C -> T7D",
        "q.csv [row 3] row added",
    ]
    # the first column renamed: not a key any more
    write_csv(tmp_path / "c.csv", [["code", "n"], ["G", "44"], ["W", "40"]])
    write_csv(tmp_path / "d.csv", [["theme", "n"], ["G", "44"], ["W", "41"]])
    assert compare_table("t.csv", tmp_path / "c.csv", tmp_path / "d.csv") == [
        "t.csv column code removed",
        "t.csv column theme added",
        "t.csv [row 2] n: 40 -> 41",
    ]


def test_columns_and_rows_reordered_said_once(tmp_path):
    write_csv(tmp_path / "a.csv", [["theme", "n", "percent"], ["G", "44", ""], ["W", "40", "9"]])
    write_csv(tmp_path / "b.csv", [["theme", "percent", "n"], ["W", "9", "40"], ["G", "", "44"]])
    assert compare_table("t.csv", tmp_path / "a.csv", tmp_path / "b.csv") == [
        "t.csv columns reordered",
        "t.csv rows reordered",
    ]
    write_csv(tmp_path / "c.csv", [["theme", "n"], ["G", "44"]])
    write_csv(tmp_path / "d.csv", [["theme", "n"], ["G", ""]])
    assert compare_table("t.csv", tmp_path / "c.csv", tmp_path / "d.csv") == [
        "t.csv [G] n: 44 -> (empty)"
    ]


def test_build_prefix_from_what_a_step_recorded():
    assert build_prefix([{"executed_notebook": "reports/notebooks/x.ipynb"}]) == ""
    assert build_prefix([{"executed_notebook": None, "outputs": ["builds/m/figures/k.svg"]}]) == (
        "builds/m/"
    )
    assert build_prefix([{}]) == ""


def test_format_diff_of_the_same_build(tmp_path):
    build = write_build(tmp_path / "a")
    assert format_diff(diff_builds(build, build)) == ["no differences"]


def test_the_committed_build_one_cell_and_one_number_changed(tmp_path):
    """The project's committed figures/ and reports/, copied twice; the second copy gets one
    table cell and one number changed: exactly those two are found, by the console script."""
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in ("figures", "reports"):  # not the hidden scratch files of a build under way
        shutil.copytree(ROOT / folder, a / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(a, b)

    table = b / "reports" / "tables" / "table3_intersections.csv"
    with open(table, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    key, column, old = rows[1][0], rows[0][2], rows[1][2]
    new = "H" if old != "H" else "M"
    rows[1][2] = new
    write_csv(table, rows)

    results = b / "reports" / "results" / "intersections.json"
    values = json.loads(results.read_text(encoding="utf-8"))
    n_high = values["n_high"]
    values["n_high"] = n_high + 1
    write_json(results, values)

    done = run_cli("diff", "a", "b", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        "numbers",
        f"  intersections.n_high: {n_high} -> {n_high + 1}",
        "tables",
        f"  table3_intersections.csv [{key}] {column}: {old} -> {new}",
        "2 differences: 0 parameters, 1 numbers, 1 table cells, 0 figures",
    ]
    same = run_cli("diff", "a", "a", cwd=tmp_path)
    assert (same.returncode, same.stdout) == (0, "no differences\n")
