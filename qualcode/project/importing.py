"""One import for whatever a researcher hands over: files, a folder, a whole study.

``import_paths`` decides what each path is, by its suffix and where that is not enough by
its content (:mod:`qualcode.ingest.routing`): transcripts, a codebook (YAML, a codebook
CSV, a REFI-QDA ``.qdc``), a REFI-QDA project, a sheet of survey answers, a folder of
transcripts, or a study (a folder with a ``study.yaml``, or the manifest itself: codebook,
sources with their kinds and languages, case attributes). The CLI's ``import`` and the
example study's build call it, so both route files the same way. A sheet that is not what
the options say is refused with what to do instead (``--attributes``, ``--text-column``).

Everything one call imports is one transaction: one bad file and the project is unchanged.
What it did is said in the same words wherever it was asked for: :func:`report_lines` gives
the lines the CLI prints and the TUI shows.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ImportFormatError, ProjectError
from qualcode.project.base import LANGUAGE_CODE
from qualcode.project.options import ImportOptions
from qualcode.project.sourcing import DEFAULTS, ImportReport
from qualcode.store.settings import SettingKey

if TYPE_CHECKING:
    from qualcode.interop.merge import MergeReport
    from qualcode.project.base import ProjectContext
    from qualcode.project.codes import Codes
    from qualcode.project.exchange import Exchange
    from qualcode.project.sourcing import SourceFiles


class Imports:
    """What a user points an import at (files, folders, a study manifest), routed to readers."""

    def __init__(
        self, ctx: ProjectContext, files: SourceFiles, codes: Codes, exchange: Exchange
    ) -> None:
        self._ctx = ctx
        self._files = files
        self._codes = codes
        self._exchange = exchange

    def import_paths(
        self,
        paths: Iterable[str | Path],
        options: ImportOptions = DEFAULTS,
        *,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportReport:
        """Import files and folders, each as what it is; all or nothing.

        Args:
            paths: transcripts, codebooks, REFI-QDA files, a survey sheet (with
                ``options.text_column``), folders of transcripts, study folders or manifests.
            options: how to read them. ``kind``, ``replace``, ``language``,
                ``speaker_pattern`` and ``max_size`` are for the transcripts, as in
                :meth:`~qualcode.project.sourcing.SourceFiles.import_files` (a study's
                manifest gives kinds and languages itself); ``attributes`` is set after
                everything else is in, and given alone (no paths) sets the attributes of
                sources already imported; the survey sheet's are as in
                :meth:`~qualcode.project.sourcing.SourceFiles.import_responses`;
                ``offsets`` is for REFI-QDA files. ``dry_run`` is refused here: a dry run
                is for REFI-QDA files alone (:meth:`Exchange.import_refi_files`).
            progress: called with the share done, from 0 to 1.
            cancel: set to stop before anything is written.

        Raises:
            ImportFormatError: a file that is not what it is given as, with what to do.
        """
        if options.dry_run:
            raise ProjectError("--dry-run is for REFI-QDA files (.qdpx .qde) on their own")
        given = [Path(p) for p in paths]
        if not given and options.attributes is None:
            raise ProjectError("nothing to import: give files or folders (or --attributes SHEET)")
        report = ImportReport()
        routes = _route(given, report)
        studies, codebooks, refi = routes["study"], routes["codebook"], routes["refi"]
        sheets, transcripts = routes["sheet"], routes["transcript"]
        if options.text_column is not None and (len(sheets) != 1 or len(given) != 1):
            raise ProjectError("--text-column imports one survey sheet (.csv or .xlsx) on its own")
        if options.question_column is not None and options.text_column is None:
            raise ProjectError("--question-column is for a survey sheet: give --text-column too")
        if options.text_column is None:
            codebooks += [s for s in sheets if self._sheet_is_codebook(s)]
        with self._ctx.store.atomic():
            for manifest in studies:
                self._import_study(manifest, report, options, progress=progress)
            for book in codebooks:
                done = self._codes.import_codebook(book)
                report.codes_created += done.codes_created
                report.codes_updated += done.codes_updated
            for path in refi:
                report.exchanges.append(
                    (str(path), self._exchange.import_refi(path, offsets=options.offsets))
                )
            if options.text_column is not None:
                _add(report, self._files.import_responses(sheets[0], options))
            if transcripts:
                _add(
                    report,
                    self._files.import_files(
                        transcripts,
                        replace(options, attributes=None),
                        progress=progress,
                        cancel=cancel,
                    ),
                )
            if options.attributes is not None:
                report.attributes_set += self._files.apply_attributes(
                    _read_attributes(Path(options.attributes)), report
                )
        return report

    def transcript_paths(self, paths: Iterable[str | Path]) -> list[Path]:
        """The files :meth:`import_paths` would read as transcripts (those in folders too),
        so that a front end asks for their kind only when there are some.

        Raises:
            ImportFormatError: a folder with neither transcripts nor a study.yaml.
        """
        return _route([Path(p) for p in paths], ImportReport())["transcript"]

    def _sheet_is_codebook(self, sheet: Path) -> bool:
        """True for a codebook sheet; a sheet of attributes or answers is refused with the
        option that imports it."""
        from qualcode.ingest.routing import sheet_role

        role = sheet_role(sheet)
        columns = ", ".join(f"'{c}'" for c in role.columns) or "none"
        if role.kind == "codebook":
            return True
        if role.kind == "attributes":
            raise ImportFormatError(
                f"holds case attributes (columns {columns}), not a codebook: give it with "
                f"--attributes {sheet.name} (with the transcripts, or on its own once they "
                "are imported)",
                file=sheet,
            )
        raise ImportFormatError(
            f"is not a codebook; if it holds survey answers, say which column has them "
            f"with --text-column (one of {columns})",
            file=sheet,
        )

    def _import_study(
        self,
        manifest: Path,
        report: ImportReport,
        options: ImportOptions,
        *,
        progress: Callable[[float], None] | None,
    ) -> None:
        """A study manifest's codebook, sources (by kind and language) and attributes."""
        from qualcode.ingest.routing import read_study

        study = read_study(manifest)
        if not self._ctx.store.source_ids():  # a new project takes the study's name and language
            if study.name:
                self._ctx.set_setting(SettingKey.NAME, study.name)
            if study.language:
                self._ctx.set_setting(
                    SettingKey.LANGUAGE, _check_language(study.language, manifest)
                )
        if study.codebook is not None:
            if study.codebook.suffix.lower() == ".qdc":
                report.exchanges.append(
                    (str(study.codebook), self._exchange.import_qdc(study.codebook))
                )
            else:
                done = self._codes.import_codebook(study.codebook)
                report.codes_created += done.codes_created
                report.codes_updated += done.codes_updated
        groups: dict[tuple[str | None, str | None], list[Path]] = {}
        for entry in study.sources:
            key = (entry.kind, entry.language)  # no language: detected, as for any file
            groups.setdefault(key, []).append(entry.file)
        done_files = 0
        for (kind, language), files in groups.items():
            _add(
                report,
                self._files.import_files(
                    files,
                    ImportOptions(
                        kind=kind,
                        language=language,
                        replace=options.replace,
                        max_size=options.max_size,
                    ),
                ),
            )
            done_files += len(files)
            if progress is not None:
                progress(done_files / len(study.sources))
        if study.attributes is not None:
            attrs = _read_attributes(study.attributes)
            report.attributes_set += self._files.apply_attributes(attrs, report)


