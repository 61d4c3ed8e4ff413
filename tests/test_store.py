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
from tests.conftest import dump


def test_create_then_open_keeps_settings(tmp_path: Path):
    path = tmp_path / "a.qcdb"
    Project.create(path, language="de", coder="ben").close()
    with Project.open(path) as p:
        assert p.language == "de"
        assert p.coder == "ben"
        assert p.settings()["schema_version"] == str(schema.SCHEMA_VERSION)


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
        assert p.settings()["schema_version"] == str(schema.SCHEMA_VERSION)
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


def test_atomic_rolls_back_everything_inside_it(tmp_path: Path):
    path = tmp_path / "a.qcdb"
    store = Store.create(path, {"language": "en"})
    with pytest.raises(RuntimeError), store.atomic() as conn:
        store.add_code(conn, "Kept?")
        with store.atomic() as inner:  # a savepoint
            store.add_code(inner, "Inner")
        raise RuntimeError("boom")
    assert len(store.codebook()) == 0
    store.close()


def test_savepoint_rollback_keeps_the_outer_work(tmp_path: Path):
    store = Store.create(tmp_path / "a.qcdb", {"language": "en"})
    with store.atomic() as conn:
        store.add_code(conn, "Outer")
        with pytest.raises(RuntimeError), store.atomic() as inner:
            store.add_code(inner, "Inner")
            raise RuntimeError("only the savepoint goes")
    assert [c.name for c in store.codebook()] == ["Outer"]
    store.close()


def test_a_second_connection_sees_committed_changes(project: Project, project_path: Path):
    with Project.open(project_path) as other:
        before = len(other.codings())
        text = project.source("int1").text
        start = text.index("never heard")
        project.apply_code("int1", start, start + 11, "Awareness", new=True)
        assert len(other.codings()) == before + 1


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
        assert p.settings()["schema_version"] == str(schema.SCHEMA_VERSION)
        p.add_code("Works")
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
        p.import_files([path])
        assert p.source("long").text == text
        tracemalloc.start()
        try:
            (summary,) = p.sources()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert summary.words == len(re.findall(r"\w+", text)) == 4 * 12000
    assert summary.characters == len(text)
    assert peak < len(text) // 2
