"""Peak memory of importing one 200 MB transcript, and of listing and exporting that project.

Each command runs as its own process (``python -m qualcode``), and its peak resident set
size is what the kernel reports for that child alone (``os.wait4``), so the figures are what
a user's machine sees, interpreter and libraries included. Run on demand:
``pytest tests/benchmarks/test_bench_memory.py -s``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.benchmarks.test_bench_import import WORDS

MB = 1000 * 1000
SIZE = 200 * MB


def write_transcript(path: Path, size: int) -> int:
    """A transcript of about ``size`` bytes: two speakers, timestamps, some umlauts."""
    words = [*WORDS, "Prüfung", "Studienfächer", "hören", "größer"]
    line_no = 0
    written = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        while written < size:
            block = []
            for _ in range(1000):
                n = 20 + line_no * 37 % 90
                said = " ".join(words[(line_no * 7 + k * 13) % len(words)] for k in range(n))
                sec = 5 * line_no
                speaker = "INTERVIEWER" if line_no % 2 else "STUDENT"
                block.append(
                    f"[{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}] {speaker}: {said}.\n"
                )
                line_no += 1
            text = "".join(block)
            fh.write(text)
            written += len(text.encode("utf-8"))
    return path.stat().st_size


def peak_rss(*args: str | Path) -> tuple[int, float]:
    """Run ``python -m qualcode ARGS``; its peak resident set size in bytes, and seconds."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "qualcode", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    assert child.stderr is not None
    error = child.stderr.read().decode()
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, error
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KiB
    return usage.ru_maxrss * scale, seconds


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 (POSIX)")
def test_peak_memory_of_a_200_mb_transcript(tmp_path: Path):
    transcript = tmp_path / "long_interview.txt"
    size = write_transcript(transcript, SIZE)
    project = tmp_path / "big.qcdb"
    figures = {"init (interpreter and libraries)": peak_rss("init", project)}
    baseline = figures["init (interpreter and libraries)"][0]
    figures["import"] = peak_rss("import", project, transcript, "--max-size", "300MB")
    figures["sources"] = peak_rss("sources", project)
    figures["export"] = peak_rss("export", project, tmp_path / "big.qdpx")
    print(f"\n[benchmark] transcript of {size / MB:.1f} MB")
    for label, (rss, seconds) in figures.items():
        print(f"[benchmark] {label}: peak RSS {rss / MB:.0f} MB, {seconds:.1f} s")
    assert figures["import"][0] < 3 * size
    assert figures["sources"][0] < baseline + 100 * MB
