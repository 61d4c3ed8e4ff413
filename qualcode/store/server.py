"""A project on a PostgreSQL server: its URL, its team of roles, and the fences around each coder.

On a server the coder is the role that connects (``current_user``); qualcode stores no
password, so libpq's own means apply (``PGPASSWORD``, ``~/.pgpass``, peer or trust
authentication, ``sslmode`` in the URL). A project's team is two group roles named after
its database: ``<db>_coders`` may read everything and write their own codings, memos, undo
history, suggestion feedback, review queue and reconcile decisions; ``<db>_leads`` (members
of the coders' group too) may change everything, the codebook and the sources included, and
add or remove coders.

The fences are in the database, not only in Python: table privileges keep the codebook,
the sources and the settings the leads', and row-level security lets a coder insert,
change and delete only rows whose ``coder_id`` is their own. A refused statement raises
PostgreSQL's ``InsufficientPrivilege``, which :func:`refusal` turns into a one-line error
saying what the coder may do instead.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import Connection

from qualcode.errors import ProjectError, QualcodeError
from qualcode.store import fences
from qualcode.store.settings import SettingKey

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
DRIVER = "postgresql+psycopg"
APPLICATION_NAME = "qualcode"  # how our sessions show in pg_stat_activity

# Tables each coder writes rows of, fenced to their own rows by ``coder_id``.
OWN_ROWS = ("codings", "memos", "history", "suggestion_feedback", "pending_suggestions")
# The reconcile decisions, fenced to the role that decided (``decided_by``).
DECISIONS = "decisions"
# Settings rows naming the team's group roles.
CODERS_KEY = SettingKey.SERVER_CODERS_ROLE.value
LEADS_KEY = SettingKey.SERVER_LEADS_ROLE.value
# The settings row that changes whenever the codebook, the sources or the coders do.
CATALOG_KEY = SettingKey.SERVER_CATALOG_VERSION.value
CATALOG_TABLES = ("codes", "sources", "coders")
_NAME_LIMIT = 63  # PostgreSQL's longest identifier, in bytes


def is_server_url(project: object) -> bool:
    """Whether ``project`` (a path or a string) names a project on a PostgreSQL server."""
    if not isinstance(project, str):
        return False
    scheme = project.split("://", 1)[0].lower() if "://" in project else ""
    return scheme in SCHEMES


def engine_url(url: str) -> str:
    """The SQLAlchemy URL of a ``postgresql://`` project URL (the psycopg 3 driver)."""
    scheme, rest = url.split("://", 1)
    if scheme.lower() not in SCHEMES:
        raise ProjectError(f"not a postgresql:// URL: {display_url(url)}")
    return f"{DRIVER}://{rest}"


def display_url(url: str) -> str:
    """The URL as shown in messages, as given but for a password, which is never printed
    (libpq takes one in the URL too; qualcode stores none, see the module docstring)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # unparsable (an unclosed "[" of an IPv6 host): up to the user name
        scheme, _, rest = url.partition("://")
        user, at, after = rest.rpartition("@")
        return f"{scheme}://{user.split(':', 1)[0]}{at}{after}" if at else url
    userinfo, at, host = parts.netloc.rpartition("@")
    netloc = userinfo.split(":", 1)[0] + at + host
    query = "&".join(f"{key}={value}" for key, value in parse_qsl(parts.query) if key != "password")
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def check_url(url: str) -> None:
    """Refuse a server URL that cannot be parsed, whose port is not a number or that names
    no database, before connecting."""
    shown = display_url(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it: a ValueError if not a number)
    except ValueError as exc:
        raise ProjectError(f"is not a valid server URL: {exc}", file=shown) from None
    for key, value in parse_qsl(parts.query):
        if key == "port" and not all(p.strip().isdigit() for p in value.split(",")):
            raise ProjectError(
                f"is not a valid server URL: port {value!r} is not a number", file=shown
            )
    if not parts.path.strip("/"):
        raise ProjectError(
            "the URL names no database: postgresql://[user@][host][:port]/DATABASE"
            "[?host=/socket/dir&port=N]",
            file=display_url(url),
        )


def connect_args(busy_timeout: float) -> dict[str, Any]:
    """Connection settings: our name in ``pg_stat_activity``, and how long a statement
    waits for a lock another session holds (then :func:`is_busy`)."""
    return {
        "application_name": APPLICATION_NAME,
        "options": f"-c lock_timeout={lock_timeout_ms(busy_timeout)}",
    }


def lock_timeout_ms(seconds: float) -> int:
    """PostgreSQL's ``lock_timeout`` for a wait of ``seconds``: at least 1 ms, as 0 would
    mean "wait for ever" to PostgreSQL, not "do not wait"."""
    return max(1, int(seconds * 1000))


def quote_name(name: str) -> str:
    """A role or other identifier, quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def group_names(database: str) -> tuple[str, str]:
    """The coders' and the leads' group role of a database: ``<db>_coders``, ``<db>_leads``
    (a long database name is shortened with a hash, as roles have at most 63 bytes)."""
    base = database
    if len(f"{base}_coders".encode()) > _NAME_LIMIT:
        digest = hashlib.sha256(database.encode()).hexdigest()[:8]
        base = database.encode()[:40].decode(errors="ignore") + "_" + digest
    return f"{base}_coders", f"{base}_leads"


