"""Commands that build a project: init, import, and the source listings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from qualcode.files import parse_size

if TYPE_CHECKING:
    from qualcode.project import ImportReport

# -- project ---------------------------------------------------------------------------------


@app.command()
@reports_errors
def init(
    project: ProjectArg,
    language: Annotated[str, typer.Option(help="Language of the sources: en, de, fr ...")] = "en",
    coder: CoderOpt = None,
) -> None:
    """Create a new, empty project: a .qcdb file, or in an empty database on a server
    (postgresql://...) its tables, team roles and row-level security, with the role that
    runs it as the project's lead."""
    from qualcode.project import Project  # deferred: see cli.base.opened

    with Project.build(project, language=language, coder=coder) as p:
        say(f"Created {project} (language {p.context.language}, coder {p.context.coder}).")


@app.command("import")
@reports_errors
def import_(
    project: ProjectArg,
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Transcripts, folders of them, a study folder or study.yaml, a codebook, "
            "REFI-QDA files, or a survey sheet.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="interview, expert_panel, focus_group or document.")
    ] = None,
    attributes: Annotated[
        Path | None,
        typer.Option(
            help="CSV/XLSX of case attributes keyed by source name (alone: for the "
            "sources already imported)."
        ),
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace sources of the same name.")] = False,
    language: Annotated[
        str | None, typer.Option(help="Language of these sources (default: detected).")
    ] = None,
    speaker_pattern: Annotated[
        str | None,
        typer.Option(help="Regex with (?P<speaker>...) matching a speaker label at a line start."),
    ] = None,
    text_column: Annotated[
        str | None, typer.Option(help="Survey sheet: the answer column.")
    ] = None,
    id_column: Annotated[str | None, typer.Option(help="Survey sheet: the respondent id.")] = None,
    codes_column: Annotated[
        str | None, typer.Option(help="Survey sheet: codes already applied, separated by --sep.")
    ] = None,
    question_column: Annotated[
        str | None,
        typer.Option(help="Survey sheet: the question each answer answers (its context)."),
    ] = None,
    sep: Annotated[str, typer.Option(help="Separator of --codes-column.")] = ";",
    coder: CoderOpt = None,
    offsets: Annotated[
        str | None,
        typer.Option(
            help="REFI-QDA: how the file counts offsets (codepoints, utf16, utf8); "
            "by default chosen from its producer and checked on its quotes."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="REFI-QDA: show the report, write nothing.")
    ] = False,
    max_size: Annotated[
        str,
        typer.Option(help="Largest transcript to read, e.g. 50MB, 200MB or 1GB.", metavar="SIZE"),
    ] = "50MB",
) -> None:
    """Import transcripts (.txt .md .docx .odt .rtf .pdf .vtt .srt), every transcript of a
    folder, a study (a folder with a study.yaml: codebook, kinds, languages, attributes), a
    codebook (.yaml .csv .qdc), REFI-QDA projects (.qdpx .qde), or survey answers (.csv
    .xlsx with --text-column). Each file is taken for what it is; all or nothing."""
    from qualcode.ingest.formats import REFI_PROJECT_SUFFIXES, file_kind, listed
    from qualcode.project.options import ImportOptions

    options = ImportOptions(
        kind=kind,
        language=language,
        attributes=attributes,
        replace=replace,
        speaker_pattern=speaker_pattern,
        max_size=parse_size(max_size),
        text_column=text_column,
        id_column=id_column,
        codes_column=codes_column,
        question_column=question_column,
        coder=coder,
        sep=sep,
        offsets=offsets,
        dry_run=dry_run,
    )
    files = files or []
    if files and all(file_kind(f) == "refi" for f in files):
        from qualcode.cli.exchange import import_refi

        # may create the project
        import_refi(project, files, offsets=options.offsets, dry_run=options.dry_run)
        return
    if options.offsets or options.dry_run:
        fail(f"--offsets and --dry-run are for REFI-QDA files ({listed(REFI_PROJECT_SUFFIXES)})")
    with opened(project) as p:
        report = p.sources.import_paths(files, options)
    _print_report(report, "response" if options.text_column else "source")


def _print_report(report: ImportReport, unit: str) -> None:
    from qualcode.project.importing import report_lines

    for line in report_lines(report, unit):
        say(line)


@app.command()
@reports_errors
def sources(project: ProjectArg, fmt: FormatOpt = Format.table) -> None:
    """List the sources: kind, speakers, turns, words, how much is coded and by whom."""
    with opened(project) as p:
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "language": s.language,
                "speakers": list(s.speakers),
                "turns": s.turns,
                "words": s.words,
                "codings": s.codings,
                "coded_pct": round(100 * s.coded_share, 1),
                "coders": list(s.coders),
            }
            for s in p.sources.all()
        ]
    say(
        render(
            rows,
            fmt,
            columns=[
                "id",
                "name",
                "kind",
                "language",
                "speakers",
                "turns",
                "words",
                "codings",
                "coded_pct",
                "coders",
            ],
            widths={"speakers": 40, "coders": 24},
        )
    )


@app.command()
@reports_errors
def turns(
    project: ProjectArg,
    source: Annotated[str, typer.Argument(help="Source name or id.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """List a source's speaker turns with their offsets."""
    with opened(project) as p:
        src = p.sources.get(source)
        rows = [
            {
                "turn": t.index,
                "speaker": t.speaker,
                "start": t.start,
                "end": t.end,
                "time": t.clock,
                "timestamp": t.timestamp,
                "text": src.text[t.start : t.end],
            }
            for t in p.sources.turns(src.id)
        ]
    say(
        render(
            rows,
            fmt,
            # People read hh:mm:ss; scripts keep the seconds (json, csv, as before).
            columns=["turn", "speaker", "start", "end", "time", "text"]
            if fmt is Format.table
            else ["turn", "speaker", "start", "end", "timestamp", "text"],
            widths={"text": 70, "speaker": 24},
        )
    )
