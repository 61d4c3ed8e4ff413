"""The application: wiring only. Built from an open project (``QualcodeApp(project)``), it
never finds a database itself, so tests hand it one in a temporary folder.

Five screens are modes the user switches between with F2..F6; each reads the project again
when it is shown, when the live feed (:mod:`qualcode.tui.live`) says something changed,
and on ctrl+r. What the screens share (calls into the project, the one place errors are shown) is
:class:`qualcode.tui.workbench.Workbench`, which this app extends with its screens and keys.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding

from qualcode.project import Project
from qualcode.tui.live import (
    CodersOnline,
    LiveFeed,
    OthersCoded,
    ProjectEdited,
    describe,
    describe_edit,
)
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.reconcile import ReconcileScreen
from qualcode.tui.screens.reports import ReportsScreen
from qualcode.tui.screens.review import ReviewScreen
from qualcode.tui.screens.sources import SourcesScreen
from qualcode.tui.workbench import Workbench

HELP_NOTES = {
    "reconcile": "a, b, p or n settles the highlighted disagreement (the first or second coder's "
    "version, the whole passage, not coded) as codings of the coder 'agreed'; A accepts one "
    "coder's version everywhere; c chooses the coders, u the unit compared.",
    "coding": "A code's letter (beside its name in the codebook) or its number 1-9 (as "
    "numbered in the finder) applies it to the selection; Enter on a code in the tree does "
    "too. Tab moves between transcript, codebook and panel.",
}


class QualcodeApp(Workbench):
    """The coding workbench for one project."""

    CSS_PATH = "app.tcss"
    TITLE = "qualcode"
    MODES = {
        "sources": SourcesScreen,
        "coding": CodingScreen,
        "codebook": CodebookScreen,
        "reports": ReportsScreen,
        "reconcile": ReconcileScreen,
        "review": ReviewScreen,
    }
    # The five screens share one footer entry ("f2 f3 f4 f5 f6 Screens") so that every
    # screen's footer fits in 80 columns; the help (?) and the README name each key.
    SCREENS_GROUP = Binding.Group("Screens")
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("f2", "switch_mode('sources')", "Sources", id="app.sources", group=SCREENS_GROUP),
        Binding("f3", "switch_mode('coding')", "Coding", id="app.coding", group=SCREENS_GROUP),
        Binding(
            "f4", "switch_mode('codebook')", "Codebook", id="app.codebook", group=SCREENS_GROUP
        ),
        Binding("f5", "switch_mode('reports')", "Reports", id="app.reports", group=SCREENS_GROUP),
        Binding(
            "f6", "switch_mode('reconcile')", "Reconcile", id="app.reconcile", group=SCREENS_GROUP
        ),
        Binding("f7", "switch_mode('review')", "Review", id="app.review", group=SCREENS_GROUP),
        Binding("ctrl+r", "refresh_project", "Refresh", show=False, id="app.refresh"),
    ]

    def __init__(
        self, project: Project, *, source: str | None = None, notice: str | None = None
    ) -> None:
        if source is not None:
            # Opened on a source: the coding screen is the first screen made (not a blank
            # one composed, laid out and then replaced by it); it opens the source when
            # it is first shown.
            # (Textual reads the class variable through the instance, in App.__init__.)
            self.DEFAULT_MODE = "coding"  # type: ignore[misc]
        super().__init__(project)
        self.start_source = source
        self.pending_source = source
        self.notice = notice
        self.sub_title = project.context.label
        self.live = LiveFeed(self, project)

    def on_mount(self) -> None:
        if self.start_source is None:
            self.switch_mode("sources")
        if self.notice:
            self.notify(self.notice, timeout=12)
        self.live.start()

    def on_unmount(self) -> None:
        self.live.stop()

    def on_others_coded(self, message: OthersCoded) -> None:
        """Codings were added or removed on the server: show them now. Those of this
        coder too, without a word: they may come from a push of their clone."""
        self.reload_screen()
        said = describe(message.change, self.project.context.coder)
        if said is not None:
            self.notify(said, timeout=3)

    def on_project_edited(self, message: ProjectEdited) -> None:
        """The codebook or the sources changed on the server, or the project file changed:
        show it now and say so (a change this window made, it shows already)."""
        said = describe_edit(message.edit)
        if said is None:
            return
        self.reload_screen()
        self.notify(said, timeout=3)

    def on_coders_online(self, message: CodersOnline) -> None:
        """Someone opened or closed the project: the status line says who is online."""
        self.online = message.coders
        self.sub_title = f"{self.project.context.label} · online: {', '.join(message.coders)}"
        self.reload_screen()

    def on_key(self, event: events.Key) -> None:
        """A key no binding took: a code's hotkey, if the screen has codes to apply."""
        hotkey = getattr(self.screen, "hotkey", None)
        if hotkey is None or not event.character or event.key in self.screen.active_bindings:
            return
        if hotkey(event.character):
            event.stop()

    def on_app_focus(self) -> None:
        """Back from another window: show what it may have changed."""
        self.reload_screen()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen, HELP_NOTES.get(self.current_mode, "")))

    def action_refresh_project(self) -> None:
        self.reload_screen()
        self.notify("Read the project again.", timeout=2)
