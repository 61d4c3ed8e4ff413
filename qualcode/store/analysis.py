"""Read-only queries for the analysis tables, returned as pandas DataFrames in one go.

Every frame is read with a single query, as plain tuples from the DBAPI cursor, and turned
into arrays in one go: a study may hold a million codings. The coding frame carries integer
ids only (names come from the small source and coder frames), and the codings and turns are
kept while the database is unchanged (see ``AnalysisMixin._kept``). pandas is imported inside
the methods because the command line imports the store and must start without loading pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from qualcode.store import schema as s
from qualcode.store.base import StoreBase

if TYPE_CHECKING:
    import pandas as pd

CODING_COLUMNS = ("coding_id", "source_id", "code_id", "coder_id", "start", "end")
TURN_COLUMNS = ("source_id", "idx", "start", "end", "speaker")
_ALL_CODINGS = 'SELECT id, source_id, code_id, coder_id, start, "end" FROM codings ORDER BY id'
_PACKED_CODINGS = (
    'SELECT (id << 16) | coder_id, (source_id << 32) | start, (code_id << 32) | "end" '
    "FROM codings ORDER BY id"
)
# Highest ids, each a lookup in a primary key: whether the packed read above fits int64.
_MAX_IDS = (
    "SELECT (SELECT MAX(id) FROM codings), (SELECT MAX(id) FROM coders), "
    "(SELECT MAX(id) FROM sources), (SELECT MAX(id) FROM codes)"
)


def _packable(conn: Any) -> bool:
    coding, coder, source, code = (v or 0 for v in conn.exec_driver_sql(_MAX_IDS).one())
    return coding < 2**46 and coder < 2**16 and source < 2**30 and code < 2**30


def _frame(conn: Any, query: Any, columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """Rows of ``query`` as a DataFrame with ``columns``, typed even when empty."""
    import pandas as pd  # deferred: see the module docstring

    rows = _fetch(conn, query)
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    return frame.astype(dtypes) if dtypes else frame


def _fetch(conn: Any, query: Any) -> list[tuple[Any, ...]]:
    """All rows of ``query`` as plain tuples, through the DBAPI cursor: building a Row
    object per row would take longer than everything done with the rows afterwards.

    The driver's own errors (a lock waited on too long, a dropped connection) are wrapped as
    SQLAlchemy wraps them, so the store's error handling says them in one line as it does
    for every other statement.
    """
    if not isinstance(query, str):
        # Only ids and names are bound here, which literal rendering quotes safely.
        query = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    driver_error = conn.dialect.loaded_dbapi.Error
    try:
        cursor = conn.connection.cursor()
        try:
            cursor.execute(query)
            return list(cursor.fetchall())
        finally:
            cursor.close()
    except driver_error as exc:
        raw = conn.connection.dbapi_connection
        disconnected = conn.dialect.is_disconnect(exc, raw, None)
        if disconnected:  # as SQLAlchemy does: the pool must not reuse (or reset) it
            conn.invalidate(exc)
        raise DBAPIError.instance(
            query, None, exc, driver_error, connection_invalidated=disconnected
        ) from exc


class AnalysisMixin(StoreBase):
    def _kept(self, conn: Any, name: str, load: Callable[[], Any]) -> Any:
        """``load()``, or what it returned last time if the database has not changed since.

        Reading a million codings costs far more than counting them, and a report shows
        several tables of one state of the project. The dialect's change token says
        "unchanged"; where there is none, and inside a transaction (whose writes may yet be
        rolled back), nothing is kept.
        """
        if getattr(self._local, "conn", None) is not None:
            return load()
        token = self.dialect.change_token(conn)
        if token is None:
            return load()
        kept = self._kept_frames
        if name in kept and kept[name][0] == token:
            return kept[name][1]
        value = load()
        kept[name] = (token, value)
        return value

    def codings_frame(
        self,
        *,
        coder_ids: Sequence[int] | None = None,
        code_ids: Sequence[int] | None = None,
        source_ids: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Codings as ``coding_id, source_id, code_id, coder_id, start, end`` (int64),
        filtered by coder, code and source: the whole table is read (and kept, see
        :meth:`_kept`) and filtered with numpy."""
        import numpy as np  # deferred: see the module docstring
        import pandas as pd

        def load() -> Any:
            if not (self.dialect.packs_integers and _packable(conn)):
                rows = _fetch(conn, _ALL_CODINGS)
                return np.array(rows, dtype=np.int64).reshape(-1, len(CODING_COLUMNS))
            # Six integers a row travel as three: a third fewer Python objects to build,
            # a third less time. Offsets fit 32 bits (SQLite's longest text is 10**9).
            packed = np.array(_fetch(conn, _PACKED_CODINGS), dtype=np.int64).reshape(-1, 3)
            low16, low32 = np.int64(0xFFFF), np.int64(0xFFFFFFFF)
            a, b, c = packed[:, 0], packed[:, 1], packed[:, 2]
            return np.stack([a >> 16, b >> 32, c >> 32, a & low16, b & low32, c & low32], axis=1)

        with self.reading() as conn:
            values = self._kept(conn, "codings", load)
        keep = np.ones(len(values), dtype=bool)
        for col, wanted in ((3, coder_ids), (2, code_ids), (1, source_ids)):
            if wanted is not None:
                keep &= np.isin(values[:, col], np.asarray(list(wanted), dtype=np.int64))
        chosen = values if keep.all() else values[keep]
        return pd.DataFrame(chosen, columns=list(CODING_COLUMNS))

    def turns_frame(self, source_ids: Sequence[int] | None = None) -> pd.DataFrame:
        """Speaker turns as ``source_id, idx, start, end, speaker`` ordered by source and idx
        (all read and kept, see :meth:`_kept`; the sources chosen with pandas)."""
        t = s.turns
        q = select(t.c.source_id, t.c.idx, t.c.start, t.c.end, t.c.speaker)
        q = q.order_by(t.c.source_id, t.c.idx)
        ints = dict.fromkeys(TURN_COLUMNS[:4], "int64")
        with self.reading() as conn:
            frame = self._kept(
                conn, "turns", lambda: _frame(conn, q, TURN_COLUMNS, {**ints, "speaker": "object"})
            )
        if source_ids is not None:
            frame = frame[frame["source_id"].isin(list(source_ids))].reset_index(drop=True)
        return frame

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

    def quote_texts(
        self,
        *,
        coder_ids: Sequence[int] | None = None,
        code_ids: Sequence[int] | None = None,
        source_ids: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """``coding_id, text``: the quoted text of the codings the filters select, cut out in
        the database. SQL ``substr`` counts characters (code points) on SQLite and
        PostgreSQL alike, the unit of coding offsets."""
        c, src = s.codings, s.sources
        quote = func.substr(src.c.text, c.c.start + 1, c.c.end - c.c.start)
        q = select(c.c.id, quote).join(src, src.c.id == c.c.source_id)
        if coder_ids is not None:
            q = q.where(c.c.coder_id.in_(list(coder_ids)))
        if code_ids is not None:
            q = q.where(c.c.code_id.in_(list(code_ids)))
        if source_ids is not None:
            q = q.where(c.c.source_id.in_(list(source_ids)))
        with self.reading() as conn:
            return _frame(conn, q, ("coding_id", "text"), {"coding_id": "int64"})

    def coder_sources_frame(self, coder_ids: Sequence[int] | None = None) -> pd.DataFrame:
        """``coder_id, source_id``: the sources each coder has coded anything in."""
        frame = self.codings_frame(coder_ids=coder_ids)
        return frame[["coder_id", "source_id"]].drop_duplicates().reset_index(drop=True)
