"""``qualcode report``: the tables of a study, printed, exported, or drawn as charts."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from qualcode.cli.base import FormatOpt, ProjectArg, app, fail, opened, reports_errors, say
from qualcode.cli.render import Format, render


class Table(StrEnum):
    frequencies = "frequencies"
    cooccurrence = "cooccurrence"
    matrix = "matrix"
    crosstab = "crosstab"
    quotes = "quotes"
    all = "all"
    study = "study"


class Unit(StrEnum):
    overlap = "overlap"
    turn = "turn"
    sentence = "sentence"


# What a person reads in a terminal; json, csv and files get every column.
_SHOWN = {
    "frequencies": ["code", "codings", "passages", "sources_text", "speakers"],
    "quotes": ["code", "reference", "coder", "text"],
}
CHARTS = (".png", ".svg")


def _where(pairs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--where takes ATTRIBUTE=VALUE, not {pair!r}")
        out.setdefault(name.strip(), []).append(value.strip())
    return out


def _rows(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as plain Python values (NaN as None) for the renderer."""
    rows = frame.to_dict(orient="records")
    return [
        {
            str(k): None
            if isinstance(v, float) and math.isnan(v)
            else (v.item() if hasattr(v, "item") else v)
            for k, v in row.items()
        }
        for row in rows
    ]


def _print(name: str, frame: Any, fmt: Format, by: str | None) -> None:
    columns = [str(c) for c in frame.columns]
    if fmt is Format.table and name in _SHOWN:
        lead = [by] if by in columns and name == "frequencies" else []
        columns = lead + _SHOWN[name]
    if fmt is Format.table and name == "cooccurrence":
        columns = ["code_a", "code_b", "count", "jaccard"]
    say(render(_rows(frame), fmt, columns=columns, widths={"text": 80, "code": 50}))


