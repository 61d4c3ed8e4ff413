"""What a push may send and what a pull takes, decided from the two ends and the base.

Nothing here writes: each function reads the snapshots (:mod:`qualcode.project.sync_state`)
and returns what to write, adding to the report a line for whatever it does not send or
replaces. :mod:`qualcode.project.sync` writes it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from qualcode.model import split_path
from qualcode.project.sync_report import SyncReport, count
from qualcode.project.sync_state import Base, MemoKey, Snapshot
from qualcode.project.team import CodingKey
from qualcode.segments import shorten

if TYPE_CHECKING:
    from qualcode.interop.refi import RefiCoding, RefiNote, RefiProject, RefiSource, RefiUser
    from qualcode.model import Code

QUOTE = 40  # characters of a quote shown in a conflict or note
# What a pull makes of a code both ends have: the server's (the lead's) values. The hotkey
# stays each coder's own.
CODE_FIELDS = ("definition", "inclusion", "exclusion", "keywords", "examples", "color")


# -- the base ---------------------------------------------------------------------------------


def unfold_base(base: Base, here: Snapshot, there: Snapshot, report: SyncReport) -> None:
    """Give an old base's case-folded coders their names (see :meth:`Base.unfold`); a line
    for the coders it could not tell apart."""
    coders = {*here.users.values(), *there.users.values()}
    for folded in base.unfold(coders):
        alike = " and ".join(sorted(n for n in coders if n.casefold() == folded))
        report.notes.append(
            f"this copy's record of the last sync was made before {alike} were told apart: "
            "their codings and memos are compared as if never synced, so none is removed at "
            "either end (a removal since the last sync is made again by hand)"
        )


# -- codings and memos a push sends ------------------------------------------------------------


def sendable(
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
            no_code[path_of(here, key[1])] += 1
        elif key[0] not in there.names:
            no_source[here.names[key[0]]] += 1
        else:
            ok.add(key)
    for path, n in sorted(no_code.items()):
        report.conflicts.append(
            f"{count(n, 'coding')} of code {path!r}, which the server's codebook does not "
            "have (removed there, or added here): not pushed; the lead adds codes"
        )
    for name, n in sorted(no_source.items()):
        report.conflicts.append(
            f"{count(n, 'coding')} of source {name!r}, whose text the server does not have "
            "(it differs there, or the source is not there): not pushed"
        )
    return ok


def sendable_memos(
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


def memo_edits_to_push(
    here: Snapshot, there: Snapshot, base: Base, keys: set[CodingKey], report: SyncReport
) -> dict[CodingKey, str]:
    """The memos edited here of the coder's codings ``keys`` (those at both ends), by
    coding: each one the server has not changed since the base. One it changed too is a
    conflict: the server's is kept."""
    out: dict[CodingKey, str] = {}
    for key in sorted(keys):
        mine, theirs, was = here.memo(key), there.memo(key), base.memo(key)
        if mine in (theirs, was):
            continue  # the same at both ends, or changed only on the server: a pull brings it
        if theirs == was:
            out[key] = mine
        else:
            report.conflicts.append(
                f"the memo of your coding {described(here, key)} was changed on the server "
                f"too: yours is not pushed, the server's ({shorten(theirs, QUOTE)!r}) is kept"
            )
    return out


def unsent(
    here: Snapshot, there: Snapshot, base: Base, me: str, gone: set[CodingKey], report: SyncReport
) -> None:
    """List what a push does not send: codings removed on the server, others' work."""
    if gone:
        first = min(gone)
        report.conflicts.append(
            f"{count(len(gone), 'coding')} of yours {'was' if len(gone) == 1 else 'were'} "
            f"removed on the server since this copy last synced (e.g. {described(here, first)}"
            "): not pushed again; pull to remove them here"
        )
    theirs_here = {k for k in here.codings if k[2] != me}
    theirs_base = {k for k in base.codings if k[2] != me}
    made = theirs_here - theirs_base - set(there.codings)
    removed = (theirs_base & set(there.codings)) - theirs_here
    edited = {
        k
        for k in theirs_here & theirs_base & set(there.codings)
        if here.memo(k) not in (base.memo(k), there.memo(k))
    }
    for keys, done in ((made, "made"), (removed, "removed"), (edited, "with a memo edited")):
        if keys:
            coders = ", ".join(sorted({k[2] for k in keys}))
            report.notes.append(
                f"{count(len(keys), 'coding')} by {coders} {done} in this copy "
                f"{'is' if len(keys) == 1 else 'are'} not pushed: a push sends only {me}'s work"
            )


