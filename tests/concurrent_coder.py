"""A coder in a process of its own, for the concurrency tests: ``python -m
tests.concurrent_coder PROJECT CODER N`` codes N one-character passages of int1, one
transaction each, then prints how many it made. ``... PROJECT --read STOPFILE`` reads every
coding over and over until STOPFILE exists, then prints how many reads it made."""

from __future__ import annotations

import sys
from pathlib import Path

from qualcode.project import Project


def code(path: Path, coder: str, n: int) -> int:
    made = 0
    with Project.open(path) as p:
        for i in range(n):
            if p.apply_code("int1", i, i + 1, "Shared", coder=coder, new=True).coding is not None:
                made += 1
    return made


def read(path: Path, stop: Path) -> int:
    reads = 0
    with Project.open(path) as p:
        while not stop.exists():
            p.codings()
            p.sources()
            reads += 1
    return reads


if __name__ == "__main__":
    project = Path(sys.argv[1])
    if sys.argv[2] == "--read":
        print(read(project, Path(sys.argv[3])))
    else:
        print(code(project, sys.argv[2], int(sys.argv[3])))