@app.command()
@reports_errors
def report(
    project: ProjectArg,
    table: Annotated[
        Table,
        typer.Argument(
            help="frequencies, cooccurrence, matrix, crosstab, quotes, all, or study (a "
            "report to share: -o .html .docx .pdf)."
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(help="Break down by code, source, speaker, kind, coder or an attribute."),
    ] = None,
    coder: Annotated[
        list[str] | None,
        typer.Option(
            "--coder",
            help="Only this coder's codings (repeatable); 'all' pools every coder. "
            "Default: the agreed coding once reconciled, else every coder pooled.",
        ),
    ] = None,
    code: Annotated[
        list[str] | None, typer.Option("--code", help="Only this code and its subtree.")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only these sources (repeatable).")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Only sources with ATTRIBUTE=VALUE (or kind=...); repeatable."),
    ] = None,
    rollup: Annotated[
        bool | None,
        typer.Option(
            "--rollup/--no-rollup",
            help="Parents count their subtree (default: on, off for cooccurrence).",
        ),
    ] = None,
    zeros: Annotated[bool, typer.Option(help="List codes without codings too.")] = False,
    unit: Annotated[Unit, typer.Option(help="Co-occurrence unit.")] = Unit.overlap,
    value: Annotated[
        str | None,
        typer.Option(
            help="matrix/crosstab cells: passages, codings, sources, sources_pct, "
            "sources_text or speakers; a cooccurrence heat map: jaccard (default) or count."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to .csv .json .parquet (every column), .xlsx .md .docx (for people: "
            "an indented code tree, no ids), a .png/.svg chart, or for study .html .docx .pdf.",
        ),
    ] = None,
    verbatim: Annotated[
        bool,
        typer.Option(help="Quotes as the exact coded text, notes and labels included."),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Theme frequencies, co-occurrence, code x source matrix, crosstabs and quotes."""
    filters: dict[str, Any] = {
        "coder": coder or None,
        "code": code or None,
        "sources": source or None,
        "where": _where(where or []) or None,
    }
    if by is not None and table in (Table.cooccurrence, Table.quotes, Table.study):
        fail(f"--by breaks down frequencies, matrix, crosstab and all, not {table.value}")
    if verbatim and table not in (Table.quotes, Table.all):
        fail(f"--verbatim is for quotes and all, not {table.value}")
    if table is Table.study:
        _study(project, output, filters)
        return
    with opened(project) as p:
        if output is not None and output.suffix.lower() in CHARTS:
            if table not in (Table.frequencies, Table.crosstab, Table.cooccurrence):
                fail(
                    "charts are drawn of frequencies and crosstab (bars, grouped --by) "
                    "and cooccurrence (a heat map)"
                )
            opts: dict[str, Any] = dict(filters, by=by)
            if rollup is not None:
                opts["rollup"] = rollup
            if table is Table.cooccurrence:
                opts.update(unit=unit.value, value=value)
            elif value is not None:
                fail("a bar chart draws the share of sources; --value is for tables")
            say(f"Chart written to {p.reports.chart(table.value, output, **opts)}.")
            say(p.reports.counted(coder or None).text)
            return
        tables = _tables(p, table, by, filters, rollup, zeros, unit, value, verbatim)
        if output is not None:
            written = p.reports.export_tables(output, tables)
            say("Written: " + ", ".join(str(w) for w in written))
            say(_counted(tables))
            return
        _print_all(tables, fmt, by)


def _counted(tables: dict[str, Any]) -> str:
    from qualcode.analysis.presentation import about

    return str(about(list(tables.values()))["counted"])


def _print_all(tables: dict[str, Any], fmt: Format, by: str | None) -> None:
    """The tables on stdout. Whose codings they count is said in each format's way: the
    first line above a table, fields of the JSON object beside its rows, a line on stderr
    beside CSV (whose stdout stays one CSV table for the programs reading it)."""
    if fmt is Format.json:
        from qualcode.analysis.exports import json_document

        say(json.dumps(json_document(tables), ensure_ascii=False, indent=2))
        return
    if fmt is Format.csv:
        typer.echo(_counted(tables), err=True)
    else:
        say(_counted(tables))
    for i, (name, frame) in enumerate(tables.items()):
        if len(tables) > 1:
            say(("\n" if i else "") + f"== {name} ==")
        _print(name, frame, fmt, by)


def _study(project: str, output: Path | None, filters: dict[str, Any]) -> None:
    """The study report, to the file ``-o`` names; refused before any work if it cannot be
    written there (its suffix, a PDF without WeasyPrint, no such folder)."""
    from qualcode.project.study import study_target  # deferred: see cli.base.opened

    if output is None:
        fail("the study report is a file: give -o study.html, study.docx or study.pdf")
        return
    study_target(output)
    with opened(project) as p:
        say(f"Study report written to {p.reports.study_report(output, **filters)}.")


def _tables(
    p: Any,
    table: Table,
    by: str | None,
    filters: dict[str, Any],
    rollup: bool | None,
    zeros: bool,
    unit: Unit,
    value: str | None,
    verbatim: bool = False,
) -> dict[str, Any]:
    up = rollup is not False
    if table is Table.all:
        return dict(
            p.reports.report_tables(
                ["all"], by=by, rollup=rollup, unit=unit.value, verbatim=verbatim, **filters
            )
        )
    if table is Table.frequencies:
        return {"frequencies": p.reports.frequencies(by=by, rollup=up, zeros=zeros, **filters)}
    if table is Table.cooccurrence:
        return {
            "cooccurrence": p.reports.cooccurrence(unit=unit.value, rollup=bool(rollup), **filters)
        }
    if table is Table.matrix:
        frame = p.reports.matrix(
            by=by or "source", value=value or "passages", rollup=up, zeros=zeros, **filters
        )
        return {"matrix": frame}
    if table is Table.crosstab:
        frame = p.reports.crosstab(
            by or "kind", value=value or "sources_text", rollup=up, zeros=zeros, **filters
        )
        return {"crosstab": frame}
    return {"quotes": p.reports.quotes(verbatim=verbatim, **filters)}
