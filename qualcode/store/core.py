"""Store: creating and opening a project database, and checking that it is one of ours."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, inspect, select

from qualcode.errors import ProjectError
from qualcode.outputs import check_output
from qualcode.store import notify, server
from qualcode.store import schema as s
from qualcode.store.analysis import AnalysisMixin
from qualcode.store.base import first_line
from qualcode.store.browse import BrowseMixin
from qualcode.store.codes import CodesMixin
from qualcode.store.codings import CodingsMixin
from qualcode.store.decisions import DecisionsMixin
from qualcode.store.dialect import file_url
from qualcode.store.exchange import ExchangeMixin
from qualcode.store.feedback import FeedbackMixin
from qualcode.store.pending import PendingMixin
from qualcode.store.settings import SettingKey, setting_key
from qualcode.store.sources import SourcesMixin
from qualcode.store.sync import SyncMixin
from qualcode.store.team import TeamMixin


class Store(
    SourcesMixin,
    CodesMixin,
    DecisionsMixin,
    CodingsMixin,
    BrowseMixin,
    FeedbackMixin,
    PendingMixin,
    AnalysisMixin,
    ExchangeMixin,
    TeamMixin,
    SyncMixin,
):
    """The database of one project: every query of qualcode lives in this package.

    Args:
        url: an SQLAlchemy URL (``sqlite:///path.qcdb`` or ``postgresql://...``).
        label: how to name the project in error messages (its file name).
    """

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: Path, settings: dict[str, str], *, busy_timeout: float | None = None
    ) -> Store:
        """Create a new, empty project file at ``path`` with the given settings."""
        check_output(path)
        if path.exists():
            raise ProjectError("already exists; open it, or choose another name", file=path)
        store = cls(file_url(path), label=str(path), busy_timeout=busy_timeout)
        try:
            store._create_schema(settings)
            store.dialect.after_create(store.engine)
        except BaseException:
            store.close()
            path.unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def open(cls, path: Path | str, *, busy_timeout: float | None = None) -> Store:
        """Open an existing project file, or the project in the PostgreSQL database at a
        ``postgresql://`` URL (as the connecting role), upgrading its schema if it is older.

        ``busy_timeout`` is how many seconds a write waits for another writer (default:
        ``QUALCODE_BUSY_TIMEOUT`` or 30).
        """
        if server.is_server_url(path):
            store = cls._connect_to_server(str(path), busy_timeout)
        else:
            path = Path(path)
            if path.is_dir():
                raise ProjectError("is a folder, not a project file", file=path)
            if not path.is_file():
                if path.exists():  # a named pipe would block SQLite's open
                    check_output(path)
                raise ProjectError("no such project file", file=path)
            store = cls(file_url(path), label=str(path), busy_timeout=busy_timeout)
        try:
            store._check_and_upgrade()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def create_on_server(
        cls,
        url: str,
        settings: dict[str, str],
        *,
        coder: str | None = None,
        busy_timeout: float | None = None,
    ) -> Store:
        """Set up a project in the empty PostgreSQL database at ``url``: the schema, the
        team's roles and the row-level security policies (see :mod:`qualcode.store.server`).
        The connecting role becomes the project's lead and its coder (``coder``, if given,
        must name it). All or nothing."""
        store = cls._connect_to_server(url, busy_timeout)
        try:
            if coder and coder != store.role:
                raise ProjectError(
                    f"on a server the coder is the role that connects ({store.role}), "
                    f"not {coder!r}: leave out --coder, or connect as {coder}",
                    file=store.label,
                )
            with store.atomic(), store.writing() as conn:
                tables = inspect(conn).get_table_names()
                if "meta" in tables:
                    raise ProjectError(
                        "already holds a qualcode project; open it, or name an empty database",
                        file=store.label,
                    )
                if tables:
                    raise ProjectError(
                        f"is not empty (it has tables {', '.join(sorted(tables)[:5])}); "
                        "qualcode init needs an empty database",
                        file=store.label,
                    )
                store._create_schema(settings)
                database = str(conn.exec_driver_sql("SELECT current_database()").scalar())
                server.set_up(conn, database, label=store.label)
                notify.install(conn)  # open windows show each other's changes
                store.dialect.install_catalog_version(conn)
                server.secure(conn)  # last: the fences cover every function made above
                assert store.role is not None
                store.coder_id(store.role)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _connect_to_server(cls, url: str, busy_timeout: float | None) -> Store:
        server.check_url(url)
        store = cls(url, label=server.display_url(url), busy_timeout=busy_timeout)
        try:
            with store.engine.connect() as conn:
                store.role = server.current_role(conn)
        except store.dialect.database_errors as exc:
            store.close()
            reason = first_line(exc)
            if "database" in reason and "does not exist" in reason:
                reason += (
                    "; the server's administrator creates it (createdb -O LEAD DATABASE), "
                    "then its lead runs 'qualcode init' on it"
                )
            raise ProjectError(
                f"cannot connect to the server: {reason}", file=store.label
            ) from None
        return store

    def _create_schema(self, settings: dict[str, str]) -> None:
        """The tables of an empty database, labelled as ours, with the given settings."""
        with self.writing() as conn:
            self.dialect.mark_ours(conn)
            s.metadata.create_all(conn)
            given = {setting_key(k).value: v for k, v in settings.items()}
            rows = {SettingKey.SCHEMA_VERSION.value: str(s.SCHEMA_VERSION), **given}
            conn.execute(s.meta.insert(), [{"key": k, "value": v} for k, v in rows.items()])

    def _check_and_upgrade(self) -> None:
        try:
            # Read first: opening a project must not wait for a writer unless it upgrades.
            with self.reading() as conn:
                version = self._version(conn)
                current = self.role is None or self._server_parts_current(conn)
            if not current:
                self._keep_server_parts()
            if version < s.SCHEMA_VERSION:
                with self.writing() as conn:
                    version = self._version(conn)  # another process may have upgraded it
                    if version < s.SCHEMA_VERSION and self.role is not None:
                        self._check_may_upgrade(conn, version)
                    while version < s.SCHEMA_VERSION:
                        s.MIGRATIONS[version](conn)
                        version += 1
                        self.set_setting(SettingKey.SCHEMA_VERSION, str(version))
                    if self.role is not None:
                        server.secure(conn)  # a new table gets the team's privileges too
        except self.dialect.database_errors as exc:
            raise ProjectError(
                f"is not a qualcode project database ({first_line(exc)})", file=self.label
            ) from None

    def _server_parts_current(self, conn: Connection) -> bool:
        """Whether a server project has what its owner makes beside the tables, as this
        qualcode makes it: the catalog version (see :mod:`qualcode.store.catalog`) and the
        triggers that tell open windows of changes (see :mod:`qualcode.store.notify`)."""
        return self.dialect.catalog_token(conn) is not None and notify.is_current(conn)

    def _keep_server_parts(self) -> None:
        """Make a server project set up by an older qualcode keep its catalog version and
        notify open windows of codebook and source changes, if the connecting role owns its
        tables; for the others it works as it did until the owner has opened it once (an
        older qualcode reads it as before: neither changes a table)."""
        with self.writing() as conn:
            if not server.may_alter(conn):
                return
            if self.dialect.catalog_token(conn) is None:
                self.dialect.install_catalog_version(conn)
            if not notify.is_current(conn):
                notify.install(conn)

    def _check_may_upgrade(self, conn: Connection, version: int) -> None:
        if not server.may_alter(conn):
            raise ProjectError(
                f"was set up by an older qualcode (schema {version}, this one writes "
                f"{s.SCHEMA_VERSION}); {server.owner(conn)}, who set it up and owns its "
                "tables, opens it once to upgrade it, then every coder can",
                file=self.label,
            )

    def _version(self, conn: Connection) -> int:
        """The schema version of a file that is ours; refused if not ours or too new."""
        not_ours = ProjectError("is not a qualcode project database", file=self.label)
        if not self.dialect.is_ours(conn):
            raise not_ours
        version_text = conn.execute(
            select(s.meta.c.value).where(s.meta.c.key == SettingKey.SCHEMA_VERSION.value)
        ).scalar()
        if version_text is None:
            raise not_ours
        try:
            version = int(version_text)
        except ValueError:
            raise ProjectError(
                f"is damaged: its schema_version is {version_text!r}, not a number",
                file=self.label,
            ) from None
        if version < min(s.MIGRATIONS):  # no qualcode wrote it: 0, -1, ...
            raise ProjectError(
                f"is damaged: unknown schema version {version} (qualcode's are "
                f"{min(s.MIGRATIONS)} to {s.SCHEMA_VERSION})",
                file=self.label,
            )
        if version > s.SCHEMA_VERSION:
            raise ProjectError(
                f"was written by a newer qualcode (schema {version}, this one reads "
                f"up to {s.SCHEMA_VERSION}); upgrade qualcode",
                file=self.label,
            )
        return version
