"""What clone, push and pull compare: each end read whole by content, and the base.

Both ends know a coding by its content, ``(source text hash, code path, coder, start,
end)``, and a memo by ``(target kind, target, coder, text)`` (see :class:`Snapshot`). The
base (:class:`Base`) is what both last agreed on: those keys, the memo each agreed coding
carried, and the server's codebook. It is kept in the copy's ``sync_base`` table as
compressed JSON. A record written before coders were told apart by case (``Anna`` and
``anna`` are two people) holds its coders case-folded: :meth:`Base.unfold` gives each back
its name.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from qualcode.errors import ProjectError
from qualcode.ingest import content_hash
from qualcode.model import Codebook
from qualcode.project.team import CodingKey

if TYPE_CHECKING:
    from qualcode.interop.refi import RefiCoding, RefiNote, RefiProject
    from qualcode.model import Code
    from qualcode.project import Project

MemoKey = tuple[str, str, str, str]  # target kind, target, coder, text
K = TypeVar("K")


@dataclass(slots=True)
class Snapshot:
    """A project read whole: its codings and memos by content key, and the codebook and
    source texts the keys point at. ``refi`` is what the merge takes."""

    refi: RefiProject
    codings: dict[CodingKey, RefiCoding] = field(default_factory=dict)
    memos: dict[MemoKey, RefiNote] = field(default_factory=dict)
    codebook: dict[str, str] = field(default_factory=dict)  # code path -> definition
    codes: dict[str, Code] = field(default_factory=dict)  # case-folded code path -> code
    paths: dict[str, str] = field(default_factory=dict)  # code ref -> path
    hashes: dict[str, str] = field(default_factory=dict)  # source ref -> text hash
    names: dict[str, str] = field(default_factory=dict)  # text hash -> source name
    users: dict[str, str] = field(default_factory=dict)  # user ref -> coder, exactly as named

    @property
    def folded_paths(self) -> set[str]:
        return set(self.codes)

    def memo(self, key: CodingKey) -> str:
        """The memo written on coding ``key``."""
        return self.codings[key].memo or ""


def snapshot(project: Project) -> Snapshot:
    """Read ``project`` whole, by content (it is not written to)."""
    refi = project.team.read_whole()
    snap = Snapshot(refi, users={u.guid: u.name for u in refi.users})
    book = Codebook(tuple(refi.codes))
    for code in refi.codes:
        path = book.path(code)
        snap.paths[code.guid or ""] = path
        snap.codebook[path] = code.definition.strip()
        snap.codes[path.casefold()] = code
    for source in refi.sources:
        snap.hashes[source.guid] = content_hash(source.text)
        snap.names.setdefault(snap.hashes[source.guid], source.name)
    by_ref: dict[str, CodingKey] = {}
    for c in refi.codings:
        key = (
            snap.hashes[c.source],
            snap.paths[c.code].casefold(),
            snap.users.get(c.user or "", ""),
            c.start,
            c.end,
        )
        snap.codings[key] = c
        by_ref[c.guid or ""] = key
    for note in refi.notes:
        kind, ref = note.target
        target = ""
        if kind == "source":
            target = snap.hashes.get(ref or "", "")
        elif kind == "code":
            target = snap.paths.get(ref or "", "").casefold()
        elif kind == "coding":
            target = json.dumps(by_ref.get(ref or ""))
        snap.memos[(kind, target, snap.users.get(note.user or "", ""), note.text)] = note
    return snap


@dataclass(slots=True)
class Base:
    """What both ends last agreed on.

    ``coding_memos`` holds the memo of each base coding that had one when last agreed; a
    base coding not in it had none. ``None`` is a memo not known: a record written before
    memos were kept, where a memo that differs between the ends cannot tell who changed it.
    """

    codings: set[CodingKey] = field(default_factory=set)
    memos: set[MemoKey] = field(default_factory=set)
    codebook: dict[str, str] = field(default_factory=dict)
    coding_memos: dict[CodingKey, str | None] = field(default_factory=dict)
    folded: bool = False  # an old record: its coders case-folded (see unfold)

    def memo(self, key: CodingKey) -> str | None:
        """The memo coding ``key`` had when both ends last agreed (None: not known)."""
        return self.coding_memos.get(key, "")

    def dump(self) -> bytes:
        """Compressed JSON: the keys repeat their hashes and paths."""
        data = {
            "codings": sorted(self.codings),
            "memos": sorted(self.memos),
            "codebook": self.codebook,
            "coding_memos": sorted(
                [*k, memo] for k, memo in self.coding_memos.items() if memo != ""
            ),
            "coders": "exact",
        }
        return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def load(cls, data: bytes | None, label: str) -> Base:
        """The base from :meth:`dump`'s bytes (``label``: the copy, for the error)."""
        try:
            if data is None:
                raise ValueError("no record")
            raw = json.loads(zlib.decompress(data))
            codings = {(h, p, c, int(a), int(b)) for h, p, c, a, b in raw["codings"]}
            memos = {(k, t, c, x) for k, t, c, x in raw["memos"]}
            if "coding_memos" in raw:
                coding_memos: dict[CodingKey, str | None] = {
                    (h, p, c, int(a), int(b)): memo for h, p, c, a, b, memo in raw["coding_memos"]
                }
            else:  # written before memos were kept
                coding_memos = dict.fromkeys(codings)
            folded = raw.get("coders") != "exact"
            return cls(codings, memos, dict(raw["codebook"]), coding_memos, folded)
        except (ValueError, KeyError, TypeError, zlib.error):
            raise ProjectError(
                "its record of the last sync is damaged; clone the project again", file=label
            ) from None

    def unfold(self, coders: Iterable[str]) -> list[str]:
        """Give an old record's case-folded coders their names, from ``coders`` (both ends'
        coders). A folded name two of them share (``Anna`` and ``anna``) cannot be told
        apart: its keys are dropped, so what the two did since the last sync is compared
        as if never synced, which adds and never removes. Returns those names, sorted."""
        if not self.folded:
            return []
        spelled: dict[str, set[str]] = {}
        for name in coders:
            spelled.setdefault(name.casefold(), set()).add(name)
        twins = sorted(f for f, names in spelled.items() if len(names) > 1)
        names = {f: next(iter(n)) for f, n in spelled.items() if len(n) == 1}

        def coding(key: CodingKey) -> CodingKey | None:
            if key[2] in twins:
                return None
            return (key[0], key[1], names.get(key[2], key[2]), key[3], key[4])

        def memo(key: MemoKey) -> MemoKey | None:
            kind, target, coder, text = key
            if kind == "coding" and target != "null":
                on = coding(_coding_key(json.loads(target)))
                if on is None:
                    return None
                target = json.dumps(on)
            if coder in twins:
                return None
            return (kind, target, names.get(coder, coder), text)

        self.codings = {k for k in map(coding, self.codings) if k is not None}
        self.memos = {k for k in map(memo, self.memos) if k is not None}
        self.coding_memos = {
            k: m for k, m in ((coding(k), m) for k, m in self.coding_memos.items()) if k
        }
        self.folded = False
        return twins


def _coding_key(raw: list[Any]) -> CodingKey:
    h, p, c, a, b = raw
    return (h, p, c, int(a), int(b))


def agreed(base: set[K], here: set[K], there: set[K]) -> set[K]:
    """The next base: what both ends hold, and the old base's keys still in dispute."""
    return (here & there) | (base & (here ^ there))


def agreed_memos(
    base: Base,
    keys: set[CodingKey],
    here: Mapping[CodingKey, str],
    there: Mapping[CodingKey, str],
) -> dict[CodingKey, str | None]:
    """The next base's memos of codings ``keys``: the memo both ends hold, else (a memo or
    a coding still in dispute) the old base's."""
    out: dict[CodingKey, str | None] = {}
    for key in keys:
        mine, theirs = here.get(key), there.get(key)
        memo = mine if mine is not None and mine == theirs else base.memo(key)
        if memo != "":
            out[key] = memo
    return out
