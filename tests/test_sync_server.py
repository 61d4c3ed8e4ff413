"""clone, push and pull against a real PostgreSQL server, each coder connecting as their own
role, with the row-level security of a team project in force: codings, memos edited at
either end, the lead's codebook changing under a clone, and a clone made before the base
had a table of its own."""

from __future__ import annotations

import base64
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.project import ImportOptions, Project
from qualcode.project.sync import clone, pull, push
from qualcode.store.schema import SCHEMA_VERSION
from qualcode.store.server import group_names
from tests.conftest import dump, span
from tests.postgres import PostgresServer

QUIET = "Honestly, no."
NEVER = "I had never heard of it before you called."
TIME = "Time, mostly."


def add_coder(postgres: PostgresServer, database: str, name: str) -> str:
    """A login role in the project's coders' group; its URL."""
    coders, _ = group_names(database)
    with postgres.admin(database) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN')
        conn.execute(f'GRANT "{coders}" TO "{name}"')
    return postgres.url(database, name)


@pytest.fixture
def team(postgres: PostgresServer, pg_database: str, pg_url: str, transcripts) -> dict[str, str]:
    """A server project set up by its lead, with coders anna and ben; their URLs."""
    with Project.create(pg_url) as lead:
        lead.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
        lead.codebook.add_code("Awareness", definition="Knowing the programme exists.")
        lead.codebook.add_code("Time constraints")
    urls = {"lead": pg_url}
    for name in ("anna", "ben"):
        urls[name] = add_coder(postgres, pg_database, name)
    with Project.open(urls["ben"]) as ben:
        ben.coding.apply("int1", *span(ben.sources.get("int1").text, NEVER), "Awareness")
    return urls


def _codings(url: str) -> set[tuple[str, str]]:
    with Project.open(url) as p:
        return {(s.coding.coder, s.text) for s in p.coding.codings()}


def test_clone_code_offline_push_twice_and_pull(team: dict[str, str], tmp_path: Path):
    local = tmp_path / "anna.qcdb"
    report = clone(team["anna"], local)
    assert report.coder == "anna" and report.codings_added == 1
    with Project.open(local) as p:  # offline: a file, coded as anna
        assert p.context.coder == "anna"
        text = p.sources.get("int1").text
        p.coding.apply("int1", *span(text, QUIET), "Awareness")
        p.coding.apply("int1", *span(text, TIME), "Time constraints")
        p.coding.add_memo("anna: time first", code="Time constraints")

    assert push(local).summary() == "pushed 2 new codings, 0 removals, 1 memo"
    assert _codings(team["lead"]) == {("ben", NEVER), ("anna", QUIET), ("anna", TIME)}
    assert push(local).summary() == "pushed 0 new codings, 0 removals, 0 memos"
    assert len(_codings(team["lead"])) == 3

    with Project.open(local) as p:
        p.coding.remove("int1", *span(p.sources.get("int1").text, TIME), "Time constraints")
    with Project.open(team["ben"]) as ben:
        ben.coding.apply("int1", *span(ben.sources.get("int1").text, TIME), "Time constraints")
    assert push(local).summary() == "pushed 0 new codings, 1 removal, 0 memos"
    assert pull(local).summary() == "pulled 1 new coding, 0 removals, 0 memos"
    assert (
        _codings(str(local))
        == _codings(team["lead"])
        == {
            ("ben", NEVER),
            ("ben", TIME),
            ("anna", QUIET),
        }
    )


def test_a_clone_is_its_roles_and_never_changes_the_codebook_or_another_coder(
    team: dict[str, str], tmp_path: Path
):
    local = tmp_path / "anna.qcdb"
    with pytest.raises(Exception, match="connect as 'ben'"):
        clone(team["anna"], local, coder="ben")
    clone(team["anna"], local)
    with Project.open(local) as p:
        text = p.sources.get("int1").text
        p.coding.apply("int1", *span(text, QUIET), "Workload", new=True)
        p.coding.remove("int1", *span(text, NEVER), "Awareness", coder="ben")
    report = push(local)
    assert report.summary() == "pushed 0 new codings, 0 removals, 0 memos; 1 conflict:"
    assert "code 'Workload', which the server's codebook does not have" in report.conflicts[0]
    assert report.notes == [
        "1 coding by ben removed in this copy is not pushed: a push sends only anna's work"
    ]
    with Project.open(team["lead"]) as lead:
        assert [c.name for c in lead.codebook.book()] == ["Awareness", "Time constraints"]
    assert ("ben", NEVER) in _codings(team["lead"])


def _memos(url: str | Path) -> dict[tuple[str, str], str]:
    """Each coding's memo, by coder and quote."""
    with Project.open(str(url)) as p:
        return {(s.coding.coder, s.text): s.coding.memo for s in p.coding.codings()}


