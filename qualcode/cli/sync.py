"""``clone``, ``push`` and ``pull``: a local copy of a server project, for coding offline.

Each prints what it did in counts, then every conflict and note on a line of its own. A
push with conflicts still sends what it can and exits 0: the conflicts are listed, and
running it again sends nothing twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.base import app, reports_errors, say

if TYPE_CHECKING:
    from qualcode.project.sync import SyncReport

LocalArg = Annotated[Path, typer.Argument(help="The local copy (.qcdb).", show_default=False)]
UrlArg = Annotated[
    str | None,
    typer.Argument(help="The server project's URL (default: the one it was cloned from)."),
]


def _print(report: SyncReport) -> None:
    say(report.summary())
    for line in [*report.conflicts, *report.notes]:
        say(f"  {line}")


@app.command()
@reports_errors
def clone(
    url: Annotated[str, typer.Argument(help="The server project: postgresql://... (or a file).")],
    local: LocalArg,
    coder: Annotated[
        str | None,
        typer.Option("--coder", help="Whose work it holds (on a server: the role you connect as)."),
    ] = None,
) -> None:
    """Copy a server project to a local file that remembers where it came from."""
    from qualcode.project.sync import clone as clone_project

    _print(clone_project(url, local, coder=coder))


@app.command()
@reports_errors
def push(local: LocalArg, url: UrlArg = None) -> None:
    """Send this copy's coder's new and removed codings and new memos to the server;
    conflicts are listed, never resolved; pushing twice changes nothing."""
    from qualcode.project.sync import push as push_project

    _print(push_project(local, url))


@app.command()
@reports_errors
def pull(local: LocalArg, url: UrlArg = None) -> None:
    """Bring the others' new codings, removals, memos, codes and sources into this copy."""
    from qualcode.project.sync import pull as pull_project

    _print(pull_project(local, url))
