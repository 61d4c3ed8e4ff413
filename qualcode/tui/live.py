"""The live feed of a server project in the TUI: others' codings appear without a key press,
and the title says who is online.

A thread worker runs :meth:`qualcode.store.live.Listener.run` (it waits on the server's
LISTEN/NOTIFY, it does not poll) and posts a message to the app for each change; the app
reads the screen again and says what happened. A project file has no feed.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message

from qualcode.project.live import live_listener

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.live import Change

GROUP = "live"  # its failure is shown by the app's one worker handler (workbench.py)


class OthersCoded(Message):
    """Codings were added or removed on the server (by anyone, this window included)."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change


class CodersOnline(Message):
    """Who has the project open now."""

    def __init__(self, coders: list[str]) -> None:
        super().__init__()
        self.coders = coders


class LiveFeed:
    """Owns the listener's thread: started once by the app, stopped when it closes."""

    def __init__(self, app: App[None], project: Project) -> None:
        self.app = app
        self.listener = live_listener(project)
        self.cancel = threading.Event()
        self.online: list[str] = []

    def start(self) -> None:
        if self.listener is None:
            return
        post = self.app.post_message  # thread-safe
        self.app.run_worker(
            partial(
                self.listener.run,
                lambda change: post(OthersCoded(change)),
                lambda coders: post(CodersOnline(coders)),
                self.cancel,
            ),
            thread=True,
            exclusive=True,
            group=GROUP,
            name="live feed",
            exit_on_error=False,
        )

    def stop(self) -> None:
        self.cancel.set()


def describe(change: Change, me: str) -> str | None:
    """What to tell the coder about ``change``; None for their own."""
    others = [c for c in change.coders if c != me]
    if change.coders and not others:
        return None
    who = ", ".join(others) if others else "others"
    noun = "coding" if change.count == 1 else "codings"
    return f"{who} {change.op} {change.count} {noun}"
