"""Start-up time of the command line: ``qualcode --help`` and ``qualcode sources P``.

Each command runs as its own process, as a user's shell runs it, several times; the median
wall time is compared with that of ``python -c pass`` (the interpreter's own start), so the
figure printed is what qualcode adds. The CPU time of the child (user + system) is printed
too: on a busy machine it varies less than the wall clock. The target is under 0.25 s above
``python -c pass`` for both commands.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from qualcode.examples import build_demo

RUNS = 11
TARGET = 0.25  # seconds above `python -c pass`


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _median_run(argv: list[str]) -> tuple[float, float]:
    """Median wall and CPU seconds of ``argv`` run :data:`RUNS` times (after one warm-up
    run, so every run finds the bytecode and the file cache as a user's second run does)."""
    env = {**os.environ, "COLUMNS": "100"}
    subprocess.run(argv, check=True, capture_output=True, env=env)
    walls, cpus = [], []
    for _ in range(RUNS):
        cpu, start = _child_cpu(), time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        cpus.append(_child_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def test_help_and_sources_start_within_a_quarter_second_of_python(tmp_path: Path):
    project = tmp_path / "demo.qcdb"
    build_demo(project).close()
    qualcode = [sys.executable, "-m", "qualcode"]
    base_wall, base_cpu = _median_run([sys.executable, "-c", "pass"])
    print(f"\n[benchmark] python -c pass: {base_wall:.3f} s wall, {base_cpu:.3f} s CPU")
    for label, argv in [
        ("qualcode --help", [*qualcode, "--help"]),
        ("qualcode sources P", [*qualcode, "sources", str(project)]),
    ]:
        wall, cpu = _median_run(argv)
        print(
            f"[benchmark] {label}: {wall:.3f} s wall ({wall - base_wall:+.3f} s over python), "
            f"{cpu:.3f} s CPU ({cpu - base_cpu:+.3f} s over python)"
        )
    print(f"[benchmark] target: under {TARGET} s over python for each")
