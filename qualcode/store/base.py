"""StoreBase: connection, transactions, settings and coders.

SQLite's own transaction handling in the ``sqlite3`` module does not emit ``BEGIN`` where
SQLAlchemy expects it and breaks savepoints; we take it over (the recipe from the SQLAlchemy
SQLite dialect docs) so ``atomic()`` is a real transaction with real savepoints.

A write transaction starts ``BEGIN IMMEDIATE``: it takes the write lock first, so a second
writer waits on the busy timeout for it. A deferred ``BEGIN`` would read first and then try
to upgrade to a write, and SQLite fails that upgrade at once instead of waiting (the other
writer may have changed what was read). Reads keep the deferred ``BEGIN`` and never wait:
with write-ahead logging they see the last committed state while a writer works.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from qualcode.errors import ProjectBusy, ProjectError
from qualcode.store import schema as s
from qualcode.store import server

# How long a write waits for another writer to finish, in seconds; the environment
# variable QUALCODE_BUSY_TIMEOUT overrides it for every command.
BUSY_TIMEOUT = 30.0
_WRITE = "qualcode_write"  # execution option: this connection's transaction writes


def busy_timeout_from_env() -> float:
    """The busy timeout: ``QUALCODE_BUSY_TIMEOUT`` (seconds) if set, else 30 s."""
    raw = os.environ.get("QUALCODE_BUSY_TIMEOUT", "").strip()
    if not raw:
        return BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ProjectError(
            f"QUALCODE_BUSY_TIMEOUT must be a number of seconds, not {raw!r}"
        ) from None
    return value


class StoreBase:
    """The connection, transactions, settings and coders of a project database.

    Args:
        url: an SQLAlchemy URL (``sqlite:///path.qcdb`` or ``postgresql://...``).
        label: how to name the project in error messages (its file name).
        busy_timeout: seconds a write waits for another writer before it fails
            (default: ``QUALCODE_BUSY_TIMEOUT`` or 30).
    """

    def __init__(self, url: str, *, label: str | None = None, busy_timeout: float | None = None):
        self.url = url
        self.label = label or url
        self.busy_timeout = busy_timeout_from_env() if busy_timeout is None else busy_timeout
        self.role: str | None = None  # on a server: the connecting role, who is the coder
        if server.is_server_url(url):
            self.engine: Engine = create_engine(
                server.engine_url(url), connect_args=server.connect_args(self.busy_timeout)
            )
        else:
            self.engine = create_engine(url)
        self._local = threading.local()
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", self._sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)

    def _sqlite_on_connect(self, dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see module docstring).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # A second window or command waits for a writer instead of failing.
        cursor.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        cursor.close()

    def close(self) -> None:
        self.engine.dispose()

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Connection]:
        """A write transaction; inside another one, a savepoint. Rolled back on any exception.

        It waits up to ``busy_timeout`` seconds for another writer, then raises
        :class:`ProjectBusy` (at once inside :meth:`without_waiting`).
        """
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            with current.begin_nested():
                yield current
            return
        with self._server_errors(), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            wait = 0.0 if getattr(self._local, "no_wait", False) else self.busy_timeout
            if wait != self.busy_timeout:
                self._set_busy_timeout(conn, wait)
            try:
                transaction = conn.begin()
            except OperationalError as exc:
                if _is_busy(exc):
                    raise self._busy(wait) from None
                raise
            finally:
                if wait != self.busy_timeout:
                    self._set_busy_timeout(conn, self.busy_timeout)
            with transaction:
                self._local.conn = conn
                try:
                    yield conn
                finally:
                    self._local.conn = None

    @contextmanager
    def _server_errors(self) -> Iterator[None]:
        """A server's refusal, a lock waited on too long, or a dropped connection, as a
        one-line error (the transaction is rolled back by then)."""
        if self.role is None:
            yield
            return
        try:
            yield
        except DBAPIError as exc:
            mapped = server.refusal(exc, self.label, self.role) or server.lost_connection(
                exc, self.label
            )
            if mapped is not None:
                raise mapped from None
            if server.is_busy(exc):
                raise self._busy(self.busy_timeout) from None
            raise

    @contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Writes in this block raise :class:`ProjectBusy` at once if another writer holds
        the project, so a screen can say it waits and wait in the background."""
        self._local.no_wait = True
        try:
            yield
        finally:
            self._local.no_wait = False

    def _busy(self, waited: float) -> ProjectBusy:
        return ProjectBusy(
            f"another writer held the project for {waited:g} s; try again when it has "
            "finished (QUALCODE_BUSY_TIMEOUT sets how long to wait)",
            file=self.label,
        )

    def _set_busy_timeout(self, conn: Connection, seconds: float) -> None:
        if self.engine.dialect.name == "sqlite":
            # On the driver's connection: through SQLAlchemy it would open a transaction.
            raw: Any = conn.connection.driver_connection
            raw.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads: the current transaction's, or a short-lived one."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self._server_errors(), self.engine.connect() as conn:
            yield conn

    # -- settings ------------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        with self.reading() as conn:
            return {k: v for k, v in conn.execute(select(s.meta.c.key, s.meta.c.value))}

    def set_setting(self, key: str, value: str) -> None:
        with self.atomic() as conn:
            self._set_meta(conn, key, value)

    @staticmethod
    def _set_meta(conn: Connection, key: str, value: str) -> None:
        updated = conn.execute(s.meta.update().where(s.meta.c.key == key).values(value=value))
        if updated.rowcount == 0:
            conn.execute(s.meta.insert().values(key=key, value=value))

    # -- coders --------------------------------------------------------------------------

    def coder_id(self, conn: Connection, name: str) -> int:
        """The id of coder ``name``, added on first use."""
        found = conn.execute(select(s.coders.c.id).where(s.coders.c.name == name)).scalar()
        if found is not None:
            return int(found)
        return new_id(conn.execute(s.coders.insert().values(name=name)))

    def coders(self) -> list[str]:
        with self.reading() as conn:
            return list(conn.execute(select(s.coders.c.name).order_by(s.coders.c.id)).scalars())

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables, for summaries and for tests of 'nothing changed'."""
        names = ("sources", "turns", "codes", "codings", "memos", "attributes", "coders")
        with self.reading() as conn:
            return {
                n: int(conn.execute(text(f"SELECT COUNT(*) FROM {n}")).scalar() or 0) for n in names
            }


def new_id(result: Any) -> int:
    """The primary key of the row an INSERT just added."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _first_line(exc: BaseException) -> str:
    orig: Any = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else type(orig).__name__


def _is_busy(exc: OperationalError) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in message or "database is busy" in message


def _sqlite_on_begin(conn: Connection) -> None:
    # See the module docstring: writes take the write lock first, reads do not.
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
