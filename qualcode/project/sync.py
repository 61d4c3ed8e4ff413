"""Offline copies of a server project: ``clone``, ``push`` and ``pull``.

A clone is an ordinary SQLite project that remembers where it came from (``sync.origin``),
whose work it holds (``sync.coder``) and when it was made (``sync.cloned_at``), in its
settings, and what it and the server last agreed on, the base, in a table of its own (see
:mod:`qualcode.project.sync_state`). Nothing here knows which engine is behind either end:
both are opened as a :class:`~qualcode.project.Project` and read as a
:class:`~qualcode.interop.refi.RefiProject`, and every addition goes through the
content-hash merge, so sources match by text, codes by path and codings by span exactly as
in ``qualcode merge``.

Both ends know a coding by its content, ``(source text hash, code path, coder, start,
end)``, and a memo by ``(target kind, target, coder, text)``. With the base each difference
has one reading (a three-way comparison, as in version control):

- push (only the clone's coder's work): here, not on the server and not in the base is new
  (added there); in the base and on the server but not here was removed here (removed
  there); in the base and here but not on the server was removed on the server: a conflict,
  listed and not pushed again. A coding's memo edited here is sent, unless the server's
  changed too: then the server's is kept, and the conflict listed;
- pull (everyone's work): on the server, not here and not in the base is new (added here);
  in the base and here but not on the server was removed there (removed here); in the base
  and on the server but not here is a removal waiting to be pushed (it stays removed). A
  memo changed on the server comes here; changed at both ends, the server's wins, and the
  line keeps the text it replaced. The codebook is the lead's: a code both ends have takes
  the server's definition and fields, a code the server removed goes unless codings made
  here use it, each said in one line.

A push never changes the server's codebook or sources: codings of a code or a source text
the server does not have, a codebook changed on the server, other coders' work made in the
copy, are listed, never resolved silently. Each end is written in one transaction and the
base last, so a push or pull cut short (a dropped connection) changes nothing and is simply
run again: both are idempotent.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import ProjectError
from qualcode.model import PATH_SEPARATOR, utc_now
from qualcode.project import Project
from qualcode.project import sync_rules as rules
from qualcode.project.sync_report import SyncReport, count
from qualcode.project.sync_state import Base, Snapshot, agreed, agreed_memos, snapshot
from qualcode.project.team import CodingKey
from qualcode.store.server import display_url, is_server_url
from qualcode.store.settings import SettingKey

ORIGIN = SettingKey.SYNC_ORIGIN
CODER = SettingKey.SYNC_CODER
CLONED_AT = SettingKey.SYNC_CLONED_AT


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
        on_server = server.team.on_server
        if coder and on_server and coder != server.context.coder:
            raise ProjectError(
                f"on a server you code as the role you connect as ({server.context.coder!r}); "
                f"connect as {coder!r} to clone their work",
                file=origin,
            )
        there = snapshot(server)
        # A name that differs from a coder's there only in case would push as a new coder.
        coder, language = server.context.coder_as(coder or None), server.context.language
    report = SyncReport("clone", origin, coder)
    with Project.open_or_build(local, coder=coder) as project, project.team.transaction():
        merged = project.exchange.merge_refi(there.refi, origin)
        project.context.set_setting(SettingKey.LANGUAGE, language)
        project.context.set_setting(ORIGIN, origin)
        project.context.set_setting(CODER, coder)
        project.context.set_setting(CLONED_AT, utc_now())
        memos = {k: there.memo(k) for k in there.codings}
        base = Base(set(there.codings), set(there.memos), there.codebook)
        base.coding_memos = agreed_memos(base, set(there.codings), memos, memos)
        project.team.set_sync_base(base.dump())
    report.codings_added, report.memos_added = merged.codings_added, merged.memos_added
    report.conflicts.extend(merged.conflicts)
    return report


def push(local: str | Path, url: str | None = None) -> SyncReport:
    """Send the clone's coder's new and removed codings, new memos and memos edited on their
    codings to the server."""
    with Project.open(local) as project:
        origin, coder, base = _clone_state(project, url)
        me = coder
        here = snapshot(project)
        with Project.open(origin) as server:
            there = snapshot(server)
            report = SyncReport("push", origin, coder)
            rules.unfold_base(base, here, there, report)
            mine_here = {k for k in here.codings if k[2] == me}
            mine_there = {k for k in there.codings if k[2] == me}
            mine_base = {k for k in base.codings if k[2] == me}
            removed = (mine_base & mine_there) - mine_here
            gone = (mine_base & mine_here) - mine_there
            rules.codebook_changed(base.codebook, there.codebook, report)
            new = rules.sendable((mine_here - mine_there) - mine_base, here, there, report)
            memos = rules.sendable_memos(here, there, base, me, report)
            edits = rules.memo_edits_to_push(here, there, base, mine_here & mine_there, report)
            rules.unsent(here, there, base, me, gone, report)
            refi = rules.push_refi(here, there, new, memos)
            with server.team.transaction():
                merged = server.exchange.merge_refi(refi, str(local))
                removals, edited = _write(server, removed, edits, coder=coder)
        report.codings_added, report.memos_added = merged.codings_added, merged.memos_added
        report.codings_removed, report.memos_edited = removals, edited
        after = (mine_there | new) - removed
        mine_next = agreed(mine_base, mine_here, after)
        there_memos = {k: there.memo(k) for k in mine_there - removed}
        there_memos |= {k: here.memo(k) for k in new} | edits
        base.coding_memos = {
            k: m for k, m in base.coding_memos.items() if k[2] != me
        } | agreed_memos(base, mine_next, {k: here.memo(k) for k in mine_here}, there_memos)
        base.codings = {k for k in base.codings if k[2] != me} | mine_next
        base.memos |= {m for m in here.memos if m[2] == me and m in there.memos} | set(memos)
        with project.team.transaction():
            project.team.set_sync_base(base.dump())
            project.context.set_setting(SettingKey.SYNC_PUSHED_AT, utc_now())
    return report


def pull(local: str | Path, url: str | None = None) -> SyncReport:
    """Bring the server's new codings and memos, its removals and edited memos, and its
    codebook and new sources into the clone."""
    with Project.open(local) as project:
        origin, coder, base = _clone_state(project, url)
        here = snapshot(project)
        with Project.open(origin) as server:
            there = snapshot(server)
        report = SyncReport("pull", origin, coder)
        rules.unfold_base(base, here, there, report)
        held, have = set(here.codings), set(there.codings)
        new = (have - held) - base.codings
        gone = (base.codings & held) - have
        waiting = (base.codings & have) - held
        if waiting:
            report.notes.append(
                f"{count(len(waiting), 'coding')} removed here and still on the server "
                f"{rules.stay(len(waiting))} removed here; push to remove them there"
            )
        memos = {k for k in there.memos if k not in here.memos and k not in base.memos}
        edits = rules.memo_edits_to_pull(here, there, base, held & have, coder, report)
        rules.edited_and_removed(here, base, gone, report)
        updates = rules.codebook_updates(here, there)
        refi = there.refi
        wanted = {id(there.codings[k]) for k in new}
        coding_refs = {there.memos[k].target[1] for k in memos if k[0] == "coding"}
        sub = rules.refi_like(
            refi,
            codings=[c for c in refi.codings if id(c) in wanted or c.guid in coding_refs],
            notes=[there.memos[k] for k in sorted(memos)],
        )
        with project.team.transaction():
            book = project.codebook.book()
            ids = {book.path(c).casefold(): c.id for c in book}
            for folded, fields, line in updates:
                project.codebook.update_code(ids[folded], **fields)
                report.notes.append(line)
            merged = project.exchange.merge_refi(sub, origin)
            report.notes.extend(f"code {p!r} added from the server" for p in merged.codes_added)
            report.codings_removed, report.memos_edited = _write(project, gone, edits, coder=None)
            _drop_codes(project, rules.codes_removed_there(here, there, base), here, report)
            held_now = (held | new) - gone
            here_memos = {k: here.memo(k) for k in held} | edits | {k: there.memo(k) for k in new}
            there_memos = {k: there.memo(k) for k in have}
            base.codings = agreed(base.codings, held_now, have)
            base.coding_memos = agreed_memos(base, base.codings, here_memos, there_memos)
            base.memos = agreed(base.memos, set(here.memos) | memos, set(there.memos))
            base.codebook = there.codebook
            project.team.set_sync_base(base.dump())
            project.context.set_setting(SettingKey.SYNC_PULLED_AT, utc_now())
        report.codings_added, report.memos_added = merged.codings_added, merged.memos_added
        report.conflicts.extend(merged.conflicts)
        report.notes.extend(merged.notes)
    return report


def _clone_state(project: Project, url: str | None) -> tuple[str, str, Base]:
    """The clone's origin (or ``url``), coder and base; refused for a project not cloned."""
    settings = project.context.settings()
    origin, coder = settings.sync_origin, settings.sync_coder
    if origin is None or coder is None:
        raise ProjectError(
            "is not a copy of a server project; make one with 'qualcode clone URL FILE'",
            file=project.context.label,
        )
    return url or origin, coder, Base.load(project.team.sync_base(), project.context.label)


