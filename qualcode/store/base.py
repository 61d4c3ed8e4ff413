"""StoreBase: connection, transactions, settings and coders.

SQLite's own transaction handling in the ``sqlite3`` module does not emit ``BEGIN`` where
SQLAlchemy expects it and breaks savepoints; we take it over (the recipe from the SQLAlchemy
SQLite dialect docs) so ``atomic()`` is a real transaction with real savepoints.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select, text

from qualcode.store import schema as s


class StoreBase:
    """The connection, transactions, settings and coders of a project database.

    Args:
        url: an SQLAlchemy URL (``sqlite:///path.qcdb`` or ``postgresql://...``).
        label: how to name the project in error messages (its file name).
    """

    def __init__(self, url: str, *, label: str | None = None):
        self.url = url
        self.label = label or url
        self.engine: Engine = create_engine(url)
        self._local = threading.local()
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)

    def close(self) -> None:
        self.engine.dispose()

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Connection]:
        """A transaction; inside another one, a savepoint. Rolled back on any exception."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            with current.begin_nested():
                yield current
            return
        with self.engine.connect() as conn, conn.begin():
            self._local.conn = conn
            try:
                yield conn
            finally:
                self._local.conn = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads: the current transaction's, or a short-lived one."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.connect() as conn:
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


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy (see module docstring).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")  # a second window waits instead of failing
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")
