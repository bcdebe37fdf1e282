"""Table 1: counts by group and mode from the roster (hand-computed)."""

from compendium.analysis.participants import headline_counts, participant_profile
from compendium.inputs.corpus import load_corpus


def test_table1_by_hand(tiny_corpus, codebook):
    corpus = load_corpus(tiny_corpus, codebook)
    table = participant_profile(corpus.analysed, corpus.groups)
    assert table.columns.tolist() == ["group", "n", "typical_roles", "in_person", "online"]
    rows = table.set_index("group")
    assert rows.loc["G1", ["n", "in_person", "online"]].tolist() == [2, 1, 1]
    # The withdrawn G2 participant is not counted.
    assert rows.loc["G2", ["n", "in_person", "online"]].tolist() == [1, 0, 1]
    assert rows.loc["All", ["n", "in_person", "online"]].tolist() == [3, 1, 2]
    assert rows.loc["G1", "typical_roles"] == "Chief Officer"


def test_headline_counts_by_hand(tiny_corpus, codebook):
    counts = headline_counts(load_corpus(tiny_corpus, codebook).participants)
    assert counts["interviewed"] == 4
    assert counts["withdrawn"] == 1
    assert counts["analysed"] == 3
    assert counts["not_quotable_analysed"] == 1
    assert counts["interviewed_by_group"] == {"G1": 2, "G2": 2}
    assert counts["analysed_by_group"] == {"G1": 2, "G2": 1}
    assert counts["modes"] == {"in_person": 1, "online": 2}
    assert counts["areas_represented"] == 1
