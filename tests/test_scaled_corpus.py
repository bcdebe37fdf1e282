"""The scale generator writes corpora that validate, and a second load comes from the cache."""

from __future__ import annotations

import sys

import pytest

from compendium import surrogate
from compendium.cli import main
from compendium.inputs import corpus as corpus_module
from compendium.inputs import corpus_cache
from compendium.inputs.corpus import load_corpus


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaled") / "scaled"
    surrogate.write(surrogate.scaled_corpus(100, 100, seed=3), folder, name="scaled")
    return folder


def test_scaled_corpus_passes_validate_and_then_hits_the_cache(
    scaled, codebook, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(corpus_cache.ENVIRONMENT, str(tmp_path / "cache"))
    monkeypatch.setattr(corpus_cache, "stats", {"hits": 0, "misses": 0, "stored": 0})
    assert main(["validate", str(scaled)]) == 0
    out = capsys.readouterr().out
    assert "100 participants (100 analysed, 0 withdrawn), 10000 segments, 3 groups" in out
    assert corpus_cache.stats == {"hits": 0, "misses": 1, "stored": 1}

    def refuse(*args, **kwargs):
        raise AssertionError("validated again")

    monkeypatch.setattr(corpus_module, "load_package", refuse)
    monkeypatch.delitem(sys.modules, "frictionless", raising=False)
    corpus = load_corpus(scaled, codebook)
    assert corpus_cache.stats == {"hits": 1, "misses": 1, "stored": 1}
    assert "frictionless" not in sys.modules  # not even imported on a hit
    assert len(corpus.segments) == 10_000
    assert corpus.synthetic


def test_scaled_corpus_has_what_the_schema_requires():
    corpus = surrogate.scaled_corpus(30, 5, seed=0)
    assert list(corpus.participants.columns) == [
        "participant_id",
        "group",
        "interview_mode",
        "status",
        "quotable",
        "area",
    ]
    assert corpus.participants["area"].str.fullmatch(r"A\d\d").all()
    assert corpus.groups["label"].str.len().gt(0).all()
    assert corpus.groups["typical_roles"].str.len().gt(0).all()


def test_scaled_segments_are_those_of_the_same_seed_before_areas_were_added():
    """Areas are drawn after the segments: the segments of a seed did not change."""
    corpus = surrogate.scaled_corpus(6, 4, seed=1)
    assert corpus.segments["theme"].tolist()[:6] == FIRST_THEMES_SEED_1


FIRST_THEMES_SEED_1 = ["W", "V", "W", "D", "L", "F"]