def _route(given: list[Path], report: ImportReport) -> dict[str, list[Path]]:
    """Each path under what it is (study, codebook, refi, sheet, transcript), by the one
    registry of formats (:func:`qualcode.ingest.routing.route_paths`); its notes go to the
    report."""
    from qualcode.ingest.routing import route_paths

    return {str(k): v for k, v in route_paths(given, report.notes).items()}


def _check_language(language: str, manifest: Path) -> str:
    if not re.fullmatch(LANGUAGE_CODE, language):
        raise ImportFormatError(
            f"language must be a code such as 'en' or 'de', not {language!r}", file=manifest
        )
    return language


def _read_attributes(path: Path) -> dict[str, dict[str, str]]:
    from qualcode import ingest

    return ingest.read_attributes(path)


def _add(report: ImportReport, part: ImportReport) -> None:
    report.added += part.added
    report.replaced += part.replaced
    report.codes_created += part.codes_created
    report.codings_added += part.codings_added
    report.codings_dropped += part.codings_dropped
    report.attributes_set += part.attributes_set
    report.notes += part.notes


def report_lines(report: ImportReport, unit: str = "source") -> list[str]:
    """What an import did, line by line, as the CLI prints it and the TUI shows it.

    Args:
        report: what :meth:`Imports.import_paths` returned.
        unit: what a source is called: ``source``, or ``response`` for survey answers.
    """
    lines: list[str] = []
    for name, merged in report.exchanges:
        lines += [f"{name}:", *merge_lines(merged)]
    if report.codes_created or report.codes_updated:
        lines.append(
            f"Codebook: {len(report.codes_created)} code(s) added"
            + (f" ({', '.join(report.codes_created)})" if len(report.codes_created) <= 5 else "")
            + f", {len(report.codes_updated)} updated."
        )
    other = report.exchanges or report.codes_created or report.codes_updated
    if report.added or report.replaced or not (other or report.attributes_set):
        lines.append(
            f"Imported {len(report.added)} {unit}(s)"
            + (f", replaced {len(report.replaced)}" if report.replaced else "")
            + (
                f"; {report.codings_dropped} coding(s) of replaced sources dropped"
                if report.codings_dropped
                else ""
            )
            + "."
        )
    if report.codings_added:
        lines.append(f"Codings imported: {report.codings_added}.")
    if report.attributes_set:
        lines.append(f"Case attributes set for {report.attributes_set} source(s).")
    lines += [f"Note: {note}" for note in report.notes]
    return lines


def merge_lines(report: MergeReport) -> list[str]:
    """What a merge (or a REFI-QDA import) did, line by line: what was added and matched,
    conflicts, offset conventions, what was skipped, and warnings."""
    lines = [
        f"Sources: {len(report.sources_added)} added, {len(report.sources_matched)} matched. "
        f"Codes: {len(report.codes_added)} added, {len(report.codes_matched)} matched. "
        f"Codings: {report.codings_added} added, {report.codings_present} already there."
        + (f" Memos: {report.memos_added} added." if report.memos_added else "")
    ]
    if report.coders_added:
        lines.append(f"New coders: {', '.join(report.coders_added)}.")
    lines += [
        f"Near-duplicate codes, please confirm: {new!r} ~ {old!r}"
        for new, old in report.near_duplicates
    ]
    lines += [f"Conflict: {conflict}" for conflict in report.conflicts]
    lines += list(report.offsets)
    if report.reanchored or report.unplaced:
        lines.append(
            f"Placed by their quotes on edited sources: {report.reanchored} coding(s) moved, "
            f"{report.unplaced} not found."
        )
    lines += [f"Skipped: {skipped}" for skipped in report.skipped]
    lines += [f"Note: {note}" for note in report.notes]
    lines += [f"WARNING: {warning}" for warning in report.warnings]
    if not report.changed:
        lines.append("Nothing new: the project already had all of it.")
    return lines
