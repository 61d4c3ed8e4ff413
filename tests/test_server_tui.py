"""The workbench on a project on a server: a coder codes as their role, and what the server
refuses is an error notification, with the project unchanged."""

from __future__ import annotations

from qualcode.examples import MANIFEST, examples_root
from qualcode.project import ImportOptions, Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.widgets.code_tree import CodeTree
from qualcode.tui.widgets.status import StatusLine
from tests.conftest import coding_screen, wait_for, wait_for_toast
from tests.postgres import PostgresServer

SIZE = (100, 30)


async def test_a_coder_codes_in_the_workbench_and_the_codebook_stays_the_leads(
    postgres: PostgresServer, pg_database: str, lead_url: str
):
    with Project.create(lead_url) as lead:
        lead.sources.import_paths([examples_root() / MANIFEST])
        lead.team.add_coder("anna")
    with Project.open(postgres.url(pg_database, "anna")) as p:
        app = QualcodeApp(p, source="interview_03")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await coding_screen(pilot)
            await pilot.press("N", "enter", "down", "a")  # a sentence, then Awareness
            await wait_for(pilot, lambda: p.summary()["codings"] == 1, "the coding")
            assert [(c.code, c.coding.coder) for c in p.coding.codings()] == [
                ("Awareness and publicity/Awareness", "anna")
            ]
            await pilot.press("f4")
            await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen), "the codebook")
            codebook = app.screen
            assert isinstance(codebook, CodebookScreen)
            codebook.query_one(CodeTree).select_code(p.codebook.code("Information channels").id)
            await pilot.press("g", *"Awareness", "enter")  # merge into Awareness
            await wait_for_toast(pilot, "the codebook is the lead's to change", "error")
        assert p.codebook.book().find("Information channels")
        assert p.summary()["codings"] == 1


async def test_the_coding_screen_says_it_waits_for_a_lock_on_the_server(
    postgres: PostgresServer, pg_database: str, pg_url: str, transcripts
):
    with Project.create(pg_url) as p:
        p.sources.import_files([transcripts["int1"]], ImportOptions(kind="interview"))
        p.codebook.add_code("Awareness", hotkey="a")
        app = QualcodeApp(p, source="int1")
        async with app.run_test(size=SIZE) as pilot:
            screen = await coding_screen(pilot)
            s, e = screen.view.selection
            quote = p.sources.get("int1").text[s:e]
            with postgres.admin(pg_database) as other:  # another session, mid-transaction
                other.execute("BEGIN")
                other.execute("LOCK TABLE history IN EXCLUSIVE MODE")
                await pilot.press("a")
                status = screen.query_one(StatusLine)
                assert "waiting for another writer…" in status.text
                assert p.coding.codings() == []
                other.execute("ROLLBACK")
            for worker in [w for w in app.workers if w.group == "write"]:
                await worker.wait()
            await wait_for(pilot, lambda: "coded Awareness" in status.text, "the waiting write")
        assert [(c.code, c.text) for c in p.coding.codings()] == [("Awareness", quote)]
