"""The project database: opening, refusing foreign files, upgrading, transactions."""

from __future__ import annotations

import re
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from qualcode.errors import ProjectError
from qualcode.project import Project
from qualcode.store import Store, schema
from qualcode.store.dialect import Dialect
from qualcode.store.server import is_server_url
from qualcode.store.settings import SettingKey
from tests.conftest import dump


@pytest.fixture
def project_path(any_project_path: Path | str) -> Path | str:
    """The tests of transactions and connections run on a file and on the server."""
    return any_project_path


def _new_store(location: Path | str) -> Store:
    if is_server_url(location):
        return Store.create_on_server(str(location), {"language": "en"})
    return Store.create(Path(location), {"language": "en"})


def test_create_then_open_keeps_settings(tmp_path: Path):
    path = tmp_path / "a.qcdb"
    Project.create(path, language="de", coder="ben").close()
    with Project.open(path) as p:
        assert p.context.language == "de"
        assert p.context.coder == "ben"
        assert p.context.settings().schema_version == schema.SCHEMA_VERSION


def test_settings_are_typed_and_an_unknown_key_is_refused(tmp_path: Path):
    path = tmp_path / "a.qcdb"
    Project.create(path, language="de").close()
    with sqlite3.connect(path) as db:  # a row a newer qualcode or another tool wrote
        db.execute("INSERT INTO meta (key, value) VALUES ('future.key', 'x')")
    with Project.open(path) as p:
        p.context.set_setting(SettingKey.RECONCILE_CODERS, "anna, ben")
        settings = p.context.settings()
        assert settings.reconcile_coders == ("anna", "ben") and settings.nlp_model is None
        assert "future.key" not in {k.value for k in settings.stored}
        with pytest.raises(
            ProjectError, match=r"unknown setting 'nlp\.modle' \(known: .*nlp\.model"
        ):
            p.context.set_setting("nlp.modle", "en_core_web_sm")  # type: ignore[arg-type]
        assert p.context.settings() == settings  # nothing written
    with sqlite3.connect(path) as db:  # the stored format is unchanged: one row a key
        rows = dict(db.execute("SELECT key, value FROM meta"))
    assert rows["reconcile.coders"] == "anna, ben" and rows["language"] == "de"
    assert rows["future.key"] == "x" and "nlp.modle" not in rows


def test_create_refuses_to_overwrite(tmp_path: Path):
    path = tmp_path / "a.qcdb"
    path.write_text("precious")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path)
    assert path.read_text() == "precious"


def test_create_rejects_a_bad_language(tmp_path: Path):
    with pytest.raises(ProjectError, match="language"):
        Project.create(tmp_path / "a.qcdb", language="English")
    assert not (tmp_path / "a.qcdb").exists()


@pytest.mark.parametrize("content", [b"", b"hello, this is text\n", bytes(range(256)) * 8])
def test_a_file_that_is_not_a_project_is_refused(tmp_path: Path, content: bytes):
    path = tmp_path / "not.qcdb"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match="not a qualcode project") as info:
        Project.open(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content


def test_another_programs_sqlite_database_is_refused_and_left_alone(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not a qualcode project"):
        Project.open(path)
    assert path.read_bytes() == before


def test_missing_project_file(tmp_path: Path):
    with pytest.raises(ProjectError, match="no such project file"):
        Project.open(tmp_path / "nope.qcdb")


def test_a_project_from_a_newer_qualcode_is_refused(tmp_path: Path):
    path = tmp_path / "a.qcdb"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="newer qualcode"):
        Project.open(path)


def test_an_older_project_is_upgraded_step_by_step(tmp_path: Path, monkeypatch):
    path = tmp_path / "a.qcdb"
    Project.create(path).close()

    def add_column(conn):
        conn.exec_driver_sql("ALTER TABLE sources ADD COLUMN reviewed INTEGER DEFAULT 0")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, add_column)
    with Project.open(path) as p:
        assert p.context.settings().schema_version == schema.SCHEMA_VERSION
    columns = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(sources)")]
    assert "reviewed" in columns


def test_a_failed_migration_leaves_the_project_as_it_was(tmp_path: Path, monkeypatch):
    path = tmp_path / "a.qcdb"
    Project.create(path).close()
    before = dump(path)

    def broken(conn):
        conn.exec_driver_sql("ALTER TABLE sources ADD COLUMN half_done INTEGER")
        raise RuntimeError("migration failed half way")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1, broken)
    with pytest.raises(RuntimeError):
        Project.open(path)
    assert dump(path) == before


