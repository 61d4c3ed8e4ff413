"""The fences of a server project that hold against any client, psql included.

Each fence, and the threat it stops (the README's "On a server: roles and fences" says the
same for users):

- **A coder holds no write privilege on any table**, only ``SELECT``. With ``UPDATE``,
  ``DELETE`` or ``TRUNCATE`` on a table a role may ``LOCK TABLE ... IN ACCESS EXCLUSIVE
  MODE`` and freeze every other session; with ``SELECT`` alone it may take only ``ACCESS
  SHARE``, which blocks no read and no write. A coder writes through the functions below,
  which run as the tables' owner (``SECURITY DEFINER``, ``search_path`` fixed), touch only
  rows the caller may write, and are executable by the team only.
- **Ids come from the sequence only.** A trigger gives every new row of a table a coder
  writes its id from the table's sequence, whatever the statement said: an id taken ahead
  of the sequence, or the id of someone's undone coding, would break their next coding or
  their redo. The one id kept is that of a coding its coder's undo or redo restores (see
  ``qualcode_restores``): an undo step names its codings by id.
- **A row's coder is the login identity.** A trigger on every table of codings, memos,
  undo history, suggestion feedback, review queue and reconcile decisions lets a statement
  write a row only as ``session_user``, the role that logged in; ``SET ROLE`` (to the
  coders' group, say: PostgreSQL 15 cannot refuse that to a member) changes
  ``current_user`` but not ``session_user``, so it gains nothing. A lead writes as a coder
  that is no role (``agreed``, the coders of an imported file) but never as a team member;
  a lead's codebook and source edits may move a member's coding to the code it is merged
  into, fill in its GUID on export, or delete it together with its code or its source
  (checked when the transaction commits), nothing else.
- **The ``SECURITY DEFINER`` functions are the team's only**: ``EXECUTE`` is revoked from
  ``PUBLIC``, and so is ``TEMP`` on the database, so no one outside the team calls them and
  no one makes a temporary table (a trigger on it, a name that shadows a table) to run them.

The table owner (the lead who ran ``init``) can still change the tables themselves, and so
drop a fence; that is the owner's right on any PostgreSQL table, and shows as DDL.
"""

from __future__ import annotations

from sqlalchemy import Connection

# Tables a coder writes rows of (through the functions), each row fenced to its coder.
CODER_TABLES = (
    "codings",
    "memos",
    "history",
    "suggestion_feedback",
    "pending_suggestions",
    "decisions",
    "coders",
)
# Of those, the ones a lead's codebook or source edit may change in a team member's rows.
_EDITED_WITH_CATALOG = ("codings", "decisions", "pending_suggestions", "suggestion_feedback")
# The functions a team member runs (the write functions and what the triggers call).
TEAM_FUNCTIONS = (
    "qualcode_is_lead()",
    "qualcode_may_write_as(text)",
    "qualcode_restores(bigint, bigint)",
    "qualcode_row_coder(text, jsonb)",
    "qualcode_insert(text, jsonb, boolean)",
    "qualcode_update(text, bigint[], jsonb)",
    "qualcode_delete(text, bigint[], bigint)",
    "qualcode_record(text, bigint, text, text)",
    "qualcode_fill_guids(text, jsonb)",
)


