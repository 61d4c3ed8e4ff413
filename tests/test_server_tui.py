"""The workbench on a project on a server: a coder codes as their role, and what the server
refuses is an error notification, with the project unchanged."""

from __future__ import annotations

from qualcode.examples import MANIFEST, examples_root
from qualcode.project import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.code_tree import CodeTree
from tests.postgres import PostgresServer

SIZE = (100, 30)


def errors(app: QualcodeApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_a_coder_codes_in_the_workbench_and_the_codebook_stays_the_leads(
    postgres: PostgresServer, pg_database: str, lead_url: str
):
    with Project.create(lead_url) as lead:
        lead.import_paths([examples_root() / MANIFEST])
        lead.add_coder("anna")
    with Project.open(postgres.url(pg_database, "anna")) as p:
        app = QualcodeApp(p, source="interview_03")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            await pilot.press("N", "enter", "down", "a")  # a sentence, then Awareness
            assert [(c.code, c.coding.coder) for c in p.codings()] == [
                ("Awareness and publicity/Awareness", "anna")
            ]
            await pilot.press("f4")
            await pilot.pause()
            codebook = app.screen
            assert isinstance(codebook, CodebookScreen)
            codebook.query_one(CodeTree).select_code(p.code("Information channels").id)
            await pilot.press("g", *"Awareness", "enter")  # merge into Awareness
            await pilot.pause()
            assert any("the codebook is the lead's to change" in e for e in errors(app))
        assert p.codebook().find("Information channels")
        assert p.summary()["codings"] == 1
