"""Commands that exchange coding between coders and tools: REFI-QDA export, merging coders'
projects, agreement, reconciling (``qualcode team``, the coders of a server, is ``server.py``).

``--coders`` takes several names after it (``--coders anna ben``), as well as repeated
(``--coders anna --coders ben``) or comma-separated (``--coders anna,ben``).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.base import FormatOpt, ProjectArg, app, fail, opened, reports_errors, say
from qualcode.cli.render import Format, render
from qualcode.outputs import check_output, writing

if TYPE_CHECKING:
    from qualcode.interop.merge import MergeReport
    from qualcode.model import Decision
    from qualcode.project import Reconciled

EXTRA = {"allow_extra_args": True, "ignore_unknown_options": False}
CodersOpt = Annotated[
    list[str], typer.Option("--coders", help="Two or more coders: --coders anna ben.")
]
UnitOpt = Annotated[str, typer.Option(help="Unit of comparison: sentence, turn or character.")]
CodeOpt = Annotated[str | None, typer.Option("--code", help="Only this code.")]
ROW_SUFFIXES = (".csv", ".json")


def _check_rows_target(output: Path | None) -> None:
    """Refuse an ``-o`` the rows cannot be written to (its suffix, its folder), before any
    work is done."""
    if output is None:
        return
    if output.suffix.lower() not in ROW_SUFFIXES:
        fail(f"-o writes .csv or .json, not {output.name!r}")
    check_output(output)


OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write to OUT.csv or .json.")]


def _coders(ctx: typer.Context, coders: list[str]) -> list[str]:
    names = [n.strip() for item in [*coders, *ctx.args] for n in item.split(",") if n.strip()]
    if len(names) < 2:
        fail("give two or more coders: --coders A B")
    return names


def _write_rows(
    rows: list[dict[str, object]], output: Path, header: dict[str, object] | None = None
) -> None:
    from qualcode.analysis.agreement import write_rows

    with writing(output):
        try:
            write_rows(rows, output, header)
        except ValueError as exc:
            fail(f"{output}: {exc}")


@app.command()
@reports_errors
def export(
    project: ProjectArg,
    out: Annotated[Path, typer.Argument(help="OUT.qdpx (project) or OUT.qdc (codebook).")],
    target: Annotated[
        str,
        typer.Option(
            "--for",
            help="The tool that reads it: standard, nvivo, atlas, maxqda or qualcoder "
            "(its offsets and line ends are written).",
        ),
    ] = "standard",
) -> None:
    """Export the project as REFI-QDA (.qdpx), or its codebook (.qdc)."""
    from qualcode.interop.targets import TARGETS

    suffix = out.suffix.lower()
    if target not in TARGETS:
        fail(f"--for takes {', '.join(TARGETS)}, not {target!r}")
    with opened(project) as p:
        if suffix == ".qdpx":
            p.exchange.export_qdpx(out, target=target)
            info = p.summary()
            tool = TARGETS[target]
            say(
                f"Exported {info['sources']} source(s), {info['codes']} code(s) and "
                f"{info['codings']} coding(s) to {out}"
                + (
                    f", offsets in {tool.convention} for {tool.label}."
                    if target != "standard"
                    else "."
                )
            )
        elif suffix == ".qdc":
            if target != "standard":
                fail("--for is for a project (.qdpx); a codebook (.qdc) is the same for all")
            p.exchange.export_qdc(out)
            say(f"Exported the codebook ({len(p.codebook.book())} codes) to {out}.")
        else:
            fail("export writes .qdpx (REFI-QDA project) or .qdc (REFI-QDA codebook)")


def print_merge_report(report: MergeReport) -> None:
    from qualcode.project.importing import merge_lines

    for line in merge_lines(report):
        say(line)


@app.command()
@reports_errors
def merge(
    out: Annotated[
        str,
        typer.Argument(help="The merged project (.qcdb, created if missing, or a server's URL)."),
    ],
    inputs: Annotated[list[str], typer.Argument(help="Coders' projects: .qcdb, .qdpx or .qde.")],
) -> None:
    """Merge coders' projects into one: sources by content, codes by GUID then path, every
    coding kept with its coder; conflicts and near-duplicate codes are listed. A project on
    a server is merged into, not from: clone it first."""
    from qualcode.project import merge_projects

    print_merge_report(merge_projects(out, list(inputs)))


def _pct(x: object) -> object:
    return round(100 * x, 1) if isinstance(x, float) else x


@app.command(context_settings=EXTRA)
@reports_errors
def agreement(
    ctx: typer.Context,
    project: ProjectArg,
    coders: CodersOpt,
    unit: UnitOpt = "sentence",
    code: CodeOpt = None,
    output: OutOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Agreement between coders per code and overall: % agreement, Cohen's kappa (two
    coders), Krippendorff's alpha, on the sources they all coded."""
    names = _coders(ctx, coders)
    _check_rows_target(output)
    with opened(project) as p:
        report = p.team.agreement(names, unit=unit, code=code)
    rows = report.rows()
    if output is not None:
        _write_rows(rows, output, report.header())
        say(f"{report.about}: written to {output}.")
        return
    if fmt is Format.json:  # an object: what the rows are of, beside them
        say(json.dumps({**report.header(), "rows": rows}, ensure_ascii=False, indent=2))
        return
    if fmt is Format.table:
        say(f"{report.about}.")
        say(f"Sources coded by all: {', '.join(report.sources) or 'none'}.")
        rows = [{**r, "percent": _pct(r["percent"])} for r in rows]
    else:
        typer.echo(f"{report.about}.", err=True)  # the CSV on stdout stays one table
    say(render(rows, fmt))  # code paths whole, or wrapped in a narrow terminal


