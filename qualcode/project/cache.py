"""What the suggesters keep between calls, and the thread that refits their model.

One object owns it all: the fitted model with the key it was fitted for, the background
refit, the shared TF-IDF features, and the spoken text of the sources the NLP read last
(a :class:`Recent` with a lock of its own). The rest is read and written under one lock,
so deciding "is this model current, is a refit for it running, start one" is one step: a
refit finishing in its thread, or a second caller (a TUI worker, the main thread), never
sees that decision half made, and one change of the codings starts one refit, not one per
caller.

The work itself (reading the store, fitting) runs outside the lock; only the bookkeeping is
inside it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

M = TypeVar("M")
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Sources whose sentence units (or spoken text) a project keeps: a study of a few hundred
# interviews reads each from memory, a survey of thousands of answers does not grow without
# end (the least recently used are split again when read).
KEPT_SOURCES = 512


class Recent(Generic[K, V]):
    """The ``size`` values used last, by key (least recently used dropped first), safe to
    share between the threads of one project (the TUI's workers and its main thread)."""

    def __init__(self, size: int = KEPT_SOURCES) -> None:
        if size < 1:
            raise ValueError(f"a cache keeps at least one value, not {size}")
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def get(self, key: K) -> V | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            if key not in self._values:
                return None
            self._values.move_to_end(key)
            return self._values[key]

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` for ``key`` unless one is kept already; the kept one is returned."""
        with self._lock:
            kept = self._values.setdefault(key, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
            return kept


@dataclass(frozen=True, slots=True)
class _Fitted(Generic[M]):
    key: str  # everything the model learnt from: codings, codes, feedback, spaCy model
    book_key: str  # the codebook part of it: a change there is never left for later
    model: M
    generation: int  # fits are numbered as they start; an older fit never replaces a newer


@dataclass(frozen=True, slots=True)
class _Refit:
    key: str
    done: threading.Event


class SuggesterCache(Generic[M]):
    """The suggestion model of one project, its background refit, and the inputs the NLP
    reuses (TF-IDF features, spoken texts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fitted: _Fitted[M] | None = None
        self._started = 0  # the number of the last fit started
        self._refit: _Refit | None = None
        self._vectorizer: tuple[str, Any] | None = None
        self._spoken: Recent[Hashable, str] = Recent()

    # -- the model -----------------------------------------------------------------------

    def model(
        self,
        key: str,
        book_key: str,
        prepare: Callable[[], Callable[[], M]],
        *,
        wait: bool,
        refit: bool = True,
    ) -> M:
        """The model fitted for ``key``, fitting it if needed.

        ``prepare`` gathers what the model learns from (in the caller's thread, as it reads
        the store) and returns the fit to run. With ``wait`` False and a model fitted for the
        same codebook (``book_key``: only codings or feedback changed), that model is
        returned at once and the fit runs in a background thread; callers that come while it
        runs get the same answer and start no second fit. With ``refit`` False too, that
        model is returned and no fit is started.
        """
        with self._lock:
            fitted = self._fitted
            if fitted is not None and fitted.key == key:
                return fitted.model
            background = not wait and fitted is not None and fitted.book_key == book_key
            running = self._refit
            refitting = running is not None and running.key == key and not running.done.is_set()
            if background and (refitting or not refit):
                assert fitted is not None
                return fitted.model
            self._started += 1
            generation = self._started
            claim = _Refit(key, threading.Event()) if background else None
            if claim is not None:
                self._refit = claim  # claimed before the store is read: no second refit
        try:
            fit = prepare()
        except BaseException:
            if claim is not None:
                claim.done.set()
            raise
        if claim is None:
            model = fit()
            self._install(_Fitted(key, book_key, model, generation))
            return model

        def work() -> None:
            try:
                self._install(_Fitted(key, book_key, fit(), generation))
            finally:
                claim.done.set()

        threading.Thread(target=work, name="qualcode-refit", daemon=True).start()
        assert fitted is not None
        return fitted.model

    def _install(self, fitted: _Fitted[M]) -> None:
        with self._lock:
            # A model fitted for older codings never replaces one fitted for newer codings.
            if self._fitted is None or fitted.generation >= self._fitted.generation:
                self._fitted = fitted

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the background refit started last, if any, to finish."""
        with self._lock:
            running = self._refit
        if running is not None:
            running.done.wait(timeout)

    # -- what the NLP reuses -------------------------------------------------------------

    def vectorizer(self, key: str, build: Callable[[], T]) -> T:
        """The TF-IDF features for ``key``, built (outside the lock) when the key changed."""
        with self._lock:
            kept = self._vectorizer
        if kept is not None and kept[0] == key:
            value: T = kept[1]  # what build() returned for this key
            return value
        built = build()
        with self._lock:
            self._vectorizer = (key, built)
        return built

    def spoken_text(self, key: Hashable, build: Callable[[], str]) -> str:
        """The text the NLP reads for ``key`` (a source and its content hash), kept."""
        kept = self._spoken.get(key)
        return kept if kept is not None else self._spoken.put(key, build())
