"""The live feed in the TUI: what others change appears without a key press, and on a
server the title says who is online.

On a server a thread worker runs :meth:`qualcode.store.live.Listener.run` (it waits on the
server's LISTEN/NOTIFY, it does not poll); a project file is looked at twice a second by a
timer (:meth:`qualcode.store.watch.FileWatcher.look` reads a counter in shared memory: no
worker, so a test that waits for the workers to finish does not wait for it). Either posts
a message to the app for each change; the app has the screen read the project again and
says what happened.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer

from qualcode.errors import QualcodeError
from qualcode.project.live import file_watcher, live_listener
from qualcode.store.watch import WAIT
from qualcode.tui.workbench import WORKER_TITLES, Workbench

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
    """Owns the listener's thread or the watcher's timer: started once by the app, stopped
    when it closes."""

    def __init__(self, app: Workbench, project: Project) -> None:
        self.app = app
        self.listener = live_listener(project)
        self.watcher = file_watcher(project) if self.listener is None else None
        self.cancel = threading.Event()
        self.online: list[str] = []
        self.timer: Timer | None = None

    def start(self) -> None:
        post = self.app.post_message  # thread-safe
        if self.watcher is not None:
            self._look_at_file()  # the first look takes note of where the file is now
            self.timer = self.app.set_interval(WAIT, self._look_at_file)
        if self.listener is None:
            return
        self.app.run_worker(
            partial(
                self.listener.run,
                lambda change: post(OthersCoded(change)),
                lambda coders: post(CodersOnline(coders)),
                self.cancel,
                lambda edit: post(ProjectEdited(edit)),
            ),
            thread=True,
            exclusive=True,
            group=GROUP,
            name="live feed",
            exit_on_error=False,
        )

    def _look_at_file(self) -> None:
        assert self.watcher is not None
        try:
            edit = self.watcher.look()
        except QualcodeError as exc:
            self.stop()
            self.app.show_error(exc, WORKER_TITLES[GROUP])
            return
        if edit is not None:
            self.app.post_message(ProjectEdited(edit))

    def stop(self) -> None:
        self.cancel.set()
        if self.timer is not None:
            self.timer.stop()
        if self.watcher is not None:
            self.watcher.close()


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
