"""Offline copies of a server project: ``clone``, ``push`` and ``pull``.

A clone is an ordinary SQLite project that remembers where it came from (``sync.origin``),
whose work it holds (``sync.coder``), when it was made (``sync.cloned_at``) and what it and
the server last agreed on (``sync.base``), all in the project's meta. Nothing here knows
which engine is behind either end: both are opened as a :class:`~qualcode.project.Project`
and read as a :class:`~qualcode.interop.refi.RefiProject`, and every addition goes through
the content-hash merge (:class:`~qualcode.interop.merge.Merger`), so sources match by text,
codes by path and codings by span exactly as in ``qualcode merge``.

Both ends know a coding by its content, ``(source text hash, code path, coder, start,
end)``, and a memo by ``(target kind, target, coder, text)``. With the base each difference
has one reading (a three-way comparison, as in version control):

- push (only the clone's coder's work): here, not on the server and not in the base is new
  (added there); in the base and on the server but not here was removed here (removed
  there); in the base and here but not on the server was removed on the server: a conflict,
  listed and not pushed again;
- pull (everyone's work): on the server, not here and not in the base is new (added here);
  in the base and here but not on the server was removed there (removed here); in the base
  and on the server but not here is a removal waiting to be pushed (it stays removed).

A push never changes the server's codebook or sources: codings of a code or a source text
the server does not have, a codebook changed on the server, other coders' work made in the
copy, are listed, never resolved silently. Each end is written in one transaction and the
base last, so a push or pull cut short is simply run again: both are idempotent.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from qualcode.errors import ProjectError
from qualcode.model import Codebook, utc_now
from qualcode.project import Project, content_hash
from qualcode.segments import shorten
from qualcode.store.server import display_url, is_server_url

if TYPE_CHECKING:
    from qualcode.interop.merge import MergeReport
    from qualcode.interop.refi import (
        RefiCoding,
        RefiNote,
        RefiProject,
        RefiSource,
        RefiUser,
    )
    from qualcode.model import Code

CodingKey = tuple[str, str, str, int, int]  # source text hash, code path, coder, start, end
MemoKey = tuple[str, str, str, str]  # target kind, target, coder, text
K = TypeVar("K")

QUOTE = 40  # characters of a quote shown in a conflict or note
ORIGIN = "sync.origin"
CODER = "sync.coder"
BASE = "sync.base"
CLONED_AT = "sync.cloned_at"


@dataclass(slots=True)
class SyncReport:
    """What a clone, push or pull did, in counts, and what the user must look at."""

    action: str  # clone | push | pull
    origin: str
    coder: str
    codings_added: int = 0
    codings_removed: int = 0
    memos_added: int = 0
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.codings_added or self.codings_removed or self.memos_added)

    def summary(self) -> str:
        """One line: ``pushed 12 new codings, 3 removals, 1 memo; 2 conflicts:``."""
        if self.action == "clone":
            line = (
                f"cloned {self.origin} for {self.coder}: "
                f"{_count(self.codings_added, 'coding')}, {_count(self.memos_added, 'memo')}"
            )
        else:
            verb = "pushed" if self.action == "push" else "pulled"
            line = (
                f"{verb} {_count(self.codings_added, 'new coding')}, "
                f"{_count(self.codings_removed, 'removal')}, {_count(self.memos_added, 'memo')}"
            )
        if self.conflicts:
            line += f"; {_count(len(self.conflicts), 'conflict')}:"
        return line


# -- what a project holds, by content ----------------------------------------------------------


@dataclass(slots=True)
class Snapshot:
    """A project read whole: its codings and memos by content key, and the codebook and
    source texts the keys point at. ``refi`` is what the merge takes."""

    refi: RefiProject
    codings: dict[CodingKey, RefiCoding] = field(default_factory=dict)
    memos: dict[MemoKey, RefiNote] = field(default_factory=dict)
    codebook: dict[str, str] = field(default_factory=dict)  # code path -> definition
    paths: dict[str, str] = field(default_factory=dict)  # code ref -> path
    hashes: dict[str, str] = field(default_factory=dict)  # source ref -> text hash
    names: dict[str, str] = field(default_factory=dict)  # text hash -> source name
    users: dict[str, str] = field(default_factory=dict)  # user ref -> coder (case-folded)

    @property
    def folded_paths(self) -> set[str]:
        return {p.casefold() for p in self.codebook}


def snapshot(project: Project) -> Snapshot:
    """Read ``project`` whole, by content (it is not written to)."""
    from qualcode.interop.convert import project_to_refi

    refi = project_to_refi(project.store, name=project.settings().get("name", ""), assign=False)
    snap = Snapshot(refi, users={u.guid: u.name.casefold() for u in refi.users})
    book = Codebook(tuple(refi.codes))
    for code in refi.codes:
        path = book.path(code)
        snap.paths[code.guid or ""] = path
        snap.codebook[path] = code.definition.strip()
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


# -- the base: what both ends last agreed on ---------------------------------------------------


@dataclass(slots=True)
class Base:
    codings: set[CodingKey] = field(default_factory=set)
    memos: set[MemoKey] = field(default_factory=set)
    codebook: dict[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        """Compressed JSON: the keys repeat their hashes and paths, and meta is read often."""
        data = {
            "codings": sorted(self.codings),
            "memos": sorted(self.memos),
            "codebook": self.codebook,
        }
        packed = zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return base64.b64encode(packed).decode("ascii")

    @classmethod
    def load(cls, text: str, label: str) -> Base:
        try:
            data = json.loads(zlib.decompress(base64.b64decode(text, validate=True)))
            codings = {(h, p, c, int(a), int(b)) for h, p, c, a, b in data["codings"]}
            memos = {(k, t, c, x) for k, t, c, x in data["memos"]}
            return cls(codings, memos, dict(data["codebook"]))
        except (ValueError, KeyError, TypeError, zlib.error):
            raise ProjectError(
                f"its record of the last sync ({BASE}) is damaged; clone the project again",
                file=label,
            ) from None


def _agreed(base: set[K], here: set[K], there: set[K]) -> set[K]:
    """The next base: what both ends hold, and the old base's keys still in dispute."""
    return (here & there) | (base & (here ^ there))


