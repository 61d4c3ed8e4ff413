"""Commands for the codebook, coding, undo and memos."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.base import (
    CoderOpt,
    FormatOpt,
    ProjectArg,
    app,
    fail,
    opened,
    reports_errors,
    say,
)
from qualcode.cli.render import Format, render
from qualcode.errors import quoted


class MatchUnit(StrEnum):
    """What ``code --match`` codes for each match."""

    match = "match"
    sentence = "sentence"
    turn = "turn"


SourceArg = Annotated[str, typer.Argument(help="Source name or id.", show_default=False)]
CodeArg = Annotated[
    str,
    typer.Argument(
        help="Code name or Parent/Child path (a '/' within a name is written '\\/').",
        show_default=False,
    ),
]


# -- codebook --------------------------------------------------------------------------------


@app.command()
@reports_errors
def codebook(
    project: ProjectArg,
    export: Annotated[
        Path | None, typer.Option(help="Write the codebook to FILE (.yaml, .csv or .qdc).")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Show the codebook tree with counts, or export it."""
    with opened(project) as p:
        if export is not None:
            written = p.exchange.export_qdc(export) if export.suffix.lower() == ".qdc" else None
            say(f"Codebook written to {written or p.codebook.export_codebook(export)}.")
            return
        book, counts = p.codebook.book(), p.codebook.code_counts()
        rows = [
            {
                "id": c.id,
                "path": book.path(c),
                "code": "  " * book.depth(c) + c.name,
                "hotkey": c.hotkey or "",
                "color": c.color or "",
                "codings": counts.get(c.id, 0),
                "definition": c.definition,
                "keywords": list(c.keywords),
            }
            for c in book
        ]
    columns = (
        ["id", "code", "hotkey", "color", "codings", "definition"]
        if fmt is Format.table
        else ["id", "path", "hotkey", "color", "codings", "definition", "keywords"]
    )
    say(render(rows, fmt, columns=columns, widths={"definition": 60}))


@app.command("add-code")
@reports_errors
def add_code(
    project: ProjectArg,
    name: Annotated[
        str, typer.Argument(help="The new code's name, as written ('/' too).", show_default=False)
    ],
    parent: Annotated[str | None, typer.Option(help="Parent code (name or path).")] = None,
    definition: Annotated[str, typer.Option(help="What the code means.")] = "",
    keywords: Annotated[str, typer.Option(help="Keywords, ';'-separated.")] = "",
    color: Annotated[str | None, typer.Option(help="#rrggbb or a colour name.")] = None,
    hotkey: Annotated[str | None, typer.Option(help="One letter or digit.")] = None,
) -> None:
    """Add a code to the codebook."""
    kws = tuple(k.strip() for k in keywords.split(";") if k.strip())
    with opened(project) as p:
        code = p.codebook.add_code(
            name, parent, definition=definition, keywords=kws, color=color, hotkey=hotkey
        )
        say(f"Added code {quoted(p.codebook.book().path(code))} (id {code.id}).")


@app.command("rename-code")
@reports_errors
def rename_code(
    project: ProjectArg, code: CodeArg, new_name: Annotated[str, typer.Argument(show_default=False)]
) -> None:
    """Rename a code; its codings stay."""
    with opened(project) as p:
        renamed = p.codebook.rename_code(code, new_name)
        say(f"Renamed to {quoted(p.codebook.book().path(renamed))}.")


@app.command("move-code")
@reports_errors
def move_code(
    project: ProjectArg,
    code: CodeArg,
    parent: Annotated[
        str | None, typer.Argument(help="New parent; leave out to move the code to the top level.")
    ] = None,
) -> None:
    """Move a code (with its children) under another code, or to the top level."""
    with opened(project) as p:
        moved = p.codebook.move_code(code, parent)
        say(f"Moved to {quoted(p.codebook.book().path(moved))}.")


@app.command("merge-codes")
@reports_errors
def merge_codes(
    project: ProjectArg,
    code: CodeArg,
    into: Annotated[str, typer.Argument(help="The code to keep.", show_default=False)],
) -> None:
    """Merge CODE into INTO: its codings and children move to INTO, then CODE is removed."""
    with opened(project) as p:
        moved = p.codebook.merge_codes(code, into)
        say(f"Merged {code!r} into {into!r}: {moved} coding(s) moved.")


