"""Commands for code suggestions and emergent themes (``suggest``, ``themes``, ``promote-theme``).

spaCy and scikit-learn load only when one of these runs: the project imports them lazily.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.base import FormatOpt, ProjectArg, app, fail, opened, reports_errors, say
from qualcode.cli.render import Format, render

if TYPE_CHECKING:
    from qualcode.model import Theme
    from qualcode.project import Project
    from qualcode.project.eligible import LeftOut


class UnitChoice(StrEnum):
    turn = "turn"
    sentence = "sentence"


ThemesOpt = Annotated[int, typer.Option("--n", "-n", help="How many themes to look for.")]


@app.command()
@reports_errors
def suggest(
    project: ProjectArg,
    source: Annotated[
        str | None, typer.Argument(help="Source name or id (default: every source).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Codes per segment.")] = 3,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Lowest score shown, 0..1.")
    ] = 0.3,
    unit: Annotated[UnitChoice, typer.Option(help="Segments: speaker turns or sentences.")] = (
        UnitChoice.turn
    ),
    queue: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Score every uncoded sentence and queue the suggestions for review "
            "(the Review screen, F7).",
        ),
    ] = False,
    min_precision: Annotated[
        float,
        typer.Option(
            "--min-precision",
            help="With --all: the share of queued suggestions right, as measured on the "
            "project's own codings (each coded source held out in turn).",
        ),
    ] = 0.8,
    fmt: FormatOpt = Format.table,
) -> None:
    """Ranked code suggestions per segment, with evidence (matched terms, similar quotes)."""
    if top < 1:
        fail("--top must be at least 1")
    if queue:
        if source is not None:
            fail("--all scores every source; leave out the SOURCE")
        _queue(project, top, min_precision, fmt)
        return
    from qualcode.project.eligible import LeftOut  # deferred: it loads the project package

    left_out = LeftOut()
    with opened(project) as p:
        found = p.suggestions.suggest_source(
            source, top=top, min_score=min_score, unit=unit.value, left_out=left_out
        )
        names = {s.id: s.name for s in p.sources.all()}
        texts = p.sources.texts(sorted({s.source_id for s in found}))
        rows = [
            {
                "source": names[s.source_id],
                "start": s.start,
                "end": s.end,
                "code": s.label,
                "score": round(s.score, 3),
                "suggester": s.suggester,
                "evidence": list(s.evidence),
                "text": " ".join(texts[s.source_id][s.start : s.end].split()),
            }
            for s in found
        ]
    columns = ["source", "start", "end", "code", "score", "suggester", "evidence", "text"]
    if fmt is Format.table:
        columns = ["source", "start", "end", "code", "score", "text", "evidence"]
    say(render(rows, fmt, columns=columns, widths={"text": 50, "evidence": 70}))
    _left_out(left_out, f"{unit.value}s", fmt)


def _left_out(left_out: LeftOut, units: str, fmt: Format) -> None:
    """What was never suggested, in one line: below a table, on stderr beside JSON or CSV
    (whose stdout stays what programs read)."""
    said = left_out.describe(units)
    if said:
        typer.echo(said, err=fmt is not Format.table)


def _queue(project: str | Path, top: int, min_precision: float, fmt: Format) -> None:
    with opened(project) as p:
        queued = p.suggestions.queue_suggestions(min_precision=min_precision, top=top)
    if fmt is not Format.table:
        cal = queued.calibration
        row = {
            "queued": queued.suggestions,
            "sentences": queued.sentences,
            "threshold": queued.threshold,
            "expected_precision": queued.precision,  # measured on held-out codings; 0: not
            "measured": queued.measured,
            "measured_on": queued.measured_on,  # held-out suggestions the rule kept
            "coded_sentences_held_out": cal.coded if cal is not None else 0,
            "folds": cal.folds if cal is not None else 0,
            "questions_skipped": queued.questions,
            **{
                f"left_out_{k}": n
                for k, n in queued.left_out.counts().items()
                if k != "interviewer"
            },
            "said": queued.describe(min_precision),  # the line a person reads: why, what next
        }
        say(render([row], fmt))
        return
    tail = (
        " Review them on the Review screen: qualcode open, then F7." if queued.suggestions else ""
    )
    say(queued.describe(min_precision) + tail)
    if queued.questions:
        say(
            f"{queued.questions} uncoded sentences of interviewers or moderators were not "
            "scored: this project does not code their turns."
        )
    _left_out(queued.left_out, "uncoded sentences", fmt)


@app.command()
@reports_errors
def themes(
    project: ProjectArg,
    n: ThemesOpt = 8,
    source: Annotated[str | None, typer.Option(help="Only this source (name or id).")] = None,
    promote: Annotated[
        int | None, typer.Option(help="Make theme number N a code (see the list).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Name of the promoted code.")] = None,
    parent: Annotated[str | None, typer.Option(help="Parent of the promoted code.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Emergent themes in uncoded text: label, top terms, example quotes."""
    from qualcode.project.eligible import LeftOut  # deferred: it loads the project package

    left_out = LeftOut()
    with opened(project) as p:
        found = p.suggestions.list_themes(n, source=source, left_out=left_out)
        if promote is not None:
            _promote(p, found, promote, name, parent)
            return
    rows = [
        {
            "n": i,
            "label": t.label,
            "passages": t.size,
            "weight": t.weight,
            "terms": list(t.terms),
            "quotes": list(t.quotes),
        }
        for i, t in enumerate(found, 1)
    ]
    say(render(rows, fmt, widths={"terms": 50, "quotes": 80}))
    _left_out(left_out, "uncoded sentences", fmt)


@app.command("promote-theme")
@reports_errors
def promote_theme(
    project: ProjectArg,
    number: Annotated[int, typer.Argument(help="The theme's number in `qualcode themes`.")],
    name: Annotated[
        str | None, typer.Option(help="The new code's name (default: its label).")
    ] = None,
    parent: Annotated[str | None, typer.Option(help="Parent code (name or path).")] = None,
    n: Annotated[
        int | None,
        typer.Option(
            "--n", "-n", help="How many themes were looked for [default: as last listed, or 8]."
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(help="Themes of this source only [default: as last listed]."),
    ] = None,
) -> None:
    """Make an emergent theme a code: its terms become keywords, its quotes examples.

    The theme is the N-th of the list `qualcode themes` showed last, as long as the uncoded
    text is as it was then (else it refuses: list them again)."""
    with opened(project) as p:
        code, note = p.suggestions.promote_listed(
            number, n=n, source=source, name=name, parent=parent
        )
        say(f"Theme {number} {note} is now the code {p.codebook.book().path(code)!r}.")


def _promote(
    p: Project, found: list[Theme], number: int, name: str | None, parent: str | None
) -> None:
    if not 1 <= number <= len(found):
        fail(f"there is no theme {number}; `qualcode themes` lists 1..{len(found)}")
    code = p.suggestions.promote_theme(found[number - 1], name=name, parent=parent)
    say(f"Theme {number} is now the code {p.codebook.book().path(code)!r}.")