def _functions(schema: str) -> list[str]:
    path = f"SET search_path = {schema}, pg_temp"
    tables = ", ".join(f"'{t}'" for t in CODER_TABLES)
    edited = ", ".join(f"'{t}'" for t in _EDITED_WITH_CATALOG)
    leads_only = (
        "RAISE insufficient_privilege USING MESSAGE = "
        "format('qualcode fence: the table %s is written by a lead', tbl)"
    )
    return [
        # Who leads: a superuser, the tables' owner, or a member of the leads' group; asked
        # of the login identity, never of a role set with SET ROLE.
        f"""
CREATE OR REPLACE FUNCTION qualcode_is_lead() RETURNS boolean
LANGUAGE sql STABLE {path} AS $$
    SELECT coalesce(bool_or(r.rolsuper
        OR r.rolname = (SELECT tableowner FROM pg_tables
                        WHERE schemaname = '{schema}' AND tablename = 'meta')
        OR pg_has_role(r.oid, (SELECT value FROM meta WHERE key = 'server.leads_role'),
                       'MEMBER')), false)
    FROM pg_roles r WHERE r.rolname = session_user
$$""",
        # Whether the session may write as coder ``name``: its own name, or (a lead) a
        # coder that is no role of the server; a row of no coder is a lead's.
        f"""
CREATE OR REPLACE FUNCTION qualcode_may_write_as(name text) RETURNS boolean
LANGUAGE sql STABLE {path} AS $$
    SELECT name IS NOT DISTINCT FROM session_user::text
        OR (qualcode_is_lead()
            AND (name IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name)))
$$""",
        # The coder a row of a fenced table is written as.
        f"""
CREATE OR REPLACE FUNCTION qualcode_row_coder(tbl text, r jsonb) RETURNS text
LANGUAGE sql STABLE {path} AS $$
    SELECT CASE tbl
        WHEN 'decisions' THEN r->>'decided_by'
        WHEN 'coders' THEN r->>'name'
        ELSE (SELECT c.name FROM coders c WHERE c.id = (r->>'coder_id')::bigint) END
$$""",
        # Whether a new coding with this id restores one of its coder's codings by undo or
        # redo: an id the sequence has handed out, no coding has now, that coder's undo
        # history holds and no one else's does. Any other id is replaced by the sequence's.
        f"""
CREATE OR REPLACE FUNCTION qualcode_restores(id bigint, coder bigint) RETURNS boolean
LANGUAGE sql STABLE {path} AS $$
    SELECT id IS NOT NULL
       AND id <= coalesce(pg_sequence_last_value(
                              pg_get_serial_sequence('codings', 'id')::regclass), 0)
       AND NOT EXISTS (SELECT 1 FROM codings k WHERE k.id = qualcode_restores.id)
       AND EXISTS (SELECT 1 FROM history h WHERE h.coder_id = coder
                   AND jsonb_path_exists(h.payload::jsonb, '$.**.id ? (@ == $id)',
                                         jsonb_build_object('id', qualcode_restores.id)))
       AND NOT EXISTS (SELECT 1 FROM history h WHERE h.coder_id IS DISTINCT FROM coder
                       AND jsonb_path_exists(h.payload::jsonb, '$.**.id ? (@ == $id)',
                                             jsonb_build_object('id', qualcode_restores.id)))
$$""",
        f"""
CREATE OR REPLACE FUNCTION qualcode_fence() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
    tbl text := TG_TABLE_NAME;
    was jsonb;
    now jsonb;
    changed text[];
    allowed boolean := false;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF tbl <> 'codings' OR NEW.id IS NULL THEN
            NEW.id := nextval(pg_get_serial_sequence(quote_ident(tbl), 'id'));
        ELSIF NOT qualcode_restores(NEW.id, (to_jsonb(NEW)->>'coder_id')::bigint) THEN
            NEW.id := nextval(pg_get_serial_sequence(quote_ident(tbl), 'id'));
        END IF;
        now := to_jsonb(NEW);
        IF NOT (qualcode_may_write_as(qualcode_row_coder(tbl, now))
                OR (tbl = 'coders' AND qualcode_is_lead())) THEN
            RAISE insufficient_privilege USING
                MESSAGE = format('qualcode fence: %s may not write a row of %s as %s',
                                 session_user, tbl, qualcode_row_coder(tbl, now)),
                TABLE = tbl;
        END IF;
        RETURN NEW;
    END IF;
    was := to_jsonb(OLD);
    IF TG_OP = 'UPDATE' THEN
        now := to_jsonb(NEW);
        IF NEW.id <> OLD.id THEN
            RAISE insufficient_privilege USING
                MESSAGE = format('qualcode fence: the id of a row of %s never changes', tbl),
                TABLE = tbl;
        END IF;
        SELECT array_agg(key) INTO changed FROM jsonb_each(now) n
        WHERE n.value IS DISTINCT FROM was->n.key;
    END IF;
    changed := coalesce(changed, ARRAY[]::text[]);
    IF tbl = 'coders' THEN  -- a lead's; a coder fills in their own GUID (a merge, a push)
        allowed := qualcode_is_lead() OR (TG_OP = 'UPDATE' AND OLD.name = session_user::text
                                          AND changed <@ ARRAY['guid']);
    ELSIF qualcode_may_write_as(qualcode_row_coder(tbl, was))
          AND (now IS NULL OR qualcode_row_coder(tbl, now) IS NOT DISTINCT FROM
                               qualcode_row_coder(tbl, was)) THEN
        allowed := true;
    ELSIF tbl = 'decisions' AND qualcode_is_lead() AND TG_OP = 'UPDATE' THEN
        -- leads share the reconcile log: undo, replace, follow a merged code
        allowed := changed <@ ARRAY['undone', 'replaced_by', 'code_id'];
    ELSIF tbl IN ({edited}) AND qualcode_is_lead() THEN
        -- a codebook or source edit, checked at commit
        allowed := TG_OP = 'DELETE' OR changed <@ ARRAY['code_id', 'guid'];
    END IF;
    IF allowed AND TG_OP = 'DELETE' THEN
        RETURN OLD;
    ELSIF allowed THEN
        RETURN NEW;
    END IF;
    RAISE insufficient_privilege USING
        MESSAGE = format('qualcode fence: %s may not %s a row of %s written as %s',
                         session_user, lower(TG_OP), tbl, qualcode_row_coder(tbl, was)),
        TABLE = tbl;
END $$""",
        # At commit: a lead's change to a team member's row went with its code or source.
        f"""
CREATE OR REPLACE FUNCTION qualcode_fence_at_commit() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
    tbl text := TG_TABLE_NAME;
    was jsonb := to_jsonb(OLD);
BEGIN
    IF qualcode_may_write_as(qualcode_row_coder(tbl, was))
       OR (tbl = 'decisions' AND TG_OP = 'UPDATE' AND qualcode_is_lead())
       OR (TG_OP = 'UPDATE' AND to_jsonb(NEW) - 'guid' = was - 'guid')
       OR NOT EXISTS (SELECT 1 FROM codes WHERE id = (was->>'code_id')::bigint)
       OR (TG_OP = 'DELETE'
           AND NOT EXISTS (SELECT 1 FROM sources WHERE id = (was->>'source_id')::bigint)) THEN
        RETURN NULL;
    END IF;
    RAISE insufficient_privilege USING
        MESSAGE = format('qualcode fence: %s may change a row of %s written as %s only '
                         'with its code or its source', session_user, tbl,
                         qualcode_row_coder(tbl, was)),
        TABLE = tbl;
END $$""",
        # The write functions a coder uses: rows are given as JSON (one round trip for any
        # number), only rows the caller may write are touched (others are left unlocked),
        # and the triggers above check each row again.
        f"""
CREATE OR REPLACE FUNCTION qualcode_insert(tbl text, rows jsonb, skip_conflicts boolean)
RETURNS SETOF jsonb LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE
    cols text;
BEGIN
    IF tbl NOT IN ({tables}) THEN
        {leads_only};
    END IF;
    IF jsonb_array_length(rows) = 0 THEN RETURN; END IF;
    SELECT string_agg(quote_ident(key), ', ') INTO cols
    FROM jsonb_object_keys(rows->0) key;  -- an id given is checked by qualcode_fence
    RETURN QUERY EXECUTE format(
        'INSERT INTO %I (%s) SELECT %s FROM jsonb_populate_recordset(NULL::%I, $1) '
        'WITH ORDINALITY ORDER BY ordinality %s RETURNING to_jsonb(%I.*)',
        tbl, cols, cols, tbl, CASE WHEN skip_conflicts THEN 'ON CONFLICT DO NOTHING' END, tbl)
    USING rows;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION qualcode_update(tbl text, ids bigint[], changes jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE
    cols text;
    n integer;
BEGIN
    IF tbl NOT IN ({tables}) THEN
        {leads_only};
    END IF;
    SELECT string_agg(quote_ident(key), ', ') INTO cols
    FROM jsonb_object_keys(changes) key WHERE key <> 'id';
    EXECUTE format(
        'UPDATE %I t SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%I, $2)) '
        'WHERE t.id = ANY($1) AND (qualcode_may_write_as(qualcode_row_coder(%L, to_jsonb(t))) '
        'OR (%L = ''decisions'' AND qualcode_is_lead()))',
        tbl, cols, cols, tbl, tbl, tbl) USING ids, changes;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION qualcode_delete(tbl text, ids bigint[], coder bigint)
RETURNS SETOF jsonb LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
BEGIN
    IF tbl NOT IN ({tables}) OR tbl IN ('coders', 'decisions') THEN
        {leads_only};
    END IF;
    RETURN QUERY EXECUTE format(
        'DELETE FROM %I t WHERE ($1 IS NULL OR t.id = ANY($1)) '
        'AND ($2 IS NULL OR t.coder_id = $2) '
        'AND qualcode_may_write_as(qualcode_row_coder(%L, to_jsonb(t))) '
        'RETURNING to_jsonb(t.*)', tbl, tbl) USING ids, coder;
END $$""",
        # GUIDs (REFI-QDA) given to rows that have none, by id: an export, a merge, a push.
        f"""
CREATE OR REPLACE FUNCTION qualcode_fill_guids(tbl text, guids jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
DECLARE
    n integer;
BEGIN
    IF tbl NOT IN ({tables}) THEN
        {leads_only};
    END IF;
    EXECUTE format(
        'UPDATE %I t SET guid = g.value FROM jsonb_each_text($1) g '
        'WHERE t.id = g.key::bigint AND qualcode_may_write_as(qualcode_row_coder(%L, to_jsonb(t)))',
        tbl, tbl) USING guids;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$""",
        # A coding operation's undo step: the coder's undone steps go (a new operation ends
        # the redo chain) and the step is added, in one round trip.
        f"""
CREATE OR REPLACE FUNCTION qualcode_record(op text, coder bigint, payload text, at text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
BEGIN
    DELETE FROM history h WHERE h.undone AND h.coder_id IS NOT DISTINCT FROM coder
        AND qualcode_may_write_as(qualcode_row_coder('history', to_jsonb(h)));
    INSERT INTO history (op, coder_id, payload, created_at, undone)
    VALUES (op, coder, payload, at, false);
END $$""",
    ]