def _set_memo(url: str | Path, coder: str, quote: str, memo: str) -> None:
    with Project.open(str(url)) as p:
        [coding] = [
            s.coding for s in p.coding.codings() if s.coding.coder == coder and s.text == quote
        ]
        p.coding.set_coding_memo(coding.id, memo)


@pytest.fixture
def anna(team: dict[str, str], tmp_path: Path) -> Path:
    """anna's clone, made after she coded two passages on the server, one with a memo."""
    with Project.open(team["anna"]) as p:
        text = p.sources.get("int1").text
        p.coding.apply("int1", *span(text, QUIET), "Awareness", memo="first thought")
        p.coding.apply("int1", *span(text, TIME), "Time constraints")
    local = tmp_path / "anna.qcdb"
    clone(team["anna"], local)
    return local


def test_memos_edited_offline_are_pushed_once(team: dict[str, str], anna: Path):
    _set_memo(anna, "anna", QUIET, "second thought")
    _set_memo(anna, "anna", TIME, "time matters most")
    _set_memo(anna, "ben", NEVER, "anna's note in ben's coding")
    report = push(anna)
    assert report.summary() == "pushed 0 new codings, 0 removals, 0 memos, 2 edited memos"
    assert report.notes == [
        "1 coding by ben with a memo edited in this copy is not pushed: a push sends only "
        "anna's work"
    ]
    assert _memos(team["lead"]) == {
        ("anna", QUIET): "second thought",
        ("anna", TIME): "time matters most",
        ("ben", NEVER): "",
    }
    before = dump(team["lead"])
    assert push(anna).summary() == "pushed 0 new codings, 0 removals, 0 memos"
    assert dump(team["lead"]) == before


def test_a_memo_changed_at_both_ends_keeps_the_servers_and_says_so(
    team: dict[str, str],
    anna: Path,
):
    _set_memo(anna, "anna", QUIET, "mine, offline")
    _set_memo(team["anna"], "anna", QUIET, "read again in another window")
    _set_memo(team["ben"], "ben", NEVER, "ben's afterthought")

    report = push(anna)
    assert report.summary() == "pushed 0 new codings, 0 removals, 0 memos; 1 conflict:"
    assert report.conflicts == [
        "the memo of your coding 'Awareness' on 'Honestly, no.' in 'int1' was changed on the "
        "server too: yours is not pushed, the server's ('read again in another window') is kept"
    ]
    assert _memos(team["lead"])[("anna", QUIET)] == "read again in another window"

    pulled = pull(anna)
    assert (
        pulled.summary() == "pulled 0 new codings, 0 removals, 0 memos, 2 edited memos; 1 conflict:"
    )
    assert pulled.conflicts == [
        "the memo of your coding 'Awareness' on 'Honestly, no.' in 'int1' was changed here "
        "and on the server: the server's ('read again in another window') replaces "
        "'mine, offline' here"
    ]
    assert _memos(anna) == _memos(team["lead"])
    assert _memos(anna)[("ben", NEVER)] == "ben's afterthought"
    # settled: neither end says it again
    again = pull(anna)
    assert again.summary() == "pulled 0 new codings, 0 removals, 0 memos"
    assert not again.conflicts and not again.notes
    assert push(anna).summary() == "pushed 0 new codings, 0 removals, 0 memos"
    # a later edit here goes, as any other
    _set_memo(anna, "anna", QUIET, "agreed with the lead")
    assert pull(anna).notes == [
        "1 memo edited here and not on the server stays as edited here; push to send them"
    ]
    assert push(anna).memos_edited == 1
    assert _memos(team["lead"])[("anna", QUIET)] == "agreed with the lead"
    # an edited memo whose coding the server removes goes with it, said whole
    _set_memo(anna, "anna", QUIET, "one more thought")
    with Project.open(team["anna"]) as online:  # anna, on another computer
        online.coding.remove("int1", *span(online.sources.get("int1").text, QUIET), "Awareness")
    removed = pull(anna)
    assert removed.codings_removed == 1
    assert removed.conflicts == [
        "the coding 'Awareness' on 'Honestly, no.' in 'int1', whose memo was edited here, was "
        "removed on the server: removed here too, with its memo 'one more thought'"
    ]


