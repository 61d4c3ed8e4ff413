"""What a server project tells open windows: the triggers behind PostgreSQL NOTIFY.

Two channels, each a hint to read again (:mod:`qualcode.store.live` holds the listener):

- ``qualcode_codings``: two statement-level triggers on ``codings`` send one notification
  per INSERT or DELETE statement (a bulk import of a million codings sends one, not a
  million), naming the operation, the number of rows, their coders and sources.
- ``qualcode_catalog``: a statement-level trigger on ``codes`` and on ``sources`` sends the
  table's name for any statement that writes it (a code added, renamed, moved or deleted;
  a source imported, replaced or removed), so a code the lead adds appears in every open
  window without a key press.

They fire inside the writer's transaction, so PostgreSQL delivers a notification only when
it commits, never for a write rolled back, and the same payload once per transaction.

The triggers are the project owner's to make: when the project is set up, and when the
owner first opens a project set up by an older qualcode (:func:`is_current` says whether
it must; see ``Store._check_and_upgrade``). An older qualcode reads a project with these
triggers as before (they change no table), so they are no schema version of their own;
:data:`VERSION`, kept in ``meta``, says which of them a project has.
"""

from __future__ import annotations

from sqlalchemy import Connection

from qualcode.store.settings import SettingKey

CODINGS = "qualcode_codings"
CATALOG = "qualcode_catalog"
CATALOG_TABLES = ("codes", "sources")  # what the catalog channel names
MANY = 100  # more sources or coders than this in one statement: the list is left out (null)
# 1: the codings' channel (no row in meta); 2: the catalog's channel too.
VERSION = 2
VERSION_KEY = SettingKey.SERVER_LIVE_VERSION.value

# One function for both triggers on codings: each names its transition table ``changed``.
_CODINGS_FUNCTION = f"""
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
        PERFORM pg_notify('{CODINGS}', payload);
    END IF;
    RETURN NULL;
END $$
"""
_CODINGS_TRIGGERS = tuple(
    statement
    for name, event, table in (("added", "INSERT", "NEW"), ("removed", "DELETE", "OLD"))
    for statement in (
        f"DROP TRIGGER IF EXISTS qualcode_codings_{name} ON codings",
        f"CREATE TRIGGER qualcode_codings_{name} AFTER {event} ON codings "
        f"REFERENCING {table} TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION qualcode_notify_codings()",
    )
)
# The table's name only: what changed in it is read from the table itself.
_CATALOG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION qualcode_notify_catalog() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CATALOG}', TG_TABLE_NAME);
    RETURN NULL;
END $$
"""
_CATALOG_TRIGGERS = tuple(
    statement
    for table in CATALOG_TABLES
    for statement in (
        f"DROP TRIGGER IF EXISTS qualcode_notify_catalog ON {table}",
        f"CREATE TRIGGER qualcode_notify_catalog AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION qualcode_notify_catalog()",
    )
)


def install(conn: Connection) -> None:
    """Create (or replace) the notifying triggers and record their :data:`VERSION`: run by
    the project's owner, when it is set up or first opened by this qualcode. Safe to run
    again."""
    run = conn.exec_driver_sql
    for statement in (_CODINGS_FUNCTION, *_CODINGS_TRIGGERS, _CATALOG_FUNCTION, *_CATALOG_TRIGGERS):
        run(statement)
    for function in ("qualcode_notify_codings()", "qualcode_notify_catalog()"):
        run(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")  # as the fences do for every one
    row = {"k": VERSION_KEY, "v": str(VERSION)}
    run("DELETE FROM meta WHERE key = %(k)s", row)
    run("INSERT INTO meta (key, value) VALUES (%(k)s, %(v)s)", row)


def is_current(conn: Connection) -> bool:
    """Whether the project has this qualcode's triggers (else its owner installs them)."""
    value = conn.exec_driver_sql(
        "SELECT value FROM meta WHERE key = %(k)s", {"k": VERSION_KEY}
    ).scalar()
    return value is not None and value.strip().isdigit() and int(value) >= VERSION
