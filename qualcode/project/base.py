"""The context every service of a project shares: the store, settings, the current coder, the
caches, and turning what a user types (a source or code name, a path) into ids."""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import CodebookError, ProjectError, quoted
from qualcode.model import (
    SOURCE_KINDS,
    Code,
    Codebook,
    Source,
    Turn,
    case_twins,
    join_path,
    split_path,
)
from qualcode.project.cache import Recent, SuggesterCache
from qualcode.project.new_codes import NewCodes, existing_part, one_name
from qualcode.store import Store
from qualcode.store.settings import SettingKey, Settings

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.nlp.combined_v4 import CombinedSuggesterV4

LANGUAGE_CODE = r"[a-z]{2,3}([_-][A-Za-z]{2,4})?"  # en, de, pt-BR, zh_Hans
# The setting naming the case attribute that holds what each source answers (a survey
# sheet's question column, ``import --question-column``): the suggester's context.
CONTEXT_SETTING = SettingKey.NLP_CONTEXT


class ProjectContext:
    """What every service of :class:`qualcode.project.Project` shares: the store, settings,
    the coder, the caches, and the lookups from what a user types to ids. One per project,
    built by ``Project.__init__`` and handed to each service's constructor."""

    def __init__(self, store: Store, path: Path | None = None) -> None:
        """A context over an open ``store``; ``path`` is the project file, if any."""
        self.store = store
        self.path = path  # the project file, if the project was opened from one
        # The fitted suggestion model, its background refit, and what the NLP reuses.
        self.nlp: SuggesterCache[CombinedSuggesterV4] = SuggesterCache()
        # The sentence units of the sources read last, for the reports (Reports._sentences).
        self.sentence_frames: Recent[tuple[int, str], pd.DataFrame] = Recent()
        # The turns of the sources read last, by source and import (the coding screen asks
        # for a source's codings, and so its turns, after every change).
        self._turns: Recent[tuple[int, str, str], tuple[Turn, ...]] = Recent()

    @property
    def label(self) -> str:
        return self.store.label

    def without_waiting(self) -> AbstractContextManager[None]:
        """Writes in this block raise :class:`qualcode.errors.ProjectBusy` at once while
        another process writes to the project, instead of waiting for it: a screen can say
        so and wait in the background."""
        return self.store.without_waiting()

    # -- settings ------------------------------------------------------------------------

    def settings(self) -> Settings:
        """The project's settings, typed."""
        return self.store.settings()

    def set_setting(self, key: SettingKey, value: str) -> None:
        """Set one setting; a key qualcode does not know is refused, naming the known."""
        self.store.set_setting(key, value)

    def note_setting(self, key: SettingKey, value: str) -> None:
        """Record which registered component the project used (``nlp.suggesters``), where
        the coder may change settings. On a server only a lead may: a coder's suggestions
        must not fail for the record, which the lead's next use writes."""
        if self.settings().value(key) != value and self.store.may_change_settings():
            self.set_setting(key, value)

    @property
    def language(self) -> str:
        return self.settings().language

    @property
    def coder(self) -> str:
        """The default coder: the project's setting, else the login name. On a server,
        the role that connects: nobody codes there under another's name."""
        if self.store.role is not None:
            return self.store.role
        name = self.settings().coder
        if name:
            return name
        try:
            return getpass.getuser() or "coder"
        except (KeyError, OSError):
            return "coder"

    def set_coder(self, name: str) -> None:
        """Make ``name`` the project's coder from now on; a name that differs from a
        coder's only in case is refused (see :meth:`coder_as`)."""
        if not name.strip():
            raise ProjectError("a coder needs a name")
        if self.store.role is not None and name.strip() != self.store.role:
            raise ProjectError(
                f"on a server the coder is the role that connects ({self.store.role}); "
                f"to code as {name.strip()}, connect as that role",
                file=self.label,
            )
        self.set_setting(SettingKey.CODER, self.coder_as(name, hint="code as {}"))

    def coder_as(self, name: str | None = None, *, hint: str = "use --coder {}") -> str:
        """The coder a write from the user is made as: ``name`` (spaces around it taken
        off) or the project's coder.

        Args:
            name: the coder named, or None for the project's coder.
            hint: what to do instead, ``{}`` the existing coder's name.

        Raises:
            ProjectError: it would be a new coder whose name differs from a coder's only
                in case (or spaces around it): "Anna" beside "anna" reads as one person
                in every list, and their codings would split in two without a word.
        """
        wanted = self.coder if name is None else name
        if wanted == self.store.role:  # on a server, the role that connects: itself
            return wanted
        coders = self.store.coders()
        if wanted in coders:
            return wanted
        wanted = wanted.strip()
        if not wanted:
            raise ProjectError("a coder needs a name")
        twins = [] if wanted in coders else case_twins(wanted, coders)
        if twins:
            raise ProjectError(
                f"coder {quoted(wanted)} would be new beside {quoted(twins[0])} (names differ "
                f"only in case); {hint.format(twins[0])}",
                file=self.label,
            )
        return wanted

    def coders(self) -> list[str]:
        return self.store.coders()

    # -- sources -------------------------------------------------------------------------

    def source(self, ref: str | int) -> Source:
        """A source by name or id."""
        source_id = self.source_id(ref)
        found = self.store.get_source(source_id)
        assert found is not None
        return found

    def source_id(self, ref: str | int) -> int:
        ids = self.store.source_ids()
        if isinstance(ref, str) and ref in ids:
            return ids[ref]
        text = str(ref).strip()
        if text.isdigit() and int(text) in ids.values():
            return int(text)
        folded = {n.casefold(): i for n, i in ids.items()}
        if text.casefold() in folded:
            return folded[text.casefold()]
        stem = Path(text).stem.casefold()
        if stem in folded:
            return folded[stem]
        raise ProjectError(
            f"no source {text!r} in the project{did_you_mean(text, ids)} (see 'qualcode sources')",
            file=self.label,
        )

    def turns(self, source: Source) -> tuple[Turn, ...]:
        """A source's turns, read once per import of it (a source's turns never change
        after import; a source imported again is another import)."""
        key = (source.id, source.content_hash, source.imported_at)
        kept = self._turns.get(key)
        return (
            kept if kept is not None else self._turns.put(key, tuple(self.store.turns(source.id)))
        )

    def texts(self, source_ids: Sequence[int]) -> dict[int, str]:
        """The texts of these sources by id (for quoting what a listing points into)."""
        # One source at a time: the coding screen asks for one source's codings on every
        # change, and loading every text of a large project for it would be slow.
        found = (self.store.get_source(i) for i in dict.fromkeys(source_ids))
        return {s.id: s.text for s in found if s is not None}

    # -- codebook ------------------------------------------------------------------------

    def codebook(self) -> Codebook:
        return self.store.codebook()

    def code(self, ref: str | int) -> Code:
        """A code by id, name or ``Parent/Child`` path; an ambiguous name is an error."""
        book = self.codebook()
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit() and not book.find(ref)):
            try:
                return book.get(int(ref))
            except KeyError:
                pass
        found = book.find(str(ref))
        if not found:
            raise CodebookError(
                f"no code {quoted(str(ref))} in the codebook{_did_you_mean(book, str(ref))}",
                file=self.label,
            )
        if len(found) > 1:
            paths = ", ".join(book.path(c) for c in found)
            raise CodebookError(
                f"{quoted(str(ref))} is ambiguous: {paths}; give the path", file=self.label
            )
        return found[0]

    def code_id(self, ref: str | int, *, new: bool, parents: bool = False) -> tuple[int, NewCodes]:
        """The id of code ``ref`` and the codes made now: a name no code has is added
        only when ``new`` (a typo must not become a code), else refused with the closest
        names; a parent the path names that no code is, only with ``parents`` too."""
        if new and isinstance(ref, str):
            return self.ensure_code(ref, parents=parents)
        try:
            return self.code(ref).id, NewCodes()
        except CodebookError as exc:
            if isinstance(ref, str) and not self.codebook().find(ref):
                raise CodebookError(
                    exc.message + "; --new adds it as a new code (new=True in Python)",
                    file=self.label,
                ) from None
            raise

    def ensure_code(self, ref: str, *, parents: bool = True) -> tuple[int, NewCodes]:
        """The id of the code at name or path ``ref``, made now if new, and the codes made
        (see :mod:`qualcode.project.new_codes`).

        Args:
            ref: a code's name or ``Parent/Child`` path (``\\/`` is a slash within a name).
            parents: make the parents the path names that no code is, each one said in
                what is returned; without it a missing parent is refused, naming the
                closest codes and the one-name reading of the path.

        Raises:
            CodebookError: ``ref`` is ambiguous, or a parent is missing without ``parents``.
        """
        book = self.store.codebook()
        found = book.find(ref)
        if len(found) == 1:
            return found[0].id, NewCodes()
        if len(found) > 1:
            paths = ", ".join(book.path(c) for c in found)
            raise CodebookError(
                f"{quoted(ref)} is ambiguous: {paths}; give the path", file=self.label
            )
        names = [name.strip() for name in split_path(ref.strip())]
        parent, depth = existing_part(book, names)
        missing = join_path(names[: depth + 1])
        if depth < len(names) - 1 and not parents:
            raise CodebookError(
                f"no code {quoted(missing)} to put {quoted(join_path(names[depth + 1 :]))} "
                f"under{_did_you_mean(book, missing)}; --parents adds {quoted(missing)} as a "
                f"new code too (parents=True in Python), or {quoted(one_name(names, depth))} "
                "names one code with a '/'",
                file=self.label,
            )
        made: list[str] = []
        for n in range(depth, len(names)):
            parent = self.store.add_code(names[n], parent)
            made.append(join_path(names[: n + 1]))
        assert parent is not None
        return parent, NewCodes(tuple(made), one_name(names, depth))

    def check_span(self, source_id: int, start: int, end: int) -> None:
        """Refuse a span that is empty or reaches outside the source's text."""
        found = self.store.source_length(source_id)
        assert found is not None
        name, length = found
        if start >= end:
            raise ProjectError(
                f"start must be before end (got {start}..{end})",
                file=self.label,
                place=f"source {name!r}",
            )
        if not (0 <= start < end <= length):
            raise ProjectError(
                f"offsets {start}..{end} are outside source {name!r} (its text is 0..{length})",
                file=self.label,
                place=f"source {name!r}",
            )


def _did_you_mean(book: Codebook, ref: str) -> str:
    """`` (did you mean 'Awareness'?)`` for the names and paths closest to ``ref``."""
    # Names as a path writes them: a name with '/' is suggested with it escaped.
    return did_you_mean(ref, [join_path([c.name]) for c in book] + [book.path(c) for c in book])


def did_you_mean(ref: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'interview'?)`` for the up to three ``choices`` closest to ``ref``
    (case aside), or ``""`` when none is close."""
    import difflib

    names = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(ref.strip().casefold(), list(names), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(quoted(names[c]) for c in close) + "?)"


def _check_kind(kind: str) -> str:
    if kind not in SOURCE_KINDS:
        raise ProjectError(f"unknown source kind {kind!r}; one of {', '.join(SOURCE_KINDS)}")
    return kind