# -- the team ---------------------------------------------------------------------------------


def current_role(conn: Connection) -> str:
    """The role that logged in (``session_user``): ``SET ROLE`` does not change who codes."""
    return str(conn.exec_driver_sql("SELECT session_user").scalar())


def team_roles(conn: Connection) -> tuple[str, str]:
    """The coders' and the leads' group role, as recorded when the project was set up."""
    rows: dict[str, str] = dict(
        conn.exec_driver_sql(
            "SELECT key, value FROM meta WHERE key IN (%(c)s, %(l)s)",
            {"c": CODERS_KEY, "l": LEADS_KEY},
        ).all()
    )
    if CODERS_KEY not in rows or LEADS_KEY not in rows:
        raise ProjectError(
            "has no team roles recorded; run 'qualcode init' on an empty database to set it up"
        )
    return rows[CODERS_KEY], rows[LEADS_KEY]


def owner(conn: Connection) -> str:
    """The role that owns the project's tables: the one that set it up."""
    return str(
        conn.exec_driver_sql(
            "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = 'meta'"
        ).scalar()
    )


def may_alter(conn: Connection) -> bool:
    """Whether the connecting role may change the tables themselves (a schema upgrade):
    their owner or a superuser."""
    return bool(
        conn.exec_driver_sql(
            "SELECT rolsuper OR rolname = %(owner)s FROM pg_roles WHERE rolname = session_user",
            {"owner": owner(conn)},
        ).scalar()
    )


def is_lead(conn: Connection, role: str | None = None) -> bool:
    """Whether ``role`` (default: the connecting one) leads the project: a superuser, the
    owner of its tables, or a member of the leads' group."""
    _coders, leads = team_roles(conn)
    row = conn.exec_driver_sql(
        "SELECT r.rolsuper, pg_has_role(r.oid, %(leads)s, 'MEMBER'), r.rolname = %(owner)s "
        "FROM pg_roles r WHERE r.rolname = coalesce(%(role)s, session_user)",
        {"leads": leads, "role": role, "owner": owner(conn)},
    ).first()
    return row is not None and any(bool(v) for v in row)


def may_write_as(conn: Connection, role: str, name: str) -> str | None:
    """Why ``role`` may not write as coder ``name`` (None if it may).

    The rule: a name that is a role on the server belongs to that role, and only a session
    of that role writes as it, a lead's neither; so no one's codings, memos or queue change
    under their name but by them. A lead may write as a coder that is no role: the agreed
    coding of a reconciliation (``agreed``), the coders of another tool's file brought in
    by an import or a merge. A coder who is not a lead writes only as themselves.
    """
    refused = f"on a server you code as the role you connect as ({role}), not as {name!r}"
    if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": name}).first():
        return (
            f"{refused}: {name} is a role of the server, and only {name} writes as {name}, "
            f"a lead neither; leave out --coder, or connect as {name}"
        )
    if not is_lead(conn):
        return (
            f"{refused}: only a lead writes as a coder that is no role (the agreed coding, "
            "coders of an imported file); leave out --coder, or ask a lead"
        )
    return None


def set_up(conn: Connection, database: str, *, label: str) -> tuple[str, str]:
    """Make the team's group roles and make the connecting role a lead (then :func:`secure`
    gives them their privileges and fences). Run in the transaction that creates the
    schema. Returns the coders' and the leads' group role."""
    coders, leads = group_names(database)
    me = current_role(conn)
    superuser, createrole = conn.exec_driver_sql(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).one()
    for group in (coders, leads):
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": group}
        ).first()
        if exists is not None:
            continue
        if not (superuser or createrole):
            raise ProjectError(
                f"role {me} may not create the team's roles; the server's administrator "
                f"gives it that right (ALTER ROLE {quote_name(me)} CREATEROLE) or runs "
                "'qualcode init' as a role that has it",
                file=label,
            )
        conn.exec_driver_sql(f"CREATE ROLE {quote_name(group)} NOLOGIN")
    conn.exec_driver_sql(f"GRANT {quote_name(coders)} TO {quote_name(leads)}")
    if not superuser:
        conn.exec_driver_sql(f"GRANT {quote_name(leads)} TO {quote_name(me)} WITH ADMIN OPTION")
        conn.exec_driver_sql(f"GRANT {quote_name(coders)} TO {quote_name(me)} WITH ADMIN OPTION")
    conn.exec_driver_sql(
        "INSERT INTO meta (key, value) VALUES (%(ck)s, %(c)s), (%(lk)s, %(l)s)",
        {"ck": CODERS_KEY, "c": coders, "lk": LEADS_KEY, "l": leads},
    )
    return coders, leads


