"""Suggestion speed: the passage under the cursor, a refit after coding, a 200,000-word batch.

The corpus is made of the example study's own turns, reshuffled into 40 transcripts of 5,000
words, so the vocabulary is that of real interviews; 300 turns are coded with the codes the
codebook suggester ranks first, as a coder taking suggestions would.

The ``bench`` fixture traces memory, which slows Python code several times over; times that
are compared with the targets (50 ms per passage, well under a minute per batch) are also
taken with ``wall``, without tracing.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualcode.examples import build_demo, examples_root
from qualcode.project import Project


@contextmanager
def wall(label: str, limit: float | None = None) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    print(f"\n[benchmark] {label}: {seconds:.2f} s (wall clock, untraced)")
    assert limit is None or seconds < limit


def _write_corpus(tmp_path: Path, files: int = 40, words: int = 5000) -> list[Path]:
    with build_demo(tmp_path / "demo.qcdb") as demo:
        turns = [
            " ".join(demo.sources.get(s.id).text[t.start : t.end].split())
            for s in demo.sources.all()
            if s.language == "en"
            for t in demo.sources.turns(s.id)
            if t.end - t.start > 40
        ]
    rng = random.Random(3)
    paths = []
    for i in range(files):
        lines, total, n = [f"Interview {i}, telephone"], 0, 0
        while total < words:
            turn = rng.choice(turns)
            lines.append(f"{('INTERVIEWER', 'STUDENT')[n % 2]}: {turn}")
            total += len(turn.split())
            n += 1
        path = tmp_path / f"big{i:02d}.txt"
        path.write_text("\n".join(lines) + f"\nEnd of interview {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def _project(tmp_path: Path) -> Project:
    p = Project.create(tmp_path / "big.qcdb", coder="anna")
    p.sources.import_files(_write_corpus(tmp_path))
    p.codebook.import_codebook(examples_root() / "codebooks" / "mentoring.yaml")
    first = {(s.source_id, s.start): s for s in p.suggestions.suggest_source(top=1, min_score=0.0)}
    for s in random.Random(4).sample(
        sorted(first.values(), key=lambda s: (s.source_id, s.start)), 300
    ):
        p.coding.apply(s.source_id, s.start, s.end, s.code_id or s.label, new=s.code_id is None)
    return p


def test_suggestions_for_a_200000_word_project(tmp_path: Path, bench):
    p = _project(tmp_path)
    assert sum(s.words for s in p.sources.all()) >= 200_000
    # The answers: the interviewer's questions get no suggestions (the project does not code
    # them), so timing a suggestion for one would time nothing.
    turns = [
        (s.id, t.start, t.end)
        for s in p.sources.all()
        for t in p.sources.turns(s.id)
        if t.speaker != "INTERVIEWER"
    ]

    p.coding.apply(turns[0][0], turns[0][1], turns[0][2], "Awareness and publicity/Awareness")
    with wall("refit after one new coding (300 coded passages)", 10):
        p.suggestions.suggest(*turns[1], fresh=True)
    p.coding.apply(turns[1][0], turns[1][1], turns[1][2], "Awareness and publicity/Awareness")
    with wall("suggestion right after a new coding (refit in the background)", 0.05):
        p.suggestions.suggest(*turns[2])
    p.suggestions.wait_for_model()

    with bench("first suggestion for the passage under the cursor (warm model)"):
        p.suggestions.suggest(*turns[2])
    rng = random.Random(5)
    times = []
    for sid, start, end in rng.sample(turns, 200):
        t0 = time.perf_counter()
        p.suggestions.suggest(sid, start, end)
        times.append(1000 * (time.perf_counter() - t0))
    median, p95 = statistics.median(times), sorted(times)[int(0.95 * len(times))]
    print(f"\n[benchmark] per passage: median {median:.1f} ms, 95th percentile {p95:.1f} ms")
    assert median < 50

    with wall("batch: every turn of 200,000 words (analyses cached)", 60):
        found = p.suggestions.suggest_source(top=3, min_score=0.3)
    assert found
    with wall("batch: every sentence of 200,000 words (analyses cached)", 60):
        assert p.suggestions.suggest_source(top=3, min_score=0.3, unit="sentence")
    with bench("batch: every turn, memory"):
        p.suggestions.suggest_source(top=3, min_score=0.3)
    p.close()


def test_batch_from_cold_for_a_200000_word_project(tmp_path: Path, bench, monkeypatch):
    # A fresh process: no cached analyses, no fitted model, nothing kept on disk.
    from qualcode.nlp import pipeline

    monkeypatch.setenv("QUALCODE_CACHE_DIR", str(tmp_path / "kept"))

    paths = _write_corpus(tmp_path)
    with Project.create(tmp_path / "cold.qcdb", coder="anna") as p:
        p.sources.import_files(paths)
        p.codebook.import_codebook(examples_root() / "codebooks" / "mentoring.yaml")
        pipeline._CACHE.clear()
        with wall("batch from cold: parse 200,000 words, fit, suggest every turn", 60):
            found = p.suggestions.suggest_source(top=3, min_score=0.3)
        assert found
        with wall("themes over 200,000 words (analyses cached)", 60):
            assert p.suggestions.themes(n=8)
        with bench("themes, memory"):
            p.suggestions.themes(n=8)
