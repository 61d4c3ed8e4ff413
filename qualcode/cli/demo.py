"""``qualcode demo``: the example study as a project, ready to explore."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.base import app, reports_errors, say

if TYPE_CHECKING:
    from qualcode.project import Project


@app.command()
@reports_errors
def demo(
    project: Annotated[
        Path | None,
        typer.Option(
            help="Where to keep the demo project [default: qualcode-demo.qcdb, with --blank "
            "qualcode-demo-blank.qcdb]",
            show_default=False,
        ),
    ] = None,
    fresh: Annotated[
        bool, typer.Option(help="Rebuild it even if it exists (your coding in it is lost).")
    ] = False,
    blank: Annotated[
        bool, typer.Option(help="Build the study uncoded (no coders' work merged in).")
    ] = False,
    tui: Annotated[
        bool, typer.Option(help="Open the coding workbench (when run in a terminal).")
    ] = True,
) -> None:
    """Build the example project (a mentoring study: interviews, expert panels, codebook,
    coded by two coders) and open it in the coding workbench; with --no-tui, or when the
    output is not a terminal, show what is in it instead. An existing demo project is
    reopened, with your coding kept; --fresh rebuilds it, --blank without the codings."""
    from qualcode.examples import CODERS, build_demo
    from qualcode.project import Project  # deferred: see cli.base.opened

    if project is None:  # the uncoded study has a file of its own, so neither hides the other
        project = Path("qualcode-demo-blank.qcdb" if blank else "qualcode-demo.qcdb")
    if fresh:
        from qualcode.outputs import remove_database

        remove_database(project)
    built = not project.exists()
    if not built:
        p = Project.open(project)
        say(f"Opened the demo project {project}.")
    else:
        p = build_demo(project, coded=not blank)
        coders = "" if blank else f", coded by {' and '.join(CODERS)}"
        say(f"Built the demo project {project} from the example study{coders}.")
    with p:
        notice = _whose(p)
        say(notice)
        if tui and sys.stdout.isatty():
            from qualcode.cli.tui import run_tui

            run_tui(p, notice=notice)
        else:
            _prepare(p, built)
            _print_summary(p)


def _prepare(p: Project, built: bool) -> None:
    """On a demo just built for the shell, fit the suggestions and find the themes, so the
    first ``suggest`` and ``themes`` answer at once (the workbench fits its own as it opens)."""
    from qualcode.examples import prepare_demo
    from qualcode.nlp import kept

    if built and kept.cache_dir() is not None:
        say("Fitting the suggestions and finding the themes once (a few seconds)...")
        prepare_demo(p)


def _whose(p: Project) -> str:
    """Whose codings the user's are: a coder of their own, beside the study's coders, so
    the reports count them apart (or pooled, as they say)."""
    me = p.context.coder
    others = [c for c in p.context.coders() if c != me]
    beside = f", beside {' and '.join(others)}" if others else ""
    return (
        f"You code as {me}{beside}; `qualcode coder {p.context.path} NAME` codes as another name."
    )


def _print_summary(p: Project) -> None:
    info = p.summary()
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}(s)" for k, n in info["by_kind"].items())
    say(
        f"{info['sources']} sources ({kinds}), {info['words']:,} words, {info['turns']} "
        f"turns, {info['codes']} codes, {info['codings']} codings."
    )
    for s in p.sources.all():
        say(
            f"  {s.name:<20} {s.kind:<13} {s.language}  {s.words:>6,} words  "
            f"{s.turns:>4} turns  speakers: {', '.join(s.speakers)}"
        )
    say(f"Next: qualcode codebook {p.context.path}   qualcode turns {p.context.path} interview_01")
