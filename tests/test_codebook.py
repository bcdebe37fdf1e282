"""A codebook is data: any study's theme and subtheme codes pass its schema, a malformed code is
refused with one clear error, and what the pipeline says of a codebook is computed from it.

Also the worked example's corpus (data/coded/example_study/): what ``compendium example-study``
writes, byte for byte, and a valid corpus for its own codebook.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, run_cli

from compendium.inputs.codebook import load_codebook
from compendium.inputs.corpus import check_against_codebook
from compendium.inputs.corpus_schema import corpus_schema
from compendium.inputs.errors import InputError
from compendium.outputs.codebook_page import codebook_markdown

REPORT_CODEBOOK = ROOT / "data" / "codebook"
EXAMPLE_CODEBOOK = REPORT_CODEBOOK / "example_study"
EXAMPLE_CORPUS = ROOT / "data" / "coded" / "example_study"


@pytest.fixture
def codebook_copy(tmp_path) -> Path:
    return Path(shutil.copytree(EXAMPLE_CODEBOOK, tmp_path / "codebook"))


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def refusal(directory: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_codebook(directory)
    message = str(caught.value)
    assert "\n" not in message  # one line
    return message


def test_the_example_codebook_has_codes_of_its_own():
    codebook = load_codebook(EXAMPLE_CODEBOOK)
    assert codebook.codes == ["RX", "RF", "IS", "FN"]
    assert [len(codebook.subtheme_letters(c)) for c in codebook.codes] == [3, 2, 3, 2]
    assert load_codebook(REPORT_CODEBOOK).codes == list("GWDFLVS")


def test_the_codebooks_share_one_schema():
    for name in ("themes.schema.json", "subthemes.schema.json"):
        assert (EXAMPLE_CODEBOOK / name).read_bytes() == (REPORT_CODEBOOK / name).read_bytes()


def test_new_theme_and_subtheme_codes_are_accepted(codebook_copy):
    for name in ("themes.csv", "subthemes.csv"):
        edit(codebook_copy / name, "RX", "Rx_2", count=2)
    edit(codebook_copy / "themes.csv", ",FN,,,", ",FN RF,,,")  # dual-code with two themes
    with open(codebook_copy / "subthemes.csv", "a", encoding="utf-8") as handle:
        handle.write("IS,Dx,IS_Dx,A subtheme added by the student,\n")
    codebook = load_codebook(codebook_copy)
    assert codebook.codes == ["Rx_2", "RF", "IS", "FN"]
    assert codebook.subtheme_letters("IS") == ["A", "B", "C", "Dx"]


@pytest.mark.parametrize("code", ["rx", "R X", "1RX", "R-X", "R" + "X" * 16, ""])
def test_a_malformed_theme_code_is_one_clear_error(codebook_copy, code):
    edit(codebook_copy / "themes.csv", "\n1,RX,", f"\n1,{code},")
    message = refusal(codebook_copy)
    assert message.startswith(f"{codebook_copy / 'themes.csv'}, row 2, field 'code': ")
    assert "pattern" in message or "required" in message, message


def test_a_malformed_subtheme_letter_is_one_clear_error(codebook_copy):
    edit(codebook_copy / "subthemes.csv", "RF,B,RF_B", "RF,b 2,RF_B")
    message = refusal(codebook_copy)
    assert message.startswith(f"{codebook_copy / 'subthemes.csv'}, row 6, field 'subtheme': ")
    assert "pattern" in message


def test_a_subtheme_of_no_theme_is_refused(codebook_copy):
    edit(codebook_copy / "subthemes.csv", "\nRX,A,", "\nQQ,A,")
    message = refusal(codebook_copy)
    assert f"{codebook_copy / 'subthemes.csv'}, row 2" in message
    assert "does not exist" in message and "QQ" in message


@pytest.mark.parametrize(
    ("partners", "why"), [("ZZ", "not a theme of this codebook"), ("RX", "the theme itself")]
)
def test_dual_code_with_names_another_theme_of_the_codebook(codebook_copy, partners, why):
    edit(codebook_copy / "themes.csv", ",FN,,,", f",{partners},,,")
    message = refusal(codebook_copy)
    assert message.startswith(f"{codebook_copy / 'themes.csv'}, row 2, field 'dual_code_with': ")
    assert why in message


def test_a_codebook_needs_two_themes_each_with_a_subtheme(codebook_copy):
    themes = pd.read_csv(codebook_copy / "themes.csv", dtype=str, keep_default_na=False)
    themes["dual_code_with"] = ""
    themes.iloc[:1].to_csv(codebook_copy / "themes.csv", index=False, lineterminator="\n")
    subthemes = pd.read_csv(codebook_copy / "subthemes.csv", dtype=str, keep_default_na=False)
    subthemes[subthemes["theme_code"] == "RX"].to_csv(
        codebook_copy / "subthemes.csv", index=False, lineterminator="\n"
    )
    assert "a codebook needs at least 2" in refusal(codebook_copy)
    themes.iloc[:2].to_csv(codebook_copy / "themes.csv", index=False, lineterminator="\n")
    message = refusal(codebook_copy)
    assert "row 3, field 'code'" in message and "theme 'RF' has no subtheme" in message


def test_a_subtheme_letter_is_used_once_under_its_theme(codebook_copy):
    edit(codebook_copy / "subthemes.csv", "RX,B,RX_B", "RX,A,RX_B")
    message = refusal(codebook_copy)
    assert "row 3, field 'subtheme'" in message and "appears twice under theme 'RX'" in message


def test_the_corpus_schema_names_no_codebooks_codes():
    fields = {
        field["name"]: field
        for resource in corpus_schema()["resources"]
        for field in resource["schema"]["fields"]
    }
    for name in ("theme", "subtheme", "secondary_theme", "group"):
        assert "enum" not in fields[name].get("constraints", {}), name


def test_a_subtheme_the_codebook_lacks_is_named_with_the_ones_it_has():
    codebook = load_codebook(EXAMPLE_CODEBOOK)
    segments = pd.DataFrame(
        {"theme": ["RX", "RF"], "subtheme": ["C", "C"], "secondary_theme": [pd.NA, pd.NA]},
        dtype="string",
    )
    with pytest.raises(InputError) as caught:
        check_against_codebook(segments, codebook, Path("segments.csv"))
    assert str(caught.value) == (
        "segments.csv, row 3, field 'subtheme': subtheme 'C' does not exist under theme 'RF' "
        "(codebook: A B)"
    )


def test_the_codebook_page_is_computed_from_the_codebook():
    page = codebook_markdown(load_codebook(EXAMPLE_CODEBOOK), "Bektaş & Cairney (2026)")
    assert "4 themes with 10 subthemes (3, 2, 3, 2); codes RX RF IS FN." in page
    assert "not transcribed from any publication" in page and "Bektaş" not in page
    assert "| code | theme | what it primarily explains |" in page  # no section column
    assert "(line" not in page and "(section" not in page  # no such references
    report = codebook_markdown(load_codebook(REPORT_CODEBOOK), "Bektaş & Cairney (2026)")
    assert "7 themes, each with 3 subthemes; codes G W D F L V S." in report
    assert (
        "## G: Governance, accountability, and decision rights (section 4.2.1, line 786)" in report
    )
    for text in (page, report.split("\n| code")[1]):
        assert "seven" not in text.lower()


def test_the_committed_example_corpus_is_what_the_generator_writes(tmp_path):
    result = run_cli("example-study", "--out", str(tmp_path / "corpus"))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "corpus").iterdir())
    assert written == [
        "datapackage.json",
        "groups.csv",
        "participants.csv",
        "second_coding.csv",
        "segments.csv",
    ]
    for name in written:
        assert (tmp_path / "corpus" / name).read_bytes() == (EXAMPLE_CORPUS / name).read_bytes()


def test_the_example_corpus_is_valid_for_its_own_codebook():
    result = run_cli("validate", str(EXAMPLE_CORPUS), "--codebook", str(EXAMPLE_CODEBOOK))
    assert result.returncode == 0, result.stderr
    assert "(synthetic): 12 participants (11 analysed, 1 withdrawn)" in result.stdout
    assert "2 groups, second coding by 1 coder(s)" in result.stdout
    assert json.loads((EXAMPLE_CORPUS / "datapackage.json").read_text())["synthetic"] is True
    participants = pd.read_csv(EXAMPLE_CORPUS / "participants.csv", keep_default_na=False)
    assert (participants["quotable"] == "no").sum() == 1
    segments = pd.read_csv(EXAMPLE_CORPUS / "segments.csv", keep_default_na=False)
    assert {"dual_coded", "causal"} <= set(segments["link_type"])
    refused = run_cli("validate", str(EXAMPLE_CORPUS))  # against the report's codebook
    assert refused.returncode == 2 and "unknown theme code 'RX'" in refused.stderr
