"""REFI-QDA import and export and merging coders' projects (``project.exchange``).

File formats live in :mod:`qualcode.interop`; this service resolves names and runs each
import or merge in one transaction (a failure changes nothing). Agreement between the merged
coders is :mod:`qualcode.project.agreement`, and :mod:`qualcode.project.reconciling` settles
the passages where they differ.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ExchangeError, ProjectError
from qualcode.files import read_regular
from qualcode.outputs import os_reason, pause_point, temporary_folder, writing
from qualcode.store.server import display_url, is_server_url
from qualcode.store.settings import SettingKey

if TYPE_CHECKING:
    from qualcode.interop.merge import MergeReport
    from qualcode.interop.refi import RefiProject
    from qualcode.project.base import ProjectContext


class _DryRun(Exception):
    """Rolls a dry run's transaction back."""


class Exchange:
    """REFI-QDA export and import, and merging projects."""

    def __init__(self, ctx: ProjectContext) -> None:
        self._ctx = ctx

    # -- REFI-QDA ------------------------------------------------------------------------

    def export_qdpx(self, path: str | Path, *, target: str = "standard") -> Path:
        """Write the whole project as a REFI-QDA ``.qdpx`` (GUIDs given where missing).

        The GUIDs are saved in the same transaction as the file is written: an export that
        fails changes nothing in the project.

        Args:
            path: the ``.qdpx`` to write.
            target: the tool that will read it (``standard``, ``nvivo``, ``atlas``,
                ``maxqda``, ``qualcoder``): its offsets, line ends and BOM are written.
        """
        from qualcode.interop.convert import project_to_refi
        from qualcode.interop.qdpx import write_qdpx

        name = self._ctx.settings().name or (self._ctx.path.stem if self._ctx.path else "qualcode")
        with writing(path, ExchangeError) as out, self._ctx.store.atomic():
            refi = project_to_refi(self._ctx.store, name=name, assign=True)
            return write_qdpx(refi, out, target=target)

    def export_qdc(self, path: str | Path) -> Path:
        """Write the codebook as a REFI-QDA ``.qdc`` (all or nothing, as :meth:`export_qdpx`)."""
        from qualcode.interop.convert import project_to_refi
        from qualcode.interop.write import write_qdc

        with writing(path, ExchangeError) as target, self._ctx.store.atomic():
            refi = project_to_refi(self._ctx.store, name="", assign=True)
            target.write_bytes(write_qdc(refi.codes, origin="qualcode"))
            return target

    def import_qdpx(self, path: str | Path, *, offsets: str | None = None) -> MergeReport:
        """Import a ``.qdpx``: all of it, or (on any error) nothing. ``offsets`` overrides
        how its selection offsets are counted (``codepoints``, ``utf16``, ``utf8``)."""
        from qualcode.interop.qdpx import read_qdpx

        return self.merge_refi(read_qdpx(path, offsets=offsets), str(path))

    def import_qde(self, path: str | Path, *, offsets: str | None = None) -> MergeReport:
        """Import a bare ``project.qde`` (its sources looked up beside it; those missing
        are skipped and reported, the codebook, users and the rest still import)."""
        from qualcode.interop.qdpx import read_qde

        return self.merge_refi(read_qde(path, offsets=offsets), str(path))

    def import_qdc(self, path: str | Path) -> MergeReport:
        """Add a REFI-QDA codebook's codes (matched by GUID, then path)."""
        from qualcode.interop.qde import parse_qdc
        from qualcode.interop.refi import RefiProject

        data, _ = read_regular(path, error=ExchangeError)
        return self.merge_refi(RefiProject(codes=parse_qdc(data, str(path))), str(path))

    def import_refi(self, path: str | Path, *, offsets: str | None = None) -> MergeReport:
        """Import ``.qdpx``, ``.qde`` or ``.qdc`` by suffix."""
        from qualcode.interop.offsets import candidates

        candidates("", offsets)  # refuses an unknown unit before anything is read
        suffix = Path(path).suffix.lower()
        if suffix == ".qdpx":
            return self.import_qdpx(path, offsets=offsets)
        if suffix == ".qde":
            return self.import_qde(path, offsets=offsets)
        if suffix == ".qdc":
            return self.import_qdc(path)
        raise ExchangeError("not a REFI-QDA file (.qdpx, .qde or .qdc)", file=path)

    def import_refi_files(
        self, paths: list[str | Path], *, offsets: str | None = None, dry_run: bool = False
    ) -> list[MergeReport]:
        """Import REFI-QDA files in one transaction: all of them or nothing. With
        ``dry_run`` the reports are made and the transaction is rolled back."""
        reports: list[MergeReport] = []
        try:
            with self._ctx.store.atomic():
                reports = [self.import_refi(p, offsets=offsets) for p in paths]
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return reports

    # -- merging -------------------------------------------------------------------------

    def merge_from(self, paths: list[str | Path]) -> MergeReport:
        """Merge coders' projects (``.qcdb``, ``.qdpx``, ``.qde``) into this one, in one
        transaction. Idempotent: merging the same input again adds nothing. A project on a
        server is refused as an input (its coders may write meanwhile; a merge reads one
        settled state): its clone is merged instead."""
        from qualcode.interop.merge import MergeReport

        for item in paths:
            if is_server_url(item):
                raise ExchangeError(
                    "is a project on a server; merge reads project files (.qcdb, .qdpx, "
                    ".qde): clone it first (qualcode clone URL LOCAL.qcdb) and merge the copy",
                    file=display_url(str(item)),
                )
        report = MergeReport()
        inputs = [(Path(p), self._read_input(Path(p))) for p in paths]
        with self._ctx.store.atomic():
            for path, refi in inputs:
                self.merge_refi(refi, str(path), report)
        return report

    def _read_input(self, path: Path) -> RefiProject:
        from qualcode.interop.convert import project_to_refi
        from qualcode.interop.qdpx import read_qde, read_qdpx
        from qualcode.store import Store

        suffix = path.suffix.lower()
        if self._ctx.path is not None and path.resolve() == Path(self._ctx.path).resolve():
            raise ExchangeError("cannot merge a project into itself", file=path)
        if suffix == ".qdpx":
            return read_qdpx(path)
        if suffix == ".qde":
            return read_qde(path)
        if suffix == ".qcdb":
            # Read a copy: opening may upgrade an older schema or add WAL files, and a
            # coder's own project must not change because someone merged it.
            with temporary_folder("qualcode-merge-") as tmp:
                copy = tmp / path.name
                try:
                    shutil.copyfile(path, copy)
                    if Path(f"{path}-wal").is_file():
                        shutil.copyfile(f"{path}-wal", f"{copy}-wal")
                except OSError as exc:
                    raise ExchangeError(f"cannot read ({os_reason(exc)})", file=path) from None
                try:
                    store = Store.open(copy)
                except ProjectError as exc:
                    raise ExchangeError(exc.message, file=path) from None
                try:
                    pause_point("merge-copy")
                    name = store.settings().name or path.stem
                    return project_to_refi(store, name=name, assign=False)
                finally:
                    store.close()
        raise ExchangeError("merge reads .qcdb, .qdpx or .qde files", file=path)

    def merge_refi(
        self, refi: RefiProject, origin: str, report: MergeReport | None = None
    ) -> MergeReport:
        """Add ``refi`` to the project with the content-hash merge, in one transaction (the
        caller's, if one is open): what an import of a ``.qdpx``, a merge and a sync do.

        Args:
            refi: what to add.
            origin: where it comes from, for the report and the new sources' origin.
            report: a report to add to (several inputs into one), else a new one.
        """
        from qualcode.ingest import parse_turns
        from qualcode.interop.merge import Merger, MergeReport

        report = report if report is not None else MergeReport()
        report.inputs.append(origin)
        merger = Merger(
            self._ctx.store,
            origin=origin,
            default_coder=self._ctx.coder,
            language=self._ctx.language,
            parse_turns=lambda t: [
                (x.start, x.end, x.speaker, x.timestamp) for x in parse_turns(t)
            ],
            report=report,
        )
        with self._ctx.store.atomic() as store:
            if refi.name and not self._ctx.settings().name:
                store.set_setting(SettingKey.NAME, refi.name)
            merger.apply(refi)
            pause_point("merged")
        return report