# -- clone, push, pull -------------------------------------------------------------------------


def clone(origin: str, local: str | Path, *, coder: str | None = None) -> SyncReport:
    """Copy the project at ``origin`` (a server URL, or a project file) to a new local file.

    The copy remembers ``origin``, when it was made and what the server held then.

    Args:
        origin: the server project's URL, or a project file.
        local: the new ``.qcdb`` file.
        coder: whose work the copy holds and pushes. On a server it is the connecting role,
            and naming another is refused; for a project file, the project's coder by default.
    """
    local = Path(local)
    if local.exists():
        raise ProjectError("already exists; pull into it, or choose another name", file=local)
    url = origin
    if is_server_url(origin):
        origin = display_url(origin)  # a password in the URL is never stored or printed
    with Project.open(url) as server:
        on_server = server.on_server
        if coder and on_server and coder != server.coder:
            raise ProjectError(
                f"on a server you code as the role you connect as ({server.coder!r}); "
                f"connect as {coder!r} to clone their work",
                file=origin,
            )
        there = snapshot(server)
        coder, language = coder or server.coder, server.language
    report = SyncReport("clone", origin, coder)
    with Project.open_or_build(local, coder=coder) as project, project.store.atomic():
        merged = _merge_into(project, there.refi, origin)
        project.set_setting("language", language)
        project.set_setting(ORIGIN, origin)
        project.set_setting(CODER, coder)
        project.set_setting(CLONED_AT, utc_now())
        project.set_setting(BASE, Base(set(there.codings), set(there.memos), there.codebook).dump())
    report.codings_added, report.memos_added = merged.codings_added, merged.memos_added
    report.conflicts.extend(merged.conflicts)
    return report


