"""The dialect seam: everything the store does differently on one database engine.

The rest of the store is plain SQLAlchemy Core and runs unchanged on any engine; what only
SQLite has (pragmas, ``application_id``, write-ahead logging, the busy timeout, incremental
blob I/O, ``AUTOINCREMENT``, taking transaction control from the ``sqlite3`` module) lives
here, in :class:`SQLiteDialect`. :class:`Dialect` is what any other engine gets: the
portable way, or nothing where the feature is an SQLite optimisation.
:class:`PostgreSQLDialect` adds what a server needs: how its sessions connect and how its
errors read.

SQLite's own transaction handling in the ``sqlite3`` module does not emit ``BEGIN`` where
SQLAlchemy expects it and breaks savepoints; :class:`SQLiteDialect` takes it over (the recipe
from the SQLAlchemy SQLite dialect docs) so ``atomic()`` is a real transaction with real
savepoints.

A write transaction starts ``BEGIN IMMEDIATE``: it takes the write lock first, so a second
writer waits on the busy timeout for it. A deferred ``BEGIN`` would read first and then try
to upgrade to a write, and SQLite fails that upgrade at once instead of waiting (the other
writer may have changed what was read). Reads keep the deferred ``BEGIN`` and never wait:
with write-ahead logging they see the last committed state while a writer works.
"""

from __future__ import annotations

import codecs
import json
import sqlite3
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.exc import DatabaseError, OperationalError

from qualcode.store import fences, server

# SQLite's application_id: lets us tell a qualcode project from any other SQLite file.
APPLICATION_ID = 0x51434442  # "QCDB"
# Table options that make ids never reused; other dialects ignore ``sqlite_`` options, and
# PostgreSQL's sequences never hand out an id twice anyway.
NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}

_WRITE = "qualcode_write"  # execution option: this connection's transaction writes
_CHUNK = 2**20  # bytes of a long text read or written at a time


