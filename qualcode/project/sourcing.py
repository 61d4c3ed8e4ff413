"""Importing transcripts, survey answers and case attributes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ImportFormatError, ProjectError
from qualcode.ingest import content_hash
from qualcode.model import (
    NewCoding,
    utc_now,
)
from qualcode.project.base import (
    CONTEXT_SETTING,
    _check_kind,
    did_you_mean,
)
from qualcode.project.options import ImportOptions
from qualcode.project.speakers import guess_kind
from qualcode.store.sources import NewSource, spill

if TYPE_CHECKING:
    from qualcode.ingest.types import Document
    from qualcode.project.base import ProjectContext

Progress = Callable[[float], None]
DEFAULTS = ImportOptions()  # the CLI's defaults, for a call that gives no options
DEFAULT_KIND = "interview"  # a transcript's kind when none is given and none is guessed


@dataclass(slots=True)
class ImportReport:
    """What an import did: sources added and replaced, codes created, codings dropped, and
    notes on what was not taken as it stood (bytes replaced, control characters removed, a
    symbolic link followed, attributes for unknown sources)."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    codes_created: list[str] = field(default_factory=list)
    codes_updated: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_dropped: int = 0
    attributes_set: int = 0
    notes: list[str] = field(default_factory=list)
    # REFI-QDA files imported along: (file, its MergeReport), reported as merges are.
    exchanges: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Read:
    """A transcript read for import, and what the import report says about it."""

    source: NewSource
    notes: tuple[str, ...]


def _read_transcript(
    path: Path,
    kind: str | None,
    language: str | None,
    now: str,
    speaker_pattern: str | None,
    max_size: int | None,
    folder: Path | None,
    detect: Callable[[Document], str],
) -> _Read:
    """Read one transcript; a long text is spilled to a file (see :class:`LongText`) and
    its string freed when this returns, before the import writes anything. Without a
    ``language``, ``detect`` tells it from the text; without a ``kind``, its speakers do
    (:func:`qualcode.project.speakers.guess_kind`), and the report says so."""
    from qualcode import ingest

    doc = ingest.read_document(path, speaker_pattern=speaker_pattern, max_size=max_size)
    notes = doc.notes
    if kind is None:
        guessed, counted = guess_kind(t.speaker for t in doc.turns)
        kind = guessed or DEFAULT_KIND
        if guessed is not None:
            notes = (*notes, f"{counted}, imported as {guessed} (say --kind to change)")
    long_text = spill(doc.text, folder)
    source = NewSource(
        name=path.stem,
        kind=kind,
        text="" if long_text is not None else doc.text,
        language=language or detect(doc),
        content_hash=content_hash(doc.text),
        origin=str(path),
        imported_at=now,
        turns=[(t.start, t.end, t.speaker, t.timestamp) for t in doc.turns],
        long_text=long_text,
    )
    return _Read(source, tuple(notes))


def _close(read: Sequence[_Read]) -> None:
    for r in read:
        if r.source.long_text is not None:
            r.source.long_text.close()


