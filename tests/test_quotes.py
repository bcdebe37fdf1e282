"""Published quotations: verbatim against the report, the rebuilt index, the quotable flag."""

import pandas as pd
import pytest
from conftest import ROOT, SEEDS

from compendium.analysis.quotes import (
    index_differences,
    index_location,
    quote_index,
    quoted_participants_per_theme,
    quotes_of_unquotable,
    reworded_repeats,
)
from compendium.inputs.packages import load_package

REPORT = SEEDS / "000_defd383e08e4ab39.txt"
QUOTES = load_package(ROOT / "data" / "extracts")["quotes"]


@pytest.mark.skipif(not REPORT.exists(), reason="the source documents are not beside the project")
def test_every_extract_is_verbatim_at_its_line():
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    for row in QUOTES.itertuples():
        start = row.source_line - 1
        parts = [line.strip().strip("*").strip() for line in lines[start : start + 3]]
        window = " ".join(p for p in parts if p)
        assert row.text in window or row.text in lines[start], (row.quote_id, row.source_line)


def test_index_location_drops_the_h_number():
    assert index_location("4.3:H2") == "4.3"
    assert index_location("T3B") == "T3B"


def test_quote_index_by_hand():
    quotes = pd.DataFrame(
        {
            "participant": ["P10", "P2", "P2", "P10"],
            "location": ["T1A", "4.3:H1", "T2B", "4.1"],
        }
    )
    index = quote_index(quotes)
    assert index.values.tolist() == [["P2", "4.3"], ["P2", "T2B"], ["P10", "4.1"], ["P10", "T1A"]]


def test_rebuilt_index_equals_the_printed_appendix():
    printed = load_package(ROOT / "data" / "published")["quote_index"]
    assert index_differences(quote_index(QUOTES), printed).empty


def test_reworded_repeats_found():
    quotes = pd.DataFrame(
        {
            "participant": ["P1", "P1", "P2"],
            "location": ["T1A", "4.3:H1", "T2A"],
            "text": ["we cannot act without the budget", "we cannot act without a budget", "x"],
            "source_line": [10, 20, 30],
        }
    )
    found = reworded_repeats(quotes)
    assert found["participant"].tolist() == ["P1"]


def test_quoted_participants_per_theme_never_exceed_kmi():
    codes = dict(enumerate(["G", "W", "D", "F", "L", "V", "S"], start=1))
    per_theme = quoted_participants_per_theme(QUOTES, codes).set_index("code")
    kmi = load_package(ROOT / "data" / "published")["table2_kmi"].set_index("code")["kmi"]
    assert (per_theme["n_quoted_participants"] <= kmi.reindex(per_theme.index)).all()


def test_not_quotable_participant_is_never_quoted():
    roster = pd.DataFrame({"participant_id": ["P1", "P2"], "quotable": ["yes", "no"]})
    quotes = pd.DataFrame({"participant": ["P1", "P2"], "quote_id": ["Q1", "Q2"]})
    assert quotes_of_unquotable(quotes, roster)["quote_id"].tolist() == ["Q2"]
    surrogate = pd.read_csv(ROOT / "data" / "coded" / "surrogate" / "participants.csv", dtype=str)
    assert quotes_of_unquotable(QUOTES, surrogate).empty
    # at most all analysed participants but the one who may not be quoted are quoted
    assert QUOTES["participant"].nunique() <= 44 - 1


@pytest.mark.skipif(not REPORT.exists(), reason="the source documents are not beside the project")
def test_coreq_snippets_are_verbatim_at_their_lines():
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    checklist = load_package(ROOT / "data" / "coreq")["coreq_checklist"]
    assert checklist["item"].tolist() == list(range(1, 33))
    for row in checklist.dropna(subset=["snippet"]).itertuples():
        assert row.snippet in lines[row.source_line - 1], row.item
