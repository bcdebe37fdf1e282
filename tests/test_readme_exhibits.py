"""README.md's list of exhibits is generated from notebooks/steps.yaml, and current."""

from __future__ import annotations

import pytest
from conftest import ROOT, run_cli

from compendium.outputs.readme_exhibits import END, START, exhibits_table, with_exhibits
from compendium.pipeline.steps import exhibits, read_declarations


@pytest.fixture(scope="module")
def table():
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(ROOT)
        return exhibits_table()


def test_the_block_in_the_readme_is_current(table):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_exhibits(readme, table) == readme, "run: compendium exhibits"


def test_every_exhibit_is_listed_with_its_notebook_and_file(table, monkeypatch):
    monkeypatch.chdir(ROOT)
    declarations = read_declarations()
    for exhibit in exhibits(declarations):
        notebook = declarations.steps[exhibit.step]["notebook"]
        row = next(line for line in table.splitlines() if f"`{exhibit.path}" in line)
        assert f"`notebooks/{notebook}`" in row, exhibit.path
        assert declarations.section_title(exhibit.section) in row, exhibit.path


def test_rewriting_touches_only_the_block():
    readme = f"# Title\n\nbefore\n{START}\nold rows\n{END}\nafter\n"
    expected = f"# Title\n\nbefore\n{START}\n| new |\n{END}\nafter\n"
    assert with_exhibits(readme, "| new |\n") == expected
    with pytest.raises(ValueError, match="exhibits:start"):
        with_exhibits("# no markers\n", "| new |\n")


def test_the_command_checks_the_readme():
    checked = run_cli("exhibits", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "current" in checked.stdout
