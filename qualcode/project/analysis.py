"""Reports (``project.reports``): frequencies, co-occurrence, matrices, crosstabs, quotes, charts.

Every table is a pandas DataFrame computed by :mod:`qualcode.analysis` from frames the store
reads in one query each. The filters are the same for every table: ``coder`` (names),
``code`` (codes whose subtrees are reported), ``sources`` (names or ids) and ``where``
(case attributes, or ``kind``, to values). The sources left by ``sources`` and ``where`` are
the "of N" of the shares.

pandas and the analysis package are imported inside the methods: the command line imports
this module and must start without loading pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ProjectError
from qualcode.outputs import check_output, writing
from qualcode.project.counting import Refs, Where, describe_filters, listed

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.analysis.data import StudyData
    from qualcode.project.agreement import Agreement
    from qualcode.project.base import ProjectContext
    from qualcode.project.counting import Counting

TABLES = ("frequencies", "cooccurrence", "matrix", "crosstab", "quotes")


class Reports:
    """Reports of a project: tables, charts and the study report, counted as the CLI shows them."""

    def __init__(self, ctx: ProjectContext, counting: Counting, agreement: Agreement) -> None:
        self._ctx = ctx
        self._counting = counting
        # Which coders are counted, offered beside the tables that count them.
        self.agreed_coder = counting.agreed_coder
        self.coded_by = counting.coded_by
        self.counted = counting.counted
        self._agreement = agreement

    # -- the filtered study --------------------------------------------------------------

    def study_data(
        self,
        *,
        coder: Refs = None,
        code: Refs = None,
        sources: Refs = None,
        where: Where = None,
        by: str | None = None,
    ) -> StudyData:
        """The frames the tables are computed from, filtered (see the module docstring);
        ``by`` is the breakdown the caller will ask for, for what only it needs."""
        from qualcode.analysis.data import StudyData, ancestor_pairs, attach_turns, code_table

        src = self._ctx.store.sources_frame()
        total = len(src)
        checked = self._counting.check_where(src, where)
        wanted = listed(sources)
        if wanted is not None:
            ids = [self._ctx.source_id(r) for r in wanted]
            src = src[src["source_id"].isin(ids)]
        for name, allowed in checked.items():
            src = src[src[name].astype(object).map(lambda v: str(v)).isin(allowed)]
        src = src.reset_index(drop=True)
        book = self._ctx.codebook()
        roots = listed(code)
        codes = code_table(book, [self._ctx.code(r).id for r in roots] if roots else None)
        coders = self._ctx.store.coders_frame()
        counted = self._counting.counted(coder, by=by)
        coder_ids = self._counting.counted_ids(counted, coders)
        source_ids = src["source_id"].tolist() if len(src) < total else None
        selection = {
            "coder_ids": coder_ids,
            "code_ids": codes["code_id"].tolist() if roots else None,
            "source_ids": source_ids,
        }
        codings = self._ctx.store.codings_frame(**selection)
        turns = self._ctx.store.turns_frame(source_ids)
        # Only a breakdown by coder needs who coded where (its "of N").
        coder_sources = self._ctx.store.coder_sources_frame(coder_ids) if by == "coder" else None
        return StudyData(
            codings=attach_turns(codings, turns),
            sources=src,
            codes=codes,
            ancestors=ancestor_pairs(book, codes),
            turns=turns,
            coders=coders,
            coder_sources=coder_sources,
            selection=selection,
            counted=counted,
            filters=describe_filters(
                code=[str(r) for r in roots or []],
                sources=[str(r) for r in wanted or []],
                where=checked,
            ),
        )

    def _check_by(self, data: StudyData, by: str | None) -> str | None:
        from qualcode.analysis.data import FIXED_BY

        if by is None or by in FIXED_BY or by in data.attributes:
            return by
        known = ", ".join([*FIXED_BY, *data.attributes])
        raise ProjectError(f"cannot break down by {by!r}; one of {known}", file=self._ctx.label)

    # -- tables --------------------------------------------------------------------------

    def frequencies(
        self,
        *,
        by: str | None = None,
        rollup: bool = True,
        zeros: bool = False,
        **filters: Any,
    ) -> pd.DataFrame:
        """Per code: codings, passages, sources ("31 of 52 (60%)") and speakers.

        Args:
            by: break down by ``source``, ``speaker``, ``kind``, ``coder`` or an attribute.
            rollup: parents count their whole subtree (a source once).
            zeros: list codes without codings too.
            **filters: ``coder``, ``code``, ``sources``, ``where`` (see :meth:`study_data`).
        """
        from qualcode.analysis.frequencies import frequencies

        data = self.study_data(by=by, **filters)
        table = frequencies(data, by=self._check_by(data, by), rollup=rollup, zeros=zeros)
        return _marked(table, data)

    def cooccurrence(
        self, *, unit: str = "overlap", rollup: bool = False, **filters: Any
    ) -> pd.DataFrame:
        """Pairs of codes that overlap (``unit="overlap"``) or share a ``turn`` or
        ``sentence``, with count and Jaccard index."""
        from qualcode.analysis.cooccurrence import UNITS, cooccurrence

        if unit not in UNITS:
            raise ProjectError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        data = self.study_data(**filters)
        units = None
        if unit == "sentence":
            units = self._sentences(data.sources["source_id"].tolist())
        return _marked(cooccurrence(data, unit=unit, units=units, rollup=rollup), data)

    def _sentences(self, source_ids: list[int]) -> pd.DataFrame:
        """The sentence units of the sources. Splitting is the slow part of sentence
        co-occurrence and a source's text never changes after import, so the sentences of the
        sources read last are kept, keyed by id and content hash (a replaced source is split
        anew)."""
        import pandas as pd

        from qualcode.analysis.units import UNIT_COLUMNS, sentence_frame

        cache = self._ctx.sentence_frames
        hashes = {i: h for h, i in self._ctx.store.source_ids_by_hash().items()}
        keys = [(i, hashes.get(i, "")) for i in source_ids]
        found = {k: cache.get(k) for k in keys}  # read here: more sources than kept may come
        missing = [i for i, h in keys if found[(i, h)] is None]
        if missing:
            split = sentence_frame(
                self._ctx.store.texts_frame(missing), self._ctx.store.turns_frame(missing)
            )
            parts = dict(tuple(split.groupby("source_id", sort=False)))
            for i in missing:
                key = (i, hashes.get(i, ""))
                found[key] = cache.put(key, parts.get(i, split.iloc[:0]))
        frames = [found[k] for k in keys]
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=UNIT_COLUMNS, dtype="int64")
        )

    def matrix(
        self,
        *,
        by: str = "source",
        value: str = "passages",
        rollup: bool = True,
        zeros: bool = False,
        **filters: Any,
    ) -> pd.DataFrame:
        """Code x source matrix (or code x any ``by``): ``value`` per cell."""
        return self._pivot(by, value, rollup, zeros, False, filters)

    def crosstab(
        self,
        by: str = "kind",
        *,
        value: str = "sources_text",
        rollup: bool = True,
        zeros: bool = False,
        **filters: Any,
    ) -> pd.DataFrame:
        """Code x attribute (or kind, speaker, coder) table, with a ``total`` column."""
        return self._pivot(by, value, rollup, zeros, True, filters)

    def _pivot(
        self, by: str, value: str, rollup: bool, zeros: bool, total: bool, filters: Any
    ) -> pd.DataFrame:
        from qualcode.analysis.frequencies import VALUES, pivot

        if value not in VALUES:
            raise ProjectError(f"value must be one of {', '.join(VALUES)}, not {value!r}")
        data = self.study_data(by=by, **filters)
        checked = self._check_by(data, by if by != "code" else "source") or "source"
        table = pivot(data, by=checked, value=value, rollup=rollup, zeros=zeros, total=total)
        return _marked(table, data)

    def quotes(self, *, verbatim: bool = False, **filters: Any) -> pd.DataFrame:
        """The coded passages with source, speaker, position and text, ready to paste.

        ``text`` is the quote as shown (transcriber notes of the closed list and repeated
        labels left out, every other bracket kept), ``verbatim`` the exact coded text; with
        ``verbatim=True``, ``text`` is the exact text too."""
        from qualcode.analysis.quotes import quotes

        data = self.study_data(**filters)
        exact = self._ctx.store.quote_texts(**data.selection)
        shown = exact if verbatim else self._spoken_quotes(data, exact)
        table = quotes(data, shown.assign(verbatim=exact["text"].to_numpy(object)))
        return _marked(table, data)

    def _spoken_quotes(self, data: StudyData, texts: pd.DataFrame) -> pd.DataFrame:
        """``texts`` with each quote as said (:func:`qualcode.ingest.spoken.spoken_quote`):
        caption timestamps, repeated cue labels and transcriber notes left out, a new
        speaker's label kept. Only quotes that could hold one
        (a line break, a bracket, a colon or a tab) are looked at again, each with the turns
        it overlaps (found for all at once); no source text is read for it."""
        import numpy as np

        from qualcode.ingest.spoken import spoken_quote

        suspect = texts["text"].str.contains(r"[\n\[:\t]", regex=True, na=False).to_numpy()
        if not suspect.any():
            return texts
        cod = data.codings.set_index("coding_id")[["source_id", "start"]]
        rows = cod.loc[texts["coding_id"].to_numpy(np.int64)[suspect]]
        out = texts["text"].to_numpy(object).copy()
        positions = np.flatnonzero(suspect)
        quotes = out[positions].tolist()
        sources = rows["source_id"].to_numpy(np.int64)
        starts = rows["start"].to_numpy(np.int64)
        stops = starts + np.fromiter((len(q) for q in quotes), np.int64, len(quotes))
        # Turns are sorted by source and position and do not overlap: the ones a quote
        # overlaps are a run, found by binary search on (source, offset) keys.
        turns = data.turns.sort_values(["source_id", "start"], kind="stable")
        shift = np.int64(1 << 32)
        t_src = turns["source_id"].to_numpy(np.int64) * shift
        first = np.searchsorted(
            t_src + turns["end"].to_numpy(np.int64), sources * shift + starts, "right"
        )
        last = np.searchsorted(
            t_src + turns["start"].to_numpy(np.int64), sources * shift + stops, "left"
        )
        t_start = turns["start"].to_numpy(np.int64).tolist()
        t_end = turns["end"].to_numpy(np.int64).tolist()
        t_who = [w if isinstance(w, str) else None for w in turns["speaker"].tolist()]  # NaN
        for pos, quote, start, i, j in zip(
            positions.tolist(), quotes, starts.tolist(), first.tolist(), last.tolist(), strict=True
        ):
            stop = start + len(quote)
            # The quote as a text of its own, opened by a line break so that a label it
            # starts with is seen as one (if it is the speaker's own or a lone timestamp).
            near = [
                (max(t_start[k] - start, -1) + 1, min(t_end[k], stop) - start + 1, t_who[k])
                for k in range(i, j)
            ]
            out[pos] = spoken_quote("\n" + quote, 1, len(quote) + 1, near)
        return texts.assign(text=out)

    def report_tables(
        self, names: Sequence[str] = TABLES, *, by: str | None = None, **options: Any
    ) -> dict[str, pd.DataFrame]:
        """Several tables at once, by name, for one workbook. ``all`` stands for every
        table: frequencies (and frequencies by ``by``), cooccurrence, matrix, crosstab (by
        ``by``, else kind) and quotes (``verbatim=True``: their exact text)."""
        wanted = list(TABLES) if "all" in names else list(names)
        unknown = [n for n in wanted if n not in TABLES]
        if unknown:
            raise ProjectError(f"no table {unknown[0]!r}; one of {', '.join(TABLES)}, all")
        filters = {k: options[k] for k in ("coder", "code", "sources", "where") if k in options}
        rollup = options.get("rollup")
        out: dict[str, pd.DataFrame] = {}
        for name in wanted:
            if name == "frequencies":
                out[name] = self.frequencies(rollup=rollup is not False, **filters)
                if by not in (None, "code"):
                    out[f"frequencies_by_{by}"] = self.frequencies(
                        by=by, rollup=rollup is not False, **filters
                    )
            elif name == "cooccurrence":
                unit = options.get("unit", "overlap")
                out[name] = self.cooccurrence(unit=unit, rollup=bool(rollup), **filters)
            elif name == "matrix":
                out[name] = self.matrix(rollup=rollup is not False, **filters)
            elif name == "crosstab":
                out[name] = self.crosstab(
                    by if by not in (None, "code") else "kind",
                    rollup=rollup is not False,
                    **filters,
                )
            else:
                out[name] = self.quotes(verbatim=bool(options.get("verbatim")), **filters)
        return out

    # -- files ---------------------------------------------------------------------------

    def table_target(self, path: str | Path) -> Path:
        """``path`` if tables can be written to it (by its suffix, into a folder that
        exists), else a ProjectError naming what can: for a front end to check before any
        work."""
        from qualcode.analysis.exports import SUFFIXES

        target = Path(path)
        if target.suffix.lower() not in SUFFIXES:
            raise ProjectError(
                f"cannot write tables to {target.name!r}; use one of {', '.join(sorted(SUFFIXES))}"
            )
        return check_output(target)

    def export_tables(
        self,
        path: str | Path,
        tables: Mapping[str, pd.DataFrame] | Sequence[str] = ("all",),
        **options: Any,
    ) -> list[Path]:
        """Write tables to ``path`` (.csv .json .parquet for machines, .xlsx .md .docx for
        people: see :mod:`qualcode.analysis.exports`); returns the files.

        ``tables`` maps sheet names to DataFrames, or names tables to compute with
        :meth:`report_tables` and ``options`` (``by``, ``unit``, ``rollup`` and filters).
        """
        from qualcode.analysis.exports import export

        self.table_target(path)  # refused before the tables are made
        if not isinstance(tables, Mapping):
            tables = self.report_tables(list(tables), **options)
        with writing(path) as target:
            try:
                return export(tables, target)
            except ValueError as exc:
                raise ProjectError(str(exc)) from None

    def chart(
        self,
        table: str,
        path: str | Path,
        *,
        by: str | None = None,
        value: str | None = None,
        **options: Any,
    ) -> Path:
        """Draw a table to .png or .svg: ``frequencies`` as bars (with ``by``, or a
        ``crosstab`` by ``by`` or kind: one bar per group, the share of its sources coded),
        ``cooccurrence`` as a heat map of ``value`` (``jaccard``, the default, or
        ``count``) on a labelled scale. ``options`` are the table's (filters, ``unit``,
        ``rollup``)."""
        from qualcode.analysis.charts import (
            CHART_SUFFIXES,
            bar_chart,
            cooccurrence_labels,
            grouped_bar_chart,
            heat_map,
        )
        from qualcode.analysis.cooccurrence import as_matrix

        target = Path(path)
        if target.suffix.lower() not in CHART_SUFFIXES:
            raise ProjectError(f"charts are written as .png or .svg, not {target.name!r}")
        if table not in ("frequencies", "crosstab", "cooccurrence"):
            raise ProjectError(
                f"charts are drawn of frequencies, crosstab and cooccurrence, not {table!r}"
            )
        if table == "cooccurrence" and (value or "jaccard") not in ("jaccard", "count"):
            raise ProjectError(f"a heat map shows jaccard or count, not {value!r}")
        if table == "crosstab" and by in (None, "code"):
            by = "kind"
        with writing(target):
            if table == "cooccurrence":
                unit = str(options.get("unit", "overlap"))
                title, scale = cooccurrence_labels(value or "jaccard", unit)
                pairs = self.cooccurrence(**options)
                return heat_map(
                    as_matrix(pairs, value or "jaccard"),
                    target,
                    title=title,
                    scale=scale,
                    subtitle=pairs.attrs["counted"],
                )
            if by in (None, "code"):
                freq = self.frequencies(**options)
                return bar_chart(freq, target, subtitle=freq.attrs["counted"])
            freq = self.frequencies(by=by, zeros=True, **options)
            try:
                return grouped_bar_chart(freq, target, by=str(by), subtitle=freq.attrs["counted"])
            except ValueError as exc:
                raise ProjectError(str(exc), file=self._ctx.label) from None

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

        return write_study_report(self._ctx, self, self._agreement, path, **filters)


def _marked(table: pd.DataFrame, data: StudyData) -> pd.DataFrame:
    """``table`` with whose codings it counts and its filters in ``attrs`` (see
    :func:`qualcode.analysis.counted.mark`)."""
    from qualcode.analysis.counted import mark

    assert data.counted is not None  # study_data always says
    return mark(table, data.counted, data.filters)