@app.command("delete-code")
@reports_errors
def delete_code(
    project: ProjectArg,
    code: CodeArg,
    with_codings: Annotated[bool, typer.Option(help="Also delete its codings.")] = False,
) -> None:
    """Delete a code and its children (refused if they have codings, unless --with-codings)."""
    with opened(project) as p:
        n = p.codebook.delete_code(code, with_codings=with_codings)
        say(f"Deleted {code!r}" + (f" and {n} coding(s)." if n else "."))


# -- coding ----------------------------------------------------------------------------------


@app.command()
@reports_errors
def code(
    project: ProjectArg,
    source: SourceArg,
    args: Annotated[
        list[str], typer.Argument(help="START END CODE, or CODE with --match.", show_default=False)
    ],
    match: Annotated[
        str | None,
        typer.Option(help="Code every match of this regular expression instead of START END."),
    ] = None,
    unit: Annotated[
        MatchUnit,
        typer.Option(help="With --match, code the match's sentence, its turn, or the match."),
    ] = MatchUnit.sentence,
    new: Annotated[
        bool, typer.Option("--new", help="Add CODE to the codebook if no code has that name.")
    ] = False,
    parents: Annotated[
        bool,
        typer.Option(
            "--parents",
            help="With --new, also add the parents CODE's path names that no code is "
            "(without it they are refused: a typo in a parent would fork the codebook).",
        ),
    ] = False,
    speaker: Annotated[
        list[str] | None,
        typer.Option(help="With --match, code only this speaker's turns (repeatable)."),
    ] = None,
    not_speaker: Annotated[
        list[str] | None,
        typer.Option(help="With --match, leave out this speaker's turns (repeatable)."),
    ] = None,
    coder: CoderOpt = None,
    memo: Annotated[str, typer.Option(help="A memo on the coding.")] = "",
) -> None:
    """Apply CODE to [START, END) of SOURCE (offsets in characters of the source's text).

    A code name not in the codebook is refused with the closest names, unless --new adds
    it, and a parent its path names that no code is, unless --parents adds it too ('/'
    separates a parent from its child; 'A\\/B' is one code named A/B). Use SOURCE '*' with
    --match to code matches in every source; --match leaves out the turns of interviewers
    and moderators unless --speaker or --not-speaker says whose.
    """
    if parents and not new:
        fail("--parents goes with --new (it adds the parents a new code's path names)")
    with opened(project) as p:
        if match is not None:
            if len(args) != 1:
                fail("with --match give SOURCE CODE only")
            made = p.coding.code_matches(
                None if source == "*" else source,
                match,
                args[0],
                coder=coder,
                unit=unit.value,
                new=new,
                parents=parents,
                speakers=speaker or (),
                not_speakers=not_speaker or (),
            )
            if made.made:
                say(made.made.describe())
            say(made.summary())
            return
        if len(args) != 3:
            fail("give SOURCE START END CODE (or SOURCE CODE --match REGEX)")
        start, end = _offset(args[0]), _offset(args[1])
        result = p.coding.apply(
            source, start, end, args[2], coder=coder, memo=memo, new=new, parents=parents
        )
        path = quoted(p.codebook.book().path(result.code))
        if result.made:
            say(result.made.describe())
        if result.coding is None:
            say(f"Already coded {path} at {start}..{end}; nothing changed.")
        else:
            say(
                f"Coded {start}..{end} of {source!r} with {path} "
                f"(coding {result.coding.id}, coder {result.coding.coder})."
            )


