"""Benchmarks run on demand (``pytest tests/benchmarks -s``) and print their figures."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def measured(label: str, results: dict[str, Any]) -> Iterator[None]:
    """Wall time and peak traced memory of the block, printed and kept in ``results``."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[label] = {"seconds": round(seconds, 3), "peak_mb": round(peak / 2**20, 1)}
        print(f"\n[benchmark] {label}: {seconds:.2f} s, peak {peak / 2**20:.0f} MB")


@pytest.fixture
def bench() -> Callable[[str], Any]:
    results: dict[str, Any] = {}
    return lambda label: measured(label, results)
