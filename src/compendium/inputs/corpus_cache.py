"""Validated corpora cached by content: a corpus is validated once per content.

Every pipeline step loads the coded corpus; on 10^6 segments full validation (frictionless plus
the checks of :mod:`compendium.inputs.corpus`) takes 15-20 s, and the rows are the same in every
step.  After a corpus has passed full validation, :func:`store` keeps what
:class:`~compendium.inputs.corpus.CodedCorpus` holds (name, synthetic flag, the typed
participants, groups and segments frames) in one file named by a key; :func:`lookup` finds it
again when the same content is loaded with the same codebook and the same validator.

The key is the SHA-256 of, in order:

- a cache-format version, the Python, pandas, numpy and frictionless versions and the source of
  the modules that validate and type a corpus (a new check or a new dtype is a new key);
- every file under the corpus folder: its path relative to the folder, its size and the
  SHA-256 of its bytes (read in 1 MiB chunks), so editing, adding, removing or renaming any
  file gives another key;
- the codebook's tables as loaded (themes and subthemes, values and dtypes): that is what the
  corpus is checked against, so editing any value of the codebook gives another key.

The folder's path is not in the key: a copy of the same content hits the same entry (the
returned corpus names the folder it was asked for).

Where entries live (``COMPENDIUM_CORPUS_CACHE`` overrides: a folder, or ``off``):

- a corpus inside a project (a folder with ``data/codebook/datapackage.json`` at or above it):
  ``<project root>/.cache/corpus/<key>.pickle`` (``.cache/`` is git-ignored);
- any other corpus: the user's cache folder, ``$XDG_CACHE_HOME/compendium/corpus`` (default
  ``~/.cache/compendium/corpus``).  Not beside the corpus: a corpus folder is often received
  from someone else, and an entry shipped next to it would be unpickled (see below); nor would
  an importer or a reader of that folder expect a new sibling folder to appear.

Why pickle: the entries are the project's own, content-addressed, written only by this module
after full validation and never committed or shared, so the usual objection (unpickling runs
code from the file) is about who can write the cache folder, which is the project's (or the
user's) own.  Pickle keeps pandas' extension dtypes exactly and loads the 10^6-segment frames
in about 0.2 s without pyarrow; a CSV re-read would take seconds.  Entries hold the same
participant data as the corpus itself: files are created readable by their owner only.

An entry starts with a magic line and the SHA-256 of the pickled payload.  A missing,
truncated, corrupt or otherwise unreadable entry is a miss (full validation, entry rewritten),
never an error.  Entries are written to a temporary file in the cache folder, then moved into
place with :func:`os.replace`, so concurrent steps never read half an entry.  A cache folder
that cannot be written is no error either: the corpus is then validated at every load.
A corpus that fails validation is never stored (its :class:`InputError` is raised before).
Each folder keeps the ``KEEP`` most recently used entries (a hit marks its entry used), so
editing a corpus again and again does not fill the disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CACHE_FORMAT = 1
ENVIRONMENT = "COMPENDIUM_CORPUS_CACHE"
OFF = {"off", "0", "no", "false"}
CHUNK = 1 << 20
MAGIC = b"compendium corpus cache\n"
SUFFIX = ".pickle"
KEEP = 8  # entries kept per cache folder, the most recently used
STALE_SCRATCH_SECONDS = 3600  # a scratch file this old was left by a killed process
# The modules whose code decides whether a corpus is valid and how its frames are typed.
VALIDATOR_MODULES = ("corpus.py", "corpus_cache.py", "packages.py", "formulas.py", "errors.py")

stats = {"hits": 0, "misses": 0, "stored": 0}
"""Counts in this process: loads served from the cache, loads validated in full, entries written."""


@dataclass(frozen=True)
class Slot:
    """Where the entry for one content lives (``path`` None: this corpus is not cached)."""

    key: str | None
    path: Path | None


def cache_folder(directory: Path) -> Path | None:
    """The folder that holds the entries for a corpus in ``directory`` (None: caching off)."""
    from compendium.paths import project_root

    chosen = os.environ.get(ENVIRONMENT, "").strip()
    if chosen.lower() in OFF:
        return None
    if chosen:
        return Path(chosen)
    try:
        return project_root(directory) / ".cache" / "corpus"
    except (FileNotFoundError, OSError):
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "compendium" / "corpus"


def file_digest(path: Path) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.digest()


@cache
def _environment_digest() -> bytes:
    import importlib.metadata

    import numpy as np
    import pandas as pd

    try:
        frictionless = importlib.metadata.version("frictionless")
    except importlib.metadata.PackageNotFoundError:
        frictionless = "absent"
    digest = hashlib.sha256()
    versions = (CACHE_FORMAT, sys.version_info[:2], pd.__version__, np.__version__, frictionless)
    digest.update(repr(versions).encode())
    here = Path(__file__).parent
    for name in VALIDATOR_MODULES:
        digest.update(name.encode() + b"\0" + file_digest(here / name))
    return digest.digest()


def _folder_digest(directory: Path) -> bytes:
    """Names, sizes and bytes of every file under ``directory`` (special files by name only)."""
    digest = hashlib.sha256()
    entries = []
    for folder, subfolders, files in os.walk(directory):
        subfolders.sort()
        for name in files:
            entries.append(Path(folder, name))
    for path in sorted(entries, key=lambda p: p.relative_to(directory).as_posix()):
        relative = path.relative_to(directory).as_posix().encode("utf-8", "surrogateescape")
        info = path.stat()
        if stat.S_ISREG(info.st_mode):
            content = str(info.st_size).encode() + b"\0" + file_digest(path)
        else:  # a FIFO or device: never read (it could block); its presence still counts
            content = b"special"
        digest.update(relative + b"\0" + content + b"\n")
    return digest.digest()


def _codebook_digest(codebook) -> bytes:
    digest = hashlib.sha256()
    for frame in (codebook.themes, codebook.subthemes):
        digest.update(repr(list(frame.dtypes.astype(str).items())).encode())
        digest.update(frame.to_csv(index=False, lineterminator="\n").encode())
    return digest.digest()


def corpus_key(directory: Path | str, codebook) -> str:
    """The content key of the corpus in ``directory`` checked against ``codebook`` (hex)."""
    digest = hashlib.sha256(MAGIC)
    digest.update(_environment_digest())
    digest.update(_folder_digest(Path(directory)))
    digest.update(_codebook_digest(codebook))
    return digest.hexdigest()


def slot(directory: Path | str, codebook) -> Slot:
    """The key and entry path of a corpus; ``Slot(None, None)`` if it cannot be cached."""
    directory = Path(directory)
    folder = cache_folder(directory)
    if folder is None or not (directory / "datapackage.json").is_file():
        return Slot(None, None)  # not a package: full validation says so
    try:
        key = corpus_key(directory, codebook)
    except OSError:  # an unreadable file: full validation names it
        return Slot(None, None)
    return Slot(key, folder / f"{key}{SUFFIX}")


def read(entry: Slot, fields: tuple[str, ...]) -> dict | None:
    """The cached fields of ``entry``, or None on a miss (no entry, or one that is not sound)."""
    if entry.path is None:
        return None
    try:
        raw = entry.path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + hashlib.sha256().digest_size
    if not raw.startswith(MAGIC) or hashlib.sha256(raw[head:]).digest() != raw[len(MAGIC) : head]:
        return None
    try:
        record = pickle.loads(raw[head:])  # the project's own cache, see above
    except Exception:  # any unpickling failure is a miss, never a crash
        return None
    if (
        not isinstance(record, dict)
        or record.get("format") != CACHE_FORMAT
        or record.get("key") != entry.key
        or not isinstance(record.get("fields"), dict)
        or tuple(sorted(record["fields"])) != tuple(sorted(fields))
    ):
        return None
    return record["fields"]


def write(entry: Slot, fields: dict) -> bool:
    """Store ``fields`` (of a corpus that passed full validation) atomically; False if not."""
    if entry.path is None:
        return False
    payload = pickle.dumps(
        {"format": CACHE_FORMAT, "key": entry.key, "fields": fields},
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    scratch = None
    try:
        entry.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, scratch = tempfile.mkstemp(
            dir=entry.path.parent, prefix=f".{entry.key[:16]}.", suffix=".part"
        )
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + hashlib.sha256(payload).digest())
            out.write(payload)
        os.replace(scratch, entry.path)
    except OSError:
        if scratch is not None:
            Path(scratch).unlink(missing_ok=True)
        return False
    return True


def lookup(directory: Path | str, codebook, fields: tuple[str, ...]) -> tuple[Slot, dict | None]:
    """The slot of a corpus and its cached ``fields`` (None on a miss); counts hits and misses."""
    entry = slot(directory, codebook)
    found = read(entry, fields)
    stats["hits" if found is not None else "misses"] += 1
    if found is not None:
        with contextlib.suppress(OSError):
            os.utime(entry.path)  # most recently used: kept by prune()
    return entry, found


def store(entry: Slot, fields: dict, directory: Path | str, codebook) -> None:
    """Keep the fields of a validated corpus; a cache that cannot be written is not an error.

    The key is computed again first: if the folder changed while it was being validated, what
    was validated may not be the content of either key, and nothing is stored.
    """
    if entry.path is None or slot(directory, codebook) != entry:
        return
    if write(entry, fields):
        stats["stored"] += 1
        prune(entry.path.parent)


def prune(folder: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used entries, and stale scratch files.

    Another process may be reading an entry removed here: it has it open, or it misses and
    validates in full.  Either way nothing breaks.
    """
    now = time.time()
    entries = []
    try:
        for path in folder.iterdir():
            info = path.stat()
            if path.suffix == SUFFIX:
                entries.append((info.st_mtime, path))
            elif path.suffix == ".part" and now - info.st_mtime > STALE_SCRATCH_SECONDS:
                path.unlink(missing_ok=True)
        for _, path in sorted(entries, reverse=True)[keep:]:
            path.unlink(missing_ok=True)
    except OSError:
        return
