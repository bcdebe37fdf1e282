"""Reading user YAML files: lines of nested keys, and the refusals shared by every YAML reader."""

from __future__ import annotations

import pytest

from compendium.inputs.errors import InputError
from compendium.inputs.yaml_files import line_of, line_of_path, read_yaml

TEXT = """\
# a comment mentioning value: here
groups:
  G1:
    label: leaders
kmi:
  source_line: 776
  value: {G: 44, W: 44}
second:
  value: 3
"""


def test_line_of_finds_the_first_key_after_a_line():
    assert line_of(TEXT, "value") == 7  # the comment is not a key
    assert line_of(TEXT, "value", after=7) == 9


@pytest.mark.parametrize(
    "keys, line",
    [
        (["groups", "G1", "label"], 4),
        (["kmi", "value"], 7),
        (["kmi", "value", "G"], 7),  # a flow-style entry: its parent's line
        (["second", "value"], 9),  # not the earlier kmi.value
        (["absent"], None),
        (["intersections", 0, "x"], None),
    ],
)
def test_line_of_path_follows_the_nesting(keys, line):
    assert line_of_path(TEXT, keys) == line


def test_read_yaml_returns_data_and_text(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(TEXT)
    data, text = read_yaml(path, "test file", 10_000)
    assert data["kmi"]["value"] == {"G": 44, "W": 44} and text == TEXT


@pytest.mark.parametrize(
    "content, message, row",
    [
        (b"a: 1\nb: [1, 2\n", "not valid YAML", 3),
        (b"a: 1\nb: \xff\n", "byte 0xff is not UTF-8", 2),
        (b"a: &x 1\nb: *x\n", "aliases", 2),
        (b"x" * 101, "larger than 100 bytes", None),
    ],
)
def test_read_yaml_refuses_with_the_line(tmp_path, content, message, row):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_yaml(path, "test file", 100)
    assert message in caught.value.message and caught.value.row == row


def test_read_yaml_names_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="test file is missing"):
        read_yaml(tmp_path / "none.yaml", "test file", 100)
