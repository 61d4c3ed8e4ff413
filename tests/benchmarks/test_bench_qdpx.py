"""REFI-QDA export and import of a project with 100,000 codings (200 transcripts)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from qualcode.model import NewCoding, utc_now
from qualcode.project import Project
from tests.benchmarks.test_bench_import import write_corpus

CODINGS = 100_000


def _coded_project(tmp_path: Path) -> Path:
    path = tmp_path / "big.qcdb"
    rng = random.Random(3)
    with Project.create(path) as p:
        p.sources.import_files(write_corpus(tmp_path, 200, 2000))
        codes = [p.codebook.add_code(f"Code {i}").id for i in range(20)]
        lengths = {s.id: s.characters for s in p.sources.all()}
        ids = list(lengths)
        rows, seen = [], set()
        now = utc_now()
        with p.context.store.atomic() as store:
            coders = [store.coder_id(name) for name in ("anna", "ben")]
            while len(rows) < CODINGS:
                sid = rng.choice(ids)
                start = rng.randrange(0, lengths[sid] - 200)
                row = (
                    sid,
                    rng.choice(codes),
                    rng.choice(coders),
                    start,
                    start + rng.randint(5, 200),
                )
                if row in seen:
                    continue
                seen.add(row)
                rows.append(NewCoding(*row, created_at=now))
            store.add_imported_codings(rows)
    return path


def test_qdpx_export_and_import_of_100000_codings(tmp_path: Path, bench):
    path = _coded_project(tmp_path)
    out = tmp_path / "big.qdpx"
    with Project.open(path) as p, bench("export .qdpx, 100,000 codings (first: GUIDs assigned)"):
        p.exchange.export_qdpx(out)
    with Project.open(path) as p, bench("export .qdpx, 100,000 codings (again)"):
        p.exchange.export_qdpx(out)
    print(f"\n[benchmark] .qdpx size: {out.stat().st_size / 2**20:.1f} MB")
    with Project.create(tmp_path / "back.qcdb") as q, bench("import .qdpx, 100,000 codings"):
        report = q.exchange.import_qdpx(out)
    assert report.codings_added == CODINGS
    with Project.open(tmp_path / "back.qcdb") as q, bench("import the same .qdpx again (no-op)"):
        again = q.exchange.import_qdpx(out)
    assert again.codings_present == CODINGS and not again.changed
    with (
        Project.open(tmp_path / "back.qcdb") as q,
        bench("agreement, 2 coders, 20 codes, sentences"),
    ):
        report2 = q.team.agreement(["anna", "ben"], unit="sentence")
    assert len(report2.codes) == 20


def test_qdpx_wall_time_without_memory_tracing(tmp_path: Path):
    """The same work timed alone: tracing every allocation (the ``bench`` fixture) slows
    this allocation-heavy code several times over."""
    path = _coded_project(tmp_path)
    out = tmp_path / "big.qdpx"
    with Project.open(path) as p:
        t = time.perf_counter()
        p.exchange.export_qdpx(out)
        seconds = time.perf_counter() - t
        print(f"\n[benchmark] export .qdpx, 100,000 codings, wall time: {seconds:.2f} s")
    with Project.create(tmp_path / "back.qcdb") as q:
        t = time.perf_counter()
        report = q.exchange.import_qdpx(out)
        print(
            f"[benchmark] import .qdpx, 100,000 codings, wall time: {time.perf_counter() - t:.2f} s"
        )
    assert report.codings_added == CODINGS


def test_choosing_the_offset_convention_grows_linearly():
    """The chooser on 10,000 and 100,000 selections of an NVivo-shaped text (BOM, CRLF,
    an emoji a line): each reading is one pass over the selections, so ten times the
    selections should take about ten times as long, not a hundred."""
    from qualcode.interop.offsets import Selection, choose
    from qualcode.interop.refi import OffsetMap

    line = "Student: I had never heard of the programme 😀 before you called.\r\n"
    width = len(line.encode("utf-16-le")) // 2
    for n in (10_000, 100_000):
        lines = n // 10
        text = OffsetMap("\ufeff" + line * lines)
        sels = [Selection(0, (i % lines) * width + 9, (i % lines) * width + 26) for i in range(n)]
        for origin in ("NVivo for Windows 12.6", ""):
            t = time.perf_counter()
            choice = choose([text], sels, origin=origin)
            seconds = time.perf_counter() - t
            print(
                f"\n[benchmark] choose offsets, {n:,} selections, "
                f"origin {origin or 'none'!r}: {seconds:.2f} s"
            )
            assert choice.best.on_words == n and choice.warning() is None
