"""What every command shares: the Typer app, common options, error reporting."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from qualcode.cli.render import Format
from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.project import Project

app = typer.Typer(
    name="qualcode",
    help="Code qualitative interview transcripts against a codebook.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

# A string, not a Path: a server URL (postgresql://host/db) would lose a slash as a Path.
ProjectArg = Annotated[
    str,
    typer.Argument(
        help="The project file (.qcdb), or postgresql://[user@][host][:port]/DATABASE "
        "for a project on a server.",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")]
CoderOpt = Annotated[
    str | None, typer.Option("--coder", help="Coder name (default: the project's coder).")
]


def fail(message: str) -> None:
    typer.echo(f"qualcode: error: {message}", err=True)
    raise typer.Exit(1)


def reports_errors(func: F) -> F:
    """Turn a QualcodeError into the one-line error and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QualcodeError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted; the project is as it was before the command")

    return wrapper  # type: ignore[return-value]


@contextmanager
def opened(path: str | Path) -> Iterator[Project]:
    # Deferred, as in every command: the project brings the store and SQLAlchemy (about
    # 0.2 s), which `qualcode --help` and a usage error never need.
    from qualcode.project import Project

    with Project.open(path) as project:
        yield project


def say(text: str) -> None:
    typer.echo(text)
