"""What the NLP keeps on disk between runs, so a new process does not start from nothing.

Each command of the command line is a process of its own: without this, every ``suggest``
parsed every transcript again (spaCy's lookup tables alone take a second per language) and
fitted the model on every coding of the project. Kept here, each under a key made of its
content and of the code that made it:

* the analysis of a text (:mod:`qualcode.nlp.pipeline`), by the text's hash and the pipeline
  (spaCy and lookup-table versions, installed pipeline named);
* a fitted suggestion model, by the suggester's name and a hash of everything it learned from;
* a list of themes, by a hash of the texts it was found in; and the list ``qualcode themes``
  showed last for a project (its file or URL), with that hash.

Apart from that last one, a key never names a project: two projects with the same texts and
codings share the entry, and a changed input is a new key, so nothing is ever stale; old
entries are dropped by size.
Every key includes :func:`code_version` (the NLP's source files and the libraries' versions),
so a new qualcode or scikit-learn never reads what an older one kept.

Where: ``$QUALCODE_CACHE_DIR``, else ``$XDG_CACHE_HOME/qualcode``, else ``~/.cache/qualcode``;
``QUALCODE_CACHE_DIR=off`` keeps nothing. The folder is the user's own (mode 0700): models are
pickles, read only from there, never from a project file another coder could write. A cache
that cannot be read or written (a read-only home, a full disk) is skipped without a word:
it only ever saves time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

M = TypeVar("M")

ENV = "QUALCODE_CACHE_DIR"
OFF = ("off", "none", "0", "no")
# Small entries (analyses, theme lists) live in one SQLite file, dropped oldest first above
# this size; models are files of their own, the newest MODELS kept.
VALUES_BYTES = 256 * 2**20
MODELS = 8
_LOCK = threading.Lock()


def cache_dir() -> Path | None:
    """The folder kept entries live in, or None when keeping is off (see the module)."""
    raw = os.environ.get(ENV)
    if raw is not None and raw.strip().lower() in (*OFF, ""):
        return None
    if raw:
        return Path(raw).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qualcode"


def digest(*parts: Any) -> str:
    """A hash of ``parts`` (JSON-able: strings, numbers, lists, dicts), the key of an entry."""
    data = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """Sets as sorted lists and other values by their ``repr`` (dataclasses say all they
    hold), so a key is the same in every process."""
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    return repr(value)


@functools.cache
def code_version() -> str:
    """The NLP's own source files and the versions of the libraries whose objects it keeps:
    an entry made by other code is never read."""
    from importlib import metadata

    here = Path(__file__).parent
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(here.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for dist in ("qualcode", "spacy", "spacy-lookups-data", "scikit-learn", "numpy", "scipy"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=none".encode())
    return h.hexdigest()[:32]


def _folder() -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return root


@contextlib.contextmanager
def _values() -> Iterator[sqlite3.Connection | None]:
    """The SQLite file of small entries, or None when it cannot be used."""
    root = _folder()
    if root is None:
        yield None
        return
    try:
        conn = sqlite3.connect(root / "values.sqlite", timeout=5.0)
    except sqlite3.Error:
        yield None
        return
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS kept (kind TEXT, key TEXT, value BLOB, "
            "PRIMARY KEY (kind, key))"
        )
        yield conn
        conn.commit()
    except sqlite3.Error:
        yield None
    finally:
        conn.close()


def get_values(kind: str, keys: Iterable[str]) -> dict[str, bytes]:
    """The entries of ``kind`` kept under ``keys`` (those missing are left out)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, bytes] = {}
    if not wanted:
        return found
    with _LOCK, _values() as conn:
        if conn is None:
            return found
        try:
            for lo in range(0, len(wanted), 500):
                chunk = wanted[lo : lo + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    conn.execute(
                        f"SELECT key, value FROM kept WHERE kind = ? AND key IN ({marks})",
                        [kind, *chunk],
                    ).fetchall()
                )
        except sqlite3.Error:
            return {}
    return found


def put_values(kind: str, items: dict[str, bytes]) -> None:
    """Keep ``items`` (key to value) as entries of ``kind``; the oldest entries go when the
    file grows past its size."""
    if not items:
        return
    with _LOCK, _values() as conn:
        if conn is None:
            return
        try:
            conn.executemany(
                "INSERT OR REPLACE INTO kept (kind, key, value) VALUES (?, ?, ?)",
                [(kind, k, v) for k, v in items.items()],
            )
            (size,) = conn.execute("SELECT COALESCE(SUM(LENGTH(value)), 0) FROM kept").fetchone()
            if size > VALUES_BYTES:  # the oldest rows first (rowids grow with inserts)
                conn.execute(
                    "DELETE FROM kept WHERE rowid IN (SELECT rowid FROM kept ORDER BY rowid "
                    "LIMIT (SELECT COUNT(*) / 2 FROM kept))"
                )
        except sqlite3.Error:
            return


def get_json(kind: str, key: str) -> Any:
    """An entry kept with :func:`put_json`, or None."""
    raw = get_values(kind, [key]).get(key)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def put_json(kind: str, key: str, value: Any) -> None:
    put_values(kind, {key: json.dumps(value, ensure_ascii=False).encode("utf-8")})


def fitted(name: str, inputs: Any, fit: Callable[[], M]) -> Callable[[], M]:
    """``fit``, answered from the model kept for ``name`` and ``inputs`` when there is one;
    a model it fits is kept. ``inputs`` is everything the fit learns from (JSON-able, see
    :func:`digest`); the key adds the suggester's name and :func:`code_version`."""
    key = digest(name, code_version(), inputs)

    def run() -> M:
        kept = load_model(name, key)
        if kept is not None:
            model: M = kept
            return model
        model = fit()
        save_model(name, key, model)
        return model

    return run


def _model_path(name: str, key: str) -> Path | None:
    root = _folder()
    if root is None:
        return None
    return root / "models" / f"{name}-{key[:40]}.pickle"


def load_model(name: str, key: str) -> Any:
    """The model kept for ``name`` and ``key``, or None."""
    path = _model_path(name, key)
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            model = pickle.load(f)  # the user's own cache folder (see the module)
        os.utime(path)  # used now: the last to go
    except Exception:  # a truncated or foreign file is no model: fit one
        return None
    return model


def save_model(name: str, key: str, model: Any) -> None:
    """Keep ``model`` (written whole, then renamed), and drop all but the newest models."""
    path = _model_path(name, key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        models = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in models[:-MODELS]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return


def word_table(name: str, load: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A large table of words (``load()``'s, strings to numbers or strings) read from one
    file kept under ``name`` and :func:`code_version`: ``marshal`` reads a million entries
    in a fraction of the time the JSON they come from takes."""
    import marshal

    root = _folder()
    path = None if root is None else root / f"{name}-{code_version()}.marshal"
    if path is not None and path.is_file():
        try:
            table = marshal.loads(path.read_bytes())
            if isinstance(table, dict):
                return table
        except (OSError, ValueError, EOFError, TypeError):
            pass
    table = load()
    if path is not None:
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(marshal.dumps(table))
            os.replace(tmp, path)
        except (OSError, ValueError):
            pass
    return table