class Dialect:
    """What the store needs from a database engine, done the portable way.

    Args:
        busy_timeout: seconds a write waits for another writer before it fails.
    """

    name = "generic"
    # Errors that mean "this file or database is not what we expected".
    database_errors: tuple[type[BaseException], ...] = (DatabaseError, OperationalError)
    # Whether six id and offset integers may travel packed as three (bit shifts in SQL).
    packs_integers = False
    # Whether :meth:`write_long_text` can write a text without holding it whole.
    streams_text = False
    # Whether two transactions may write at once (so a check before an insert can be
    # overtaken by another writer); SQLite's writers take turns.
    concurrent_writers = True
    # Whether an INSERT can skip the rows a unique constraint already holds and return the
    # rows it added, in one statement (``ON CONFLICT DO NOTHING ... RETURNING``), and a
    # statement can delete in a ``WITH`` clause what it then inserts after: one round trip
    # each instead of several, which counts on a server.
    skips_conflicts = False

    def __init__(self, busy_timeout: float):
        self.busy_timeout = busy_timeout

    def install(self, engine: Engine) -> None:
        """Hook into the engine's connections (nothing to do by default)."""

    def write_options(self) -> dict[str, Any]:
        """Execution options of a connection whose transaction will write."""
        return {}

    def set_busy_timeout(self, conn: Connection, seconds: float) -> None:
        """How long this connection's next write waits for another writer."""

    def wait_in_transaction(self, conn: Connection, seconds: float) -> None:
        """How long the statements of this connection's open transaction wait for a lock
        another session holds (where locks are taken by statements, not by ``BEGIN``)."""

    def is_busy(self, exc: BaseException) -> bool:
        """Whether ``exc`` says another writer holds the database."""
        return False

    def explain(self, exc: BaseException, *, label: str, role: str | None) -> Exception | None:
        """The one-line error for a database error a user can act on (or None): a server
        refusing what a coder may not do, a connection that was dropped."""
        return None

    def mark_ours(self, conn: Connection) -> None:
        """Label a new database as a qualcode project (beyond its ``meta`` table)."""

    def is_ours(self, conn: Connection) -> bool:
        """Whether the database carries the label of :meth:`mark_ours`."""
        return True

    def after_create(self, engine: Engine) -> None:
        """Settings made once on a new database, outside any transaction."""

    def keep_ids_unique(self, conn: Connection, table: Table, above: int) -> None:
        """Make ``table`` never hand out an id again, nor any id up to ``above`` (a schema
        upgrade; a sequence already never reuses one)."""

    def change_token(self, conn: Connection) -> Hashable | None:
        """A value that changes whenever the database does, or None if there is none: a
        read may then be kept and reused while the token stays the same."""
        return None

    def sessions(self) -> frozenset[int]:
        """The server process ids of the engine's open connections (none on a file): a
        notification one of them sent is the project's own."""
        return frozenset()

    def catalog_token(self, conn: Connection) -> Hashable | None:
        """A value that changes whenever the codebook, the sources or the coders do (not
        the codings), or None if there is none: what the store reads of them may then be
        kept while the token stays the same (see :mod:`qualcode.store.catalog`)."""
        return None

    def install_catalog_version(self, conn: Connection) -> None:
        """Make the database keep what :meth:`catalog_token` reads (nothing by default)."""

    def insert_new(
        self, conn: Connection, table: Table, rows: Sequence[dict[str, Any]], constraint: str
    ) -> list[Any]:
        """Insert the ``rows`` that ``constraint`` (a unique constraint) does not refuse, in
        one statement, and return the rows added (every column); only where
        :attr:`skips_conflicts`."""
        raise NotImplementedError(f"{self.name} cannot skip conflicting rows")

    # -- writes of the rows each coder owns (see :mod:`qualcode.store.fences`) ---------------

    def insert_rows(
        self,
        conn: Connection,
        table: Table,
        rows: Sequence[dict[str, Any]],
        *,
        returning: bool = True,
    ) -> list[int]:
        """Insert ``rows`` into a table of coders' rows; returns their ids, in order (none
        without ``returning``: reading them back takes about three times as long)."""
        if not rows:
            return []
        if not returning:
            conn.execute(table.insert(), list(rows))
            return []
        stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in conn.execute(stmt, list(rows)).scalars()]

    def fill_guids(self, conn: Connection, table: Table, guids: Mapping[int, str]) -> None:
        """Give rows their REFI-QDA GUIDs, by id."""
        stmt = update(table).where(table.c.id == bindparam("row_id")).values(guid=bindparam("new"))
        conn.execute(stmt, [{"row_id": k, "new": v} for k, v in guids.items()])

    def update_rows(
        self, conn: Connection, table: Table, ids: Sequence[int], values: dict[str, Any]
    ) -> int:
        """Set ``values`` in the rows ``ids`` the connecting coder may write; returns how
        many changed."""
        stmt = update(table).where(table.c.id.in_(list(ids))).values(**values)
        return int(conn.execute(stmt).rowcount)

    def delete_rows(
        self,
        conn: Connection,
        table: Table,
        ids: Sequence[int] | None = None,
        *,
        coder_id: int | None = None,
    ) -> int:
        """Delete the rows ``ids`` (all, if None) of coder ``coder_id`` (any, if None) the
        connecting coder may write; returns how many went."""
        stmt = delete(table)
        if ids is not None:
            stmt = stmt.where(table.c.id.in_(list(ids)))
        if coder_id is not None:
            stmt = stmt.where(table.c.coder_id == coder_id)
        return int(conn.execute(stmt).rowcount)

    def record_step(
        self, conn: Connection, h: Table, op: str, coder_id: int | None, payload: str, at: str
    ) -> None:
        """Add an undo step of coder ``coder_id`` to the history table ``h`` and drop their
        undone ones (a new operation ends the redo chain, as in every editor)."""
        same = h.c.coder_id.is_(None) if coder_id is None else h.c.coder_id == coder_id
        clear = delete(h).where(h.c.undone.is_(True), same)
        record = h.insert().values(
            op=op, coder_id=coder_id, payload=payload, created_at=at, undone=False
        )
        if self.skips_conflicts:  # both in one statement: one round trip
            conn.execute(record.add_cte(clear.cte("cleared")))
            return
        conn.execute(clear)
        conn.execute(record)

    def write_long_text(
        self, conn: Connection, table: Table, row_id: int, pieces: Iterable[bytes], size: int
    ) -> None:
        """Write a text of ``size`` UTF-8 bytes into ``table.text`` of row ``row_id``, given
        in pieces (only where :attr:`streams_text`)."""
        raise NotImplementedError(f"{self.name} cannot write a text in pieces")

    def text_chunks(self, conn: Connection, table: Table, row_id: int) -> Iterator[str]:
        """The ``text`` of row ``row_id`` in pieces, never all of it at once."""
        text_col = table.c.text
        length = conn.execute(select(func.length(text_col)).where(table.c.id == row_id)).scalar()
        for start in range(1, int(length or 0) + 1, _CHUNK):  # SQL counts characters from 1
            piece = func.substr(text_col, start, _CHUNK)
            yield conn.execute(select(piece).where(table.c.id == row_id)).scalar_one()