def push(local: str | Path, url: str | None = None) -> SyncReport:
    """Send the clone's coder's new and removed codings and new memos to the server."""
    with Project.open(local) as project:
        origin, coder, base = _clone_state(project, url)
        me = coder.casefold()
        here = snapshot(project)
        with Project.open(origin) as server:
            there = snapshot(server)
            report = SyncReport("push", origin, coder)
            mine_here = {k for k in here.codings if k[2] == me}
            mine_there = {k for k in there.codings if k[2] == me}
            mine_base = {k for k in base.codings if k[2] == me}
            removed = (mine_base & mine_there) - mine_here
            gone = (mine_base & mine_here) - mine_there
            _codebook_changed(base.codebook, there.codebook, report)
            new = _sendable((mine_here - mine_there) - mine_base, here, there, report)
            memos = _sendable_memos(here, there, base, me, report)
            _unsent(here, there, base, me, gone, report)
            refi = _push_refi(here, there, new, memos)
            with server.store.atomic():
                merged = _merge_into(server, refi, str(local))
                removals = _delete(server, removed, coder=coder)
        report.codings_added, report.memos_added = merged.codings_added, merged.memos_added
        report.codings_removed = removals
        after = (mine_there | new) - removed
        base.codings = {k for k in base.codings if k[2] != me} | _agreed(
            mine_base, mine_here, after
        )
        base.memos |= {m for m in here.memos if m[2] == me and m in there.memos} | set(memos)
        with project.store.atomic():
            project.set_setting(BASE, base.dump())
            project.set_setting("sync.pushed_at", utc_now())
    return report


def pull(local: str | Path, url: str | None = None) -> SyncReport:
    """Bring the server's new codings and memos, its removals, and its new codes and sources
    into the clone."""
    with Project.open(local) as project:
        origin, coder, base = _clone_state(project, url)
        here = snapshot(project)
        with Project.open(origin) as server:
            there = snapshot(server)
        report = SyncReport("pull", origin, coder)
        held, have = set(here.codings), set(there.codings)
        new = (have - held) - base.codings
        gone = (base.codings & held) - have
        waiting = (base.codings & have) - held
        if waiting:
            report.notes.append(
                f"{_count(len(waiting), 'coding')} removed here and still on the server "
                f"{_stay(len(waiting))} removed here; push to remove them there"
            )
        memos = {k for k in there.memos if k not in here.memos and k not in base.memos}
        refi = there.refi
        wanted = {id(there.codings[k]) for k in new}
        coding_refs = {there.memos[k].target[1] for k in memos if k[0] == "coding"}
        sub = _refi_like(
            refi,
            codings=[c for c in refi.codings if id(c) in wanted or c.guid in coding_refs],
            notes=[there.memos[k] for k in sorted(memos)],
        )
        with project.store.atomic():
            merged = _merge_into(project, sub, origin)
            report.codings_removed = _delete(project, gone, coder=None)
            base.codings = _agreed(base.codings, (held | new) - gone, have)
            base.memos = _agreed(base.memos, set(here.memos) | memos, set(there.memos))
            base.codebook = there.codebook
            project.set_setting(BASE, base.dump())
            project.set_setting("sync.pulled_at", utc_now())
        report.codings_added, report.memos_added = merged.codings_added, merged.memos_added
        report.conflicts.extend(merged.conflicts)
        report.notes.extend(merged.notes)
    return report


def _clone_state(project: Project, url: str | None) -> tuple[str, str, Base]:
    """The clone's origin (or ``url``), coder and base; refused for a project not cloned."""
    settings = project.settings()
    origin, coder = settings.get(ORIGIN), settings.get(CODER)
    if origin is None or coder is None:
        raise ProjectError(
            "is not a copy of a server project; make one with 'qualcode clone URL FILE'",
            file=project.label,
        )
    return url or origin, coder, Base.load(settings.get(BASE, ""), project.label)


# -- what a push may send ----------------------------------------------------------------------


