"""Live updates on a server: PostgreSQL LISTEN/NOTIFY, and who is online.

The server sends a notification when codings are added or removed (``qualcode_codings``)
and when the codebook or the sources change (``qualcode_catalog``): the triggers of
:mod:`qualcode.store.notify`, which fire in the writer's transaction, so a notification
comes only when it commits.

Any role may send anything on any channel (``SELECT pg_notify('qualcode_codings', ...)``),
so a notification is only a hint to look: the listener then reads how many codings each
coder has in each source, or a digest of the codebook and of the sources, and what it
reports is the difference from its last reading. A payload that is not the trigger's is
logged (the first only: a flood of them is one line) and changes nothing; a forged count
is never shown, as the count shown is the database's.

A :class:`Listener` holds one connection of its own (psycopg, autocommit) that LISTENs and
waits. It holds a shared advisory lock too, which blocks nothing: a coder is online while
a session of theirs holds it. ``pg_locks`` and the role names in ``pg_stat_activity`` are
readable by every role (another role's ``application_name`` is not), and the server drops
the lock with the session, even one that crashed. A window that opens or closes says so
on ``qualcode_presence`` so the others look again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import make_url

from qualcode.errors import ProjectError
from qualcode.store.notify import CATALOG, CATALOG_TABLES, CODINGS

CHANNEL = CODINGS
PRESENCE = "qualcode_presence"
APPLICATION = "qualcode live"
PRESENT = (0x5143, 0x4C495645)  # the advisory lock of an open window: "QC", "LIVE"
WAIT = 0.5  # seconds between looks at the cancel event while no notification comes

LOCK_WAIT = "2s"  # a count waits this long for a lock; then it is taken again later

log = logging.getLogger(__name__)
Tally = dict[tuple[str, int], int]  # (coder, source id) -> codings
Digest = dict[str, str]  # "codebook" | "sources" -> a digest of what the windows show of it

# What a window shows of the codebook (every column) and of the sources (not their text).
_DIGEST = """
SELECT (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.id), '')) FROM codes c),
       (SELECT md5(coalesce(string_agg(concat_ws('|', s.id, s.name, s.kind, s.language,
                                                 s.content_hash), ',' ORDER BY s.id), ''))
        FROM sources s)