class SQLiteDialect(Dialect):
    """One ``.qcdb`` file: pragmas, ``BEGIN IMMEDIATE``, WAL and blob I/O (see the module)."""

    name = "sqlite"
    database_errors = (DatabaseError, OperationalError, sqlite3.DatabaseError)
    packs_integers = True
    streams_text = True
    concurrent_writers = False

    def install(self, engine: Engine) -> None:
        event.listen(engine, "connect", self._on_connect)
        event.listen(engine, "begin", _on_begin)

    def _on_connect(self, dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see module docstring).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # A second window or command waits for a writer instead of failing.
        cursor.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        cursor.close()

    def write_options(self) -> dict[str, Any]:
        return {_WRITE: True}

    def set_busy_timeout(self, conn: Connection, seconds: float) -> None:
        # On the driver's connection: through SQLAlchemy it would open a transaction.
        raw: Any = conn.connection.driver_connection
        raw.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def is_busy(self, exc: BaseException) -> bool:
        message = str(getattr(exc, "orig", exc)).lower()
        return "database is locked" in message or "database is busy" in message

    def mark_ours(self, conn: Connection) -> None:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")

    def is_ours(self, conn: Connection) -> bool:
        return conn.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID

    def after_create(self, engine: Engine) -> None:
        # Write-ahead logging lets a second window read while this one writes. Set once,
        # outside any transaction, and never on a file that is not ours.
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode = WAL")  # type: ignore[union-attr]
        finally:
            raw.close()

    def keep_ids_unique(self, conn: Connection, table: Table, above: int) -> None:
        # SQLite cannot add AUTOINCREMENT to a table, so the rows move to a new one, ids kept.
        name = table.name
        for index in table.indexes:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
        conn.exec_driver_sql(f"ALTER TABLE {name} RENAME TO {name}_old")
        table.create(conn)
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        conn.exec_driver_sql(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {name}_old")
        conn.exec_driver_sql(f"DROP TABLE {name}_old")
        conn.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (above, name)
        )
        if conn.exec_driver_sql("SELECT 1 FROM sqlite_sequence WHERE name = ?", (name,)).first():
            return
        conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, above))

    def change_token(self, conn: Connection) -> Hashable | None:
        # A connection's ``PRAGMA data_version`` changes when any other connection commits,
        # and its ``total_changes()`` when it writes itself; with the connection itself (held,
        # not its id(), which could be reused by a new one) they say "unchanged".
        raw = conn.connection.dbapi_connection
        version = conn.exec_driver_sql("PRAGMA data_version").scalar()
        changes = conn.exec_driver_sql("SELECT total_changes()").scalar()
        return (raw, version, changes)

    def write_long_text(
        self, conn: Connection, table: Table, row_id: int, pieces: Iterable[bytes], size: int
    ) -> None:
        """Bound as one parameter, a text is in memory four times at once: the string, its
        UTF-8 form (cached on the string), SQLite's copy of the parameter and the row being
        built. Here SQLite makes a TEXT value of the right length in UTF-8 bytes (zeros) and
        the pieces are written into it (incremental blob I/O), so only that value and the
        row are ever whole."""
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        conn.execute(
            table.update().where(table.c.id == row_id).values(text=cast(func.zeroblob(size), Text))
        )
        with raw.blobopen(table.name, "text", row_id) as blob:
            for piece in pieces:
                blob.write(piece)

    def text_chunks(self, conn: Connection, table: Table, row_id: int) -> Iterator[str]:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        decoder = codecs.getincrementaldecoder("utf-8")()
        with raw.blobopen(table.name, "text", row_id, readonly=True) as blob:
            while data := blob.read(_CHUNK):
                yield decoder.decode(data)
        yield decoder.decode(b"", final=True)


