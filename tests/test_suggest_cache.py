"""The suggestion model kept between calls: one refit per change, whoever asks and when."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from qualcode.nlp.engine import CombinedSuggesterV3
from qualcode.project import Project
from qualcode.project.cache import SuggesterCache
from tests.conftest import span


@pytest.fixture(autouse=True)
def fits_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fit here runs: a model kept on disk by an earlier test of the same state
    (qualcode.nlp.kept) would answer a refit at once, and the refit this module holds in
    its thread would never be seen running."""
    monkeypatch.setenv("QUALCODE_CACHE_DIR", "off")


@pytest.fixture
def coded(project: Project) -> Project:
    project.codebook.add_code("Awareness", keywords=("never heard", "know the programme"))
    project.codebook.add_code(
        "Time", definition="Lack of time: exams, work, schedules.", keywords=("time",)
    )
    return project


# A fit waits while this is clear, so a test decides when a background refit may finish.
fitting = threading.Event()


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads the suggestion model is fitted in, one per fit (the fit of
    the units' blend inside a fit is part of it)."""
    done: list[str] = []
    fit = CombinedSuggesterV3.fit
    inside = threading.local()
    fitting.set()

    def counted(self: CombinedSuggesterV3, *args: Any, **kwargs: Any) -> CombinedSuggesterV3:
        if getattr(inside, "fit", False):
            return fit(self, *args, **kwargs)
        done.append(threading.current_thread().name)
        if not fitting.wait(timeout=60):
            raise AssertionError("the fit waited 60 s for the test to let it go")
        inside.fit = True
        try:
            return fit(self, *args, **kwargs)
        finally:
            inside.fit = False

    monkeypatch.setattr(CombinedSuggesterV3, "fit", counted)
    return done


def test_callers_in_several_threads_after_a_coding_start_one_refit(coded: Project, fits: list[str]):
    """The coding screen asks for suggestions from worker threads while the main thread may
    ask too: right after a coding they all get the previous model at once, and the new one
    is fitted once in the background, not once per caller."""
    previous = coded.suggestions.model()
    text = coded.sources.get("int1").text
    quotes = [
        "Time, mostly.",
        "And I work two evenings a week.",
        "During the exam period I have no time at all.",
        "Honestly, no.",
        "Thank you.",
    ]
    callers = 8
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often: the race shows if it is there
    try:
        for quote in quotes:  # a race shows in some rounds, not in every one
            coded.coding.apply("int1", *span(text, quote), "Time")
            fits.clear()
            fitting.clear()  # the refit finishes only once every caller has its answer
            barrier = threading.Barrier(callers)
            answers: list[CombinedSuggesterV3] = []

            def ask(barrier: threading.Barrier = barrier, answers: list[Any] = answers) -> None:
                barrier.wait()
                answers.append(coded.suggestions.model(wait=False))

            threads = [threading.Thread(target=ask) for _ in range(callers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            fitting.set()
            coded.suggestions.wait_for_model()
            assert answers == [previous] * callers
            assert fits == ["qualcode-refit"], quote
            refitted = coded.suggestions.model(wait=False)
            assert refitted is not previous
            assert fits == ["qualcode-refit"]  # the finished refit answers; no second fit
            previous = refitted
    finally:
        fitting.set()  # a refit left waiting by a failed round ends
        sys.setswitchinterval(switch)


def test_a_caller_while_the_refit_runs_gets_the_previous_model_then_the_new_one(
    coded: Project, fits: list[str], monkeypatch: pytest.MonkeyPatch
):
    first = coded.suggestions.model()
    release = threading.Event()
    fit = CombinedSuggesterV3.fit

    def held(self: CombinedSuggesterV3, *args: Any, **kwargs: Any) -> CombinedSuggesterV3:
        if threading.current_thread().name == "qualcode-refit":
            release.wait(30)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(CombinedSuggesterV3, "fit", held)
    text = coded.sources.get("int1").text
    coded.coding.apply("int1", *span(text, "Time, mostly."), "Time")
    assert coded.suggestions.model(wait=False) is first  # starts the refit, held in its thread
    assert coded.suggestions.model(wait=False) is first  # asked again while it runs
    release.set()
    coded.suggestions.wait_for_model()
    assert coded.suggestions.model(wait=False) is not first
    # ``fresh`` (wait=True) never answers with the previous model.
    coded.coding.apply("int1", *span(text, "And I work two evenings a week."), "Time")
    latest = coded.suggestions.model(wait=True)
    assert latest is not first and coded.suggestions.model(wait=False) is latest


def test_an_older_fit_finishing_last_does_not_replace_a_newer_model():
    cache: SuggesterCache[str] = SuggesterCache()
    assert cache.model("k1", "book", lambda: lambda: "model 1", wait=True) == "model 1"
    release = threading.Event()

    def slow() -> str:
        release.wait(30)
        return "model 2"

    # Codings change (k2): fitted in the background, the first model answers meanwhile.
    assert cache.model("k2", "book", lambda: slow, wait=False) == "model 1"
    # They change again (k3) and a caller waits for that fit.
    assert cache.model("k3", "book", lambda: lambda: "model 3", wait=True) == "model 3"
    release.set()
    cache.wait()
    assert cache.model("k3", "book", lambda: lambda: "refitted", wait=False) == "model 3"


def test_a_failed_preparation_leaves_no_refit_that_never_ends():
    cache: SuggesterCache[str] = SuggesterCache()
    cache.model("k1", "book", lambda: lambda: "model 1", wait=True)

    def broken() -> Any:
        raise OSError("the project is gone")

    with pytest.raises(OSError):
        cache.model("k2", "book", broken, wait=False)
    cache.wait(timeout=5)  # returns: the claimed refit is marked done
    assert cache.model("k2", "book", lambda: lambda: "model 2", wait=False) == "model 1"
    cache.wait(timeout=5)
    assert cache.model("k2", "book", lambda: lambda: "again", wait=False) == "model 2"