def test_pull_takes_the_leads_codebook_and_says_each_change_once(
    team: dict[str, str],
    anna: Path,
):
    with Project.open(team["lead"]) as lead:
        lead.codebook.add_code("Workload")
        lead.codebook.add_code("Money")
        lead.codebook.add_code("Fees", parent="Money")
    pull(anna)
    with Project.open(anna) as p:  # offline: a coding of Workload, a definition changed
        p.coding.apply("int1", *span(p.sources.get("int1").text, NEVER), "Workload")
        p.codebook.update_code("Time constraints", definition="my own reading")
    with Project.open(team["lead"]) as lead:
        lead.codebook.update_code("Awareness", definition="Has heard of it.", keywords=["heard"])
        lead.codebook.add_code("Recognition")
        lead.codebook.delete_code("Workload")
        lead.codebook.delete_code("Money")

    report = pull(anna)
    assert report.summary() == "pulled 0 new codings, 0 removals, 0 memos"
    assert report.conflicts == []
    assert report.notes == [
        "code 'Awareness': definition and keywords now the server's, 'Has heard of it.' "
        "(was 'Knowing the programme exists.')",
        "code 'Time constraints': definition now the server's, '' (was 'my own reading')",
        "code 'Recognition' added from the server",
        "code 'Money/Fees' was removed on the server: removed here too",
        "code 'Money' was removed on the server: removed here too",
        "code 'Workload' was removed on the server; kept here, where 1 coding uses it (a push "
        "cannot send it)",
    ]
    with Project.open(anna) as p, Project.open(team["lead"]) as lead:
        assert p.codebook.code("Awareness") == lead.codebook.code("Awareness")
        assert p.codebook.code("Time constraints").definition == ""
        assert [p.codebook.book().path(c) for c in p.codebook.book()] == [
            "Awareness",
            "Time constraints",
            "Workload",
            "Recognition",
        ]
    before = dump(anna)
    again = pull(anna)
    assert not again.notes and not again.conflicts
    assert [x for x in dump(anna) if "sync.pulled_at" not in x] == [
        x for x in before if "sync.pulled_at" not in x
    ]
    pushed = push(anna)  # the codebook conflict is settled; the code only here remains
    assert pushed.conflicts == [
        "1 coding of code 'Workload', which the server's codebook does not have (removed "
        "there, or added here): not pushed; the lead adds codes"
    ]
    with Project.open(team["lead"]) as lead:
        lead.codebook.update_code("Awareness", definition="Has heard of the programme.")
    assert pull(anna).notes == [
        "code 'Awareness': definition now the server's, 'Has heard of the programme.' (was "
        "'Has heard of it.')"
    ]


def _to_old_layout(local: Path) -> None:
    """Make a clone look as one made before schema 5: its base in meta's ``sync.base`` as
    base64 text, without the memos of its codings, and no ``sync_base`` table."""
    conn = sqlite3.connect(local)
    (data,) = conn.execute("SELECT data FROM sync_base").fetchone()
    raw = json.loads(zlib.decompress(data))
    del raw["coding_memos"]
    old = base64.b64encode(zlib.compress(json.dumps(raw).encode())).decode("ascii")
    conn.execute("INSERT INTO meta (key, value) VALUES ('sync.base', ?)", (old,))
    conn.execute("DROP TABLE sync_base")
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def _meta_keys(local: Path) -> set[str]:
    """Every key of a project file's ``meta`` table, the settings qualcode knows or not."""
    with sqlite3.connect(local) as conn:
        keys = {k for (k,) in conn.execute("SELECT key FROM meta")}
    conn.close()
    return keys


def test_a_clone_made_before_the_base_had_its_table_keeps_working(
    team: dict[str, str],
    anna: Path,
):
    assert not any(k.startswith("sync.base") for k in _meta_keys(anna))
    _to_old_layout(anna)
    with Project.open(anna) as p:  # offline, after upgrading qualcode
        assert p.context.settings().schema_version == SCHEMA_VERSION  # walked up to now
        assert "sync.base" not in _meta_keys(anna)  # the upgrade moved it to its table
        p.coding.apply("int1", *span(p.sources.get("int1").text, NEVER), "Awareness")
    _set_memo(anna, "anna", QUIET, "edited offline")
    with Project.open(team["ben"]) as ben:
        ben.coding.apply("int1", *span(ben.sources.get("int1").text, TIME), "Time constraints")

    # The old record has no memos: one that differs between the ends is not guessed at.
    pushed = push(anna)
    assert pushed.summary() == "pushed 1 new coding, 0 removals, 0 memos; 1 conflict:"
    assert pushed.conflicts[0].startswith(
        "the memo of your coding 'Awareness' on 'Honestly, no.' in 'int1' was changed on the "
        "server too"
    )
    pulled = pull(anna)
    assert pulled.summary() == (
        "pulled 1 new coding, 0 removals, 0 memos, 1 edited memo; 1 conflict:"
    )
    assert pulled.conflicts[0].endswith("replaces 'edited offline' here")
    assert _codings(str(anna)) == _codings(team["lead"])
    assert _memos(anna) == _memos(team["lead"])
    assert len(_codings(team["lead"])) == 5
    assert push(anna).summary() == "pushed 0 new codings, 0 removals, 0 memos"
    assert pull(anna).summary() == "pulled 0 new codings, 0 removals, 0 memos"