class PostgreSQLDialect(Dialect):
    """A project on a PostgreSQL server (psycopg 3). Its sessions name themselves in
    ``pg_stat_activity``; a statement waits up to the busy timeout for a lock another
    session holds; the server's refusals and dropped connections become one-line errors
    (:mod:`qualcode.store.server`, which also holds the roles and row-level security)."""

    name = "postgresql"
    skips_conflicts = True

    def __init__(self, busy_timeout: float):
        super().__init__(busy_timeout)
        self._lock = threading.Lock()
        self._sessions: set[int] = set()  # see sessions()

    def install(self, engine: Engine) -> None:
        event.listen(engine, "do_connect", self._on_connect)
        event.listen(engine, "connect", self._on_connected)
        event.listen(engine, "close", self._on_close)

    def _on_connected(self, dbapi_conn: Any, record: Any) -> None:
        pid = record.info["backend_pid"] = dbapi_conn.info.backend_pid
        with self._lock:
            self._sessions.add(pid)

    def _on_close(self, _dbapi_conn: Any, record: Any) -> None:
        with self._lock:
            self._sessions.discard(record.info.pop("backend_pid", None))

    def sessions(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._sessions)

    def _on_connect(self, _dialect: Any, _record: Any, _cargs: Any, cparams: dict) -> None:
        extra = server.connect_args(self.busy_timeout)
        given = cparams.get("options")  # the URL's own ?options=... are kept
        if given:
            extra["options"] = f"{given} {extra['options']}"
        cparams.update(extra)

    def wait_in_transaction(self, conn: Connection, seconds: float) -> None:
        # A server locks rows as statements reach them, not at BEGIN: the wait is set for
        # the transaction (SET LOCAL ends with it), and a lock not granted in it fails the
        # statement with LockNotAvailable, which is_busy() names.
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{server.lock_timeout_ms(seconds)}ms'")

    def is_busy(self, exc: BaseException) -> bool:
        return server.is_busy(exc)

    def explain(self, exc: BaseException, *, label: str, role: str | None) -> Exception | None:
        return (
            server.refusal(exc, label, role)
            or server.lost_connection(exc, label)
            or server.clash(exc, label)
        )

    def catalog_token(self, conn: Connection) -> Hashable | None:
        return server.catalog_token(conn)

    def install_catalog_version(self, conn: Connection) -> None:
        server.install_catalog_version(conn)

    # A coder holds no write privilege on a table: every write of the rows coders own goes
    # through the functions of qualcode.store.fences, one round trip each. The table's name
    # (the schema's own, never a user's) is in the statement, which so names what it writes.

    def insert_new(
        self, conn: Connection, table: Table, rows: Sequence[dict[str, Any]], constraint: str
    ) -> list[Any]:
        return self._insert(conn, table, rows, skip_conflicts=True)

    def insert_rows(
        self,
        conn: Connection,
        table: Table,
        rows: Sequence[dict[str, Any]],
        *,
        returning: bool = True,
    ) -> list[int]:
        return [int(r["id"]) for r in self._insert(conn, table, rows, skip_conflicts=False)]

    def fill_guids(self, conn: Connection, table: Table, guids: Mapping[int, str]) -> None:
        if table.name not in fences.CODER_TABLES:  # the codebook, the sources: a lead's
            super().fill_guids(conn, table, guids)
            return
        conn.exec_driver_sql(
            f"SELECT qualcode_fill_guids('{table.name}', %s::jsonb)",
            (json.dumps({str(k): v for k, v in guids.items()}),),
        )

    @staticmethod
    def _insert(
        conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, skip_conflicts: bool
    ) -> list[dict[str, Any]]:
        if not rows:
            return []
        found = conn.exec_driver_sql(
            f"SELECT * FROM qualcode_insert('{table.name}', %s::jsonb, %s)",
            (json.dumps(list(rows)), skip_conflicts),
        )
        return [dict(r) for (r,) in found]

    def update_rows(
        self, conn: Connection, table: Table, ids: Sequence[int], values: dict[str, Any]
    ) -> int:
        return int(
            conn.exec_driver_sql(
                f"SELECT qualcode_update('{table.name}', %s, %s::jsonb)",
                (list(ids), json.dumps(values)),
            ).scalar_one()
        )

    def delete_rows(
        self,
        conn: Connection,
        table: Table,
        ids: Sequence[int] | None = None,
        *,
        coder_id: int | None = None,
    ) -> int:
        gone = conn.exec_driver_sql(
            f"SELECT count(*) FROM qualcode_delete('{table.name}', %s, %s)",
            (None if ids is None else list(ids), coder_id),
        )
        return int(gone.scalar_one())

    def record_step(
        self, conn: Connection, h: Table, op: str, coder_id: int | None, payload: str, at: str
    ) -> None:
        conn.exec_driver_sql("SELECT qualcode_record(%s, %s, %s, %s)", (op, coder_id, payload, at))


def file_url(path: object) -> str:
    """The URL of a project file: one SQLite database."""
    return f"sqlite:///{path}"


def dialect_for(engine: Engine, busy_timeout: float) -> Dialect:
    """The dialect of an engine: the one place that asks which database it is."""
    if engine.dialect.name == "sqlite":
        return SQLiteDialect(busy_timeout)
    if engine.dialect.name == "postgresql":
        return PostgreSQLDialect(busy_timeout)
    return Dialect(busy_timeout)


def dialect_of(conn: Connection) -> Dialect:
    """The dialect of a connection, for code that has only the connection (migrations)."""
    return dialect_for(conn.engine, 0.0)


def _on_begin(conn: Connection) -> None:
    # See the module docstring: writes take the write lock first, reads do not.
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