def _sendable(
    new: set[CodingKey], here: Snapshot, there: Snapshot, report: SyncReport
) -> set[CodingKey]:
    """The new codings the server can take (their code and source text are there); the
    others are listed as conflicts."""
    paths = there.folded_paths
    no_code: Counter[str] = Counter()
    no_source: Counter[str] = Counter()
    ok: set[CodingKey] = set()
    for key in new:
        if key[1] not in paths:
            no_code[_path(here, key[1])] += 1
        elif key[0] not in there.names:
            no_source[here.names[key[0]]] += 1
        else:
            ok.add(key)
    for path, n in sorted(no_code.items()):
        report.conflicts.append(
            f"{_count(n, 'coding')} of code {path!r}, which the server's codebook does not "
            "have (removed there, or added here): not pushed; the lead adds codes"
        )
    for name, n in sorted(no_source.items()):
        report.conflicts.append(
            f"{_count(n, 'coding')} of source {name!r}, whose text the server does not have "
            "(it differs there, or the source is not there): not pushed"
        )
    return ok


def _sendable_memos(
    here: Snapshot, there: Snapshot, base: Base, me: str, report: SyncReport
) -> dict[MemoKey, RefiNote]:
    """The clone's coder's new memos whose target the server has; the others are listed."""
    out: dict[MemoKey, RefiNote] = {}
    for key, note in sorted(here.memos.items()):
        if key[2] != me or key in there.memos or key in base.memos:
            continue
        kind, target = key[0], key[1]
        if kind == "source":
            known = target in there.names
        elif kind == "code":
            known = target in there.folded_paths
        elif kind == "coding":
            known = target != "null" and tuple(json.loads(target)) in there.codings
        else:
            known = True
        if known:
            out[key] = note
        else:
            quote = shorten(note.text, QUOTE)
            report.conflicts.append(
                f"a memo on a {kind} the server does not have ({quote!r}): not pushed"
            )
    return out


def _unsent(
    here: Snapshot, there: Snapshot, base: Base, me: str, gone: set[CodingKey], report: SyncReport
) -> None:
    """List what a push does not send: codings removed on the server, others' work."""
    if gone:
        first = min(gone)
        report.conflicts.append(
            f"{_count(len(gone), 'coding')} of yours {'was' if len(gone) == 1 else 'were'} "
            f"removed on the server since this copy last synced (e.g. {_path(here, first[1])!r} "
            f"on {shorten(_quote(here, first), QUOTE)!r} in {here.names[first[0]]!r}): not pushed "
            "again; pull to remove them here"
        )
    theirs_here = {k for k in here.codings if k[2] != me}
    theirs_base = {k for k in base.codings if k[2] != me}
    made = theirs_here - theirs_base - set(there.codings)
    removed = (theirs_base & set(there.codings)) - theirs_here
    for keys, done in ((made, "made"), (removed, "removed")):
        if keys:
            coders = ", ".join(sorted({k[2] for k in keys}))
            report.notes.append(
                f"{_count(len(keys), 'coding')} by {coders} {done} in this copy "
                f"{'is' if len(keys) == 1 else 'are'} not pushed: a push sends only {me}'s work"
            )


def _codebook_changed(base: dict[str, str], there: dict[str, str], report: SyncReport) -> None:
    added = sorted(set(there) - set(base))
    removed = sorted(set(base) - set(there))
    redefined = sorted(p for p in set(base) & set(there) if base[p] != there[p])
    parts = [
        f"{label} {', '.join(repr(p) for p in paths[:5])}{' ...' if len(paths) > 5 else ''}"
        for label, paths in (("added", added), ("removed", removed), ("redefined", redefined))
        if paths
    ]
    if parts:
        report.conflicts.append(
            "the codebook changed on the server since this copy last synced "
            f"({'; '.join(parts)}); pull to get it"
        )


