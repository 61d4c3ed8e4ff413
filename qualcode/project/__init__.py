"""The project facade: every action a user can take, for the CLI, the TUI and Python.

``Project`` is a thin root: it opens or builds a project and holds a few named services, each a
class of its own (see the README's Architecture section)::

    project.context      the store, settings, the coder, caches, name and id lookups
    project.sources      list, read, move through and import sources
    project.codebook     find and edit codes, import and export codebooks
    project.coding       apply and remove codes, undo and redo, memos, codings
    project.suggestions  suggestions, the review queue, themes
    project.reports      tables, charts and the study report, counted by coder
    project.exchange     REFI-QDA export and import, merging projects
    project.team         the server team, agreement, reconciling, what sync needs

Each service takes the shared :class:`~qualcode.project.base.ProjectContext` and the other
services it needs in its constructor. The services resolve what people type (a source by name
or id, a code by name or path) into ids, check it, and hand the work to the store in one
transaction. They parse no files themselves (``ingest``, ``codebook`` and ``interop`` do) and
know no screen.

Example:
    >>> with Project.create("study.qcdb", language="en", coder="anna") as p:
    ...     p.sources.import_files(["interview_01.txt"])
    ...     p.coding.apply("interview_01", 120, 188, "Awareness")
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ProjectError, QualcodeError
from qualcode.ingest import content_hash
from qualcode.ingest.formats import FILE_KIND_WORDS, TRANSCRIPT_SUFFIXES, file_kind, suffix_of
from qualcode.model import utc_now
from qualcode.outputs import check_output, part_path, remove_database, remove_stale_parts
from qualcode.project.agreement import Agreement
from qualcode.project.analysis import Reports
from qualcode.project.base import LANGUAGE_CODE, ProjectContext
from qualcode.project.browse import Sources
from qualcode.project.codes import Codes, CodeUsage
from qualcode.project.coding import ApplyResult, Codings, Place, Step
from qualcode.project.counting import Counting
from qualcode.project.exchange import Exchange
from qualcode.project.importing import Imports
from qualcode.project.new_codes import NewCodes
from qualcode.project.options import ImportOptions
from qualcode.project.reconciling import AGREED, Reconciled, Reconciling
from qualcode.project.review import Queued, Suggestions
from qualcode.project.sourcing import ImportReport, SourceFiles
from qualcode.project.suggest import Suggester
from qualcode.project.team import Team
from qualcode.project.themes import Themes
from qualcode.store import Store
from qualcode.store.server import is_server_url
from qualcode.store.settings import SettingKey

if TYPE_CHECKING:
    from qualcode.interop.merge import MergeReport


class Project:
    """One qualcode project, backed by a :class:`Store`, as a few named services.

    Build it with :meth:`create` or :meth:`open`; use it as a context manager to close it.
    """

    def __init__(self, store: Store, path: Path | None = None) -> None:
        """A project over an open ``store``; ``path`` is its file. Each service is built
        here once, with the context and the services it needs."""
        self.context = ctx = ProjectContext(store, path)
        self.codebook = Codes(ctx)
        self.coding = Codings(ctx)
        self.exchange = Exchange(ctx)
        files = SourceFiles(ctx)
        self.sources = Sources(ctx, Imports(ctx, files, self.codebook, self.exchange), files)
        themes = Themes(ctx, self.codebook)
        suggester = Suggester(ctx, themes, self.coding)
        self.suggestions = Suggestions(ctx, suggester, themes, self.sources)
        agreement = Agreement(ctx, self.suggestions)
        self.reports = Reports(ctx, Counting(ctx), agreement)
        self.team = Team(ctx, agreement, Reconciling(ctx, agreement))

    # -- life cycle ----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        language: str = "en",
        coder: str | None = None,
        name: str | None = None,
        busy_timeout: float | None = None,
    ) -> Project:
        """Create a new project file, or set up a project in an empty PostgreSQL database
        (``postgresql://...``; the connecting role is its lead and its coder).
        ``language`` is the default language of its sources; ``busy_timeout`` as in
        :meth:`open`."""
        if not re.fullmatch(LANGUAGE_CODE, language):
            raise ProjectError(f"language must be a code such as 'en' or 'de', not {language!r}")
        if is_server_url(path):
            database = str(path).split("?")[0].rsplit("/", 1)[-1]
            settings = _new_settings(language, name or database)
            store = Store.create_on_server(
                str(path), settings, coder=coder, busy_timeout=busy_timeout
            )
            return cls(store)
        path = Path(path)
        settings = _new_settings(language, name or path.stem)
        if coder:
            settings[SettingKey.CODER] = coder
        return cls(Store.create(path, settings, busy_timeout=busy_timeout), path)

    @classmethod
    def open(cls, path: str | Path, *, busy_timeout: float | None = None) -> Project:
        """Open an existing project file, or a project on a PostgreSQL server given by its
        URL, ``postgresql://[user@][host][:port]/db[?host=/socket/dir&port=N]`` (its
        schema is upgraded if it is older).

        ``busy_timeout`` is how many seconds a write waits while another process writes
        to the project, before it fails with :class:`qualcode.errors.ProjectBusy`
        (default: the environment variable ``QUALCODE_BUSY_TIMEOUT``, else 30).
        """
        if is_server_url(path):
            return cls(Store.open(str(path), busy_timeout=busy_timeout))
        path = Path(path)
        remove_stale_parts(path)
        try:
            store = Store.open(path, busy_timeout=busy_timeout)
        except ProjectError as exc:
            raise _importable_instead(path) or exc from None
        return cls(store, path)

    @classmethod
    @contextmanager
    def build(
        cls,
        path: str | Path,
        *,
        language: str = "en",
        coder: str | None = None,
        name: str | None = None,
    ) -> Iterator[Project]:
        """Create project ``path`` for a block that fills it (an import, a merge, the
        example study); it is closed afterwards. The one place a new project is built.

        It is built under a temporary name beside ``path`` and renamed when the block has
        succeeded: a failure removes it with its ``-wal`` and ``-shm`` files, and a process
        killed half way leaves no half-built project under the real name (the next run
        removes what it left, see :mod:`qualcode.outputs`).

        Raises:
            ProjectError: ``path`` exists already, or was created meanwhile.
        """
        if is_server_url(path):  # set up in an empty database, all or nothing (create_on_server)
            with cls.create(path, language=language, coder=coder, name=name) as project:
                yield project
            return
        path = Path(path)
        remove_stale_parts(path)
        check_output(path)
        if path.exists():
            raise ProjectError("already exists; open it, or choose another name", file=path)
        part = part_path(path)
        try:
            with cls.create(
                part, language=language, coder=coder, name=name or path.stem
            ) as project:
                project.context.store.label = str(path)
                yield project
            if path.exists():
                raise ProjectError("was created by another process meanwhile", file=path)
            wal = Path(f"{part}-wal")  # normally gone with the last connection; kept if not
            if wal.exists():
                os.replace(wal, f"{path}-wal")
            os.replace(part, path)
        finally:
            remove_database(part)

    @classmethod
    @contextmanager
    def open_or_build(cls, path: str | Path, *, coder: str | None = None) -> Iterator[Project]:
        """Open project ``path``, or :meth:`build` a new one there, for a block that fills
        it (a merge, an import of a .qdpx); it is closed afterwards."""
        path = Path(path)
        remove_stale_parts(path)
        if path.exists():
            with cls.open(path) as project:
                yield project
            return
        with cls.build(path, coder=coder) as project:
            yield project

    def close(self) -> None:
        self.context.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- overview ------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Counts for a one-screen overview of the project."""
        ctx = self.context
        rows = self.sources.all()
        kinds: dict[str, int] = {}
        for r in rows:
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        counts = ctx.store.counts()
        return {
            "project": ctx.label,
            "language": ctx.language,
            "sources": len(rows),
            "by_kind": kinds,
            "words": sum(r.words for r in rows),
            "turns": counts["turns"],
            "speakers": len({(r.id, sp) for r in rows for sp in r.speakers}),
            "codes": counts["codes"],
            "codings": counts["codings"],
            "coders": ctx.coders(),
            "memos": counts["memos"],
        }


