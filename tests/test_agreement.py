"""Inter-coder agreement: hand-computed kappa and alpha, and a surrogate second coder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from compendium import surrogate
from compendium.analysis import agreement
from compendium.inputs.corpus import load_corpus
from compendium.inputs.errors import InputError
from compendium.inputs.second_coding import load_second_coding
from compendium.inputs.targets import load_targets


def test_cohen_kappa_hand_computed():
    # 2x2 table [[20, 5], [10, 15]]: po = 35/50 = 0.7, pe = (25*30 + 25*20)/2500 = 0.5,
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    a = np.array([1] * 25 + [0] * 25)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    stats = agreement.cohen(a, b)
    assert stats["agreement"] == pytest.approx(0.7)
    assert stats["kappa"] == pytest.approx(0.4)
    assert stats["low"] < 0.4 < stats["high"]


def test_cohen_kappa_undefined_without_variation():
    stats = agreement.cohen(np.zeros(5), np.zeros(5))
    assert stats["agreement"] == 1.0
    assert np.isnan(stats["kappa"])


def test_krippendorff_alpha_hand_computed():
    # Units (1,1) (1,0) (0,0) (0,0): o11 = 2, o10 = o01 = 1, o00 = 4; n1 = 3, n0 = 5, n = 8.
    # Do = 2/8, De = 2*3*5/(8*7) = 30/56, alpha = 1 - (2/8)/(30/56) = 16/30
    data = np.array([[1, 1, 0, 0], [1, 0, 0, 0]], dtype=float)
    assert agreement.alpha(data) == pytest.approx(16 / 30)


def test_fleiss_kappa_hand_computed():
    # 3 coders, 4 units, counts (3,0) (0,3) (2,1) (3,0) of category 1 / 0:
    # P_i = 1, 1, 1/3, 1 -> Pbar = 10/12; p = 8/12, 4/12 -> Pe = 5/9; kappa = 0.625
    ratings = np.array([[1, 1, 1], [0, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=float)
    assert agreement.fleiss(ratings) == pytest.approx(0.625)


def _tiny_segments():
    return pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3", "s4"],
            "participant_id": ["A", "A", "B", "B"],
            "theme": ["G", "W", "G", "F"],
            "subtheme": ["A", "A", "A", "A"],
            "secondary_theme": pd.array(["W", None, None, None], dtype="string"),
            "link_type": pd.array(["dual_coded", None, None, None], dtype="string"),
        }
    )


def test_agreement_by_theme_two_coders_by_hand():
    segments = _tiny_segments()
    second = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3", "s4"],
            "coder": ["B"] * 4,
            "theme": ["G", "W", "W", "F"],  # s1 misses the secondary W; s3 says W not G
        }
    )
    table = agreement.agreement_by_theme(segments, second, ["G", "W", "F"], n_boot=50)
    g = table.set_index("theme").loc["G"]
    # G presence primary (1,0,1,0), second (1,0,0,0): table [[1,1],[0,2]]: po = 3/4,
    # pe = (2*1 + 2*3)/16 = 0.5, kappa = 0.5
    assert g["observed_agreement"] == pytest.approx(0.75)
    assert g["cohen_kappa"] == pytest.approx(0.5)
    assert bool(g["flag"])  # 0.5 < 0.6
    f = table.set_index("theme").loc["F"]
    assert f["cohen_kappa"] == pytest.approx(1.0)
    assert not bool(f["flag"])


def test_three_coders_use_fleiss():
    segments = _tiny_segments()
    second = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3", "s4"] * 2,
            "coder": ["B"] * 4 + ["C"] * 4,
            "theme": ["G", "W", "G", "F", "G", "W", "G", "G"],
        }
    )
    table = agreement.agreement_by_theme(segments, second, ["G", "W", "F"], n_boot=50)
    assert "fleiss_kappa" in table.columns
    assert "cohen_kappa" not in table.columns
    assert (table["n_coders"] == 3).all()


def test_participant_unit():
    segments = _tiny_segments()
    second = pd.DataFrame({"segment_id": ["s1", "s3"], "coder": ["B", "B"], "theme": ["G", "G"]})
    table = agreement.agreement_by_theme(
        segments, second, ["G", "W"], unit="participant", n_boot=20
    )
    assert (table["n_units"] == 2).all()  # participants A and B


@pytest.fixture(scope="module")
def surrogate_corpus():
    from compendium.inputs.codebook import load_codebook

    codebook = load_codebook(ROOT / "data" / "codebook")
    return load_corpus(ROOT / "data" / "coded" / "surrogate", codebook), codebook


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.3])
def test_surrogate_second_coder_matches_its_disagreement_rate(surrogate_corpus, rate):
    corpus, codebook = surrogate_corpus
    second = surrogate.second_coder(corpus, rate, seed=3)
    assert list(second.columns) == ["segment_id", "coder", "theme"]
    assert second.equals(surrogate.second_coder(corpus, rate, seed=3))  # deterministic
    table = agreement.agreement_by_theme(
        corpus.segments, second, codebook.codes, n_boot=100, seed=1
    )
    n = len(corpus.segments)
    # each replaced primary theme disagrees on exactly two themes (the old and the new one)
    estimated = ((1 - table["observed_agreement"]) * n).sum() / (2 * n)
    se = np.sqrt(rate * (1 - rate) / n)
    assert abs(estimated - rate) <= 4 * se + 1e-12
    if rate == 0:
        assert (table["cohen_kappa"] == 1).all() and (table["alpha"] == 1).all()
        assert not table["flag"].any()
    else:
        assert (table["cohen_kappa"] < 1).all()
        assert (table["cohen_low"] <= table["cohen_kappa"]).all()
        assert (table["alpha_low"] <= table["alpha"]).all()
        assert (table["alpha"] <= table["alpha_high"]).all()


def test_kappa_falls_as_disagreement_rises(surrogate_corpus):
    corpus, codebook = surrogate_corpus
    means = []
    for rate in (0.05, 0.2, 0.5):
        second = surrogate.second_coder(corpus, rate, seed=0)
        table = agreement.agreement_by_theme(corpus.segments, second, codebook.codes, n_boot=0)
        means.append(table["cohen_kappa"].mean())
    assert means[0] > means[1] > means[2]
    second = surrogate.second_coder(corpus, 0.05, seed=0)
    table = agreement.agreement_by_theme(corpus.segments, second, codebook.codes, n_boot=0)
    assert not table["flag"].any()  # kappa about 0.95 for every theme
    strict = agreement.agreement_by_theme(
        corpus.segments, second, codebook.codes, n_boot=0, threshold=0.99
    )
    assert strict["flag"].all()


def test_load_second_coding_checks_rows(tmp_path):
    segments = _tiny_segments()
    path = tmp_path / "second_coding.csv"
    path.write_text("segment_id,coder,theme\ns1,B,G\ns9,B,G\n")
    with pytest.raises(InputError) as info:
        load_second_coding(tmp_path, segments, ["G", "W", "F"])
    assert (info.value.row, info.value.field) == (3, "segment_id")
    path.write_text("segment_id,coder,theme\ns1,B,Q\n")
    with pytest.raises(InputError) as info:
        load_second_coding(tmp_path, segments, ["G", "W", "F"])
    assert (info.value.row, info.value.field) == (2, "theme")
    path.write_text("segment_id,coder,theme\ns1,B,G\ns2,B,\n")
    frame = load_second_coding(tmp_path, segments, ["G", "W", "F"])
    assert len(frame) == 2
    assert load_second_coding(tmp_path / "none", segments, ["G"]) is None


def test_primary_theme_disagreement_by_hand():
    segments = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3", "s4"],
            "participant_id": ["A", "A", "B", "C"],
            "theme": ["G", "W", "G", "F"],
        }
    )
    second = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s2", "s3", "s1"],
            "coder": ["B", "B", "B", "B", "C"],
            "theme": ["G", "F", "G", "", "W"],
        }
    )
    out = agreement.primary_theme_disagreement(segments, second).set_index("coder")
    # coder B: s1 kept, s2 lost W (gave F and G), s3 assigned nothing -> 2 of 3 disagree
    assert out.loc["B", "segments"] == 3 and out.loc["B", "participants"] == 2
    assert out.loc["B", "primary_disagreement"] == pytest.approx(2 / 3)
    assert out.loc["C", "primary_disagreement"] == 1.0  # coded s1 as W only


def test_generator_check_reports_distance_in_standard_errors():
    by_coder = pd.DataFrame(
        {
            "coder": ["coder2"],
            "participants": [3],
            "segments": [400],
            "primary_disagreement": [0.13],
        }
    )
    check = agreement.generator_check({"disagreement_rate": 0.1}, by_coder)
    assert check["standard_error"] == pytest.approx(0.015)
    assert check["z"] == pytest.approx(2.0)
    assert agreement.generator_check(None, by_coder) is None


def test_without_a_second_coding_the_step_still_reports(tmp_path):
    from compendium.charts.agreement import agreement_figure

    table = agreement.agreement_by_theme(_tiny_segments(), None, ["G", "W", "F"])
    assert table.empty
    assert agreement.agreement_summary(table, 0.6) == {
        "available": False,
        "threshold": 0.6,
        "themes_flagged": [],
    }
    figure, alt = agreement_figure(table, {}, 0.6, "corpus 'x'", False)
    assert "carries no second coding" in alt
    assert agreement.primary_theme_disagreement(_tiny_segments(), None).empty


def test_surrogate_descriptor_records_how_the_second_coder_was_made():
    from compendium.inputs.packages import read_descriptor

    targets = load_targets(ROOT / "data" / "surrogate" / "targets.yaml")
    descriptor = read_descriptor(ROOT / "data" / "coded" / "surrogate")
    made = agreement.generated_with(descriptor)
    assert made == {k: targets["second_coder"][k] for k in made}
    assert set(made) == {"disagreement_rate", "participants_share", "seed"}
    assert agreement.generated_with({"resources": [{"name": "segments"}]}) is None


def _expected_kappa(segments: pd.DataFrame, theme: str, rate: float, n_themes: int) -> float:
    """Kappa of the expected 2x2 table under the surrogate's second-coder model.

    Independent of the implementation: coder 2 keeps a segment's secondary theme, drops the
    primary theme with probability ``rate`` and then picks one of the themes the segment does
    not carry, uniformly.
    """
    carried = segments["secondary_theme"].notna().to_numpy() + 1
    primary = (segments["theme"] == theme).to_numpy()
    secondary = (segments["secondary_theme"] == theme).fillna(False).to_numpy()
    a = primary | secondary
    b = np.where(primary, 1 - rate, np.where(secondary, 1.0, rate / (n_themes - carried)))
    n11, n10 = b[a].sum(), (1 - b[a]).sum()
    n01, n00 = b[~a].sum(), (1 - b[~a]).sum()
    n = n11 + n10 + n01 + n00
    observed = (n11 + n00) / n
    chance = ((n11 + n10) * (n11 + n01) + (n01 + n00) * (n10 + n00)) / n**2
    return (observed - chance) / (1 - chance)


def test_built_agreement_agrees_with_the_rate_it_was_generated_with(surrogate_corpus):
    """The committed agreement table is what the second coder's set rate predicts."""
    import json

    corpus, codebook = surrogate_corpus
    results = json.loads((ROOT / "reports" / "results" / "agreement.json").read_text())
    rate = results["generated_with"]["disagreement_rate"]
    second = load_second_coding(corpus.directory, corpus.segments, codebook.codes)
    doubly = corpus.segments[corpus.segments["segment_id"].isin(second["segment_id"])]
    table = pd.read_csv(ROOT / "reports" / "tables" / "agreement_by_theme.csv")
    assert list(table["theme"]) == codebook.codes
    assert (table["n_units"] == len(doubly)).all()
    # 1. the share of primary themes the second coder replaced is the set rate, up to chance
    check = results["generator_check"]
    assert check["segments"] == len(doubly) and check["rate_set"] == rate
    assert abs(check["measured"] - rate) <= 3.29 * np.sqrt(rate * (1 - rate) / len(doubly))
    # 2. given the realised share, each theme's kappa is what the model predicts (99.9 %)
    for row in table.itertuples():
        expected = _expected_kappa(doubly, row.theme, check["measured"], len(codebook.codes))
        standard_error = (row.cohen_high - row.cohen_low) / (2 * 1.96)
        assert abs(row.cohen_kappa - expected) <= 3.29 * standard_error, (row.theme, expected)
        assert row.flag == (min(row.cohen_kappa, row.alpha) < results["threshold"])
    assert results["available"] and results["corpus_synthetic"]