@app.command(context_settings=EXTRA)
@reports_errors
def disagreements(
    ctx: typer.Context,
    project: ProjectArg,
    coders: CodersOpt,
    unit: UnitOpt = "sentence",
    code: CodeOpt = None,
    output: OutOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The passages where coders differ: who coded what. Ids are for 'qualcode reconcile'."""
    names = _coders(ctx, coders)
    _check_rows_target(output)
    with opened(project) as p:
        rows = [d.row() for d in p.team.disagreements(names, unit=unit, code=code)]
    if output is not None:
        _write_rows(rows, output)
        say(f"{len(rows)} disagreement(s) written to {output}.")
        return
    columns = ["id", "source", "start", "end", "code", "coded_by", "not_coded_by", "text"]
    say(render(rows, fmt, columns=columns, widths={"text": 50}))


@app.command(context_settings=EXTRA)
@reports_errors
def reconcile(
    ctx: typer.Context,
    project: ProjectArg,
    coders: Annotated[
        list[str] | None, typer.Option("--coders", help="The coders compared: --coders anna ben.")
    ] = None,
    into: Annotated[
        str | None,
        typer.Option(help="The coder that holds the agreed coding (default: agreed)."),
    ] = None,
    accept: Annotated[
        str | None, typer.Option(help="This coder's version for every disagreement not decided.")
    ] = None,
    pick: Annotated[
        list[str] | None,
        typer.Option(help="ID=CHOICE: a coder, 'passage' or 'none' for one disagreement."),
    ] = None,
    unit: UnitOpt = "sentence",
    change: Annotated[
        bool, typer.Option("--change", help="Replace earlier decisions on the same passages.")
    ] = False,
    log: Annotated[
        bool, typer.Option("--log", help="List the decisions made so far, newest last.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Produce the agreed coding as a coder of its own, one recorded decision per
    disagreement: one coder's version of a disagreement's passage (--pick ID=CODER), the
    passage, or none; or one coder's version of every disagreement not yet decided (--accept).
    The first reconcile gives it the units the coders coded alike. --log lists the decisions;
    'qualcode undo P --coder agreed' undoes the last."""
    from qualcode.project import AGREED

    if log:
        if accept or pick:
            fail("--log lists the decisions; give it without --accept and --pick")
        with opened(project) as p:
            rows = [_decision_row(d) for d in p.team.decisions(into=into)]
        say(render(rows, fmt, columns=LOG_COLUMNS, widths={"source": 20}))
        return
    names = _coders(ctx, coders or [])
    if not accept and not pick:
        fail("give --accept CODER or one or more --pick ID=CHOICE (or --log)")
    target = into or AGREED
    with opened(project) as p:
        if accept:
            done = p.team.reconcile_all(names, accept, into=target, unit=unit, change=change)
            _say_agreements(done, names, target)
            say(f"{target} gets {accept}'s version of {len(done.decisions)} disagreement(s).")
            if done.replaced:
                say(f"Replaced {len(done.replaced)} earlier decision(s).")
            if done.kept:
                say(
                    f"Kept {len(done.kept)} earlier decision(s); --change to replace them "
                    "('qualcode reconcile P --log' lists them)."
                )
        for item in pick or []:
            ident, eq, choice = item.partition("=")
            if not eq:
                fail(f"--pick takes ID=CHOICE, not {item!r}")
            done = p.team.reconcile(
                ident.strip(), choice.strip(), coders=names, into=target, unit=unit, change=change
            )
            _say_agreements(done, names, target)
            made = done.decisions[0]
            line = (
                f"{ident.strip()}: decision #{made.id}, {made.choice}; {target} now has "
                f"{done.codings} coding(s) of {made.code} there"
            )
            if done.replaced:
                line += "; replaces " + ", ".join(f"#{d.id} ({d.choice})" for d in done.replaced)
            say(line + ".")


LOG_COLUMNS = [
    "id", "created_at", "decided_by", "kind", "choice", "source", "code", "start", "end",
    "into", "coders", "unit", "count", "status",
]  # fmt: skip


def _decision_row(d: Decision) -> dict[str, object]:
    row = asdict(d)
    row["coders"] = ", ".join(d.coders)
    row["status"] = d.status
    return row


def _say_agreements(done: Reconciled, names: list[str], into: str) -> None:
    if done.agreements is None:
        return
    n, unit = done.agreements.count, done.agreements.unit
    who = ", ".join(names[:-1]) + f" and {names[-1]}"
    say(
        f"{into} gets the {n:,} {unit}{'' if n == 1 else 's'} {who} coded alike "
        f"(decision #{done.agreements.id})."
    )


def import_refi(
    project: str, files: list[Path], *, offsets: str | None = None, dry_run: bool = False
) -> None:
    """``qualcode import P FILE.qdpx|.qde|.qdc``: all files in one transaction; a project
    that did not exist is created, and removed again if the import fails or is a dry run.
    A project on a server must have been set up (``qualcode init URL``). ``import`` calls it
    when every file is REFI-QDA by the registry (:func:`qualcode.ingest.formats.file_kind`)."""
    from qualcode.project import Project, is_server_url

    if is_server_url(project):
        with Project.open(project) as p:
            reports = p.exchange.import_refi_files(list(files), offsets=offsets, dry_run=dry_run)
        _print_refi_reports(files, reports, dry_run=dry_run)
        return
    path = Path(project)

    if dry_run and not path.exists():
        # Nothing may be written, not even the new project: the report is made in a
        # scratch project that is removed with its folder.
        with (
            tempfile.TemporaryDirectory(prefix="qualcode-dry-run-") as tmp,
            Project.create(Path(tmp) / path.name) as p,
        ):
            reports = p.exchange.import_refi_files(list(files), offsets=offsets, dry_run=True)
    else:
        with Project.open_or_build(path) as p:
            reports = p.exchange.import_refi_files(list(files), offsets=offsets, dry_run=dry_run)
    _print_refi_reports(files, reports, dry_run=dry_run)


def _print_refi_reports(files: list[Path], reports: list[MergeReport], *, dry_run: bool) -> None:
    for f, report in zip(files, reports, strict=True):
        say(f"{f}:")
        print_merge_report(report)
    if dry_run:
        say("Dry run: nothing was written.")