# -- a connection dropped half way ---------------------------------------------------------------


@contextmanager
def dropped_before(postgres: PostgresServer, statement: str) -> Iterator[list[int]]:
    """Terminate the server session about to run the first statement that starts with
    ``statement`` (``COMMIT``: about to commit), from a second connection, as a network
    that drops would. Yields the ids of the sessions terminated (one, if it happened)."""
    killed: list[int] = []

    def terminate(conn: Connection) -> None:
        if killed or conn.engine.dialect.name != "postgresql":
            return
        pid = conn.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with postgres.admin() as admin:  # waits until the session is gone
            admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))
        killed.append(pid)

    def before_statement(conn: Connection, _cursor, sql: str, *_args: object) -> None:
        if sql.lstrip().upper().startswith(statement):
            terminate(conn)

    hook: Callable[..., None] = terminate
    event_name = "commit"
    if statement != "COMMIT":
        event_name, hook = "before_cursor_execute", before_statement
    event.listen(Engine, event_name, hook)
    try:
        yield killed
    finally:
        event.remove(Engine, event_name, hook)


def _cut_short(
    postgres: PostgresServer, statement: str, command: str, local: Path, server: str
) -> None:
    """Run ``qualcode push|pull LOCAL`` with the connection dropped before ``statement``:
    it fails in one line saying so, and neither end changes."""
    before = dump(server), dump(local)
    with dropped_before(postgres, statement) as killed:
        result = CliRunner().invoke(app, [command, str(local)])
    assert killed, f"no statement starting with {statement!r} ran"
    assert result.exit_code == 1, result.output
    [line] = result.output.splitlines()
    assert line.startswith("qualcode: error: postgresql://anna@")
    assert "lost the connection to the server" in line and "run the command again" in line
    assert (dump(server), dump(local)) == before


PUSHED = "pushed 1 new coding, 1 removal, 1 memo, 1 edited memo"


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM QUALCODE_INSERT('CODINGS'",
        "SELECT * FROM QUALCODE_INSERT('MEMOS'",
        "SELECT COUNT(*) FROM QUALCODE_DELETE('CODINGS'",
        "SELECT QUALCODE_UPDATE('CODINGS'",
        "COMMIT",
    ],
)
def test_a_push_cut_short_changes_neither_end_and_a_retry_sends_it_once(
    team: dict[str, str], anna: Path, postgres: PostgresServer, statement: str
):
    with Project.open(anna) as p:  # offline: one of each kind of change
        text = p.sources.get("int1").text
        p.coding.apply("int1", *span(text, NEVER), "Awareness")
        p.coding.remove("int1", *span(text, TIME), "Time constraints")
        p.coding.add_memo("anna: time first", code="Time constraints")
    _set_memo(anna, "anna", QUIET, "second thought")
    _cut_short(postgres, statement, "push", anna, team["lead"])
    assert push(anna).summary() == PUSHED  # as if nothing had happened
    assert _memos(team["lead"]) == {
        ("ben", NEVER): "",
        ("anna", QUIET): "second thought",
        ("anna", NEVER): "",
    }
    with Project.open(team["lead"]) as lead:
        assert [m.text for m in lead.coding.memos(target="code")] == ["anna: time first"]
    assert push(anna).summary() == "pushed 0 new codings, 0 removals, 0 memos"


@pytest.mark.parametrize("statement", ["SELECT CODINGS.", "SELECT MEMOS."])
def test_a_pull_cut_short_changes_neither_end_and_a_retry_brings_it_once(
    team: dict[str, str], anna: Path, postgres: PostgresServer, statement: str
):
    with Project.open(team["ben"]) as ben:
        ben.coding.apply("int1", *span(ben.sources.get("int1").text, TIME), "Time constraints")
    _set_memo(team["ben"], "ben", NEVER, "ben's afterthought")
    with Project.open(team["lead"]) as lead:
        lead.codebook.update_code("Awareness", definition="Has heard of the programme.")
        lead.coding.add_memo("lead: check the exam period", source="int1")
    _cut_short(postgres, statement, "pull", anna, team["lead"])
    report = pull(anna)
    assert report.summary() == "pulled 1 new coding, 0 removals, 1 memo, 1 edited memo"
    assert report.notes == [
        "code 'Awareness': definition now the server's, 'Has heard of the programme.' (was "
        "'Knowing the programme exists.')"
    ]
    assert _codings(str(anna)) == _codings(team["lead"])
    assert _memos(anna) == _memos(team["lead"])
    again = pull(anna)
    assert again.summary() == "pulled 0 new codings, 0 removals, 0 memos" and not again.notes
