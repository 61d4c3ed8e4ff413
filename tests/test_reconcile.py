"""Reconciling that never loses a decision, in a project file and on the server: a decision
changes the agreed coding inside its disagreement's passage only, a repeated one is refused
without --change, the first reconcile brings what both coders coded alike, every decision is
in the log, and undo takes one back, codings and log together."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.analysis.agreement import Disagreement
from qualcode.analysis.units import overlapped
from qualcode.cli import app
from qualcode.examples import CODERS, CODINGS, MANIFEST, examples_root
from qualcode.project import Project
from tests.conftest import copy_project

ANNA, BEN = CODERS
BOTH = ["--coders", ANNA, BEN]


@pytest.fixture(params=["file", "server"])
def demo(request, coded_demo_file: Path, tmp_path: Path) -> Iterator[str]:
    """The coded example study (anna and ben coded every source), as a file or on the
    server built by its lead; yields what the CLI takes (a path or a URL)."""
    if request.param == "file":
        yield str(copy_project(coded_demo_file, tmp_path))
        return
    url = request.getfixturevalue("lead_url")
    root = examples_root()
    with Project.create(url) as p:
        p.sources.import_paths([root / MANIFEST])
        p.exchange.merge_from([root / CODINGS / f"{coder}.qdpx" for coder in CODERS])
    yield url


def qualcode(*args: str, ok: bool = True):
    result = CliRunner().invoke(app, list(args))
    assert (result.exit_code == 0) == ok, result.output
    return result


def neighbours(project: Project) -> tuple[Disagreement, Disagreement]:
    """Two disagreements on neighbouring units that one coding of anna's covers both of
    (ben coded neither)."""
    found = [d for d in project.team.disagreements([ANNA, BEN]) if d.coded_by == (ANNA,)]
    mine = project.context.store.list_codings(coder=ANNA)
    for a, b in itertools.pairwise(found):
        if (a.source_id, a.code_id) != (b.source_id, b.code_id):
            continue
        if any(
            c.source_id == a.source_id and c.code_id == a.code_id and c.start <= a.start
            and c.end >= b.end
            for c in mine
        ):  # fmt: skip
            return a, b
    raise AssertionError("no coding of anna's spans two disagreements")


def agreed_spans(project: Project) -> set[tuple[int, int, int, int]]:
    return {
        (c.source_id, c.code_id, c.start, c.end)
        for c in project.context.store.list_codings(coder="agreed")
    }


def covered(project: Project, d: Disagreement) -> list[tuple[int, int]]:
    """The agreed coding's spans of ``d``'s code in its source that overlap it."""
    return [
        (c.start, c.end)
        for c in project.context.store.list_codings(source_id=d.source_id, code_ids=[d.code_id])
        if c.coder == "agreed" and c.start < d.end and c.end > d.start
    ]


def test_a_decision_keeps_its_neighbours_and_a_repeat_needs_change(demo: str):
    with Project.open(demo) as p:
        a, b = neighbours(p)
    first = qualcode("reconcile", demo, *BOTH, "--pick", f"{a.id}=anna")
    assert "agreed gets the " in first.output and " sentences anna and ben coded alike" in (
        first.output
    )
    qualcode("reconcile", demo, *BOTH, "--pick", f"{b.id}=none")
    with Project.open(demo) as p:
        assert covered(p, b) == []
        spans = covered(p, a)
        assert len(spans) == 1 and spans[0][0] <= a.start and spans[0][1] >= a.end
        assert spans[0][1] <= b.start  # anna's coding clipped to A, not her whole coding
        log = p.team.decisions()
        assert [(d.kind, d.choice) for d in log] == [
            ("agreements", ""),
            ("pick", "anna"),
            ("pick", "none"),
        ]
    again = qualcode("reconcile", demo, *BOTH, "--pick", f"{a.id}=none", ok=False)
    assert again.exit_code == 1 and len(again.stderr.strip().splitlines()) == 1
    assert f"{a.id} is already decided: decision #{log[1].id}, anna, by " in again.stderr
    changed = qualcode("reconcile", demo, *BOTH, "--pick", f"{a.id}=none", "--change")
    assert f"replaces #{log[1].id} (anna)" in changed.output
    listed = json.loads(qualcode("reconcile", demo, "--log", "--format", "json").output)
    assert [(r["kind"], r["choice"], r["status"]) for r in listed] == [
        ("agreements", "", ""),
        ("pick", "anna", f"replaced by #{listed[-1]['id']}"),
        ("pick", "none", ""),
        ("pick", "none", ""),
    ]
    assert listed[0]["count"] > 0 and listed[1]["start"] == a.start
    with Project.open(demo) as p:
        assert covered(p, a) == []
        assert p.context.settings().reconcile_into == "agreed"
        assert p.context.settings().reconcile_coders == ("anna", "ben")


def test_accept_keeps_earlier_decisions(demo: str):
    with Project.open(demo) as p:
        a, b = neighbours(p)
        total = len(p.team.disagreements([ANNA, BEN]))
    qualcode("reconcile", demo, *BOTH, "--pick", f"{b.id}=none")
    done = qualcode("reconcile", demo, *BOTH, "--accept", "anna")
    assert f"agreed gets anna's version of {total - 1} disagreement(s)." in done.output
    assert "Kept 1 earlier decision(s); --change to replace them" in done.output
    with Project.open(demo) as p:
        assert covered(p, b) == []
        assert covered(p, a) != []
        found = p.team.disagreements([ANNA, BEN])
        settled = p.team.reconciled(found)
        assert len(settled) == len(found) == total
        assert settled[b.id].choice == "none"


def test_the_first_reconcile_brings_what_both_coded_alike(demo: str):
    with Project.open(demo) as p:
        a, _ = neighbours(p)
    qualcode("reconcile", demo, *BOTH, "--pick", f"{a.id}=passage")
    with Project.open(demo) as p:
        # Per coder, source and code: the sentences their codings touch.
        touched: dict[tuple[str, int, int], set[int]] = {}
        units = {
            s.id: p.sources.sentences(s.id) for s in p.context.store.list_sources(with_text=False)
        }
        for c in p.context.store.list_codings():
            hit = touched.setdefault((c.coder, c.source_id, c.code_id), set())
            hit.update(i for r in overlapped(units[c.source_id], [(c.start, c.end)]) for i in r)
        picked = {i for r in overlapped(units[a.source_id], [(a.start, a.end)]) for i in r}
        places = {(sid, code) for _, sid, code in touched}
        for sid, code in places:
            alike = touched.get((ANNA, sid, code), set()) & touched.get((BEN, sid, code), set())
            agreed = touched.get(("agreed", sid, code), set())
            if (sid, code) == (a.source_id, a.code_id):
                agreed = agreed - picked
            assert agreed == alike, (sid, code)
        assert sum(len(touched.get(("agreed", *x), ())) for x in places) > 100
        # Agreed sentences next to each other are one passage, not one coding per sentence.
        agreed_codings = p.context.store.list_codings(coder="agreed")
        texts = p.sources.texts(sorted(units))
        by_place: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for c in agreed_codings:
            by_place.setdefault((c.source_id, c.code_id), []).append((c.start, c.end))
        for (sid, _), spans in by_place.items():
            spans.sort()
            for (_, end), (start, _) in itertools.pairwise(spans):
                assert start > end and not texts[sid][end:start].isspace()


def test_undo_takes_a_decision_back_codings_and_log(demo: str):
    with Project.open(demo) as p:
        a, b = neighbours(p)
    qualcode("reconcile", demo, *BOTH, "--pick", f"{a.id}=anna")
    with Project.open(demo) as p:
        before = agreed_spans(p)
    qualcode("reconcile", demo, *BOTH, "--pick", f"{b.id}=passage")
    with Project.open(demo) as p:
        assert covered(p, b) != []
    assert (
        "Undid the last reconcile of agreed: removed"
        in qualcode("undo", demo, "--coder", "agreed").output
    )
    with Project.open(demo) as p:
        assert agreed_spans(p) == before
        assert [d.status for d in p.team.decisions()] == ["", "", "undone"]
        assert b.id not in p.team.reconciled([a, b])
    assert (
        "Redid the reconcile of agreed: put back"
        in qualcode("redo", demo, "--coder", "agreed").output
    )
    with Project.open(demo) as p:
        assert [d.status for d in p.team.decisions()] == ["", "", ""]
        assert covered(p, b) != []
    assert "Undid" in qualcode("undo", demo, "--coder", "agreed").output
    # The passage may be decided again: the undone decision no longer stands.
    qualcode("reconcile", demo, *BOTH, "--pick", f"{b.id}=none")
    with Project.open(demo) as p:
        assert [d.status for d in p.team.decisions()] == ["", "", "undone", ""]
