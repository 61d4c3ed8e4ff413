"""What the store keeps of the codebook, the sources and the coders between reads.

On a server every read is a round trip, and coding a passage used to read the source, the
codebook and the coder's id again each time, though they change far more rarely than the
codings. The server keeps a catalog version (:func:`qualcode.store.server.catalog_token`)
that every write of those tables changes in its own transaction; a read of them is kept
with the version it was made at and reused while the version stays, by any transaction.

One read of the version serves a whole transaction as long as it writes nothing (see
``StoreBase._catalog_token``): a write there may change the version, which is then read
again. A read made at a version that a rolled-back change had set is never reused: the
server never sets that version again. Where the dialect keeps no version (SQLite, whose
reads cost no round trip), nothing is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class Catalog:
    """Reads kept by key for one catalog version; a new version drops them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: Hashable | None = None
        self._kept: dict[Hashable, Any] = {}

    def get(self, token: Hashable | None, key: Hashable, load: Callable[[], T]) -> T:
        """What ``load()`` reads, kept for ``token``; never kept if the token is None."""
        if token is None:
            return load()
        with self._lock:
            if token != self._token:
                self._token, self._kept = token, {}
            if key in self._kept:
                return cast(T, self._kept[key])
        value = load()  # outside the lock: a read takes a round trip
        with self._lock:
            if token == self._token:
                self._kept[key] = value
        return value
