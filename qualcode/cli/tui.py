"""``qualcode open``: the coding workbench (the Textual TUI) on a project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.base import ProjectArg, app, opened, reports_errors

if TYPE_CHECKING:
    from qualcode.project import Project


@app.command("open")
@reports_errors
def open_project(
    project: ProjectArg,
    source: Annotated[
        str | None, typer.Option("--source", "-s", help="Open this source on the coding screen.")
    ] = None,
) -> None:
    """Open the project in the coding workbench (a terminal UI)."""
    with opened(project) as p:
        if source is not None:
            p.sources.get(source)  # a wrong name is a one-line error before the screen opens
        run_tui(p, source=source)


def run_tui(project: Project, *, source: str | None = None, notice: str | None = None) -> None:
    """Run the TUI on an open project until the user quits; ``notice`` is shown on opening."""
    # Textual is imported here, not at the top: every other command stays fast to start.
    from qualcode.tui.app import QualcodeApp

    QualcodeApp(project, source=source, notice=notice).run()


__all__ = ["open_project", "run_tui"]
