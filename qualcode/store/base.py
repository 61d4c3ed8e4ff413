"""StoreBase: connection, transactions, settings and coders.

``with store.atomic():`` opens a write transaction and yields the store itself (as
sqlite-utils' ``Database.atomic()`` does); nested, it is a savepoint. Write methods take no
connection: inside ``atomic()`` they join its transaction, outside it each opens a short
transaction of its own. What differs between database engines (SQLite's pragmas, its
``BEGIN IMMEDIATE``, the busy timeout) is in :mod:`qualcode.store.dialect`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, Self, TypeVar

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from qualcode.errors import ProjectBusy, ProjectError
from qualcode.store import schema as s
from qualcode.store import server
from qualcode.store.catalog import Catalog
from qualcode.store.dialect import dialect_for
from qualcode.store.settings import SettingKey, Settings, setting_key

T = TypeVar("T")
_UNREAD = object()  # the catalog version, not yet read in this transaction

# How long a write waits for another writer to finish, in seconds; the environment
# variable QUALCODE_BUSY_TIMEOUT overrides it for every command.
BUSY_TIMEOUT = 30.0


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
            # A workbench may stay open for hours: a connection the server closed meanwhile
            # (a restart, an idle timeout) is replaced when next taken, not an error.
            self.engine: Engine = create_engine(server.engine_url(url), pool_pre_ping=True)
        else:
            self.engine = create_engine(url)
        self.dialect = dialect_for(self.engine, self.busy_timeout)
        self.dialect.install(self.engine)
        self._local = threading.local()
        # Analysis frames by name, with the change token they were read at (see
        # AnalysisMixin._kept).
        self._kept_frames: dict[str, tuple[Any, Any]] = {}
        # Reads of the codebook, the sources and the coders, kept while the server's catalog
        # version stays (see qualcode.store.catalog).
        self._catalog = Catalog()
        # Write transactions begun here: a project file's watcher (qualcode.store.watch)
        # tells its own window's changes from others' by whether this moved. Only ever
        # incremented, and only whether it moved matters, so it needs no lock.
        self.writes_begun = 0

    def close(self) -> None:
        self.engine.dispose()

    def sessions(self) -> frozenset[int]:
        """The server process ids of this store's open connections (none for a file)."""
        return self.dialect.sessions()

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Self]:
        """A write transaction; inside another one, a savepoint. Rolled back on any exception.

        Yields the store: its write methods called in the block join the transaction. It
        waits up to ``busy_timeout`` seconds for another writer, then raises
        :class:`ProjectBusy` (at once inside :meth:`without_waiting`).
        """
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            with current.begin_nested():
                yield self
            return
        wait = 0.0 if getattr(self._local, "no_wait", False) else self.busy_timeout
        self.writes_begun += 1  # before it can commit: see __init__
        with self._database_errors(wait), self.engine.connect() as conn:
            conn.execution_options(**self.dialect.write_options())
            if wait != self.busy_timeout:
                self.dialect.set_busy_timeout(conn, wait)
            try:
                transaction = conn.begin()
            except OperationalError as exc:
                if self.dialect.is_busy(exc):
                    raise self._busy(wait) from None
                raise
            finally:
                if wait != self.busy_timeout:
                    self.dialect.set_busy_timeout(conn, self.busy_timeout)
            with transaction:
                if wait != self.busy_timeout:
                    self.dialect.wait_in_transaction(conn, wait)
                self._local.conn = conn
                self._local.token = _UNREAD
                try:
                    yield self
                finally:
                    self._local.conn = None
                    self._local.token = _UNREAD

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """The connection for a write: the current transaction's, or (outside
        :meth:`atomic`) that of a short transaction of its own. For the store's methods."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is None:
            with self.atomic(), self.writing() as conn:
                yield conn
            return
        # A write may change the catalog version: it is read again after it, and not kept
        # from a read in the middle of it.
        self._local.writes = getattr(self._local, "writes", 0) + 1
        try:
            yield current
        finally:
            self._local.writes -= 1
            self._local.token = _UNREAD

    @contextmanager
    def _database_errors(self, waited: float | None = None) -> Iterator[None]:
        """A database error the dialect can say in one line (a server's refusal, a lock
        waited on too long, a dropped connection) as that line; the transaction is rolled
        back by then. ``waited``: how long a lock was waited for (the busy timeout)."""
        try:
            yield
        except DBAPIError as exc:
            if self.dialect.is_busy(exc):
                raise self._busy(self.busy_timeout if waited is None else waited) from None
            mapped = self.dialect.explain(exc, label=self.label, role=self.role)
            if mapped is not None:
                raise mapped from None
            raise

    @contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Writes in this block raise :class:`ProjectBusy` at once if another writer holds
        the project, so a screen can say it waits and wait in the background. (SQLite: the
        write lock is not waited for; a server: no row or table lock is, in the whole
        transaction, see :meth:`Dialect.wait_in_transaction`.)"""
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

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads: the current transaction's, or a short-lived one."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self._database_errors(), self.engine.connect() as conn:
            yield conn

    # -- what is kept ------------------------------------------------------------------

    def _catalog_read(self, conn: Connection, key: Hashable, load: Callable[[], T]) -> T:
        """``load()``, a read of the codebook, the sources or the coders through ``conn``,
        kept while the catalog version stays (see :mod:`qualcode.store.catalog`)."""
        return self._catalog.get(self._catalog_token(conn), key, load)

    def _catalog_token(self, conn: Connection) -> Hashable | None:
        """The catalog version, read once per transaction while it writes nothing."""
        writes: int = getattr(self._local, "writes", 0)
        if conn is not getattr(self._local, "conn", None) or writes:
            return self.dialect.catalog_token(conn)
        token = getattr(self._local, "token", _UNREAD)
        if token is _UNREAD:
            token = self._local.token = self.dialect.catalog_token(conn)
        return token

    # -- settings ------------------------------------------------------------------------

    def settings(self) -> Settings:
        """The project's settings, typed (the rows of ``meta`` qualcode knows)."""
        with self.reading() as conn:
            rows = conn.execute(select(s.meta.c.key, s.meta.c.value))
            return Settings.from_rows({k: v for k, v in rows})

    def set_setting(self, key: SettingKey, value: str) -> None:
        """Set one project setting (a row of ``meta``), added if new; a key qualcode does
        not know is refused (see :class:`qualcode.store.settings.SettingKey`)."""
        known = setting_key(key)
        with self.writing() as conn:
            _set_meta(conn, known.value, value)

    def may_change_settings(self) -> bool:
        """Whether the connecting coder may change the project's settings: in a project
        file anyone, on a server a lead."""
        if self.role is None:
            return True
        with self.reading() as conn:
            return server.is_lead(conn)

    # -- coders --------------------------------------------------------------------------

    def coder_id(self, name: str) -> int:
        """The id of coder ``name``, added on first use (a write: only a coder that may be
        written as, see :func:`server.may_write_as`). The connecting role's own is kept."""
        query = select(s.coders.c.id).where(s.coders.c.name == name)
        if name == self.role:
            # Only a row already there is kept: one added here is not until it commits.
            with self.reading() as conn:
                kept = self._catalog_read(
                    conn, ("coder", name), lambda: conn.execute(query).scalar()
                )
            if kept is not None:
                return int(kept)
        with self.writing() as conn:
            self.check_writes_as(name)
            found = conn.execute(query).scalar()
            if found is not None:
                return int(found)
            if not self.dialect.concurrent_writers:
                return self.dialect.insert_rows(conn, s.coders, [{"name": name}])[0]
            try:  # another window of the same coder may add them meanwhile
                with conn.begin_nested():
                    return self.dialect.insert_rows(conn, s.coders, [{"name": name}])[0]
            except IntegrityError:
                return int(conn.execute(query).scalar_one())

    def check_writes_as(self, name: str) -> None:
        """Refuse, on a server, a write as coder ``name`` that the connecting role may not
        make (see :func:`server.may_write_as`); in a project file any name may be written."""
        if self.role is None or name == self.role:
            return
        with self.writing() as conn:
            refused = server.may_write_as(conn, self.role, name)
        if refused:
            raise ProjectError(refused, file=self.label)

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


def _set_meta(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(s.meta.update().where(s.meta.c.key == key).values(value=value))
    if updated.rowcount == 0:
        conn.execute(s.meta.insert().values(key=key, value=value))


def new_id(result: Any) -> int:
    """The primary key of the row an INSERT just added."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def first_line(exc: BaseException) -> str:
    """The first line of a database error's message, for a one-line error."""
    orig: Any = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else type(orig).__name__
