"""The suggestions a source got, kept on disk so the same question in a new process is
answered without loading the NLP.

A ``qualcode suggest`` is a process of its own: even with the model and the analyses kept
(:mod:`qualcode.nlp.kept`), reading the model imports scikit-learn and the analyses spaCy,
more than a second before the first line. What a source's suggestions depend on is all in
the project's store and the code, so they are kept under a hash of all of it: the codebook
(every field), every coding and rejected suggestion (what the model learns from, and which
codes a turn already has), every source's text, language, turns and attributes (the shared
word weights and the context), the project's settings the suggester reads (and the installed
version of a spaCy pipeline they name), the question
(source, unit, top, lowest score), the suggester's name and the code that computes them. Any
change to one of these is a new key, so a kept answer is never stale; it is exactly what was
computed (``tests/test_suggest_answered.py`` compares them). ``QUALCODE_CACHE_DIR=off``
keeps nothing.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.model import Suggestion
from qualcode.nlp import kept
from qualcode.nlp.pipeline import model_version

if TYPE_CHECKING:
    from qualcode.model import Source
    from qualcode.project.base import ProjectContext
    from qualcode.project.eligible import LeftOut

KIND = "suggested"


@functools.cache
def _code() -> str:
    """The code that turns a project into suggestions, besides the NLP's own
    (:func:`kept.code_version`): the project's services, the units and the importers'
    speaker handling."""
    root = Path(__file__).parent.parent
    h = hashlib.sha256(kept.code_version().encode())
    for folder in ("project", "analysis", "ingest"):
        for path in sorted((root / folder).glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in ("segments.py", "model.py"):
        path = root / name
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


class Answers:
    """The kept suggestions of one project state: :meth:`key` a question, :meth:`get` and
    :meth:`put` its answer. Reading the state is a few queries, no NLP."""

    def __init__(self, ctx: ProjectContext, suggester: str) -> None:
        self._ctx = ctx
        store = ctx.store
        settings = ctx.settings()
        turns = store.turn_fingerprints()
        sources = [
            (s.id, s.content_hash, s.language, turns.get(s.id, ""), sorted(s.attributes.items()))
            for s in store.list_sources()
        ]
        codings = sorted((c.source_id, c.start, c.end, c.code_id) for c in store.list_codings())
        rejected = sorted(
            (f.source_id, f.start, f.end, f.code_id) for f in store.list_feedback(accepted=False)
        )
        self._state = kept.digest(
            suggester,
            _code(),
            repr(ctx.codebook().codes),
            codings,
            rejected,
            sources,
            [ctx.language, settings.nlp_model or "", settings.nlp_context or ""],
            model_version(settings.nlp_model),  # a named pipeline installed anew
        )

    def key(self, src: Source, unit: str, top: int, min_score: float) -> str:
        """The key of ``src``'s suggestions per ``unit`` (``top`` codes, ``min_score`` up)."""
        return kept.digest(self._state, src.id, unit, top, min_score)

    def get(self, key: str, left_out: LeftOut | None) -> list[Suggestion] | None:
        """The suggestions kept under ``key`` (adding what they left out to ``left_out``),
        or None when there are none."""
        entry = kept.get_json(KIND, key)
        if not isinstance(entry, dict):
            return None
        try:
            found = [_suggestion(row) for row in entry["suggestions"]]
            counts = {str(k): int(n) for k, n in entry["left_out"].items()}
        except (KeyError, TypeError, ValueError):
            return None
        if left_out is not None:
            for reason, n in counts.items():
                left_out.add(reason, n)
        return found

    def put(self, key: str, found: list[Suggestion], left_out: LeftOut) -> None:
        """Keep ``found`` and what was left out (the counts of this source alone)."""
        rows = [
            [
                s.source_id,
                s.start,
                s.end,
                s.label,
                s.score,
                s.suggester,
                list(s.evidence),
                s.code_id,
            ]
            for s in found
        ]
        kept.put_json(KIND, key, {"suggestions": rows, "left_out": left_out.counts()})


def _suggestion(row: list[Any]) -> Suggestion:
    sid, start, end, label, score, suggester, evidence, code_id = row
    return Suggestion(
        int(sid),
        int(start),
        int(end),
        str(label),
        float(score),
        str(suggester),
        tuple(str(e) for e in evidence),
        None if code_id is None else int(code_id),
    )
