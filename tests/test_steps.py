"""Step declarations (notebooks/steps.yaml): checked with one clear error, resolved exactly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from compendium.inputs.errors import InputError
from compendium.inputs.pipeline_config import checked_config
from compendium.pipeline.code_dependencies import notebook_code_files
from compendium.pipeline.steps import exhibits, left_out, read_declarations, resolve_steps

VALUES = {
    "corpus": "data/corpus",
    "codebook": "data/codebook",
    "confidence": 0.95,
    "findings": False,
    "build_root": ".",
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A tiny project: two notebooks, a data folder, and a declarations file to fill in."""
    (tmp_path / "notebooks").mkdir()
    for name in ("a.ipynb", "b.ipynb", "r.ipynb"):
        (tmp_path / "notebooks" / name).write_text('{"cells": []}')
    (tmp_path / "data" / "corpus").mkdir(parents=True)
    (tmp_path / "data" / "corpus" / "x.csv").write_text("a\n1\n")
    (tmp_path / "data" / "codebook").mkdir()
    (tmp_path / "data" / "codebook" / "t.csv").write_text("t\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def declare(project: Path, steps: dict, sections: dict | None = None) -> Path:
    path = project / "notebooks" / "steps.yaml"
    text = yaml.safe_dump(
        {"sections": sections or {"s": "Section S"}, "steps": steps}, sort_keys=False
    )
    path.write_text(text, encoding="utf-8")
    return path


A = {
    "notebook": "a.ipynb",
    "section": "s",
    "inputs": {"corpus_dir": "$corpus"},
    "parameters": {"confidence": "$confidence", "grid": 0.5},
    "outputs": {
        "table_path": {"path": "reports/tables/a.csv", "caption": "A at {confidence:.0%}"},
        "figure_stem": {"path": "figures/a", "caption": "Figure A"},
        "results_path": "reports/results/a.json",
    },
}
B = {"notebook": "b.ipynb", "inputs": {"table_path": "reports/tables/a.csv"},
     "outputs": {"out_path": "reports/tables/b.csv"}}  # fmt: skip
REPORT = {"notebook": "r.ipynb", "after": "all", "outputs": {"html_path": "reports/r.html"}}


def test_a_step_resolves_to_its_files_parameters_and_inputs(project):
    steps = resolve_steps(read_declarations(declare(project, {"a": A, "b": B})), VALUES)
    a, b = steps
    assert a.files == {
        "table_path": "reports/tables/a.csv",
        "figure_stem_svg": "figures/a.svg",
        "figure_stem_png": "figures/a.png",
        "results_path": "reports/results/a.json",
    }
    assert a.parameters["corpus_dir"] == "data/corpus"
    assert a.parameters["confidence"] == 0.95 and a.parameters["grid"] == 0.5
    assert a.parameters["figure_stem"] == "figures/a"
    assert a.data == ["data/corpus/x.csv"]  # a folder stands for every file in it
    assert a.from_corpus and b.from_corpus  # b reads a's table
    assert b.upstream == ["reports/tables/a.csv"]
    assert a.executed == "reports/notebooks/a.ipynb"
    assert a.provenance == "reports/provenance/a.json"


def test_a_folder_input_stands_for_every_file_in_it(project):
    spec = dict(A, inputs={"codebook_dir": "data/codebook"})
    (step,) = resolve_steps(read_declarations(declare(project, {"a": spec})), VALUES)
    assert step.data == ["data/codebook/t.csv"]
    assert not step.from_corpus  # neither the corpus nor anything made from it


def test_an_input_may_name_the_files_of_a_folder_that_the_step_reads(project):
    corpus = project / "data" / "corpus"
    for name in ("second_coding.csv", "notes.md", "x.schema.json"):
        (corpus / name).write_text("a\n")
    named = {"path": "$corpus", "files": ["x.csv", "*.schema.json", "*.yaml"]}
    spec = dict(A, inputs={"corpus_dir": named})
    (step,) = resolve_steps(read_declarations(declare(project, {"a": spec})), VALUES)
    # only those files are inputs (a pattern may match none): editing another reruns nothing
    assert step.data == ["data/corpus/x.csv", "data/corpus/x.schema.json"]
    assert step.parameters["corpus_dir"] == "data/corpus"  # the notebook still gets the folder
    assert step.from_corpus
    (whole,) = resolve_steps(read_declarations(declare(project, {"a": A})), VALUES)
    assert "data/corpus/second_coding.csv" in whole.data  # $corpus alone: every file


def test_a_step_gets_the_second_coding_only_if_it_reads_it():
    """The shipped declarations: a corpus file is an input of exactly the steps that read it."""
    os.chdir(ROOT)
    values = VALUES | checked_config({}, "data/coded/surrogate")
    corpus = values["corpus"]
    steps = resolve_steps(read_declarations(), values)
    source = {s.name: Path(s.notebook).read_text(encoding="utf-8") for s in steps}
    second = f"{corpus}/second_coding.csv"
    # the validation step checks every file of the package; agreement reads the second coder
    readers = {name for name, text in source.items() if "load_second_coding(" in text}
    assert readers == {"agreement"}
    assert {s.name for s in steps if second in s.data} == readers | {"validate"}
    tables = {f"{corpus}/{n}" for n in ("datapackage.json", "participants.csv", "groups.csv",
                                        "segments.csv")}  # fmt: skip
    for step in steps:
        if "load_corpus(" in source[step.name]:  # a loaded corpus is made of these files
            assert tables <= set(step.data), step.name
        elif "corpus_dir" in step.parameters:  # reads the descriptor only (synthetic or not)
            assert [f for f in step.data if f.startswith(corpus)] == [f"{corpus}/datapackage.json"]
        assert step.page == step.executed.removesuffix(".ipynb") + ".html"


def test_another_build_prefixes_every_built_path(project):
    steps = resolve_steps(read_declarations(declare(project, {"a": A, "b": B})), VALUES,
                          out="builds/mine/")  # fmt: skip
    for step in steps:
        assert all(p.startswith("builds/mine/") for p in step.files.values())
        assert step.executed.startswith("builds/mine/")
        assert step.page == step.executed.removesuffix(".ipynb") + ".html"
    assert steps[1].parameters["table_path"] == "builds/mine/reports/tables/a.csv"


def test_after_all_steps_follow_every_other_step_wherever_declared(project):
    # the report is declared before b, as a student appending a step at the end would leave it
    steps = resolve_steps(
        read_declarations(declare(project, {"a": A, "r": REPORT, "b": B})), VALUES
    )
    assert [s.name for s in steps] == ["a", "b", "r"]
    report = steps[-1]
    assert "reports/tables/b.csv" in report.upstream and "reports/provenance/b.json" in (
        report.upstream
    )


def test_a_step_made_for_another_codebook_is_left_out_saying_why(project):
    for folder, codes in (("data/codebook", "G\nW\n"), ("data/mine", "A\nB\nC\n")):
        (project / folder).mkdir(parents=True, exist_ok=True)
        (project / folder / "themes.csv").write_text("code\n" + codes)
    tied = dict(B, inputs={}, fits_codebook="data/codebook")
    path = declare(project, {"a": A, "b": tied, "r": REPORT})
    ours = resolve_steps(read_declarations(path), VALUES)
    assert [s.name for s in ours] == ["a", "b", "r"]  # the codebook it was made for
    theirs = resolve_steps(read_declarations(path), VALUES | {"codebook": "data/mine"})
    assert [s.name for s in theirs] == ["a", "r"]
    assert "reports/tables/b.csv" not in theirs[-1].upstream
    assert left_out(read_declarations(path), VALUES | {"codebook": "data/mine"}) == {
        "b": "left out: b (made for the themes of data/codebook: G W; this build's codebook "
        "data/mine has A B C)"
    }


def test_exhibits_keep_declaration_order_and_their_sections(project):
    declarations = read_declarations(declare(project, {"a": A, "b": B}))
    found = exhibits(declarations)
    assert [(e.step, e.kind, e.path, e.section) for e in found] == [
        ("a", "table", "reports/tables/a.csv", "s"),
        ("a", "figure", "figures/a", "s"),
    ]
    assert declarations.section_title("s") == "Section S"
    assert declarations.section_title("my_new_part") == "My new part"


@pytest.mark.parametrize(
    ("steps", "message", "field"),
    [
        ({"a": dict(A, inputs={"x": "$nonesuch"})}, "unknown pipeline parameter $nonesuch",
         "steps.a.inputs.x"),
        ({"b": B}, "no step declared above makes reports/tables/a.csv",
         "steps.b.inputs.table_path"),
        ({"a": dict(A, outputs={"p": "data/a.csv"})}, "outputs go under reports/ or figures/",
         "steps.a.outputs.p"),
        ({"a": A, "c": dict(B, inputs={}, outputs={"p": "reports/tables/a.csv"})},
         "made by step a too", "steps.c.outputs.p"),
        ({"a": dict(A, notebook="zz.ipynb")}, "no notebook notebooks/zz.ipynb", "steps.a.notebook"),
        ({"a": dict(A, inputs={"x": "data/missing.csv"})}, "no file data/missing.csv",
         "steps.a.inputs.x"),
        ({"a": dict(A, inputs={"x": {"path": "$corpus", "files": ["y.csv"]}})},
         "no file y.csv in data/corpus", "steps.a.inputs.x.files"),
        ({"a": A, "b": dict(B, inputs={"t": {"path": "reports/tables/a.csv", "files": ["a"]}})},
         "files: names files of a data folder", "steps.b.inputs.t.files"),
        ({"a": dict(A, inputs={"x": {"path": "$corpus", "files": ["../up.csv"]}})},
         "is not valid under any of the given schemas", "steps.a.inputs.x"),
        ({"a": dict(A, colour="red")}, "Additional properties", None),
        ({"a": dict(A, outputs={"p": "reports/x; rm -rf /"})}, "does not match",
         "steps.a.outputs.p"),
        ({"all": A}, "should not be valid", None),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_one_error_naming_file_line_and_field(project, steps, message, field):
    path = declare(project, steps)
    with pytest.raises(InputError) as caught:
        resolve_steps(read_declarations(path), VALUES)
    error = caught.value
    assert message in str(error), str(error)
    assert Path(error.path) == path
    assert error.row is not None and error.row > 1
    if field:
        assert error.field == field


def test_the_shipped_declarations_resolve_and_every_exhibit_has_a_known_section():
    os.chdir(ROOT)
    declarations = read_declarations()
    defaults = checked_config({}, "data/coded/surrogate")
    steps = resolve_steps(declarations, VALUES | defaults)
    assert {s.notebook for s in steps} == {
        f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")
    }
    for exhibit in exhibits(declarations):
        assert exhibit.section in declarations.sections, exhibit


# -- code dependencies ---------------------------------------------------------------------


@pytest.fixture
def package(tmp_path):
    """A package 'compendium' with a chain of imports, a lazy import and a data file."""
    pkg = tmp_path / "src" / "compendium"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "schemas").mkdir()
    files = {
        "__init__.py": "",
        "sub/__init__.py": "",
        "sub/top.py": "from compendium.sub import middle\n",
        "sub/middle.py": "def f():\n    from compendium.lazy import g\n    return g\n",
        "lazy.py": "SCHEMA = 'thing.json'\ndef g():\n    return 1\n",
        "unused.py": "import compendium.sub.top\n",
        "schemas/thing.json": "{}",
        "schemas/other.json": "{}",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    return tmp_path


def notebook(path: Path, *cells: str) -> Path:
    import json

    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]}))
    return path


def test_code_dependencies_follow_imports_transitively(package):
    nb = notebook(package / "n.ipynb", "%matplotlib inline\nfrom compendium.sub.top import x\n")
    files = notebook_code_files(nb, package / "src" / "compendium", package)
    assert files == [
        "src/compendium/__init__.py",
        "src/compendium/lazy.py",  # imported inside a function
        "src/compendium/schemas/thing.json",  # named by a module on the way
        "src/compendium/sub/__init__.py",
        "src/compendium/sub/middle.py",
        "src/compendium/sub/top.py",
    ]


def test_code_dependencies_see_from_package_import_module(package):
    nb = notebook(package / "m.ipynb", "from compendium import lazy\n")
    files = notebook_code_files(nb, package / "src" / "compendium", package)
    assert "src/compendium/lazy.py" in files
    assert "src/compendium/unused.py" not in files and "src/compendium/sub/top.py" not in files
