"""Live means live: every open window shows what changed within about a second, without
ctrl+r: a code the lead adds (server), the counts of a push from the coder's own clone
(server), and what a pull brought into a clone (a project file). Against a real PostgreSQL
server, with the windows under Pilot."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable

from qualcode.project import Project
from qualcode.project.live import live_listener
from qualcode.project.sync import clone, pull, push
from qualcode.store import notify
from qualcode.store.live import Edited
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.sources import SourcesScreen
from qualcode.tui.widgets.code_tree import CodeTree
from tests.conftest import INTERVIEW, span, toasts
from tests.test_live import (  # noqa: F401 (team: a fixture)
    NEVER,
    SIZE,
    team,
    until,
    window_listening,
)

CHANGED_ON_SERVER = "The codebook changed on the server"
CHANGED_OUTSIDE = "The project changed outside this window"


def tree_names(tree: CodeTree) -> list[str]:
    names, nodes = [], list(tree.root.children)
    while nodes:
        node = nodes.pop(0)
        if node.data is not None:
            names.append(node.data.name)
        nodes.extend(node.children)
    return names


def codings_shown(app: QualcodeApp, source: str) -> str:
    """The ``codings`` cell of a source's row on the Sources screen, as the coder reads it."""
    screen = app.screen
    assert isinstance(screen, SourcesScreen)
    table = screen.query_one(DataTable)
    for index in range(table.row_count):
        row = table.get_row_at(index)
        if str(row[0]) == source:
            return str(row[4])
    raise AssertionError(f"no row of {source}")


async def test_a_code_the_lead_adds_appears_in_every_open_window(
    team: dict[str, str],  # noqa: F811
    pg_url: str,
):
    with Project.open(pg_url) as lead, Project.open(team["anna"]) as anna:
        lead_app, anna_app = QualcodeApp(lead), QualcodeApp(anna)
        async with (
            lead_app.run_test(size=SIZE, notifications=True) as lead_pilot,
            anna_app.run_test(size=SIZE, notifications=True) as anna_pilot,
        ):
            await anna_pilot.press("f4")
            await until(anna_pilot, lambda: isinstance(anna_app.screen, CodebookScreen))
            await until(anna_pilot, lambda: "online:" in anna_app.sub_title)  # feed running
            tree = anna_app.screen.query_one(CodeTree)
            assert tree_names(tree) == ["Awareness"]

            await lead_pilot.press("f4", "a", *"Recognition")
            pressed = time.monotonic()
            await lead_pilot.press("enter")
            await until(anna_pilot, lambda: "Recognition" in tree_names(tree), seconds=5)
            waited = time.monotonic() - pressed
            assert lead.codebook.book().find("Recognition")
            assert sorted(tree_names(tree)) == ["Awareness", "Recognition"]
            assert any(CHANGED_ON_SERVER in t for t in toasts(anna_app))

            lead.codebook.rename_code("Recognition", "Recognised")  # the lead's, too
            await until(anna_pilot, lambda: "Recognised" in tree_names(tree), seconds=5)
            await lead_pilot.pause(1.0)
            assert not any(CHANGED_ON_SERVER in t for t in toasts(lead_app))  # its own edits
    # 0.5-0.7 s from the lead's Enter on this shared machine under load; the bound leaves room
    assert waited < 3.0, f"the code appeared after {waited:.2f} s"


async def test_a_push_from_a_clone_shows_in_the_pushers_own_server_window(
    team: dict[str, str],  # noqa: F811
    tmp_path: Path,
):
    local = tmp_path / "anna.qcdb"
    clone(team["anna"], local)
    with Project.open(local) as offline:
        offline.coding.apply("int1", *span(INTERVIEW, NEVER), "Awareness")
        offline.coding.apply("int1", *span(INTERVIEW, "Time, mostly."), "Awareness")
    with Project.open(team["anna"]) as anna:
        app = QualcodeApp(anna)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: "online: anna" in app.sub_title)
            assert codings_shown(app, "int1") == "0"
            report = await asyncio.to_thread(push, local)
            assert report.summary().startswith("pushed 2 new codings")
            await until(pilot, lambda: codings_shown(app, "int1") == "2", seconds=5)


async def test_a_clone_window_shows_what_a_pull_brought(
    team: dict[str, str],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    local = tmp_path / "anna.qcdb"
    clone(team["anna"], local)
    with Project.open(team["ben"]) as ben:
        ben.coding.apply("int1", *span(INTERVIEW, NEVER), "Awareness")
    with Project.open(local) as anna:
        app = QualcodeApp(anna)
        said: list[str] = []
        shown = app.notify
        monkeypatch.setattr(app, "notify", lambda m, **kw: (said.append(m), shown(m, **kw)))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SourcesScreen))
            assert codings_shown(app, "int1") == "0"
            report = await asyncio.to_thread(pull, local)
            assert report.summary().startswith("pulled 1 new coding")
            await until(pilot, lambda: codings_shown(app, "int1") == "1", seconds=5)
            assert [m for m in said if CHANGED_OUTSIDE in m] == [said[-1]]

            # the window's own coding is shown by the window, and is no news to it
            anna.coding.apply("int1", *span(INTERVIEW, "Time, mostly."), "Awareness")
            await pilot.pause(1.5)
            assert len([m for m in said if CHANGED_OUTSIDE in m]) == 1


def test_an_older_server_project_gets_the_codebook_feed_when_its_owner_opens_it(
    postgres,
    pg_database: str,
    pg_url: str,
    team: dict[str, str],  # noqa: F811
):
    with postgres.admin(pg_database) as conn:  # as a qualcode before the catalog feed left it
        for table in notify.CATALOG_TABLES:
            conn.execute(f"DROP TRIGGER qualcode_notify_catalog ON {table}")
        conn.execute("DROP FUNCTION qualcode_notify_catalog()")
        conn.execute("DELETE FROM meta WHERE key = %s", (notify.VERSION_KEY,))
    with Project.open(team["anna"]) as anna:  # a coder may not make triggers: it opens as was
        assert anna.context.settings().server_live_version is None
        listener = live_listener(anna)
    assert listener is not None
    edits: list[Edited] = []
    with window_listening(listener, repr, edits.append):
        deadline = time.monotonic() + 10
        with Project.open(pg_url) as lead:  # the owner: the triggers are made
            assert lead.context.settings().server_live_version == str(notify.VERSION)
            lead.codebook.add_code("Recognition")
        while not edits:
            assert time.monotonic() < deadline, "no word of the new code"
            time.sleep(0.02)
    assert edits == [Edited(("codebook",), mine=False)]


def test_a_forged_catalog_notification_changes_nothing(
    team: dict[str, str],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
):
    import psycopg

    with Project.open(team["anna"]) as anna:
        listener = live_listener(anna)
    assert listener is not None
    edits: list[Edited] = []
    with (
        caplog.at_level("WARNING", logger="qualcode.store.live"),
        window_listening(listener, repr, edits.append),
        psycopg.connect(team["ben"], autocommit=True) as conn,
    ):
        for payload in ("codes", "sources", "drop everything"):
            conn.execute("SELECT pg_notify('qualcode_catalog', %s)", (payload,))
        time.sleep(1.5)
    assert edits == []
    assert listener.ignored == 1
    assert "'drop everything'" in caplog.text