def merge_projects(
    out: str | Path, inputs: list[str | Path], *, coder: str | None = None
) -> MergeReport:
    """Merge ``inputs`` into project ``out``, creating it if missing (and removing it again
    if the merge fails). ``out`` may be a project on a server (as for an import); an input
    may not: its coders may be writing meanwhile, and a merge reads one settled state."""
    if is_server_url(out):
        with Project.open(out) as project:
            return project.exchange.merge_from(list(inputs))
    with Project.open_or_build(out, coder=coder) as project:
        return project.exchange.merge_from(list(inputs))


__all__ = [
    "AGREED",
    "ApplyResult",
    "CodeUsage",
    "Codes",
    "Codings",
    "Exchange",
    "ImportOptions",
    "ImportReport",
    "NewCodes",
    "Place",
    "Project",
    "ProjectContext",
    "QualcodeError",
    "Queued",
    "Reconciled",
    "Reports",
    "Sources",
    "Step",
    "Suggestions",
    "Team",
    "content_hash",
    "is_server_url",
    "merge_projects",
]


def _new_settings(language: str, name: str) -> dict[str, str]:
    """The settings a new project starts with."""
    return {SettingKey.LANGUAGE: language, SettingKey.NAME: name, SettingKey.CREATED_AT: utc_now()}


def _importable_instead(path: Path) -> ProjectError | None:
    """For a file opened as a project that is one qualcode imports (a .qdpx, a transcript,
    a sheet, a codebook): the error that says so and how to bring it in, else None."""
    kind = file_kind(path)
    if kind == "transcript" and suffix_of(path) not in TRANSCRIPT_SUFFIXES:
        return None
    how = (
        f"`qualcode import study.qcdb {path.name}` makes a project of it"
        if kind == "refi"
        else f"`qualcode init study.qcdb`, then `qualcode import study.qcdb {path.name}`, "
        "brings it into a project"
    )
    return ProjectError(
        f"is {FILE_KIND_WORDS[kind]}, not a qualcode project; {how}", file=str(path)
    )
