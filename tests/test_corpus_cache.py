"""A corpus is validated once per content: the typed-frame cache behind ``load_corpus``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from compendium.inputs import corpus as corpus_module
from compendium.inputs import corpus_cache
from compendium.inputs.codebook import load_codebook
from compendium.inputs.corpus import load_corpus
from compendium.inputs.errors import InputError

TABLES = ("participants", "groups", "segments")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of the test's own (every test starts with an empty cache)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(corpus_cache.ENVIRONMENT, str(folder))
    monkeypatch.setattr(corpus_cache, "stats", {"hits": 0, "misses": 0, "stored": 0})
    return folder


def no_validation(monkeypatch) -> None:
    """Make full validation impossible: a load that still succeeds came from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("the corpus was validated again")

    monkeypatch.setattr(corpus_module, "load_package", refuse)


def assert_same_corpus(a, b) -> None:
    assert (a.name, a.synthetic, a.directory) == (b.name, b.synthetic, b.directory)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True)


def test_second_load_hits_and_gives_the_same_frames(tiny_corpus, codebook, cache, monkeypatch):
    first = load_corpus(tiny_corpus, codebook)
    assert corpus_cache.stats == {"hits": 0, "misses": 1, "stored": 1}
    assert len(list(cache.glob("*.pickle"))) == 1
    no_validation(monkeypatch)
    second = load_corpus(tiny_corpus, codebook)
    assert corpus_cache.stats == {"hits": 1, "misses": 1, "stored": 1}
    assert_same_corpus(first, second)
    assert second.participants is not first.participants  # a fresh copy, safe to modify


def test_a_copy_elsewhere_hits_and_names_its_own_folder(tiny_corpus, codebook, cache, tmp_path):
    load_corpus(tiny_corpus, codebook)
    copy = shutil.copytree(tiny_corpus, tmp_path / "elsewhere" / "tiny")
    loaded = load_corpus(copy, codebook)
    assert corpus_cache.stats["hits"] == 1
    assert loaded.directory == copy


def test_any_byte_of_any_file_changes_the_key(tiny_corpus, codebook, cache):
    key = corpus_cache.corpus_key(tiny_corpus, codebook)
    for path in sorted(tiny_corpus.iterdir()):
        original = path.read_bytes()
        for position in (0, len(original) // 2, len(original) - 1):
            edited = bytearray(original)
            edited[position] ^= 0x01
            path.write_bytes(bytes(edited))
            assert corpus_cache.corpus_key(tiny_corpus, codebook) != key, (path.name, position)
        path.write_bytes(original)
    assert corpus_cache.corpus_key(tiny_corpus, codebook) == key


def test_adding_or_renaming_a_file_changes_the_key(tiny_corpus, codebook, cache):
    key = corpus_cache.corpus_key(tiny_corpus, codebook)
    (tiny_corpus / "second_coding.csv").write_text("segment_id,coder,theme\nx1,Bea,G\n")
    with_file = corpus_cache.corpus_key(tiny_corpus, codebook)
    assert with_file != key
    (tiny_corpus / "second_coding.csv").rename(tiny_corpus / "notes.csv")
    assert corpus_cache.corpus_key(tiny_corpus, codebook) not in (key, with_file)
    (tiny_corpus / "notes.csv").unlink()
    (tiny_corpus / "sub").mkdir()
    (tiny_corpus / "sub" / "x.txt").write_text("x")
    assert corpus_cache.corpus_key(tiny_corpus, codebook) != key


@pytest.mark.parametrize(
    ("table", "before", "after"),
    [
        ("themes.csv", "1,G,Governance,", "1,G,Governancf,"),
        ("subthemes.csv", 'voting, politics)",816', 'voting, politics)",817'),
        ("subthemes.csv", "(consensus, voting", "(consensus, votinh"),
    ],
)
def test_an_edit_of_the_codebook_changes_the_key(
    tiny_corpus, codebook, tmp_path, table, before, after
):
    copy = shutil.copytree(ROOT / "data" / "codebook", tmp_path / "codebook")
    assert corpus_cache.corpus_key(tiny_corpus, load_codebook(copy)) == (
        corpus_cache.corpus_key(tiny_corpus, codebook)
    )
    path = copy / table
    text = path.read_text()
    assert text.count(before) == 1
    path.write_text(text.replace(before, after))
    assert corpus_cache.corpus_key(tiny_corpus, load_codebook(copy)) != (
        corpus_cache.corpus_key(tiny_corpus, codebook)
    )


def test_a_bad_corpus_is_never_cached(tiny_corpus, codebook, cache):
    segments = tiny_corpus / "segments.csv"
    segments.write_text(segments.read_text().replace("x3,A2,G,C", "x3,A2,Q,C"))
    messages = []
    for _ in range(2):
        with pytest.raises(InputError) as caught:
            load_corpus(tiny_corpus, codebook)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "unknown theme code 'Q'" in messages[0]
    assert not cache.exists() or not list(cache.iterdir())
    assert corpus_cache.stats == {"hits": 0, "misses": 2, "stored": 0}


def test_an_edited_corpus_is_validated_again(tiny_corpus, codebook, cache):
    load_corpus(tiny_corpus, codebook)
    segments = tiny_corpus / "segments.csv"
    segments.write_text(segments.read_text().replace("x3,A2,G,C", "x3,A2,Q,C"))
    with pytest.raises(InputError, match="unknown theme code 'Q'"):
        load_corpus(tiny_corpus, codebook)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"",
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"not a cache entry at all",
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 0xFF]),
        lambda raw: corpus_cache.MAGIC + raw[len(corpus_cache.MAGIC) :][::-1],
    ],
    ids=["empty", "truncated", "garbage", "last-byte", "reversed"],
)
def test_a_damaged_entry_is_a_miss_and_is_rewritten(tiny_corpus, codebook, cache, damage):
    first = load_corpus(tiny_corpus, codebook)
    (entry,) = cache.glob("*.pickle")
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    again = load_corpus(tiny_corpus, codebook)
    assert corpus_cache.stats == {"hits": 0, "misses": 2, "stored": 2}
    assert_same_corpus(first, again)
    assert entry.read_bytes() == good