def test_atomic_rolls_back_everything_inside_it(project_path: Path | str):
    store = _new_store(project_path)
    with pytest.raises(RuntimeError), store.atomic() as same:
        assert same is store
        store.add_code("Kept?")
        with store.atomic() as inner:  # a savepoint
            inner.add_code("Inner")
        raise RuntimeError("boom")
    assert len(store.codebook()) == 0
    store.close()


def test_savepoint_rollback_keeps_the_outer_work(project_path: Path | str):
    store = _new_store(project_path)
    with store.atomic():
        store.add_code("Outer")
        with pytest.raises(RuntimeError), store.atomic():
            store.add_code("Inner")
            raise RuntimeError("only the savepoint goes")
    assert [c.name for c in store.codebook()] == ["Outer"]
    store.close()


def test_a_second_connection_sees_committed_changes(project: Project, project_path: Path):
    with Project.open(project_path) as other:
        before = len(other.coding.codings())
        text = project.sources.get("int1").text
        start = text.index("never heard")
        project.coding.apply("int1", start, start + 11, "Awareness", new=True)
        assert len(other.coding.codings()) == before + 1


def test_a_version_1_project_is_upgraded_to_the_current_schema(tmp_path: Path):
    path = tmp_path / "old.qcdb"
    Project.create(path).close()
    conn = sqlite3.connect(path)  # make it look like a project written by qualcode 0.1
    conn.execute("DROP TABLE suggestion_feedback")
    conn.execute("DROP TABLE pending_suggestions")  # v4
    for table in ("coders", "codings", "memos"):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN guid")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with Project.open(path) as p:
        assert p.context.settings().schema_version == schema.SCHEMA_VERSION
        p.codebook.add_code("Works")
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert {"suggestion_feedback", "pending_suggestions"} <= tables


def test_listing_sources_counts_words_without_loading_texts(tmp_path: Path):
    # Words cut in two by the pieces the text is read in count once; a long source's
    # text is never in memory whole (an audit's `sources` on a 200 MB transcript took 2.7 GB).
    turn = "STUDENT: Prüfungsangst " + "x" * 1000 + " größer\n"
    text = turn * 12000  # about 12 MB, read in pieces of 1 MiB
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    with Project.create(tmp_path / "p.qcdb") as p:
        p.sources.import_files([path])
        assert p.sources.get("long").text == text
        tracemalloc.start()
        try:
            (summary,) = p.sources.all()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert summary.words == len(re.findall(r"\w+", text)) == 4 * 12000
    assert summary.characters == len(text)
    assert peak < len(text) // 2


def test_a_write_outside_atomic_is_its_own_transaction(project_path: Path | str):
    path = project_path
    store = _new_store(path)
    code_id = store.add_code("Alone")
    with pytest.raises(RuntimeError), store.atomic():
        store.update_code(code_id, definition="rolled back")
        raise RuntimeError("boom")
    store.close()
    with Project.open(path) as p:  # committed, and only the write outside the block
        assert [(c.name, c.definition) for c in p.codebook.book()] == [("Alone", "")]


def test_the_portable_dialect_reads_what_the_sqlite_one_reads(tmp_path: Path):
    # What a database without SQLite's blob reading and change counters gets: texts read
    # with SQL substr, analysis frames read afresh every time. The same answers.
    turn = "ANNA: Prüfungsangst größer " + "x" * 500 + "\n"
    with Project.create(tmp_path / "p.qcdb") as p:
        path = tmp_path / "long.txt"
        path.write_text(turn * 2500, encoding="utf-8")  # over 1 MiB: read in pieces
        p.sources.import_files([path])
        text = p.sources.get("long").text
        p.coding.apply("long", 6, 19, "Angst", new=True)
        sqlite_view = (p.sources.all(), p.context.store.codings_frame())
        p.context.store.dialect = Dialect(p.context.store.busy_timeout)
        portable_view = (p.sources.all(), p.context.store.codings_frame())
    assert portable_view[0] == sqlite_view[0]
    assert portable_view[0][0].words == 4 * 2500 and portable_view[0][0].characters == len(text)
    assert portable_view[1].equals(sqlite_view[1]) and len(portable_view[1]) == 1
