"""Live updates on a server: PostgreSQL LISTEN/NOTIFY, and who is online.

Two statement-level triggers on ``codings`` send one notification per INSERT or DELETE
statement on channel ``qualcode_codings`` (a bulk import of a million codings sends one,
not a million), naming the operation, the number of rows, their coders and sources. They
fire inside the writer's transaction, so PostgreSQL delivers the notification only when it
commits, and never for a write rolled back.

Any role may send anything on any channel (``SELECT pg_notify('qualcode_codings', ...)``),
so a notification is only a hint to look: the listener then reads how many codings each
coder has in each source, and what it reports is the difference from its last reading. A
payload that is not the trigger's is logged (the first only: a flood of them is one line)
and changes nothing; a forged count is never shown, as the count shown is the database's.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, make_url

from qualcode.errors import ProjectError

CHANNEL = "qualcode_codings"
PRESENCE = "qualcode_presence"
APPLICATION = "qualcode live"
PRESENT = (0x5143, 0x4C495645)  # the advisory lock of an open window: "QC", "LIVE"
WAIT = 0.5  # seconds between looks at the cancel event while no notification comes

MANY = 100  # more sources or coders than this in one statement: the list is left out (null)
LOCK_WAIT = "2s"  # a count waits this long for a lock; then it is taken again later

log = logging.getLogger(__name__)
Tally = dict[tuple[str, int], int]  # (coder, source id) -> codings

# One function for both triggers: each names its transition table ``changed``.
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION qualcode_notify_codings() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    SELECT json_build_object(
        'op', CASE TG_OP WHEN 'INSERT' THEN 'added' ELSE 'removed' END,
        'count', count(*),
        'coders', (SELECT CASE WHEN count(DISTINCT c.name) <= {MANY}
                          THEN json_agg(DISTINCT c.name) END
                   FROM changed r JOIN coders c ON c.id = r.coder_id),
        'sources', CASE WHEN count(DISTINCT source_id) <= {MANY}
                        THEN json_agg(DISTINCT source_id) END)::text
    INTO payload FROM changed HAVING count(*) > 0;
    IF payload IS NOT NULL THEN
        PERFORM pg_notify('{CHANNEL}', payload);
    END IF;
    RETURN NULL;
END $$
"""
_TRIGGERS = tuple(
    statement
    for name, event, table in (("added", "INSERT", "NEW"), ("removed", "DELETE", "OLD"))
    for statement in (
        f"DROP TRIGGER IF EXISTS qualcode_codings_{name} ON codings",
        f"CREATE TRIGGER qualcode_codings_{name} AFTER {event} ON codings "
        f"REFERENCING {table} TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION qualcode_notify_codings()",
    )
)


def install_notify(conn: Connection) -> None:
    """Create (or replace) the notifying triggers: part of setting up a server project,
    run by its owner."""
    conn.exec_driver_sql(_FUNCTION)
    for statement in _TRIGGERS:
        conn.exec_driver_sql(statement)


@dataclass(frozen=True, slots=True)
class Change:
    """Codings added or removed by one committed statement. ``coders`` and ``source_ids``
    are empty when more than :data:`MANY` were involved."""

    op: str  # added | removed
    count: int
    coders: tuple[str, ...]
    source_ids: tuple[int, ...]


class Listener:
    """Waits for changes to a server project's codings and for coders coming and going.

    Args:
        url: the project's SQLAlchemy URL (``postgresql+psycopg://...``).
        label: how to name the project in an error.
    """

    def __init__(self, url: str, *, label: str | None = None):
        self.conninfo = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self.label = label or make_url(url).render_as_string(hide_password=True)
        self.ignored = 0  # notifications on CHANNEL not sent by the trigger
        self._counted: Tally | None = None  # the codings at the last count
        self._stale = False  # a notification came and the count was not taken yet

    def run(
        self,
        on_change: Callable[[Change], object],
        on_online: Callable[[list[str]], object],
        cancel: threading.Event,
    ) -> None:
        """Call ``on_change`` for each change of the codings (read from the database when a
        notification says there may be one) and ``on_online`` with the coders online (now,
        and whenever one comes or goes), until ``cancel`` is set. Runs in a thread of its
        own; a lost connection raises :class:`ProjectError`."""
        import psycopg  # only a server project needs the driver

        try:
            with psycopg.connect(
                self.conninfo, autocommit=True, application_name=APPLICATION
            ) as conn:
                conn.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
                conn.execute("SELECT pg_advisory_lock_shared(%s, %s)", PRESENT)
                self._counted = _tally(conn)  # before LISTEN: what commits meanwhile counts
                self._stale = self._counted is None
                conn.execute(f"LISTEN {CHANNEL}")
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
                self._check(note.payload)
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

    def _check(self, payload: str) -> None:
        """Log the first payload on CHANNEL that the trigger did not send; count them all."""
        if _from_trigger(payload):
            return
        self.ignored += 1
        if self.ignored == 1:
            log.warning(
                "%s: ignored a notification on %s that qualcode's trigger did not send (%r); "
                "what changed is read from the database, and further ones are not logged",
                self.label,
                CHANNEL,
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
