"""The live feed of a server project in the TUI, against a real PostgreSQL: another coder's
codings appear in an open window without a key press, and its title says who is online."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from qualcode.project import ImportOptions, Project
from qualcode.project.live import live_listener
from qualcode.store.live import WAIT
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from tests.conftest import run_qualcode, span, toasts, wait_for_toast
from tests.postgres import PostgresServer
from tests.test_sync_server import add_coder

NEVER = "I had never heard of it before you called."
SIZE = (100, 30)


@pytest.fixture
def team(postgres: PostgresServer, pg_database: str, pg_url: str, transcripts) -> dict[str, str]:
    with Project.create(pg_url) as lead:
        lead.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
        lead.codebook.add_code("Awareness")
    return {name: add_coder(postgres, pg_database, name) for name in ("anna", "ben")}


async def until(pilot, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Let the app run until ``condition`` holds (failing after ``seconds``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "the app did not get there in time"
        await pilot.pause(0.02)


@contextlib.contextmanager
def window_listening(
    listener: Any, *handlers: Callable[[Any], object]
) -> Iterator[threading.Thread]:
    """``listener`` run in a thread as an open window runs it (``handlers``: for the
    codings' changes, then for the codebook's and sources' if given), once it is online;
    stopped and joined on leaving."""
    online: list[list[str]] = []
    cancel = threading.Event()
    changes, *edits = handlers
    window = threading.Thread(
        target=listener.run, args=(changes, online.append, cancel, *edits), daemon=True
    )
    window.start()
    try:
        deadline = time.monotonic() + 10
        while not online:
            assert time.monotonic() < deadline, "the window never got online"
            time.sleep(0.02)
        yield window
    finally:
        cancel.set()
        window.join()


async def test_another_coders_coding_appears_without_a_key_press(team: dict[str, str]):
    with Project.open(team["anna"]) as anna:
        app = QualcodeApp(anna, source="int1")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: app.sub_title.endswith("online: anna"))
            screen = app.screen
            assert isinstance(screen, CodingScreen) and screen.coded == []
            start, end = span(anna.sources.get("int1").text, NEVER)
            # ben, in a process of his own, as his own role
            await asyncio.to_thread(
                run_qualcode, "code", team["ben"], "int1", start, end, "Awareness"
            )
            await until(pilot, lambda: bool(screen.coded), seconds=5)
            assert [(s.coding.coder, s.text) for s in screen.coded] == [("ben", NEVER)]
            await wait_for_toast(pilot, "ben added 1 coding")

            # ben opens a window of his own, then closes it
            with Project.open(team["ben"]) as ben:
                listener = live_listener(ben)
            assert listener is not None
            cancel = threading.Event()
            window = threading.Thread(target=listener.run, args=(repr, repr, cancel), daemon=True)
            window.start()
            try:
                await until(pilot, lambda: app.sub_title.endswith("online: anna, ben"))
                status = str(app.screen.query_one("#coding-status").render())
                assert "coder anna · online: anna, ben" in status
            finally:
                cancel.set()
                window.join()
            await until(pilot, lambda: app.sub_title.endswith("online: anna"))


async def test_a_lost_live_connection_is_said_once(postgres, pg_database, team):
    with Project.open(team["anna"]) as anna:
        app = QualcodeApp(anna, source="int1")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: app.sub_title.endswith("online: anna"))
            with postgres.admin(pg_database) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'qualcode live'"
                )
            await wait_for_toast(pilot, "lost the live connection to the server", "error")
            await pilot.pause()  # both handlers of one failure would have run by now
            [error] = toasts(app, "error")
            assert "what others code shows on ctrl+r" in error


FORGED = '{"op": "added", "count": 999, "coders": ["anna"], "sources": [1]}'


def notify_as(url: str, *payloads: str) -> None:
    """Send ``payloads`` on the codings' channel as raw SQL, as any coder with psql may."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for payload in payloads:
            conn.execute("SELECT pg_notify('qualcode_codings', %s)", (payload,))


def test_a_bad_or_forged_notification_is_ignored_and_the_feed_runs_on(
    team: dict[str, str], caplog: pytest.LogCaptureFixture
):
    with Project.open(team["anna"]) as anna:
        listener = live_listener(anna)
        text, source_id = anna.sources.get("int1").text, anna.sources.get("int1").id
    assert listener is not None
    changes: list = []
    with (
        caplog.at_level("WARNING", logger="qualcode.store.live"),
        window_listening(listener, changes.append) as window,
    ):
        deadline = time.monotonic() + 10
        notify_as(team["ben"], "not json", FORGED, "not json either")
        run_qualcode("code", team["ben"], "int1", *span(text, NEVER), "Awareness")
        while not changes:
            assert time.monotonic() < deadline, "the feed stopped"
            time.sleep(0.02)
        time.sleep(2 * WAIT)
        assert window.is_alive()
    assert [(c.op, c.count, c.coders, c.source_ids) for c in changes] == [
        ("added", 1, ("ben",), (source_id,))
    ]
    [record] = [r for r in caplog.records if r.name == "qualcode.store.live"]
    assert "ignored a notification on qualcode_codings" in record.getMessage()
    assert "'not json'" in record.getMessage()
    assert listener.ignored == 2  # the forged one has the trigger's shape: its count is unused


async def test_the_window_shows_what_the_database_holds_not_what_a_notification_says(
    team: dict[str, str],
):
    with Project.open(team["anna"]) as anna:
        app = QualcodeApp(anna, source="int1")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: app.sub_title.endswith("online: anna"))
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            forged = FORGED.replace('"anna"', '"ben"')
            await asyncio.to_thread(notify_as, team["ben"], forged)
            await pilot.pause(3 * WAIT)  # a toast shown now would stay 3 seconds
            assert not any("999" in t for t in toasts(app))
            await asyncio.to_thread(notify_as, team["ben"], "not json")
            start, end = span(anna.sources.get("int1").text, NEVER)
            await asyncio.to_thread(
                run_qualcode, "code", team["ben"], "int1", start, end, "Awareness"
            )
            await until(pilot, lambda: bool(screen.coded), seconds=5)
            await wait_for_toast(pilot, "ben added 1 coding")
            assert not any("999" in t for t in toasts(app))
            assert toasts(app, "error") == []
