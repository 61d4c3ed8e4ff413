"""Sources, their speaker turns and their case attributes.

A source's text can be hundreds of megabytes, so listing sources never loads texts: the
words and characters of :meth:`SourcesMixin.source_summaries` are counted from the text
read in chunks (SQLite's incremental blob reading), one chunk in memory at a time.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, select

from qualcode.model import Source, SourceSummary, Turn
from qualcode.store import schema as s
from qualcode.store.base import StoreBase

_WORD = re.compile(r"\w+")
_CHUNK = 2**20  # characters or bytes of a text handled at a time
_TURN_BATCH = 10_000  # turn rows inserted at a time
LONG_TEXT = 2**23  # characters from which an import spills a text to a file


@dataclass(frozen=True, slots=True)
class NewSource:
    """A source to be written, with its turns as ``(start, end, speaker, timestamp)``."""

    name: str
    kind: str
    text: str
    language: str
    content_hash: str
    origin: str
    imported_at: str
    turns: Sequence[tuple[int, int, str | None, float | None]] = ()
    attributes: Mapping[str, str] | None = None
    guid: str | None = None
    long_text: LongText | None = None  # the text, spilled to a file (``text`` is then "")


class LongText:
    """A long text kept as UTF-8 in an unnamed temporary file until it is written.

    SQLite needs a text twice while it builds the row (the value and the row), so a 200 MB
    transcript still held as a string as well would take three times its size. Spilled
    here, the string can be freed before the row is written; the operating system removes
    the file when it is closed, or when the process ends however it ends.

    Args:
        text: the text.
        folder: where to put the file (beside the project: ``/tmp`` is often in memory);
            None for the system's temporary folder.
    """

    def __init__(self, text: str, folder: Path | None = None):
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - open until close()
        self.length = len(text)
        for piece in _utf8_pieces(text):
            self._file.write(piece)
        self.size = self._file.tell()

    def __len__(self) -> int:
        return self.length

    def pieces(self) -> Iterator[bytes]:
        """The UTF-8 bytes, a piece at a time."""
        self._file.seek(0)
        while data := self._file.read(_CHUNK):
            yield data

    def close(self) -> None:
        self._file.close()


def spill(text: str, folder: Path | None = None) -> LongText | None:
    """A :class:`LongText` (in ``folder``) for a text long enough to be worth it, else None."""
    return LongText(text, folder) if len(text) > LONG_TEXT else None


def merge_intervals(spans: Iterable[tuple[int, int]]) -> int:
    """Total length covered by a set of ``[start, end)`` spans, overlaps counted once."""
    total = 0
    cur_start = cur_end = -1
    for start, end in sorted(spans):
        if start > cur_end:
            total += max(0, cur_end - cur_start)
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    total += max(0, cur_end - cur_start)
    return total


class SourcesMixin(StoreBase):
    def add_sources(self, new: Sequence[NewSource]) -> list[int]:
        """Insert sources with their turns and attributes in bulk; returns their ids."""
        if not new:
            return []
        with self.writing() as conn:
            return self._add_sources(conn, new)

    def _add_sources(self, conn: Connection, new: Sequence[NewSource]) -> list[int]:
        streams = self.dialect.streams_text
        long = [streams and (n.long_text is not None or len(n.text) > _CHUNK) for n in new]
        rows = [
            {
                "name": n.name,
                "kind": n.kind,
                "text": "" if is_long else _whole_text(n),
                "language": n.language,
                "guid": n.guid,
                "content_hash": n.content_hash,
                "origin": n.origin,
                "imported_at": n.imported_at,
            }
            for n, is_long in zip(new, long, strict=True)
        ]
        # insertmanyvalues: one round trip per batch, ids returned in parameter order.
        stmt = s.sources.insert().returning(s.sources.c.id, sort_by_parameter_order=True)
        ids = [int(i) for i in conn.execute(stmt, rows).scalars()]
        for source_id, n, is_long in zip(ids, new, long, strict=True):
            if is_long:
                # Written a piece at a time, never bound whole (see the dialect).
                if n.long_text is not None:
                    pieces, size = n.long_text.pieces(), n.long_text.size
                else:
                    pieces, size = _utf8_pieces(n.text), _utf8_size(n.text)
                self.dialect.write_long_text(conn, s.sources, source_id, pieces, size)
        turn_rows = (
            {"source_id": sid, "idx": i, "start": a, "end": b, "speaker": sp, "timestamp": ts}
            for sid, n in zip(ids, new, strict=True)
            for i, (a, b, sp, ts) in enumerate(n.turns)
        )
        # In batches: half a million turns of a long transcript as one list of dicts
        # would take more memory than its text.
        while batch := list(itertools.islice(turn_rows, _TURN_BATCH)):
            conn.execute(s.turns.insert(), batch)
        attr_rows = [
            {"source_id": sid, "name": k, "value": v}
            for sid, n in zip(ids, new, strict=True)
            for k, v in (n.attributes or {}).items()
        ]
        if attr_rows:
            conn.execute(s.attributes.insert(), attr_rows)
        return ids

    def delete_source(self, source_id: int) -> None:
        with self.writing() as conn:
            conn.execute(delete(s.sources).where(s.sources.c.id == source_id))

    def set_attributes(self, values: Mapping[int, Mapping[str, str]]) -> None:
        """Set case attributes per source id, replacing values of the same name."""
        with self.writing() as conn:
            for source_id, attrs in values.items():
                if not attrs:
                    continue
                conn.execute(
                    delete(s.attributes).where(
                        s.attributes.c.source_id == source_id,
                        s.attributes.c.name.in_(list(attrs)),
                    )
                )
                conn.execute(
                    s.attributes.insert(),
                    [{"source_id": source_id, "name": k, "value": v} for k, v in attrs.items()],
                )

    def source_ids(self) -> dict[str, int]:
        """Every source's id by name (kept while the server's catalog version stays)."""
        q = select(s.sources.c.name, s.sources.c.id)
        with self.reading() as conn:
            found = self._catalog_read(
                conn, "source_ids", lambda: {n: int(i) for n, i in conn.execute(q)}
            )
        return dict(found)

    def source_length(self, source_id: int) -> tuple[str, int] | None:
        """A source's name and the length of its text (in code points), without reading
        the text out (kept while the server's catalog version stays); None if no such."""
        q = select(s.sources.c.name, func.length(s.sources.c.text)).where(
            s.sources.c.id == source_id
        )
        with self.reading() as conn:
            row = self._catalog_read(
                conn, ("length", source_id), lambda: conn.execute(q).one_or_none()
            )
        return None if row is None else (str(row[0]), int(row[1]))

    def source_ids_by_hash(self) -> dict[str, int]:
        with self.reading() as conn:
            q = select(s.sources.c.content_hash, s.sources.c.id)
            return {h: int(i) for h, i in conn.execute(q)}

    def get_source(self, source_id: int) -> Source | None:
        with self.reading() as conn:
            row = conn.execute(select(s.sources).where(s.sources.c.id == source_id)).one_or_none()
            if row is None:
                return None
            attrs = self._attributes(conn, [source_id]).get(source_id, {})
        return _source(row, attrs)

    def list_sources(self, *, with_text: bool = True) -> list[Source]:
        cols = [c for c in s.sources.c if with_text or c.name != "text"]
        with self.reading() as conn:
            rows = conn.execute(select(*cols).order_by(s.sources.c.id)).all()
            attrs = self._attributes(conn, None)
        return [_source(r, attrs.get(r.id, {})) for r in rows]

    def _attributes(self, conn: Connection, ids: list[int] | None) -> dict[int, dict[str, str]]:
        q = select(s.attributes).order_by(s.attributes.c.source_id, s.attributes.c.name)
        if ids is not None:
            q = q.where(s.attributes.c.source_id.in_(ids))
        out: dict[int, dict[str, str]] = defaultdict(dict)
        for r in conn.execute(q):
            out[r.source_id][r.name] = r.value
        return out

    def turns(self, source_id: int) -> list[Turn]:
        with self.reading() as conn:
            rows = conn.execute(
                select(s.turns).where(s.turns.c.source_id == source_id).order_by(s.turns.c.idx)
            )
            return [Turn(r.source_id, r.idx, r.start, r.end, r.speaker, r.timestamp) for r in rows]

    def turn_fingerprints(self) -> dict[int, str]:
        """Per source, a hash of its turns (spans and speakers) in one query: with the text's
        hash, what the NLP reads of a source (the key of what it keeps)."""
        t = s.turns
        found: dict[int, Any] = {}
        with self.reading() as conn:
            q = select(t.c.source_id, t.c.start, t.c.end, t.c.speaker).order_by(
                t.c.source_id, t.c.idx
            )
            for sid, a, b, who in conn.execute(q):
                found.setdefault(sid, hashlib.blake2b(digest_size=16)).update(
                    f"{a},{b},{who}\n".encode()
                )
        return {sid: h.hexdigest() for sid, h in found.items()}

    def source_summaries(self) -> list[SourceSummary]:
        """Name, kind, speakers, turns, words and coded share of every source."""
        t, c = s.turns, s.codings
        with self.reading() as conn:
            srcs = conn.execute(
                select(
                    s.sources.c.id,
                    s.sources.c.name,
                    s.sources.c.kind,
                    s.sources.c.language,
                ).order_by(s.sources.c.id)
            ).all()
            sizes = {
                r.id: _text_size(self.dialect.text_chunks(conn, s.sources, r.id)) for r in srcs
            }
            speakers: dict[int, list[str]] = defaultdict(list)
            q = (
                select(t.c.source_id, t.c.speaker, func.min(t.c.idx).label("first"))
                .where(t.c.speaker.is_not(None))
                .group_by(t.c.source_id, t.c.speaker)
                .order_by(t.c.source_id, "first")
            )
            for r in conn.execute(q):
                speakers[r.source_id].append(r.speaker)
            turn_counts: dict[int, int] = dict(
                conn.execute(select(t.c.source_id, func.count()).group_by(t.c.source_id)).all()
            )
            spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for sid, a, b in conn.execute(select(c.c.source_id, c.c.start, c.c.end)):
                spans[sid].append((a, b))
            coders: dict[int, list[str]] = defaultdict(list)
            q2 = (
                select(c.c.source_id, s.coders.c.name)
                .join(s.coders, s.coders.c.id == c.c.coder_id)
                .distinct()
                .order_by(c.c.source_id, s.coders.c.name)
            )
            for sid, name in conn.execute(q2):
                coders[sid].append(name)
        return [
            SourceSummary(
                id=r.id,
                name=r.name,
                kind=r.kind,
                language=r.language,
                speakers=tuple(speakers[r.id]),
                turns=int(turn_counts.get(r.id, 0)),
                words=sizes[r.id][1],
                characters=sizes[r.id][0],
                coded_characters=merge_intervals(spans[r.id]),
                codings=len(spans[r.id]),
                coders=tuple(coders[r.id]),
            )
            for r in srcs
        ]


def _whole_text(new: NewSource) -> str:
    if new.long_text is None:
        return new.text
    return b"".join(new.long_text.pieces()).decode("utf-8")


def _utf8_pieces(text: str) -> Iterator[bytes]:
    for start in range(0, len(text), _CHUNK):
        yield text[start : start + _CHUNK].encode("utf-8")


def _utf8_size(text: str) -> int:
    return sum(len(piece) for piece in _utf8_pieces(text))


def _text_size(chunks: Iterable[str]) -> tuple[int, int]:
    """Characters and words (runs of ``\\w``) of a text given in pieces."""
    characters = words = 0
    in_word = False  # whether the previous piece ended inside a word
    for piece in chunks:
        if not piece:
            continue
        found = len(_WORD.findall(piece))
        if in_word and _WORD.match(piece):  # one word cut in two by the pieces
            found -= 1
        characters += len(piece)
        words += found
        in_word = _WORD.match(piece[-1]) is not None
    return characters, words


def _source(row: object, attrs: Mapping[str, str]) -> Source:
    m = row._mapping  # type: ignore[attr-defined]
    return Source(
        id=m["id"],
        name=m["name"],
        kind=m["kind"],
        text=m.get("text", ""),
        language=m["language"],
        attributes=dict(attrs),
        guid=m["guid"],
        content_hash=m["content_hash"],
        origin=m["origin"],
        imported_at=m["imported_at"],
    )