# -- writing -----------------------------------------------------------------------------------


def _write(
    project: Project,
    removed: set[CodingKey],
    edits: dict[CodingKey, str],
    *,
    coder: str | None,
) -> tuple[int, int]:
    """Remove the codings ``removed`` and write the memos ``edits`` (both by content key),
    in the current transaction: as ``coder``'s undoable step if given (a push, on the
    server, of that coder's own codings), else as a pull does, outside anyone's undo
    history. Returns how many codings were removed and memos written."""
    if not removed and not edits:
        return 0, 0
    ids = project.team.coding_ids()
    removals = project.team.remove_codings([ids[k] for k in removed if k in ids], coder=coder)
    written = 0
    for key, memo in sorted(edits.items()):
        if key in ids:
            project.coding.set_coding_memo(ids[key], memo)
            written += 1
    return removals, written


def _drop_codes(project: Project, paths: list[str], here: Snapshot, report: SyncReport) -> None:
    """Remove the codes at ``paths`` (case-folded, children first), which the server
    removed, unless codings here use them or codes made here are under them: those stay,
    each said in one line."""
    if not paths:
        return
    used = [k[1] for k in project.team.coding_ids()]
    book = project.codebook.book()
    by_path = {book.path(c).casefold(): c for c in book}
    going = set(paths)
    for path in paths:
        code = by_path[path]
        name = rules.path_of(here, path)
        under = path + PATH_SEPARATOR
        n = sum(1 for p in used if p == path or p.startswith(under))
        kept = [p for p in by_path if p.startswith(under) and p not in going]
        if n:
            report.notes.append(
                f"code {name!r} was removed on the server; kept here, where "
                f"{count(n, 'coding')} {'uses' if n == 1 else 'use'} it (a push cannot send "
                f"{'it' if n == 1 else 'them'})"
            )
        elif kept:
            report.notes.append(
                f"code {name!r} was removed on the server; kept here for the codes under it "
                f"made here ({', '.join(repr(rules.path_of(here, p)) for p in sorted(kept))})"
            )
        else:
            project.codebook.delete_code(code.id)
            report.notes.append(f"code {name!r} was removed on the server: removed here too")
            continue
        going.discard(path)