class SourceFiles:
    """Transcripts, sheets of attributes and survey responses read into a project."""

    def __init__(self, ctx: ProjectContext) -> None:
        self._ctx = ctx

    def import_files(
        self,
        paths: Iterable[str | Path],
        options: ImportOptions = DEFAULTS,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportReport:
        """Import transcripts; all or nothing: one bad file and the project is unchanged.

        Args:
            paths: transcript files (.txt .md .docx .odt .rtf .pdf .vtt .srt).
            options: what this reads of them: ``kind`` (interview, expert_panel,
                focus_group or document; by default focus_group for a transcript with
                three or more speakers besides its interviewers or moderators, else
                interview), ``attributes`` (a CSV/XLSX sheet of case attributes keyed
                by source name), ``replace`` (replace
                sources of the same name, dropping their codings), ``language`` (by
                default each source's is detected, the project's when the text is too
                short to tell), ``speaker_pattern`` (a regex with a ``(?P<speaker>...)``
                group for unusual labels) and ``max_size`` (refuse a larger transcript;
                None: no limit).
            progress: called with the share done, from 0 to 1.
            cancel: set to stop before anything is written.
        """
        from qualcode import ingest  # the readers pull in docx/pdf libraries: load on use

        kind = _check_kind(options.kind) if options.kind else None  # None: by its speakers
        files = [Path(p) for p in paths]
        if not files:
            raise ProjectError("no files to import")
        now = utc_now()
        new: list[_Read] = []
        notes: list[str] = []
        folder = Path(self._ctx.path).parent if self._ctx.path is not None else None
        for i, path in enumerate(files):
            if cancel is not None and cancel.is_set():
                raise ProjectError("import cancelled; nothing was imported", file=self._ctx.label)
            try:
                new.append(
                    _read_transcript(
                        path,
                        kind,
                        options.language,
                        now,
                        options.speaker_pattern,
                        options.max_size,
                        folder,
                        self._detect_language,
                    )
                )
            except BaseException:
                _close(new)
                raise
            notes.extend(f"{path}: {note}" for note in new[-1].notes)
            if progress is not None:
                progress((i + 1) / len(files) * 0.9)
        try:
            sheet = options.attributes
            attrs = ingest.read_attributes(Path(sheet), notes=notes) if sheet else {}
            with self._ctx.store.atomic():  # the sources and their attributes: all or nothing
                report = self._write_sources([r.source for r in new], replace=options.replace)
                report.notes.extend(notes)
                if attrs:
                    report.attributes_set = self.apply_attributes(attrs, report)
        finally:
            _close(new)
        if progress is not None:
            progress(1.0)
        return report

    def _detect_language(self, doc: Document) -> str:
        from qualcode.ingest.language import SAMPLE, detect_language
        from qualcode.ingest.spoken import spoken_text

        # The detector reads a sample from the start: blank only that much, so a long
        # transcript is not copied whole.
        head = doc.text[: 2 * SAMPLE]
        turns = [
            (t.start, min(t.end, len(head)), t.speaker) for t in doc.turns if t.start < len(head)
        ]
        spoken = spoken_text(head, turns) if turns else head
        return detect_language(spoken, self._ctx.language)

    def _write_sources(
        self,
        new: Sequence[NewSource],
        *,
        replace: bool,
        unit: str = "file",
        same_text_ok: bool = False,
    ) -> ImportReport:
        """Check names and contents against the project, then write in one transaction."""
        report = ImportReport()
        seen: dict[str, str] = {}
        for n in new:
            key = n.name.casefold()
            if key in seen:
                raise ImportFormatError(
                    f"two {unit}s would both be named {n.name!r} ({seen[key]} and {n.origin})"
                )
            seen[key] = n.origin
        existing = {name.casefold(): (name, i) for name, i in self._ctx.store.source_ids().items()}
        by_hash = self._ctx.store.source_ids_by_hash()
        names_by_id = {i: name for name, i in self._ctx.store.source_ids().items()}
        doomed: list[int] = []
        for n in new:
            hit = existing.get(n.name.casefold())
            if hit is not None:
                if not replace:
                    raise ProjectError(
                        f"{n.name!r} is already in the project; use --replace to replace it",
                        file=n.origin or self._ctx.label,
                    )
                doomed.append(hit[1])
                report.replaced.append(n.name)
                continue
            same = by_hash.get(n.content_hash)
            if same is not None and not (replace or same_text_ok):
                raise ProjectError(
                    f"has the same text as source {names_by_id[same]!r}, already in the "
                    "project; use --replace to import it anyway",
                    file=n.origin or self._ctx.label,
                )
        with self._ctx.store.atomic() as store:
            for source_id in doomed:
                report.codings_dropped += len(store.list_codings(source_id=source_id))
                store.delete_source(source_id)
            store.add_sources(new)
        report.added = [n.name for n in new if n.name not in report.replaced]
        return report

    def import_attributes(self, sheet: str | Path) -> int:
        """Set case attributes (cohort, role, site ...) from a CSV/XLSX sheet."""
        from qualcode import ingest

        return self.apply_attributes(ingest.read_attributes(Path(sheet)), ImportReport())

    def apply_attributes(self, attrs: dict[str, dict[str, str]], report: ImportReport) -> int:
        """Set the attributes of the sources the sheet's rows name; a row naming no source
        is listed in the report (with the closest names). A sheet none of whose rows names
        a source is refused: it is the wrong sheet, or the sources are not imported yet."""
        names = self._ctx.store.source_ids()
        ids = {n.casefold(): i for n, i in names.items()}
        values: dict[int, dict[str, str]] = {}
        unknown: list[str] = []
        for name, row in attrs.items():
            source_id = ids.get(name.casefold())
            if source_id is None:
                unknown.append(name)
                continue
            values[source_id] = row
        if attrs and not values:
            shown = ", ".join(repr(n) for n in unknown[:3]) + (" ..." if len(unknown) > 3 else "")
            some = ", ".join(list(names)[:3]) or "none yet"
            raise ProjectError(
                f"no row of the attributes sheet names a source of the project: rows name "
                f"{shown}{did_you_mean(unknown[0], names)}; sources: {some}; nothing was set",
                file=self._ctx.label,
            )
        for name in unknown:
            report.notes.append(
                f"attributes for {name!r}: no such source{did_you_mean(name, names)}, skipped"
            )
        self._ctx.store.set_attributes(values)
        return len(values)

    def import_responses(
        self,
        path: str | Path,
        options: ImportOptions,
    ) -> ImportReport:
        """Import open-ended survey answers, one source (kind ``response``) per row.

        ``options.text_column`` holds the answers (required), ``id_column`` the respondents'
        ids; other columns become case attributes; ``codes_column`` holds codes a person
        already applied (``sep``-separated), imported as ``coder``'s codings of the whole
        response. ``question_column`` holds what each answer answers: kept as an attribute,
        and named in the setting ``nlp.context``, so the suggester learns which codes go
        with which question. ``replace`` replaces responses of the same id.

        Raises:
            ProjectError: no ``text_column`` given.
        """
        from qualcode import ingest

        if options.text_column is None:
            raise ProjectError("a survey sheet is read by its answer column: give --text-column")
        path = Path(path)
        codes_column, question_column = options.codes_column, options.question_column
        notes: list[str] = []
        responses = ingest.read_responses(
            path,
            text_column=options.text_column,
            id_column=options.id_column,
            codes_column=codes_column,
            question_column=question_column,
            sep=options.sep,
            notes=notes,
        )
        now, lang = utc_now(), self._ctx.language
        new: list[NewSource] = []
        for r in responses:
            text = ingest.normalise(r.text)
            new.append(
                NewSource(
                    name=r.id,
                    kind="response",
                    text=text,
                    language=lang,
                    content_hash=content_hash(text),
                    origin=f"{path}, row {r.row}",
                    imported_at=now,
                    turns=[(0, len(text), None, None)],
                    attributes=dict(r.attributes),
                )
            )
        # Two respondents may well give the same short answer ("no time"): for responses,
        # only names must be unique.
        with self._ctx.store.atomic():  # sources and their codings: all or nothing
            report = self._write_sources(
                new, replace=options.replace, unit="row", same_text_ok=True
            )
            report.notes.extend(notes)
            if codes_column:
                lengths = {n.name: len(n.text) for n in new}
                self._import_response_codes(
                    responses, lengths, self._ctx.coder_as(options.coder or None), report
                )
            if question_column and responses:
                self._set_context(responses[0].attributes, question_column, report)
        return report

    def _set_context(
        self, attributes: Mapping[str, str], column: str, report: ImportReport
    ) -> None:
        """Record the attribute ``column`` (as the sheet spells it) as the passages' context."""
        name = next(k for k in attributes if k.strip().casefold() == column.strip().casefold())
        before = self._ctx.settings().nlp_context
        if before and before != name:
            report.notes.append(
                f"the suggester's context is now the attribute {name!r}, not {before!r}"
            )
        self._ctx.set_setting(CONTEXT_SETTING, name)

    def _import_response_codes(
        self,
        responses: Sequence[Any],
        lengths: dict[str, int],
        coder: str,
        report: ImportReport,
    ) -> None:
        ids = self._ctx.store.source_ids()
        now = utc_now()
        with self._ctx.store.atomic() as store:
            coder_id = store.coder_id(coder)
            code_ids: dict[str, int] = {}
            rows: list[NewCoding] = []
            for r in responses:
                source_id = ids[r.id]
                for name in dict.fromkeys(r.codes):
                    if name not in code_ids:
                        # Every code made is listed, a parent its path named too.
                        code_ids[name], made = self._ctx.ensure_code(name)
                        report.codes_created.extend(made.paths)
                    # The whole response: 0 to the length of the stored, normalised text.
                    rows.append(
                        NewCoding(source_id, code_ids[name], coder_id, 0, lengths[r.id], now)
                    )
            store.add_imported_codings(rows)
        report.codings_added = len(rows)
