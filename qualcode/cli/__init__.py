"""The command line: every capability of qualcode without the TUI.

A thin layer over :class:`qualcode.project.Project`: parse arguments, call the project, print.
Errors are one line on stderr, ``qualcode: error: ...``, exit status 1 (2 for usage errors).
Only this package imports Typer.
"""

from __future__ import annotations

from qualcode.cli import coding, demo, exchange, nlp, report, server, sources, sync, tui  # noqa: F401  (they register their commands)
from qualcode.cli.base import app


def main() -> None:
    """The ``qualcode`` console script."""
    app(prog_name="qualcode")


__all__ = ["app", "main"]
