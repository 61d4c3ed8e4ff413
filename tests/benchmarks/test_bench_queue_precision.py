"""The review queue judged by a second coder: ``suggest --all`` on the example study with one
coder's codings, each queued suggestion right when the other coder put that code on the
sentence.

Two situations. In the first, the coder has coded every source: what the queue can offer is
text the coder read and left uncoded, which the other coder mostly left too. In the second,
the one a queue is for, the coder has coded the first few sources (in the order the project
lists them) and the queue offers codes for the sources not yet coded; each is judged by the
other coder's codings of those sources.

Run ``pytest tests/benchmarks/test_bench_queue_precision.py -s``: it prints, per coder and
minimum precision, what was queued, how many the other coder agrees with, the precision the
queue promised, the CPU time, and each queued suggestion (right or missed) so the misses can
be read.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qualcode.examples import CODERS, CODINGS, build_demo, examples_root
from qualcode.model import Suggestion
from qualcode.project import Project
from tests.conftest import copy_project

MINIMA = (0.8, 0.7, 0.6)
PAIRS = [CODERS, tuple(reversed(CODERS))]

Marks = list[tuple[int, int, int, int]]  # source id, start, end, code id


def _codings_of(coder: str, blank: Path, folder: Path, first: int | None = None) -> Path:
    """A copy of the uncoded demo with ``coder``'s codings (of the first ``first`` sources
    only, if given)."""
    path = copy_project(blank, folder, f"{coder}-{first}.qcdb")
    with Project.open(path) as p:
        p.exchange.merge_from([examples_root() / CODINGS / f"{coder}.qdpx"])
        if first is not None:
            keep = {s.id for s in p.sources.all()[:first]}
            for c in p.context.store.list_codings():
                if c.source_id not in keep:
                    p.coding.remove_coding(c.id)
    return path


def _marks(path: Path) -> Marks:
    with Project.open(path) as p:
        return [(c.source_id, c.start, c.end, c.code_id) for c in p.context.store.list_codings()]


def _judge_queue(
    p: Project,
    coder: str,
    judge: str,
    theirs: Marks,
    only: set[int] | None,
    own: Marks | None = None,
) -> None:
    """Queue at each minimum and print it judged by ``theirs`` (of the sources ``only``),
    and by ``own``, the coder's later codings of those sources, if given (what the promised
    precision is about)."""
    for minimum in MINIMA:
        cpu = time.process_time()
        queued = p.suggestions.queue_suggestions(min_precision=minimum)
        cpu = time.process_time() - cpu
        right = judged = mine = 0
        lines = []
        for item in p.suggestions.pending():
            s = item.suggestion
            ok = _agrees(s, theirs)
            counts = only is None or s.source_id in only
            judged += counts
            right += ok and counts
            mine += counts and own is not None and _agrees(s, own)
            quote = " ".join(p.context.source(s.source_id).text[s.start : s.end].split())
            mark = ("right" if ok else "miss ") if counts else "(read)"
            lines.append(f"  {mark} {s.score:.2f} {s.label} | {quote[:110]}")
        share = f"{right / judged:.0%}" if judged else "-"
        where = f", {judged} in sources not yet coded" if only is not None else ""
        later = f", {mine} by {coder}'s later coding" if own else ""
        print(
            f"\n[queue] {coder} at {minimum}: {queued.suggestions} queued{where}, {right} "
            f"right by {judge} ({share}){later}; promised {queued.precision:.2f}; "
            f"{cpu:.1f} s CPU\n  {queued.describe(minimum)}"
        )
        print("\n".join(lines))
        assert queued.precision == 0.0 or queued.precision >= minimum


def _agrees(s: Suggestion, marks: Marks) -> bool:
    """Whether ``marks`` put the suggested code on a span overlapping the suggestion."""
    return any(
        sid == s.source_id and code == s.code_id and a < s.end and b > s.start
        for sid, a, b, code in marks
    )


@pytest.mark.parametrize(("coder", "judge"), PAIRS)
def test_the_queue_judged_by_the_other_coder(coder: str, judge: str, tmp_path: Path) -> None:
    blank = tmp_path / "blank.qcdb"
    build_demo(blank, coded=False).close()
    theirs = _marks(_codings_of(judge, blank, tmp_path))
    with Project.open(_codings_of(coder, blank, tmp_path)) as p:
        _judge_queue(p, coder, judge, theirs, None)


@pytest.mark.parametrize("first", [4, 6, 8])
@pytest.mark.parametrize(("coder", "judge"), PAIRS)
def test_the_queue_for_sources_not_yet_coded(
    coder: str, judge: str, first: int, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.qcdb"
    build_demo(blank, coded=False).close()
    theirs = _marks(_codings_of(judge, blank, tmp_path))
    mine = _marks(_codings_of(coder, blank, tmp_path))
    with Project.open(_codings_of(coder, blank, tmp_path, first)) as p:
        rest = {s.id for s in p.sources.all()[first:]}
        print(f"\n[queue] {coder} has coded the first {first} of {first + len(rest)} sources")
        later = [m for m in mine if m[0] in rest]
        _judge_queue(p, coder, judge, [m for m in theirs if m[0] in rest], rest, later)
