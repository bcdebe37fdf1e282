"""Each kind of bad corpus input: one clear line naming file, row and field; exit 2."""

import re
import shutil

import pandas as pd
import pytest
from conftest import ROOT, run_cli

from compendium.inputs.corpus import load_corpus
from compendium.inputs.errors import InputError


def edit_csv(directory, name, change):
    path = directory / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = change(frame)
    frame.to_csv(path, index=False, lineterminator="\n")


def drop_column(column):
    return lambda f: f.drop(columns=[column])


def set_cell(row, column, value):
    def change(frame):
        frame.loc[row, column] = value
        return frame

    return change


CASES = {
    "missing column": ("segments", drop_column("theme"), "segments.csv", None, "theme"),
    "unknown theme": ("segments", set_cell(2, "theme", "X"), "segments.csv", 4, "theme"),
    "unknown subtheme": ("segments", set_cell(1, "subtheme", "D"), "segments.csv", 3, "subtheme"),
    "unknown secondary theme": (
        "segments",
        set_cell(0, "secondary_theme", "Q"),
        "segments.csv",
        2,
        "secondary_theme",
    ),
    "duplicate participant id": (
        "participants",
        set_cell(1, "participant_id", "A1"),
        "participants.csv",
        3,
        None,
    ),
    "duplicate segment id": ("segments", set_cell(3, "segment_id", "x1"), "segments.csv", 5, None),
    "segment of unknown participant": (
        "segments",
        set_cell(4, "participant_id", "Z9"),
        "segments.csv",
        6,
        None,
    ),
    "segment of withdrawn participant": (
        "segments",
        set_cell(4, "participant_id", "A4"),
        "segments.csv",
        6,
        "participant_id",
    ),
    "bad status": ("participants", set_cell(0, "status", "maybe"), "participants.csv", 2, "status"),
    "formula in a text cell": (
        "groups",
        set_cell(1, "typical_roles", "=cmd|'/c calc'!A1"),
        "groups.csv",
        3,
        "typical_roles",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_corpus_is_refused_with_one_clear_line(tiny_corpus, case):
    table, change, file, row, field = CASES[case]
    edit_csv(tiny_corpus, table, change)
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert file in lines[0]
    if row is not None:
        assert f"row {row}" in lines[0]
    if field is not None:
        assert f"field '{field}'" in lines[0]


def test_empty_file(tiny_corpus):
    (tiny_corpus / "segments.csv").write_bytes(b"")
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2
    assert "segments.csv, row 1: file is empty" in result.stderr


def test_wrong_encoding_names_the_line(tiny_corpus):
    path = tiny_corpus / "groups.csv"
    text = path.read_text().replace("Leaders", "Líderes")
    path.write_bytes(text.encode("latin-1"))
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2
    assert "groups.csv, row 2: byte 0xed" in result.stderr
    assert "not UTF-8" in result.stderr


def test_byte_order_mark(tiny_corpus):
    path = tiny_corpus / "participants.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2
    assert "participants.csv, row 1: file starts with a byte-order mark" in result.stderr


def test_missing_descriptor(tmp_path):
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 2
    assert "datapackage.json" in result.stderr


def test_valid_corpus_one_line_summary(tiny_corpus):
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert "4 participants (3 analysed, 1 withdrawn), 5 segments" in result.stdout


def test_committed_surrogate_is_valid():
    result = run_cli("validate", str(ROOT / "data" / "coded" / "surrogate"))
    assert result.returncode == 0, result.stderr
    assert "(synthetic)" in result.stdout


def test_make_reproduce_refuses_bad_corpus_before_building(tiny_corpus, tmp_path):
    """The build stops at validation: no output folder is created for a bad corpus."""
    edit_csv(tiny_corpus, "segments", set_cell(0, "theme", "X"))
    import subprocess

    result = subprocess.run(
        ["make", "-s", "reproduce", f"CORPUS={tiny_corpus}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "segments.csv, row 2, field 'theme'" in result.stderr
    assert not (ROOT / "builds" / tiny_corpus.name).exists()


def test_link_type_without_secondary_theme(tiny_corpus):
    edit_csv(tiny_corpus, "segments", set_cell(1, "link_type", "causal"))
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2
    assert "segments.csv, row 3, field 'secondary_theme'" in result.stderr


def test_analysed_participant_without_mode(tiny_corpus):
    edit_csv(tiny_corpus, "participants", set_cell(0, "interview_mode", ""))
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2
    assert "participants.csv, row 2, field 'interview_mode'" in result.stderr


def test_resource_path_outside_the_package(tiny_corpus):
    descriptor = tiny_corpus / "datapackage.json"
    descriptor.write_text(descriptor.read_text().replace('"groups.csv"', '"../groups.csv"'))
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2
    assert "points outside the package folder" in result.stderr


# name -> (table, row index, column, value, file, row, the character named)
CONTROL_CHARACTERS = {
    "NUL in a segment id": ("segments", 0, "segment_id", "x\x001", "segments.csv", 2, "U+0000"),
    "ESC in a participant id": (
        "participants", 1, "participant_id", "A\x1b2", "participants.csv", 3, "U+001B",
    ),
    "U+0085 in a group code": ("groups", 1, "group", "G\x852", "groups.csv", 3, "U+0085"),
    "DEL in an area": ("participants", 0, "area", "X\x7f1", "participants.csv", 2, "U+007F"),
    "unit separator in a theme": ("segments", 2, "theme", "G\x1f", "segments.csv", 4, "U+001F"),
    "tab inside a segment id": ("segments", 3, "segment_id", "x\t4", "segments.csv", 5, "U+0009"),
    "C1 control in typical roles": (
        "groups", 0, "typical_roles", "Chief\x9b Officer", "groups.csv", 2, "U+009B",
    ),
    "backspace in a label": ("groups", 1, "label", "Mem\x08bers", "groups.csv", 3, "U+0008"),
}  # fmt: skip
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("case", sorted(CONTROL_CHARACTERS))
def test_control_character_is_refused_and_named(tiny_corpus, case):
    table, index, column, value, file, row, code = CONTROL_CHARACTERS[case]
    edit_csv(tiny_corpus, table, set_cell(index, column, value))
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {tiny_corpus / file}, row {row}, field '{column}': ")
    assert f"control character {code}" in lines[0]
    assert not RAW_CONTROL.search(lines[0])  # shown escaped, never sent to the terminal


def test_tab_and_line_breaks_inside_free_text_are_accepted(tiny_corpus):
    edit_csv(tiny_corpus, "groups", set_cell(0, "typical_roles", "Chief Officer\tChair\r\nClerk"))
    result = run_cli("validate", str(tiny_corpus))
    assert result.returncode == 0, result.stderr


def test_declared_second_coding_with_del_in_a_coder(tmp_path):
    """Declared in datapackage.json, frictionless checks the coder's pattern first: the line
    still names the character."""
    corpus = shutil.copytree(ROOT / "data" / "coded" / "surrogate", tmp_path / "corpus")
    path = corpus / "second_coding.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "second_coding.csv" in (corpus / "datapackage.json").read_text()
    assert lines[2].count("coder2") == 1
    lines[2] = lines[2].replace("coder2", "coder\x7f2")
    path.write_text("".join(lines), encoding="utf-8")
    result = run_cli("validate", str(corpus))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}, row 3, field 'coder': value 'coder\\x7f2'")
    assert "control character U+007F" in result.stderr


def test_corpus_with_a_control_character_is_never_cached(
    tiny_corpus, codebook, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    monkeypatch.setenv("COMPENDIUM_CORPUS_CACHE", str(cache))
    load_corpus(tiny_corpus, codebook)  # valid: stored
    stored = sorted(cache.iterdir())
    assert len(stored) == 1
    edit_csv(tiny_corpus, "segments", set_cell(0, "segment_id", "x\x001"))
    for _ in range(2):  # refused again: no entry serves it
        with pytest.raises(InputError, match=r"U\+0000"):
            load_corpus(tiny_corpus, codebook)
    assert sorted(cache.iterdir()) == stored