def install(conn: Connection, coders: str, leads: str) -> None:
    """Make (or remake) the fences of the module docstring and the privileges that go with
    them: run by the tables' owner when the project is set up and after each upgrade."""
    run = conn.exec_driver_sql
    schema = str(run("SELECT current_schema()").scalar())
    for statement in _functions(_quote(schema)):
        run(statement.replace("%", "%%"))  # the driver's placeholders: format()'s are SQL
    for table in CODER_TABLES:
        # The id comes from the trigger; without a default a statement naming no id
        # still gets one, and one naming an id gets the sequence's instead.
        run(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")
        run(f"DROP TRIGGER IF EXISTS qualcode_fence ON {table}")
        run(
            f"CREATE TRIGGER qualcode_fence BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION qualcode_fence()"
        )
    for table in _EDITED_WITH_CATALOG:
        run(f"DROP TRIGGER IF EXISTS qualcode_fence_at_commit ON {table}")
        run(
            f"CREATE CONSTRAINT TRIGGER qualcode_fence_at_commit AFTER UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION qualcode_fence_at_commit()"
        )
    db = _quote(str(run("SELECT current_database()").scalar()))
    run(f"REVOKE TEMPORARY ON DATABASE {db} FROM PUBLIC")
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_quote(schema)} FROM {coders}")
    run(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {_quote(schema)} FROM {coders}")
    run(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_quote(schema)} TO {coders}")
    # A lead writes the tables (the triggers fence the coders' rows) but does not TRUNCATE
    # (which fires no row trigger) nor add triggers of their own.
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_quote(schema)} FROM {leads}")
    run(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {_quote(schema)} TO {leads}")
    run(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {_quote(schema)} TO {leads}")
    for function, definer in run(
        "SELECT p.oid::regprocedure::text, p.prosecdef FROM pg_proc p "
        "WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'qualcode%%'"
    ).all():
        run(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        if definer:  # one made by an older qualcode too
            run(f"ALTER FUNCTION {function} SET search_path = {_quote(schema)}, pg_temp")
    for function in TEAM_FUNCTIONS:
        run(f"GRANT EXECUTE ON FUNCTION {function} TO {coders}")
    run(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_quote(schema)} "
        "REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC"
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
