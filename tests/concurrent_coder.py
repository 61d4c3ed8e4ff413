"""A coder in a process of its own, for the concurrency tests: ``python -m
tests.concurrent_coder PROJECT CODER N [UNDO]`` codes N one-character passages of int1, one
transaction each, undoes the last UNDO of them, then prints how many it made. PROJECT is a
file or a server URL (whose role must be CODER). ``... PROJECT --read STOPFILE`` reads every
coding over and over until STOPFILE exists, then prints how many reads it made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qualcode.project import Project

ROOT = Path(__file__).resolve().parent.parent


def start(*args: object) -> subprocess.Popen[str]:
    """This module in a process of its own, with ``args``."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.concurrent_coder", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def code(project: str, coder: str, n: int, undo: int = 0) -> int:
    made = 0
    with Project.open(project) as p:
        for i in range(n):
            if p.coding.apply("int1", i, i + 1, "Shared", coder=coder, new=True).coding is not None:
                made += 1
        for _ in range(undo):
            if p.coding.undo(coder) == "apply":
                made -= 1
    return made


def read(path: Path, stop: Path) -> int:
    reads = 0
    with Project.open(path) as p:
        while not stop.exists():
            p.coding.codings()
            p.sources.all()
            reads += 1
    return reads


if __name__ == "__main__":
    if sys.argv[2] == "--read":
        print(read(Path(sys.argv[1]), Path(sys.argv[3])))
    else:
        print(code(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])))
