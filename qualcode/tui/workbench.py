"""What the screens ask of the application: the project, calls into it, and errors shown.

:class:`Workbench` is the application minus its wiring. The screens type ``self.app`` as a
``Workbench`` and import this module, never :mod:`qualcode.tui.app` (which imports the screens),
so there is no import cycle. A screen calls into the project through :meth:`Workbench.attempt`
or :meth:`Workbench.write`, or raises in a worker; either way the error is shown here, by
:meth:`Workbench.show_error`, the one place a failure becomes a notification. A screen
that runs workers mixes in :class:`ShowsWorkerErrors`, which hands a failed one to the app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from textual.app import App
from textual.worker import Worker, WorkerState

from qualcode.errors import ProjectBusy, QualcodeError
from qualcode.project import Project
from qualcode.tui.screens.dialogs import TextPrompt

T = TypeVar("T")

WAITING = "waiting for another writer…"

# The title of a failed worker's notification when its error has none of its own (a
# QualcodeError has one), by the worker's group.
WORKER_TITLES = {
    "import": "Cannot import",
    "suggest": "Suggestions failed",
    "refit": "Suggestions failed",
    "batch": "Suggestions failed",
    "themes": "Themes failed",
    "reconcile": "Comparing failed",
    "report": "Report",
    "export": "Export failed",
    "write": "Not saved",
    "live": "Live updates stopped",
}


class Workbench(App[None]):
    """An application working on one open project."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.pending_source: str | int | None = None
        self.pending_span: tuple[int, int] | None = None
        self.online: list[str] = []  # who has the project open, on a server with a live feed

    # -- errors ------------------------------------------------------------------------------

    def show_error(self, error: BaseException, title: str = "Error") -> None:
        """Show a failure as an error notification: a QualcodeError with its own title and
        text, anything else (a bug) with its type, never as a traceback."""
        if isinstance(error, QualcodeError):
            text, title = str(error), error.title
        else:
            text = repr(error)
        # Not markup: a file name or a quote may hold square brackets.
        self.notify(text, title=title, severity="error", timeout=8, markup=False)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """Show why a worker failed: the one handler of every screen's failed workers."""
        if worker.error is not None:
            self.show_error(worker.error, WORKER_TITLES.get(worker.group, "Error"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers (a write waiting for another writer)."""
        if event.state == WorkerState.ERROR:
            self.worker_failed(event.worker)

    # -- calls into the project --------------------------------------------------------------

    def attempt(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call into the project; a QualcodeError is shown and gives None."""
        try:
            return func(*args, **kwargs)
        except QualcodeError as exc:
            self.show_error(exc)
            return None

    def write(
        self, func: Callable[..., T], *args: Any, then: Callable[[T], object], **kwargs: Any
    ) -> None:
        """Call a write into the project, then ``then(result)``; a QualcodeError is shown.
        If another process is writing, the screen's status line says it waits and the write
        waits in a thread (up to the busy timeout), so the screen stays responsive; ``then``
        runs when it is done."""
        try:
            with self.project.context.without_waiting():
                result = func(*args, **kwargs)
        except ProjectBusy:
            say = getattr(self.screen, "say", None)
            if say is not None:
                say(WAITING)
            else:
                self.notify(WAITING, timeout=3)
            self.run_worker(
                partial(self._write_waiting, func, args, kwargs, then),
                thread=True,
                group="write",
                exit_on_error=False,
            )
            return
        except QualcodeError as exc:
            self.show_error(exc)
            return
        then(result)

    def _write_waiting(
        self,
        func: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        then: Callable[[T], object],
    ) -> None:
        # In a thread worker: waits on the busy timeout, then hands back to the UI thread;
        # a failure is the worker's, shown by on_worker_state_changed.
        result = func(*args, **kwargs)
        self.call_from_thread(then, result)

    # -- what several screens do -------------------------------------------------------------

    def open_source(self, ref: str | int, span: tuple[int, int] | None = None) -> None:
        """Show a source on the coding screen (it opens it when it is next shown), with
        ``span`` selected if given."""
        self.pending_source = ref
        self.pending_span = span
        resume = getattr(self.screen, "on_screen_resume", None)
        if self.current_mode == "coding" and resume is not None:
            resume()
        else:
            self.switch_mode("coding")

    def coder_label(self, coder: str) -> str:
        """Who codes here, and on a server who else has the project open: for status lines."""
        if not self.online:
            return f"coder {coder}"
        return f"coder {coder} · online: {', '.join(self.online)}"

    def reload_screen(self) -> None:
        """Have the screen shown read the project again, if it shows any of it."""
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            reload()

    def action_set_coder(self) -> None:
        """Ask who is coding; the name is the project's coder from now on."""

        def chosen(name: str | None) -> None:
            if not name:
                return
            try:
                self.project.context.set_coder(name)
            except QualcodeError as exc:
                self.show_error(exc)
                return
            self.notify(f"Coding as {self.project.context.coder}.", timeout=3)
            self.reload_screen()

        self.push_screen(TextPrompt("Coder name", self.project.context.coder), chosen)


class ShowsWorkerErrors:
    """Mixed into a screen that runs workers: a failed one is handed to the app, which
    shows it. (``Worker.StateChanged`` does not bubble, so the app would not hear of it.)
    The screen's own handler, if it has one, only puts its widgets right."""

    app: Workbench

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.worker_failed(event.worker)