"""


@dataclass(frozen=True, slots=True)
class Change:
    """Codings added or removed by one committed statement. ``coders`` and ``source_ids``
    are empty when more than :data:`qualcode.store.notify.MANY` were involved."""

    op: str  # added | removed
    count: int
    coders: tuple[str, ...]
    source_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Edited:
    """What changed besides codings: on a server the ``codebook`` or the ``sources``, in a
    project file the whole ``project`` (a file says no more). ``mine``: made by the window's
    own connections only, so it shows it already."""

    parts: tuple[str, ...]
    mine: bool = False


class Listener:
    """Waits for changes to a server project's codings and for coders coming and going.

    Args:
        url: the project's SQLAlchemy URL (``postgresql+psycopg://...``).
        label: how to name the project in an error.
        own: the server process ids of the window's own connections, asked when the
            codebook or the sources change (an edit of its own is not news to it).
    """

    def __init__(
        self,
        url: str,
        *,
        label: str | None = None,
        own: Callable[[], Collection[int]] = frozenset,
    ):
        self.conninfo = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self.label = label or make_url(url).render_as_string(hide_password=True)
        self.ignored = 0  # notifications not sent by the triggers
        self._counted: Tally | None = None  # the codings at the last count
        self._stale = False  # a notification came and the count was not taken yet
        self.own = own
        self._digest: Digest | None = None  # the codebook and the sources at the last read
        self._senders: set[int] | None = None  # who notified since then (None: no one)

    def run(
        self,
        on_change: Callable[[Change], object],
        on_online: Callable[[list[str]], object],
        cancel: threading.Event,
        on_edit: Callable[[Edited], object] = repr,
    ) -> None:
        """Call ``on_change`` for each change of the codings and ``on_edit`` for each of
        the codebook or the sources (read from the database when a notification says there
        may be one), and ``on_online`` with the coders online (now, and whenever one comes
        or goes), until ``cancel`` is set. Runs in a thread of its own; a lost connection
        raises :class:`ProjectError`."""
        import psycopg  # only a server project needs the driver

        try:
            with psycopg.connect(
                self.conninfo, autocommit=True, application_name=APPLICATION
            ) as conn:
                conn.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
                conn.execute("SELECT pg_advisory_lock_shared(%s, %s)", PRESENT)
                self._counted = _tally(conn)  # before LISTEN: what commits meanwhile counts
                self._stale = self._counted is None
                self._digest = _digest(conn)
                conn.execute(f"LISTEN {CHANNEL}")
                conn.execute(f"LISTEN {CATALOG}")
                conn.execute(f"LISTEN {PRESENCE}")
                conn.execute("SELECT pg_notify(%s, 'joined')", (PRESENCE,))
                on_online(_online(conn))
                while not cancel.is_set():
                    # One at a time: the connection cannot run a query (who is online)
                    # while notifies() holds it. Then whatever came with it: a burst is
                    # counted once.
                    notes = list(conn.notifies(timeout=WAIT, stop_after=1))
                    if notes:
                        notes += conn.notifies(timeout=0)
                    self._look(conn, notes, on_change, on_online)
                    self._look_at_catalog(conn, notes, on_edit)
                # "left PID": the pid for a window of an earlier version, which reads it
                conn.execute(
                    "SELECT pg_notify(%s, %s)", (PRESENCE, f"left {conn.info.backend_pid}")
                )
        except psycopg.OperationalError as exc:
            if cancel.is_set():
                return
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ProjectError(
                f"lost the live connection to the server ({reason}); what others code shows "
                "on ctrl+r",
                file=self.label,
            ) from None

    def _look(
        self,
        conn: Any,
        notes: list[Any],
        on_change: Callable[[Change], object],
        on_online: Callable[[list[str]], object],
    ) -> None:
        """Read again what ``notes`` say may have changed: the codings (counted again, or
        again at the next look if a lock kept them from being counted) and who is online."""
        me = conn.info.backend_pid
        for note in notes:
            if note.channel == CHANNEL:
                self._check(note.channel, note.payload)
                self._stale = True
        if self._stale:
            now = _tally(conn)
            if now is not None:
                for change in _changes(self._counted, now) if self._counted is not None else ():
                    on_change(change)
                self._counted, self._stale = now, False
        others = [n for n in notes if n.channel == PRESENCE and n.pid != me]
        if others:
            # Only the session that sent it is taken as leaving: no one says another left.
            on_online(
                _online(conn, leaving=[n.pid for n in others if n.payload.startswith("left")])
            )

    def _look_at_catalog(
        self, conn: Any, notes: list[Any], on_edit: Callable[[Edited], object]
    ) -> None:
        """Read the codebook's and the sources' digests again if ``notes`` say they may have
        changed (or a lock kept them from being read last time), and say which did."""
        for note in notes:
            if note.channel == CATALOG:
                self._check(note.channel, note.payload)
                self._senders = (self._senders or set()) | {note.pid}
        if self._senders is None:
            return
        now = _digest(conn)
        if now is None:
            return  # read again at the next look
        parts = tuple(p for p in now if self._digest is None or now[p] != self._digest.get(p))
        if parts:
            on_edit(Edited(parts, mine=self._senders <= set(self.own())))
        self._digest, self._senders = now, None

    def _check(self, channel: str, payload: str) -> None:
        """Log the first payload that the trigger did not send; count them all."""
        if _from_trigger(payload) if channel == CHANNEL else payload in CATALOG_TABLES:
            return
        self.ignored += 1
        if self.ignored == 1:
            log.warning(
                "%s: ignored a notification on %s that qualcode's trigger did not send (%r); "
                "what changed is read from the database, and further ones are not logged",
                self.label,
                channel,
                payload[:80],
            )


def _online(conn: Any, leaving: list[int] | None = None) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT a.usename FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s "
        "AND NOT l.pid = ANY(%s) "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "ORDER BY 1",
        (*PRESENT, leaving or []),
    )
    return [name for (name,) in rows]


def _tally(conn: Any) -> Tally | None:
    """How many codings each coder has in each source; None if a lock held by another
    session kept the count from being taken (it is taken again on the next look)."""
    import psycopg

    try:
        rows = conn.execute(
            "SELECT c.name, k.source_id, count(*) FROM codings k "
            "JOIN coders c ON c.id = k.coder_id GROUP BY c.name, k.source_id"
        )
        return {(str(name), int(source)): int(n) for name, source, n in rows}
    except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled):
        return None


def _digest(conn: Any) -> Digest | None:
    """The codebook's and the sources' digests; None if a lock held by another session kept
    them from being read (they are read again on the next look)."""
    import psycopg

    try:
        codebook, sources = conn.execute(_DIGEST).fetchone()
    except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled):
        return None
    return {"codebook": str(codebook), "sources": str(sources)}


def _changes(before: Tally, after: Tally) -> list[Change]:
    """What each coder removed and added between two counts, by coder."""
    moved: dict[tuple[str, str], dict[int, int]] = {}
    for key in before.keys() | after.keys():
        diff = after.get(key, 0) - before.get(key, 0)
        if diff:
            op = "added" if diff > 0 else "removed"
            moved.setdefault((key[0], op), {})[key[1]] = abs(diff)
    return [
        Change(op, sum(by_source.values()), (coder,), tuple(sorted(by_source)))
        for (coder, op), by_source in sorted(
            moved.items(), key=lambda i: (i[0][0], i[0][1] == "added")
        )
    ]


def _from_trigger(payload: str) -> bool:
    """Whether ``payload`` has the shape the trigger sends (it may still be forged: what it
    says is never used)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return False
    if not isinstance(data, dict) or data.get("op") not in ("added", "removed"):
        return False
    count, coders, sources = data.get("count"), data.get("coders"), data.get("sources")
    return (
        type(count) is int
        and count > 0
        and (
            coders is None or (isinstance(coders, list) and all(isinstance(c, str) for c in coders))
        )
        and (
            sources is None or (isinstance(sources, list) and all(type(i) is int for i in sources))
        )
    )
