"""The live feed in the TUI: what others change appears without a key press, and on a
server the title says who is online.

A thread worker runs :meth:`qualcode.store.live.Listener.run` for a server project (it waits
on the server's LISTEN/NOTIFY, it does not poll) or :meth:`qualcode.store.watch.FileWatcher.run`
for a project file (it reads the file's change counter twice a second), and posts a message
to the app for each change; the app has the screen read the project again and says what
happened.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message

from qualcode.project.live import file_watcher, live_listener

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.live import Change, Edited

GROUP = "live"  # its failure is shown by the app's one worker handler (workbench.py)


class OthersCoded(Message):
    """Codings were added or removed on the server (by anyone, this window included)."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change


class ProjectEdited(Message):
    """The codebook or the sources changed on the server, or the project file changed."""

    def __init__(self, edit: Edited) -> None:
        super().__init__()
        self.edit = edit


class CodersOnline(Message):
    """Who has the project open now."""

    def __init__(self, coders: list[str]) -> None:
        super().__init__()
        self.coders = coders


class LiveFeed:
    """Owns the listener's or the watcher's thread: started once by the app, stopped when
    it closes."""

    def __init__(self, app: App[None], project: Project) -> None:
        self.app = app
        self.listener = live_listener(project)
        self.watcher = file_watcher(project) if self.listener is None else None
        self.cancel = threading.Event()
        self.online: list[str] = []

    def start(self) -> None:
        post = self.app.post_message  # thread-safe
        if self.listener is not None:
            run = partial(
                self.listener.run,
                lambda change: post(OthersCoded(change)),
                lambda coders: post(CodersOnline(coders)),
                self.cancel,
                lambda edit: post(ProjectEdited(edit)),
            )
        elif self.watcher is not None:
            run = partial(self.watcher.run, lambda edit: post(ProjectEdited(edit)), self.cancel)
        else:
            return
        self.app.run_worker(
            run, thread=True, exclusive=True, group=GROUP, name="live feed", exit_on_error=False
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


def describe_edit(edit: Edited) -> str | None:
    """What to tell the coder about ``edit``; None for the window's own."""
    if edit.mine:
        return None
    if "project" in edit.parts:
        return "The project changed outside this window (a pull, a command): shown now"
    what = " and ".join("the codebook" if p == "codebook" else "the sources" for p in edit.parts)
    return f"{what[0].upper()}{what[1:]} changed on the server: shown now"
