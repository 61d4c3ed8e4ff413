"""Read-only queries for the analysis tables, returned as pandas DataFrames in one go.

Every frame is read with a single query and built column-wise, never row by row: a study
may hold a million codings. The coding frame carries integer ids only (names come from the
small source and coder frames), which keeps reading it fast. pandas is imported inside the
methods because the command line imports the store and must start without loading pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from qualcode.store import schema as s
from qualcode.store.base import StoreBase

if TYPE_CHECKING:
    import pandas as pd

CODING_COLUMNS = ("coding_id", "source_id", "code_id", "coder_id", "start", "end")
TURN_COLUMNS = ("source_id", "idx", "start", "end", "speaker")


def _frame(conn: Any, query: Any, columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """Rows of ``query`` as a DataFrame with ``columns``, typed even when empty."""
    import pandas as pd  # deferred: see the module docstring

    rows = conn.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    return frame.astype(dtypes) if dtypes else frame


class AnalysisMixin(StoreBase):
    def codings_frame(
        self,
        *,
        coder_ids: Sequence[int] | None = None,
        code_ids: Sequence[int] | None = None,
        source_ids: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Codings as ``coding_id, source_id, code_id, coder_id, start, end`` (int64),
        filtered in the database by coder, code and source."""
        c = s.codings
        q = select(c.c.id, c.c.source_id, c.c.code_id, c.c.coder_id, c.c.start, c.c.end)
        if coder_ids is not None:
            q = q.where(c.c.coder_id.in_(list(coder_ids)))
        if code_ids is not None:
            q = q.where(c.c.code_id.in_(list(code_ids)))
        if source_ids is not None:
            q = q.where(c.c.source_id.in_(list(source_ids)))
        with self.reading() as conn:
            return _frame(conn, q, CODING_COLUMNS, dict.fromkeys(CODING_COLUMNS, "int64"))

    def turns_frame(self, source_ids: Sequence[int] | None = None) -> pd.DataFrame:
        """Speaker turns as ``source_id, idx, start, end, speaker`` ordered by source and idx."""
        t = s.turns
        q = select(t.c.source_id, t.c.idx, t.c.start, t.c.end, t.c.speaker)
        if source_ids is not None:
            q = q.where(t.c.source_id.in_(list(source_ids)))
        q = q.order_by(t.c.source_id, t.c.idx)
        ints = dict.fromkeys(TURN_COLUMNS[:4], "int64")
        with self.reading() as conn:
            return _frame(conn, q, TURN_COLUMNS, {**ints, "speaker": "object"})

    def sources_frame(self) -> pd.DataFrame:
        """One row per source: ``source_id, source, kind, language, length`` and one column
        per case attribute (pivoted; missing values are NaN), ordered by id."""
        src, a = s.sources, s.attributes
        q = select(
            src.c.id, src.c.name, src.c.kind, src.c.language, func.length(src.c.text)
        ).order_by(src.c.id)
        cols = ("source_id", "source", "kind", "language", "length")
        with self.reading() as conn:
            frame = _frame(conn, q, cols, {"source_id": "int64", "length": "int64"})
            attrs = _frame(
                conn, select(a.c.source_id, a.c.name, a.c.value), ("source_id", "name", "value"), {}
            )
        if attrs.empty:
            return frame
        wide = attrs.pivot(index="source_id", columns="name", values="value")
        wide.columns = [str(c) for c in wide.columns]
        # An attribute named like a fixed column would shadow it; the fixed column wins.
        wide = wide.drop(columns=[c for c in wide.columns if c in cols])
        return frame.merge(wide, how="left", left_on="source_id", right_index=True)

    def coders_frame(self) -> pd.DataFrame:
        """``coder_id, coder`` of every coder."""
        q = select(s.coders.c.id, s.coders.c.name).order_by(s.coders.c.id)
        with self.reading() as conn:
            return _frame(conn, q, ("coder_id", "coder"), {"coder_id": "int64"})

    def texts_frame(self, source_ids: Sequence[int] | None = None) -> pd.DataFrame:
        """``source_id, text`` of the sources (for sentence units)."""
        q = select(s.sources.c.id, s.sources.c.text).order_by(s.sources.c.id)
        if source_ids is not None:
            q = q.where(s.sources.c.id.in_(list(source_ids)))
        with self.reading() as conn:
            return _frame(conn, q, ("source_id", "text"), {"source_id": "int64"})

    def quote_texts(self, coding_ids: Sequence[int]) -> pd.DataFrame:
        """``coding_id, text``: the quoted text of codings, cut out in the database.

        SQL ``substr`` counts characters (code points) on SQLite and PostgreSQL alike, the
        unit of coding offsets.
        """
        c, src = s.codings, s.sources
        quote = func.substr(src.c.text, c.c.start + 1, c.c.end - c.c.start)
        q = select(c.c.id, quote).join(src, src.c.id == c.c.source_id)
        ids = list(coding_ids)
        with self.reading() as conn:
            if len(ids) < 10_000:
                q = q.where(c.c.id.in_(ids))
            frame = _frame(conn, q, ("coding_id", "text"), {"coding_id": "int64"})
        return frame if len(ids) < 10_000 else frame[frame["coding_id"].isin(ids)]

    def coder_sources_frame(self) -> pd.DataFrame:
        """``coder_id, source_id``: the sources each coder has coded anything in."""
        c = s.codings
        q = select(c.c.coder_id, c.c.source_id).distinct()
        with self.reading() as conn:
            return _frame(
                conn,
                q,
                ("coder_id", "source_id"),
                dict.fromkeys(("coder_id", "source_id"), "int64"),
            )
