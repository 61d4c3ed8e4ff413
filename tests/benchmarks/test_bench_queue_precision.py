"""The review queue judged by a second coder: ``suggest --all`` on the example study with one
coder's codings, each queued suggestion right when the other coder put that code on the
sentence.

Run ``pytest tests/benchmarks/test_bench_queue_precision.py -s``: it prints, per coder and
minimum precision, what was queued, how many the other coder agrees with, the precision the
queue promised, and each queued suggestion (right or missed) so the misses can be read.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qualcode.examples import CODERS, CODINGS, build_demo, examples_root
from qualcode.project import Project
from tests.conftest import copy_project

MINIMA = (0.8, 0.6, 0.5)


def _codings_of(coder: str, blank: Path, folder: Path) -> Path:
    path = copy_project(blank, folder, f"{coder}.qcdb")
    with Project.open(path) as p:
        p.exchange.merge_from([examples_root() / CODINGS / f"{coder}.qdpx"])
    return path


@pytest.mark.parametrize(("coder", "judge"), [CODERS, tuple(reversed(CODERS))])
def test_the_queue_judged_by_the_other_coder(coder: str, judge: str, tmp_path: Path) -> None:
    blank = tmp_path / "blank.qcdb"
    build_demo(blank, coded=False).close()
    with Project.open(_codings_of(judge, blank, tmp_path)) as p:
        theirs = [(c.source_id, c.start, c.end, c.code_id) for c in p.context.store.list_codings()]
    with Project.open(_codings_of(coder, blank, tmp_path)) as p:
        for minimum in MINIMA:
            cpu = time.process_time()
            queued = p.suggestions.queue_suggestions(min_precision=minimum)
            cpu = time.process_time() - cpu
            right = 0
            lines = []
            for item in p.suggestions.pending():
                s = item.suggestion
                ok = any(
                    sid == s.source_id and code == s.code_id and a < s.end and b > s.start
                    for sid, a, b, code in theirs
                )
                right += ok
                quote = " ".join(p.context.source(s.source_id).text[s.start : s.end].split())
                lines.append(f"  {'right' if ok else 'miss '} {s.score:.2f} {s.label} | {quote}")
            share = f"{right / queued.suggestions:.0%}" if queued.suggestions else "-"
            print(
                f"\n[queue] {coder} at {minimum}: {queued.suggestions} queued, {right} right by "
                f"{judge} ({share}); promised {queued.precision:.2f}; {cpu:.0f} s CPU\n"
                f"  {queued.describe(minimum)}"
            )
            print("\n".join(lines))
            assert queued.precision == 0.0 or queued.precision >= minimum