def _offset(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        fail(f"offsets are whole numbers of characters, not {text!r}")
        raise  # unreachable: fail exits


@app.command()
@reports_errors
def uncode(
    project: ProjectArg,
    source: SourceArg,
    start: Annotated[int, typer.Argument(show_default=False)],
    end: Annotated[int, typer.Argument(show_default=False)],
    code: CodeArg,
    coder: CoderOpt = None,
) -> None:
    """Remove the coder's coding of CODE at exactly [START, END)."""
    with opened(project) as p:
        p.coding.remove(source, start, end, code, coder=coder)
        say(f"Removed {code!r} at {start}..{end} of {source!r}.")


@app.command()
@reports_errors
def codings(
    project: ProjectArg,
    code: Annotated[str | None, typer.Option(help="Only this code.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
    subtree: Annotated[bool, typer.Option(help="With --code, include its children.")] = False,
    verbatim: Annotated[
        bool, typer.Option(help="The exact coded text, notes and labels included.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """The coded segments with their text (quotes; json and csv add the exact text)."""
    with opened(project) as p:
        rows = [
            {
                "id": s.coding.id,
                "source": s.source,
                "start": s.coding.start,
                "end": s.coding.end,
                "code": s.code,
                "coder": s.coding.coder,
                "speaker": s.speaker,
                "text": s.verbatim if verbatim else s.text,
                "verbatim": s.verbatim,
                "memo": s.coding.memo,
                "created_at": s.coding.created_at,
            }
            for s in p.coding.codings(code=code, source=source, coder=coder, subtree=subtree)
        ]
    columns = [
        "id",
        "source",
        "start",
        "end",
        "code",
        "coder",
        "speaker",
        "text",
        "verbatim",
        "memo",
        "created_at",
    ]
    if fmt is Format.table:
        columns = columns[:8]
    say(render(rows, fmt, columns=columns, widths={"text": 60, "code": 30}))


@app.command()
@reports_errors
def undo(project: ProjectArg, coder: CoderOpt = None) -> None:
    """Undo the coder's last coding operation (for the agreed coder, --coder agreed, its
    last reconcile: codings and log)."""
    with opened(project) as p:
        step = p.coding.undo_step(coder)
        who = coder or p.context.coder
    say(f"Undid the last {step.op} of {who}: {step.describe()}." if step else "Nothing to undo.")


@app.command()
@reports_errors
def redo(project: ProjectArg, coder: CoderOpt = None) -> None:
    """Redo the coder's last undone coding operation."""
    with opened(project) as p:
        step = p.coding.redo_step(coder)
        who = coder or p.context.coder
    say(f"Redid the {step.op} of {who}: {step.describe()}." if step else "Nothing to redo.")


@app.command()
@reports_errors
def memo(
    project: ProjectArg,
    text: Annotated[str, typer.Argument(help="The memo.", show_default=False)],
    source: Annotated[str | None, typer.Option(help="Attach to this source.")] = None,
    code: Annotated[str | None, typer.Option(help="Attach to this code.")] = None,
    coding: Annotated[int | None, typer.Option(help="Attach to this coding id.")] = None,
    coder: CoderOpt = None,
) -> None:
    """Write a memo on the project, a source, a code or a coding."""
    with opened(project) as p:
        m = p.coding.add_memo(text, source=source, code=code, coding=coding, coder=coder)
    say(f"Memo {m.id} written on the {m.target}.")


@app.command()
@reports_errors
def memos(project: ProjectArg, fmt: FormatOpt = Format.table) -> None:
    """List the memos, each with what it is on: a source, a code path or a coded passage."""
    with opened(project) as p:
        memos = p.coding.memos()
        rows = [
            {
                "id": m.id,
                "on": on,
                "target": m.target,
                "target_id": m.target_id,
                "coder": m.coder,
                "created_at": m.created_at,
                "text": m.text,
            }
            for m, on in zip(memos, p.coding.memo_places(memos), strict=True)
        ]
    columns = ["id", "on", "coder", "created_at", "text"]
    if fmt is not Format.table:  # scripts get the ids too
        columns[2:2] = ["target", "target_id"]
    say(render(rows, fmt, columns=columns, widths={"text": 60}))


@app.command()
@reports_errors
def coder(
    project: ProjectArg,
    name: Annotated[str | None, typer.Argument(help="Set the default coder.")] = None,
) -> None:
    """Show or set the project's default coder."""
    with opened(project) as p:
        if name:
            p.context.set_coder(name)
        say(
            f"Coder: {p.context.coder}"
            + (f" (coders so far: {', '.join(p.context.coders())})" if p.context.coders() else "")
        )
