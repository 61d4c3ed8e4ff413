"""The evaluator on the shared music data: the figures of the README in under a minute.

``pytest tests/benchmarks/test_bench_evaluate.py -s`` prints the wall time (untraced: tracing
memory would slow the fits several times over) with the machine's load beside it, since the
2 cores are shared.
"""

from __future__ import annotations

import os

import pytest

from qualcode.nlp.evaluate import evaluate, read_passages
from tests.benchmarks.test_bench_suggest import wall
from tests.test_evaluate import DATA

MUSIC = DATA / "music_listening_coded.csv"


@pytest.mark.skipif(not MUSIC.is_file(), reason="../shared/data is not here")
def test_the_music_figures_in_under_a_minute():
    print(f"\n[benchmark] load average {os.getloadavg()[0]:.1f}")
    with wall("evaluator, music data, 3 splits with and without function words", 60):
        passages = read_passages(MUSIC, "full_response_text", "code_level3", group="participant_id")
        result = evaluate(passages)
    print(f"[benchmark] p@3 {result['p_at_3']} (sd {result['spread']['p_at_3']['sd']})")
    assert result["p_at_3"] >= result["baseline_p_at_3"] + 0.15
