"""The coding screen on a 50,000-word transcript: first paint, cursor moves, codes applied.

Driven through ``App.run_test()`` like a user at the keyboard; each figure includes the
screen update that follows the key press (``pilot.pause()`` waits for it). Wall time includes
Textual's refresh timer (the screen repaints at most 60 times a second), so the CPU time per
key press is printed too: that is what decides whether typing ahead ever lags. Two figures:
the UI thread's (what a key press costs before the next can be handled) and the whole
process's, which adds the suggester fitting in a background thread since the source opened.
"""

from __future__ import annotations

import time
from pathlib import Path

from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from tests.benchmarks.test_bench_import import write_corpus


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
            assert isinstance(app.screen, CodingScreen)
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
        f"\n[benchmark] 50,000-word transcript: first paint {first_paint:.2f} s, "
        f"cursor move {per_move * 1000:.0f} ms ({ui_move * 1000:.0f} ms CPU in the UI thread, "
        f"{cpu_move * 1000:.0f} ms in the process), page down {per_page * 1000:.0f} ms, "
        f"move + code applied {per_apply * 1000:.0f} ms ({ui_apply * 1000:.0f} ms CPU in the "
        f"UI thread, {cpu_apply * 1000:.0f} ms in the process)"
    )
