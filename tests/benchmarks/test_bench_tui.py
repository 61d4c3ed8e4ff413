"""The coding screen on a 50,000-word transcript: first paint, cursor moves, codes applied.

Driven through ``App.run_test()`` like a user at the keyboard; each figure includes the
screen update that follows the key press (``pilot.pause()`` waits for it). Wall time includes
Textual's refresh timer (the screen repaints at most 60 times a second), so the CPU time per
key press is printed too: that is what decides whether typing ahead ever lags. Two figures:
the UI thread's (what a key press costs before the next can be handled) and the whole
process's, which adds what runs in background threads: suggestions asked where the cursor
rests, and after a coding the suggester's refit on the new codings.

The moves start once the first passage's suggestions are shown and every passage shown is
scored (in a batch, beside): the suggester's first fit (the transcript analysed, seconds on
50,000 words, once per source and then kept on disk) is timed on its own, not spread over
whichever key presses it happened to overlap. A key the
app does not handle is timed too: the driver's own share of every press.
"""

from __future__ import annotations

import time
from pathlib import Path

from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from tests.benchmarks.test_bench_import import write_corpus
from tests.conftest import wait_for


async def test_coding_screen_on_a_50000_word_transcript(tmp_path: Path):
    [path] = write_corpus(tmp_path, 1, 50_000)
    with Project.create(tmp_path / "big.qcdb", coder="anna") as project:
        project.sources.import_files([path])
        project.codebook.add_code("Time", hotkey="t")
        app = QualcodeApp(project, source=path.stem)
        start = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first_paint = time.perf_counter() - start
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            # The cursor to the first passage the suggester is asked about (not a header
            # or a question), and its suggestions waited for.
            source = screen.source
            assert source is not None
            asked = next(
                s for s in screen.shown if project.suggestions.why_none(source.id, *s) is None
            )
            cpu = time.process_time()
            while screen.view.selection != asked:
                await pilot.press("down")
            await wait_for(pilot, lambda: screen.answered == asked)
            ready, ready_cpu = time.perf_counter() - start, time.process_time() - cpu
            await wait_for(pilot, lambda: not screen.workers)  # every passage scored
            batch = time.perf_counter() - start
            nulls = 100
            ui = time.thread_time()
            for _ in range(nulls):
                await pilot.press("f24")  # bound to nothing
                await pilot.pause()
            ui_null = (time.thread_time() - ui) / nulls
            moves = 200
            start, cpu, ui = time.perf_counter(), time.process_time(), time.thread_time()
            for _ in range(moves):
                await pilot.press("down")
                await pilot.pause()
            per_move = (time.perf_counter() - start) / moves
            cpu_move = (time.process_time() - cpu) / moves
            ui_move = (time.thread_time() - ui) / moves
            pages = 50
            start = time.perf_counter()
            for _ in range(pages):
                await pilot.press("pagedown")
                await pilot.pause()
            per_page = (time.perf_counter() - start) / pages
            applies = 30
            start, cpu, ui = time.perf_counter(), time.process_time(), time.thread_time()
            for _ in range(applies):
                await pilot.press("down", "t")
                await pilot.pause()
            per_apply = (time.perf_counter() - start) / applies
            cpu_apply = (time.process_time() - cpu) / applies
            ui_apply = (time.thread_time() - ui) / applies
        assert len(project.coding.codings()) == applies
    print(
        f"\n[benchmark] 50,000-word transcript: first paint {first_paint:.2f} s, first "
        f"suggestions {ready:.1f} s ({ready_cpu:.1f} s CPU, the suggester's first fit), every "
        f"passage scored {batch:.1f} s, "
        f"a key bound to nothing {ui_null * 1000:.1f} ms CPU (the driver's own), "
        f"cursor move {per_move * 1000:.0f} ms ({ui_move * 1000:.0f} ms CPU in the UI thread, "
        f"{cpu_move * 1000:.0f} ms in the process), page down {per_page * 1000:.0f} ms, "
        f"move + code applied {per_apply * 1000:.0f} ms ({ui_apply * 1000:.0f} ms CPU in the "
        f"UI thread, {cpu_apply * 1000:.0f} ms in the process)"
    )
