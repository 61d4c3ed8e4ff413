"""The project facade: every action a user can take, for the CLI, the TUI and Python.

``Project`` resolves what people type (a source by name or id, a code by name or path) into
ids, checks it, and hands the work to the store in one transaction. It parses no files itself
(``ingest``, ``codebook`` and ``interop`` do) and knows no screen.

Example:
    >>> with Project.create("study.qcdb", language="en", coder="anna") as p:
    ...     p.import_files(["interview_01.txt"])
    ...     p.apply_code("interview_01", 120, 188, "Awareness")
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ProjectError, QualcodeError
from qualcode.model import utc_now
from qualcode.outputs import check_output, part_path, remove_database, remove_stale_parts
from qualcode.project.analysis import AnalysisActions
from qualcode.project.base import LANGUAGE_CODE, content_hash
from qualcode.project.browse import BrowseActions, CodeUsage
from qualcode.project.cache import SuggesterCache
from qualcode.project.coding import ApplyResult, CodingActions, Place, Step
from qualcode.project.exchange import merge_projects
from qualcode.project.importing import ImportActions
from qualcode.project.reconciling import AGREED, ReconcileActions, Reconciled
from qualcode.project.review import Queued, ReviewActions
from qualcode.project.sourcing import ImportReport, SourcingActions
from qualcode.project.suggest import SuggestActions
from qualcode.project.syncing import SyncActions
from qualcode.project.team import TeamActions
from qualcode.store import Store
from qualcode.store.server import is_server_url

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.nlp.engine import CombinedSuggesterV3


class Project(
    ImportActions,
    SourcingActions,
    CodingActions,
    BrowseActions,
    ReviewActions,
    SuggestActions,
    AnalysisActions,
    ReconcileActions,
    TeamActions,
    SyncActions,
):
    """One qualcode project, backed by a :class:`Store`.

    Build it with :meth:`create` or :meth:`open`; use it as a context manager to close it.
    """

    def __init__(self, store: Store, path: Path | None = None) -> None:
        """A project over an open ``store``; ``path`` is its file. Everything a project
        keeps between calls is set here, each piece owned by one object."""
        self.store = store
        self.path = path
        # The fitted suggestion model, its background refit, and what the NLP reuses.
        self._nlp: SuggesterCache[CombinedSuggesterV3] = SuggesterCache()
        # Each source's sentence units for the reports (see AnalysisActions._sentences).
        self._sentence_frames: dict[tuple[int, str], pd.DataFrame] = {}

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
            settings = {"language": language, "name": name or database, "created_at": utc_now()}
            store = Store.create_on_server(
                str(path), settings, coder=coder, busy_timeout=busy_timeout
            )
            return cls(store)
        path = Path(path)
        settings = {"language": language, "name": name or path.stem, "created_at": utc_now()}
        if coder:
            settings["coder"] = coder
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
        return cls(Store.open(path, busy_timeout=busy_timeout), path)

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
                project.store.label = str(path)
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
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- overview ------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Counts for a one-screen overview of the project."""
        rows = self.sources()
        kinds: dict[str, int] = {}
        for r in rows:
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        counts = self.store.counts()
        return {
            "project": self.label,
            "language": self.language,
            "sources": len(rows),
            "by_kind": kinds,
            "words": sum(r.words for r in rows),
            "turns": counts["turns"],
            "speakers": len({(r.id, sp) for r in rows for sp in r.speakers}),
            "codes": counts["codes"],
            "codings": counts["codings"],
            "coders": self.coders(),
            "memos": counts["memos"],
        }

    # -- the study report ----------------------------------------------------------------

    def study_target(self, path: str | Path) -> Path:
        """``path`` if a study report can be written to it, else a one-line ProjectError
        saying what can (.html, .docx, .pdf with WeasyPrint): checked before any work."""
        from qualcode.project.study import study_target

        return study_target(path)

    def study_report(self, path: str | Path, **filters: Any) -> Path:
        """Write the study report, one file a co-author can open (.html, .docx or .pdf):
        the study, the codebook, frequencies, quotes, co-occurrence, agreement, codes by
        source and the COREQ items the project answers, each figure as the CLI computes it.

        Args:
            path: the file to write; its suffix says the format.
            **filters: ``coder``, ``code``, ``sources``, ``where``, passed to every table.
        """
        from qualcode.project.study import write_study_report

        return write_study_report(self, path, **filters)


__all__ = [
    "AGREED",
    "ApplyResult",
    "CodeUsage",
    "ImportReport",
    "Place",
    "Project",
    "QualcodeError",
    "Queued",
    "Reconciled",
    "Step",
    "content_hash",
    "is_server_url",
    "merge_projects",
]