def test_a_sound_entry_for_another_key_is_a_miss(tiny_corpus, codebook, cache):
    load_corpus(tiny_corpus, codebook)
    (entry,) = cache.glob("*.pickle")
    fields = {table: pd.DataFrame() for table in TABLES}
    corpus_cache.write(corpus_cache.Slot("0" * 64, entry), fields)  # right file, wrong key inside
    loaded = load_corpus(tiny_corpus, codebook)
    assert corpus_cache.stats["hits"] == 0
    assert len(loaded.segments) == 5


def test_an_unwritable_cache_is_no_error(tiny_corpus, codebook, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(corpus_cache.ENVIRONMENT, str(blocker / "cache"))
    assert load_corpus(tiny_corpus, codebook).n_analysed == 3
    assert load_corpus(tiny_corpus, codebook).n_analysed == 3
    assert not list(tmp_path.glob("**/*.part"))


def test_cache_can_be_switched_off(tiny_corpus, codebook, monkeypatch):
    monkeypatch.setenv(corpus_cache.ENVIRONMENT, "off")
    assert corpus_cache.slot(tiny_corpus, codebook) == corpus_cache.Slot(None, None)
    assert load_corpus(tiny_corpus, codebook).n_analysed == 3


def test_where_entries_live(tmp_path, monkeypatch):
    monkeypatch.delenv(corpus_cache.ENVIRONMENT, raising=False)
    surrogate = ROOT / "data" / "coded" / "surrogate"
    assert corpus_cache.cache_folder(surrogate) == ROOT / ".cache" / "corpus"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert corpus_cache.cache_folder(tmp_path / "c") == tmp_path / "xdg" / "compendium" / "corpus"


def test_project_cache_is_ignored_by_git():
    assert ".cache/" in (ROOT / ".gitignore").read_text().splitlines()


def test_validate_command_fills_the_cache(tiny_corpus, codebook, cache, monkeypatch, capsys):
    from compendium.cli import main

    assert main(["validate", str(tiny_corpus)]) == 0
    assert "valid:" in capsys.readouterr().out
    no_validation(monkeypatch)
    assert load_corpus(tiny_corpus, codebook).n_analysed == 3
    assert corpus_cache.stats["hits"] == 1


def test_only_the_most_recently_used_entries_are_kept(tiny_corpus, codebook, cache):
    import os

    load_corpus(tiny_corpus, codebook)
    (used,) = cache.glob("*.pickle")
    os.utime(used, (1, 1))  # long ago
    for k in range(corpus_cache.KEEP + 2):
        (cache / f"{k:064x}.pickle").write_bytes(b"old")
        os.utime(cache / f"{k:064x}.pickle", (100 + k, 100 + k))
    (cache / ".stale.part").write_bytes(b"")
    os.utime(cache / ".stale.part", (1, 1))
    load_corpus(tiny_corpus, codebook)  # a hit marks the entry used
    assert corpus_cache.stats["hits"] == 1
    corpus_cache.prune(cache)
    kept = sorted(p.name for p in cache.iterdir())
    assert len(kept) == corpus_cache.KEEP
    assert used.name in kept
    assert f"{corpus_cache.KEEP + 1:064x}.pickle" in kept  # the newest of the others
    assert f"{0:064x}.pickle" not in kept