def secure(conn: Connection) -> None:
    """Grant the team's privileges and make the fences (:mod:`qualcode.store.fences`) on
    every table: run when the project is set up and after each schema upgrade (a new table
    gets them too). Safe to run again."""
    coders, leads = (quote_name(r) for r in team_roles(conn))
    run = conn.exec_driver_sql
    db = quote_name(str(run("SELECT current_database()").scalar()))
    run(f"REVOKE CONNECT ON DATABASE {db} FROM PUBLIC")
    run(f"GRANT CONNECT ON DATABASE {db} TO {coders}")
    run(f"GRANT USAGE ON SCHEMA public TO {coders}")
    fences.install(conn, coders, leads)
    # Everyone reads every row; the triggers, not policies, fence the writes (a policy
    # cannot tell a lead's codebook edit from a write in a team member's name).
    for table in (*OWN_ROWS, DECISIONS, "coders"):
        run(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name in ("qc_own_insert", "qc_own_update", "qc_own_delete", "qc_read", "qc_lead"):
            run(f"DROP POLICY IF EXISTS {name} ON {table}")
        run(f"CREATE POLICY qc_read ON {table} FOR SELECT USING (true)")
        run(f"CREATE POLICY qc_lead ON {table} FOR ALL TO {leads} USING (true) WITH CHECK (true)")


# -- the catalog version ------------------------------------------------------------------------

# Every statement that writes the codebook, the sources or the coders, whoever runs it and
# however (the CLI, a merge, psql), sets the version to a new number, in its transaction:
# the others see it change exactly when the change commits. The numbers come from a
# sequence, which never hands one out twice, so a version a rolled-back change had set is
# never seen again. The function runs as the project's owner (SECURITY DEFINER), as a coder
# adding their own row to ``coders`` may not write ``meta``.
_CATALOG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION qualcode_catalog_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {{schema}}, pg_temp AS $$
BEGIN
    UPDATE meta SET value = nextval('qualcode_catalog_version')::text WHERE key = '{CATALOG_KEY}';
    RETURN NULL;
END $$
"""


def install_catalog_version(conn: Connection) -> None:
    """Keep :data:`CATALOG_KEY` up to date with triggers (run by the project's owner, when
    it is set up or first opened by a qualcode that reads it). Safe to run again."""
    run = conn.exec_driver_sql
    run("CREATE SEQUENCE IF NOT EXISTS qualcode_catalog_version")
    run(f"DELETE FROM meta WHERE key = '{CATALOG_KEY}'")
    run(f"INSERT INTO meta (key, value) VALUES ('{CATALOG_KEY}', "
        "nextval('qualcode_catalog_version')::text)")  # fmt: skip
    schema = quote_name(str(run("SELECT current_schema()").scalar()))
    run(_CATALOG_FUNCTION.replace("{schema}", schema))
    for table in CATALOG_TABLES:
        run(f"DROP TRIGGER IF EXISTS qualcode_catalog_changed ON {table}")
        run(
            f"CREATE TRIGGER qualcode_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR "
            f"TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION qualcode_catalog_changed()"
        )


def catalog_token(conn: Connection) -> tuple[str, str] | None:
    """The catalog version and the codebook's name (a setting, which no trigger watches),
    or None for a project whose owner has not yet opened it with a qualcode that keeps the
    version."""
    rows: dict[str, str] = dict(
        conn.exec_driver_sql(
            "SELECT key, value FROM meta WHERE key IN (%(v)s, %(n)s)",
            {"v": CATALOG_KEY, "n": SettingKey.CODEBOOK_NAME.value},
        ).all()
    )
    version = rows.get(CATALOG_KEY)
    return None if version is None else (version, rows.get(SettingKey.CODEBOOK_NAME.value, ""))


# -- errors ------------------------------------------------------------------------------------

_LEADS_TABLES = {
    "codes": "the codebook is the lead's to change: you may code with its codes, and write memos",
    "sources": "importing and changing sources is the lead's: you may code them",
    "turns": "importing and changing sources is the lead's: you may code them",
    "attributes": "case attributes are the lead's to change: you may code the sources",
    "meta": "the project's settings are the lead's to change",
    "coders": "you may only add yourself as a coder (by connecting as your own role)",
}


def refusal(exc: BaseException, label: str, role: str | None) -> QualcodeError | None:
    """The one-line error for a statement the server refused for want of privilege (or
    None if ``exc`` is something else)."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate != "42501":  # insufficient_privilege
        return None
    message = str(orig).splitlines()[0] if str(orig) else ""
    table = getattr(getattr(orig, "diag", None), "table_name", None) or _table_in(message)
    who = f"as {role}, " if role else ""
    if table in (*OWN_ROWS, DECISIONS) and "permission denied for table" in message:
        # A coder's own rows go through the fence functions: a statement on the table
        # itself is a lead's change of the codebook or the sources (merging codes, say).
        what = _LEADS_TABLES["codes"]
    elif table == DECISIONS:
        what = "you may record and undo only your own reconcile decisions"
    elif table in OWN_ROWS or "row-level security" in message or "qualcode fence" in message:
        what = (
            "you may add, change and delete only your own codings, memos, undo history, "
            "suggestion feedback and review queue "
            "(connect as the other coder to change theirs)"
        )
    elif "schema" in message:
        what = (
            "setting a project up needs a role that may create tables in the database: "
            "its owner, or one granted CREATE on its schema"
        )
    else:
        what = _LEADS_TABLES.get(table or "", "ask a lead of the project to do this")
    return ProjectError(f"refused by the server ({message}): {who}{what}", file=label)


def _table_in(message: str) -> str | None:
    for word in message.replace('"', " ").split():
        if word in _LEADS_TABLES or word in OWN_ROWS or word == DECISIONS:
            return word
    return None


def lost_connection(exc: BaseException, label: str) -> QualcodeError | None:
    """The one-line error for a connection the server dropped, or that could not be made
    again (the server is down or unreachable), or None."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    text = str(orig or "").lower()
    if "connection to server" in text and "failed" in text and not sqlstate:
        reason = str(orig).strip().splitlines()[0]
        reason = reason.removeprefix("connection is bad: ").removeprefix("connection failed: ")
        return ProjectError(
            f"cannot reach the server ({reason}): nothing was read or written; check that "
            "it runs and try again",
            file=label,
        )
    dropped = (
        sqlstate.startswith("08")  # connection_exception
        or sqlstate
        in ("57P01", "57P02", "57P03")  # admin_shutdown, crash_shutdown, cannot_connect_now
        or "terminating connection" in text
        or "server closed the connection" in text
        or "consuming input failed" in text
        or "connection is closed" in text
    )
    if not dropped:
        return None
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return ProjectError(
        f"lost the connection to the server ({first}); the change under way was rolled "
        "back, nothing of it was written: run the command again",
        file=label,
    )


def clash(exc: BaseException, label: str) -> QualcodeError | None:
    """The one-line error for a write the server refused for what it held (a NUL
    character, a value too long for its column) or because someone else changed the project
    meanwhile (a row it refers to removed, a row it adds added first), or None. The
    transaction is rolled back by then: nothing of the command was written."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    text = str(orig or "")
    first = text.strip().splitlines()[0] if text.strip() else type(orig).__name__
    # A NUL in a statement's text (NUL (0x00)), or in the JSON rows the fence functions
    # take (22P05 untranslatable_character: "\u0000 cannot be converted to text").
    if "NUL (0x00)" in text or sqlstate == "22P05":
        return ProjectError(
            "a text holds a NUL character (0x00), which the server cannot store: nothing was "
            "written; take it out (of a memo or a name pasted from elsewhere) and try again",
            file=label,
        )
    if sqlstate == "22001":  # string_data_right_truncation
        return ProjectError(
            f"a value is too long for the server ({first}): nothing was written", file=label
        )
    if sqlstate in ("23503", "23505"):  # foreign_key_violation, unique_violation
        what = "removed what this command refers to" if sqlstate == "23503" else "wrote the same"
        return ProjectError(
            f"someone else {what} on the server meanwhile ({first}): nothing was written; "
            "run the command again",
            file=label,
        )
    return None


def is_busy(exc: BaseException) -> bool:
    """Whether a statement gave up waiting for a lock (``lock_timeout``)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03"


class _QuietPipelineEnd(logging.Filter):
    """Drops psycopg's "error ignored terminating <psycopg.Pipeline ...>" warning.

    psycopg logs it when a connection drops inside a pipeline (``executemany`` runs in one)
    whose block has failed already: the failure it ignored is the lost connection that
    qualcode reports in its one error line (:func:`lost_connection`), so the record would
    only add a second, raw line to stderr. Every other psycopg record passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("error ignored terminating")


# Installed when a server project is first touched: every path to a server imports this module.
logging.getLogger("psycopg").addFilter(_QuietPipelineEnd())