def codebook_changed(base: dict[str, str], there: dict[str, str], report: SyncReport) -> None:
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


def push_refi(
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
    return refi_like(
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


def refi_like(
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


# -- what a pull takes -------------------------------------------------------------------------


def memo_edits_to_pull(
    here: Snapshot, there: Snapshot, base: Base, keys: set[CodingKey], me: str, report: SyncReport
) -> dict[CodingKey, str]:
    """The server's memos of codings ``keys`` (those at both ends) that a pull writes here:
    each one changed on the server since the base. One changed here too is a conflict: the
    server's replaces it, and the line keeps the text replaced, whole."""
    out: dict[CodingKey, str] = {}
    waiting = 0
    for key in sorted(keys):
        mine, theirs, was = here.memo(key), there.memo(key), base.memo(key)
        if mine == theirs:
            continue
        if mine == was:
            out[key] = theirs
        elif theirs == was:
            waiting += key[2] == me  # an edit here, to be pushed (another's is never pushed)
        else:
            out[key] = theirs
            whose = "your coding" if key[2] == me else f"{key[2]}'s coding"
            report.conflicts.append(
                f"the memo of {whose} {described(here, key)} was changed here and on the "
                f"server: the server's ({shorten(theirs, QUOTE)!r}) replaces {mine!r} here"
            )
    if waiting:
        report.notes.append(
            f"{count(waiting, 'memo')} edited here and not on the server {stay(waiting)} as "
            "edited here; push to send them"
        )
    return out


def edited_and_removed(
    here: Snapshot, base: Base, gone: set[CodingKey], report: SyncReport
) -> None:
    """List the codings a pull removes (the server removed them) whose memo was edited
    here: the memo goes with its coding, and the line keeps it, whole."""
    for key in sorted(gone):
        memo = here.memo(key)
        if memo and memo != base.memo(key):
            report.conflicts.append(
                f"the coding {described(here, key)}, whose memo was edited here, was removed "
                f"on the server: removed here too, with its memo {memo!r}"
            )


def codebook_updates(here: Snapshot, there: Snapshot) -> list[tuple[str, dict[str, object], str]]:
    """``(case-folded path, fields, line)`` for each code both ends have that differs: the
    copy takes the server's fields (only a lead changes the codebook), and the line says so.
    Once taken, the code no longer differs: the next pull says nothing of it."""
    out: list[tuple[str, dict[str, object], str]] = []
    for folded, theirs in there.codes.items():
        mine = here.codes.get(folded)
        if mine is None:
            continue
        changed = [f for f in CODE_FIELDS if getattr(mine, f) != getattr(theirs, f)]
        if not changed:
            continue
        names = changed[0] if len(changed) == 1 else f"{', '.join(changed[:-1])} and {changed[-1]}"
        line = f"code {path_of(there, folded)!r}: {names} now the server's"
        if "definition" in changed:
            now, was = shorten(theirs.definition, QUOTE), shorten(mine.definition, QUOTE)
            line += f", {now!r} (was {was!r})"
        out.append((folded, {f: getattr(theirs, f) for f in changed}, line))
    return out


def codes_removed_there(here: Snapshot, there: Snapshot, base: Base) -> list[str]:
    """The case-folded paths of codes the server removed since the base that the copy still
    has, children before their parents."""
    was = {p.casefold() for p in base.codebook}
    gone = (was & here.folded_paths) - there.folded_paths
    return sorted(gone, key=lambda p: (-len(split_path(p)), p))


# -- wording -----------------------------------------------------------------------------------


def stay(n: int) -> str:
    return "stays" if n == 1 else "stay"


def path_of(snap: Snapshot, folded: str) -> str:
    """A code's path as the project spells it, from its case-folded key."""
    return next((p for p in snap.codebook if p.casefold() == folded), folded)


def described(snap: Snapshot, key: CodingKey) -> str:
    """A coding for a message: ``'Awareness' on 'Honestly, no.' in 'int1'``."""
    quote = shorten(quote_of(snap, key), QUOTE)
    return f"{path_of(snap, key[1])!r} on {quote!r} in {snap.names[key[0]]!r}"


def quote_of(snap: Snapshot, key: CodingKey) -> str:
    coding = snap.codings[key]
    text = next(s.text for s in snap.refi.sources if s.guid == coding.source)
    return text[coding.start : coding.end]