def _push_refi(
    here: Snapshot, there: Snapshot, keys: set[CodingKey], notes: dict[MemoKey, RefiNote]
) -> RefiProject:
    """What a push merges: the new codings and memos with the codes, sources and coders they
    name, referred to by path, text hash and name instead of GUID and without definitions
    or attributes. The merge then matches all of them on the server and never adds to, or
    fills in, the server's codebook, sources or coders' GUIDs."""
    from qualcode.interop.refi import RefiCoding, RefiNote, RefiSource, RefiUser
    from qualcode.model import Code

    code_ref = {ref: f"code:{path}" for ref, path in here.paths.items()}
    source_ref = {ref: f"source:{h}" for ref, h in here.hashes.items()}
    user_ref = {ref: f"coder:{name}" for ref, name in here.users.items()}
    on_coding = {n.target[1] for n in notes.values() if n.target[0] == "coding"}
    codings = [c for k, c in here.codings.items() if k in keys or c.guid in on_coding]
    refs = {"code": code_ref, "source": source_ref}

    def target(note: RefiNote) -> tuple[str, str | None]:
        kind, ref = note.target
        return (kind, refs[kind].get(ref or "") if kind in refs else ref)

    named = {c.user for c in codings} | {n.user for n in notes.values()}
    return _refi_like(
        here.refi,
        users=[RefiUser(user_ref[u.guid], u.name) for u in here.refi.users if u.guid in named],
        codes=[
            Code(c.id, c.name, c.parent_id, guid=code_ref[c.guid or ""])
            for c in here.refi.codes
            if here.paths[c.guid or ""].casefold() in there.folded_paths
        ],
        sources=[
            RefiSource(source_ref[s.guid], s.name, s.text, s.kind, s.language)
            for s in here.refi.sources
            if here.hashes[s.guid] in there.names
        ],
        codings=[
            RefiCoding(
                c.guid,
                source_ref[c.source],
                code_ref[c.code],
                c.start,
                c.end,
                user_ref.get(c.user or ""),
                c.created_at,
                c.memo,
            )
            for c in codings
        ],
        notes=[
            RefiNote(n.guid, n.text, target(n), user_ref.get(n.user or ""), n.created_at, n.name)
            for n in notes.values()
        ],
    )


def _refi_like(
    refi: RefiProject,
    *,
    codings: list[RefiCoding],
    notes: list[RefiNote],
    users: list[RefiUser] | None = None,
    codes: list[Code] | None = None,
    sources: list[RefiSource] | None = None,
) -> RefiProject:
    """``refi`` with other codings and notes (and, if given, users, codes and sources)."""
    from qualcode.interop.refi import RefiProject

    return RefiProject(
        name=refi.name,
        origin=refi.origin,
        users=refi.users if users is None else users,
        codes=refi.codes if codes is None else codes,
        sources=refi.sources if sources is None else sources,
        codings=codings,
        notes=notes,
    )


# -- writing -----------------------------------------------------------------------------------


def _merge_into(project: Project, refi: RefiProject, origin: str) -> MergeReport:
    """Add ``refi`` to ``project`` with the content-hash merge, in the current transaction."""
    from qualcode.interop.merge import MergeReport

    return project._merge_refi(refi, origin, MergeReport())


def _delete(project: Project, keys: set[CodingKey], *, coder: str | None) -> int:
    """Remove the codings ``keys`` from ``project``: undoably by ``coder`` if given (a push
    removes that coder's own codings on the server), else as a pull does, outside any
    coder's undo history."""
    if not keys:
        return 0
    book = project.codebook()
    paths = {c.id: book.path(c).casefold() for c in book}
    hashes = {s.id: s.content_hash for s in project.store.list_sources(with_text=False)}
    ids = [
        r.id
        for r in project.store.list_codings()
        if (hashes[r.source_id], paths[r.code_id], r.coder.casefold(), r.start, r.end) in keys
    ]
    with project.store.atomic() as store:
        coder_id = store.coder_id(coder) if coder else None
        return store.delete_codings(ids, coder_id=coder_id, record=bool(coder))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _stay(n: int) -> str:
    return "stays" if n == 1 else "stay"


def _path(snap: Snapshot, folded: str) -> str:
    """A code's path as the project spells it, from its case-folded key."""
    return next((p for p in snap.codebook if p.casefold() == folded), folded)


def _quote(snap: Snapshot, key: CodingKey) -> str:
    coding = snap.codings[key]
    text = next(s.text for s in snap.refi.sources if s.guid == coding.source)
    return text[coding.start : coding.end]
