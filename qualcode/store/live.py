"""Live updates on a server: PostgreSQL LISTEN/NOTIFY, and who is online.

Two statement-level triggers on ``codings`` send one notification per INSERT or DELETE
statement on channel ``qualcode_codings`` (a bulk import of a million codings sends one,
not a million), naming the operation, the number of rows, their coders and sources. They
fire inside the writer's transaction, so PostgreSQL delivers the notification only when it
commits, and never for a write rolled back.

A :class:`Listener` holds one connection of its own (psycopg, autocommit) that LISTENs and
waits. It holds a shared advisory lock too, which blocks nothing: a coder is online while
a session of theirs holds it. ``pg_locks`` and the role names in ``pg_stat_activity`` are
readable by every role (another role's ``application_name`` is not), and the server drops
the lock with the session, even one that crashed. A window that opens or closes says so
on ``qualcode_presence`` so the others look again.
"""

from __future__ import annotations

import json
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

    def run(
        self,
        on_change: Callable[[Change], object],
        on_online: Callable[[list[str]], object],
        cancel: threading.Event,
    ) -> None:
        """Call ``on_change`` for each committed change and ``on_online`` with the coders
        online (now, and whenever one comes or goes), until ``cancel`` is set. Runs in a
        thread of its own; a lost connection raises :class:`ProjectError`."""
        import psycopg  # only a server project needs the driver

        try:
            with psycopg.connect(
                self.conninfo, autocommit=True, application_name=APPLICATION
            ) as conn:
                conn.execute("SELECT pg_advisory_lock_shared(%s, %s)", PRESENT)
                conn.execute(f"LISTEN {CHANNEL}")
                conn.execute(f"LISTEN {PRESENCE}")
                conn.execute("SELECT pg_notify(%s, 'joined')", (PRESENCE,))
                on_online(_online(conn))
                while not cancel.is_set():
                    # One at a time: the connection cannot run a query (who is online)
                    # while notifies() holds it.
                    for note in list(conn.notifies(timeout=WAIT, stop_after=1)):
                        if note.channel == CHANNEL:
                            on_change(_change(note.payload))
                        elif note.pid != conn.info.backend_pid:
                            on_online(_online(conn, leaving=_leaving(note.payload)))
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


def _online(conn: Any, leaving: int | None = None) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT a.usename FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.pid <> %s "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "ORDER BY 1",
        (*PRESENT, leaving or 0),
    )
    return [name for (name,) in rows]


def _leaving(payload: str) -> int | None:
    word, _, pid = payload.partition(" ")
    return int(pid) if word == "left" and pid.isdigit() else None


def _change(payload: str) -> Change:
    data = json.loads(payload)
    return Change(
        op=str(data["op"]),
        count=int(data["count"]),
        coders=tuple(str(c) for c in data.get("coders") or ()),
        source_ids=tuple(int(s) for s in data.get("sources") or ()),
    )
