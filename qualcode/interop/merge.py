"""Merging coders' work into one project: a REFI-QDA project or another qualcode project.

Rules (the same for ``import`` of a .qdpx and for ``merge``):

- sources are matched by content hash (same normalised text = same source, whatever its
  name); a source of the same name with other text is a conflict: it is added under a new
  name and listed;
- codes are matched by GUID, then by path (case-insensitive); a new code whose name is close
  to an existing one is listed as a near-duplicate for the user to confirm; a matched code
  with a different definition is a conflict, listed, and the project's definition is kept;
- users become coders (matched by GUID, then name, exactly as spelled: ``Anna`` and ``anna``
  are two people, as two roles are on a server); every coding keeps its coder; a coding
  already present (same source, code, coder and span, or same GUID) is not added again, so
  merging the same input twice adds nothing.

Everything is written in one transaction by the caller: a failure changes nothing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from qualcode.errors import ExchangeError, quoted
from qualcode.ingest.text import content_hash
from qualcode.interop.anchor import Anchor, similar
from qualcode.interop.refi import RefiProject
from qualcode.model import (
    PATH_SEPARATOR,
    SOURCE_KINDS,
    Code,
    MemoTarget,
    NewCoding,
    NewMemo,
    case_twins,
    join_path,
    split_path,
    utc_now,
)
from qualcode.segments import shorten

if TYPE_CHECKING:
    from qualcode.store import Store

_REAL_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
QUOTE = 60  # characters of a quote shown in a conflict
NEAR = 0.85  # name similarity (difflib ratio) above which two codes may be the same


def _numbered(name: str, free: Callable[[str], bool]) -> str:
    """``name (2)``, ``name (3)`` ...: the first that is ``free``."""
    n = 2
    while not free(f"{name} ({n})"):
        n += 1
    return f"{name} ({n})"


def _free_under(prefix: str, taken: Container[str]) -> Callable[[str], bool]:
    """Whether a name is free under the code whose path (with its ``/``) is ``prefix``."""
    return lambda name: (prefix + join_path([name])).casefold() not in taken


def real_guid(value: str | None) -> str | None:
    return value if value and _REAL_GUID.match(value) else None


@dataclass(slots=True)
class MergeReport:
    """What an import or merge did, and what the user should look at."""

    inputs: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_matched: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    codes_matched: list[str] = field(default_factory=list)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    memos_added: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    offsets: list[str] = field(default_factory=list)  # per input: the convention and evidence
    warnings: list[str] = field(default_factory=list)  # what must be checked by hand
    reanchored: int = 0  # codings placed by their quote on an edited source
    unplaced: int = 0  # ... and those whose quote was not found

    @property
    def changed(self) -> bool:
        return bool(
            self.sources_added or self.codes_added or self.codings_added or self.memos_added
        )


class Merger:
    """Writes one :class:`RefiProject` into a store, inside the caller's transaction.

    Args:
        store: the target project's store.
        origin: the input's name, for the report and the sources' origin.
        default_coder: the coder of codings that name no user.
        language: the language of sources that do not say theirs.
        parse_turns: splits a new source's text into ``(start, end, speaker, timestamp)``.

    A source's identity is :func:`qualcode.ingest.content_hash`, the one every import uses.
    """

    def __init__(
        self,
        store: Store,
        *,
        origin: str,
        default_coder: str,
        language: str,
        parse_turns: Callable[[str], list[tuple[int, int, str | None, float | None]]],
        report: MergeReport,
    ):
        self.store = store
        self.origin = origin
        self.default_coder = default_coder
        self.language = language
        self.parse_turns = parse_turns
        self.report = report
        self.coder_ids: dict[str | None, int] = {}
        self.code_ids: dict[str, int] = {}
        self.source_ids: dict[str, int] = {}
        self.texts: dict[int, str] = {}
        self.anchors: dict[str, Anchor] = {}  # incoming source guid -> its edit in the project
        self._coding_refs: dict[str, Any] = {}
        self._spans: dict[str, tuple[int, int]] = {}  # coding guid -> where it was placed

    def apply(self, refi: RefiProject) -> None:
        """Merge ``refi`` into the store (inside the caller's ``store.atomic()``)."""
        self.report.skipped.extend(f"{self.origin}: {s}" for s in refi.skipped)
        if refi.offsets:
            self.report.offsets.append(f"{self.origin}: {refi.offsets}")
        self.report.warnings.extend(f"{self.origin}: {w}" for w in refi.warnings)
        self.users = {u.guid: u.name for u in refi.users}
        self._coders_index()
        for user in refi.users:  # every user, coding or not (a codebook-only project)
            self.coder(user.guid)
        self._codes(refi.codes)
        self._sources(refi)
        self._codings(refi)
        self._notes(refi)

    # -- coders ------------------------------------------------------------------------------

    def _coders_index(self) -> None:
        rows = self.store.coder_rows()
        self._coder_by_guid = {g: i for i, _, g in rows if g}
        self._coder_by_name = {n: (i, g) for i, n, g in rows}
        self._coder_names = {i: n for i, n, _ in rows}

    def coder(self, user: str | None) -> int:
        if user in self.coder_ids:
            return self.coder_ids[user]
        name = self.users.get(user) if user else None
        found = self._coder_by_guid.get(user) if user else None
        if found is None:
            key = name or self.default_coder
            hit = self._coder_by_name.get(key)
            if hit is not None:
                found = hit[0]
                if hit[1] is None and real_guid(user) and user not in self._coder_by_guid:
                    self.store.set_guids("coders", {found: user})  # type: ignore[dict-item]
                    self._coder_by_guid[user] = found  # type: ignore[index]
            else:
                self.store.check_writes_as(name or self.default_coder)
                self._warn_case_twin(name or self.default_coder)
                found = self.store.add_coder(name or self.default_coder, real_guid(user))
                self._coder_by_name[key] = (found, real_guid(user))
                self._coder_names[found] = name or self.default_coder
                self.report.coders_added.append(name or self.default_coder)
        # On a server, another team member's codings come only from them (not an import).
        self.store.check_writes_as(self._coder_names[found])
        self.coder_ids[user] = found
        return found

    def _warn_case_twin(self, name: str) -> None:
        """Say so when a coder added differs from one the project has only in case: they
        stay two coders (a merge keeps names as spelt), which reads as one person."""
        twins = case_twins(name, self._coder_names.values())
        if twins:
            self.report.warnings.append(
                f"coder {quoted(name)} is new beside {quoted(twins[0])} (names differ only in "
                "case); they are kept as two coders"
            )

    # -- codes -------------------------------------------------------------------------------

    def _codes(self, codes: list[Code]) -> None:
        book = self.store.codebook()
        by_guid = {c.guid.lower(): c.id for c in book if c.guid}
        paths = {c.id: book.path(c) for c in book}
        by_path = {p.casefold(): i for i, p in paths.items()}
        existing: dict[int, Any] = {c.id: c for c in book}
        hotkeys = {c.hotkey for c in book if c.hotkey}
        before = list(paths.values())
        claimed: dict[int, str | None] = {}  # code id -> the incoming code that took it
        placed: dict[int, int] = {}  # the file's code id -> the project's
        for code in codes:
            # A name is kept as written, '/' included (another tool's "Social/Political"):
            # only the path escapes it.
            name = unicodedata.normalize("NFC", code.name).strip()
            parent_id = placed.get(code.parent_id) if code.parent_id is not None else None
            prefix = paths[parent_id] + PATH_SEPARATOR if parent_id else ""
            guid = real_guid(code.guid)
            hit = by_guid.get(guid) if guid else None
            if hit is None:
                hit = by_path.get((prefix + join_path([name])).casefold())
                if hit is not None and hit in claimed and claimed[hit] != code.guid:
                    # Two codes of one input share a path: qualcode needs unique siblings.
                    free = _numbered(name, _free_under(prefix, by_path))
                    self.report.conflicts.append(
                        f"two codes named {prefix + join_path([name])!r} in {self.origin}; "
                        f"the second is added as {free!r}"
                    )
                    name, hit = free, None
            path = prefix + join_path([name])
            if hit is None:
                hit = by_path.get(path.casefold())
                if hit is not None and guid and existing[hit].guid is None:
                    self.store.update_code(hit, guid=guid)
                    by_guid[guid] = hit
            if hit is not None:
                self._match_code(hit, existing[hit], code, paths[hit])
            else:
                fields: dict[str, Any] = {
                    k: getattr(code, k)
                    for k in ("definition", "inclusion", "exclusion", "keywords", "examples")
                }
                fields["color"] = code.color
                if code.hotkey and code.hotkey not in hotkeys:
                    fields["hotkey"] = code.hotkey
                    hotkeys.add(code.hotkey)
                elif code.hotkey:
                    self.report.notes.append(
                        f"hotkey {code.hotkey!r} of {path!r} is already taken; left out"
                    )
                hit = self.store.add_code(name, parent_id, guid=guid, **fields)
                existing[hit] = code  # same field names: later matches compare with it
                paths[hit] = path
                by_path[path.casefold()] = hit
                if guid:
                    by_guid[guid] = hit
                self.report.codes_added.append(path)
                self._near(path, name, before)
            claimed.setdefault(hit, code.guid)
            placed[code.id] = hit
            if code.guid:
                self.code_ids[code.guid] = hit

    def _match_code(self, code_id: int, have: Any, code: Code, path: str) -> None:
        self.report.codes_matched.append(path)
        fill: dict[str, Any] = {}
        for key in ("definition", "inclusion", "exclusion", "keywords", "examples", "color"):
            mine, theirs = getattr(have, key), getattr(code, key)
            if theirs and not mine:
                fill[key] = theirs
            elif theirs and mine and key == "definition" and theirs.strip() != mine.strip():
                self.report.conflicts.append(
                    f"code {path!r} has another definition in {self.origin} "
                    f"({shorten(theirs, QUOTE)!r}; the project keeps {shorten(mine, QUOTE)!r})"
                )
        if fill:
            self.store.update_code(code_id, **fill)

    def _near(self, path: str, name: str, existing: list[str]) -> None:
        folded = name.casefold()
        for other in existing:
            other_name = split_path(other)[-1].casefold()
            m = difflib.SequenceMatcher(None, folded, other_name)
            # The cheap upper bounds first: a large codebook has many codes to compare.
            if folded == other_name or (
                m.real_quick_ratio() >= NEAR and m.quick_ratio() >= NEAR and m.ratio() >= NEAR
            ):
                self.report.near_duplicates.append((path, other))

    # -- sources -----------------------------------------------------------------------------

    def _sources(self, refi: RefiProject) -> None:
        from qualcode.store.sources import NewSource

        have = self.store.list_sources()
        by_hash = {s.content_hash: s for s in have}
        by_name = {s.name.casefold(): s for s in have}
        by_guid = {s.guid: s for s in have if s.guid}
        names = {s.name.casefold() for s in have}
        self.texts = {s.id: s.text for s in have}
        new: list[NewSource] = []
        pending: dict[str, NewSource] = {}
        hash_of: dict[str, str] = {}  # incoming source guid -> text hash, for new sources
        now = utc_now()
        for src in refi.sources:
            h = content_hash(src.text)
            if h in by_hash:
                self._match_source(src, by_hash[h])
                continue
            if h in pending:  # the same text twice in one input: one source
                self.report.notes.append(f"{src.name!r} has the same text as another source")
                hash_of[src.guid] = h
                continue
            name = unicodedata.normalize("NFC", src.name).strip()
            edited = by_guid.get(real_guid(src.guid) or "") or by_name.get(name.casefold())
            if edited is not None and similar(src.text, edited.text):
                # The same source, edited on one side: codings are placed by their quotes.
                self.anchors[src.guid] = Anchor(src.text, edited.text)
                self._match_source(src, edited)
                self.report.notes.append(
                    f"source {edited.name!r} in {self.origin} differs a little from the "
                    "project's text; its codings are placed by their quotes"
                )
                continue
            if name.casefold() in names:
                free = _numbered(name, lambda n: n.casefold() not in names)
                self.report.conflicts.append(
                    f"source {name!r} in {self.origin} has other text than the project's "
                    f"source of that name; added as {free!r}"
                )
                name = free
            names.add(name.casefold())
            kind = src.kind if src.kind in SOURCE_KINDS else "document"
            item = NewSource(
                name=name,
                kind=kind,
                text=src.text,
                language=src.language or self.language,
                content_hash=h,
                origin=self.origin,
                imported_at=now,
                turns=self.parse_turns(src.text),
                attributes=dict(src.attributes),
                guid=real_guid(src.guid),
            )
            pending[h] = item
            new.append(item)
            hash_of[src.guid] = h
        ids = self.store.add_sources(new)
        by_new_hash = {x.content_hash: i for x, i in zip(new, ids, strict=True)}
        for item, i in zip(new, ids, strict=True):
            self.texts[i] = item.text
            self.report.sources_added.append(item.name)
        for guid, h in hash_of.items():
            self.source_ids[guid] = by_new_hash[h]

    def _match_source(self, src: Any, have: Any) -> None:
        self.source_ids[src.guid] = have.id
        self.report.sources_matched.append(have.name)
        guid = real_guid(src.guid)
        if guid and have.guid is None:
            self.store.set_guids("sources", {have.id: guid})
        add: dict[str, str] = {}
        for key, value in src.attributes.items():
            mine = have.attributes.get(key)
            if mine is None:
                add[key] = value
            elif mine != value:
                self.report.conflicts.append(
                    f"source {have.name!r}: attribute {key!r} is {value!r} in {self.origin}, "
                    f"{mine!r} in the project (kept)"
                )
        if add:
            self.store.set_attributes({have.id: add})

    # -- codings and notes -------------------------------------------------------------------

    def _codings(self, refi: RefiProject) -> None:
        keys = self.store.coding_keys()
        guids = self.store.coding_guids()
        rows: list[NewCoding] = []
        now = utc_now()
        for c in refi.codings:
            source_id = self.source_ids.get(c.source)
            code_id = self.code_ids.get(c.code)
            if source_id is None or code_id is None:
                what = "an unknown code" if code_id is None else "an unknown source"
                self.report.skipped.append(f"{self.origin}: a coding of {what}")
                continue
            size = len(self.texts[source_id])
            start, end = c.start, c.end
            anchor = self.anchors.get(c.source)
            if anchor is not None:
                placed = anchor.place(start, end)
                if placed is None:
                    self.report.unplaced += 1
                    quote = shorten(anchor.old[start:end], QUOTE)
                    self.report.skipped.append(
                        f"{self.origin}: a coding whose quote {quote!r} "
                        "is not in the project's text any more"
                    )
                    continue
                if placed != (start, end):
                    self.report.reanchored += 1
                start, end = placed
            if c.guid:
                self._spans[c.guid] = (start, end)
            if not 0 <= start < end <= size:
                raise ExchangeError(
                    f"coding {c.start}..{c.end} is outside its source's text (0..{size})",
                    file=self.origin,
                    place=f"coding {c.guid}",
                )
            coder_id = self.coder(c.user)
            key = (source_id, code_id, coder_id, start, end)
            guid = real_guid(c.guid)
            if key in keys or (guid and guid in guids):
                self.report.codings_present += 1
                continue
            keys.add(key)
            if guid:
                guids.add(guid)
            rows.append(
                NewCoding(
                    source_id, code_id, coder_id, start, end, c.created_at or now, c.memo, guid
                )
            )
        self.store.add_imported_codings(rows)
        self.report.codings_added += len(rows)
        self._coding_refs = {c.guid: c for c in refi.codings if c.guid}

    def _notes(self, refi: RefiProject) -> None:
        if not refi.notes:
            return
        existing = self.store.list_memos()
        guids = {m.guid for m in existing if m.guid}
        seen: set[tuple[str, int | None, str]] = {(m.target, m.target_id, m.text) for m in existing}
        coding_ids: dict[tuple[int, int, int, int, int], int] | None = None
        rows: list[NewMemo] = []
        for note in refi.notes:
            kind, ref = note.target
            target_id: int | None = None
            if kind == "source":
                target_id = self.source_ids.get(ref or "")
            elif kind == "code":
                target_id = self.code_ids.get(ref or "")
            elif kind == "coding":
                c = self._coding_refs.get(ref or "")
                if c is not None and c.source in self.source_ids and c.code in self.code_ids:
                    if coding_ids is None:
                        coding_ids = self._coding_index()
                    key = (
                        self.source_ids[c.source],
                        self.code_ids[c.code],
                        self.coder(c.user),
                        *self._spans.get(c.guid or "", (c.start, c.end)),
                    )
                    target_id = coding_ids.get(key)
            if kind != "project" and target_id is None:
                kind = "project"
            guid = real_guid(note.guid)
            if (guid and guid in guids) or (kind, target_id, note.text) in seen:
                continue
            seen.add((kind, target_id, note.text))
            coder_id = self.coder(note.user) if note.user else None
            created_at = note.created_at or utc_now()
            # Any other kind has no target id, so it became "project" above.
            target = cast(MemoTarget, kind)
            rows.append(NewMemo(target, target_id, note.text, coder_id, created_at, guid))
        self.store.add_memos(rows)
        self.report.memos_added += len(rows)

    def _coding_index(self) -> dict[tuple[int, int, int, int, int], int]:
        ids = {n: i for i, n, _ in self.store.coder_rows()}
        return {
            (r.source_id, r.code_id, ids[r.coder], r.start, r.end): r.id
            for r in self.store.list_codings()
        }
