"""A one-line status bar whose updates repaint it without a layout pass (it changes on
every cursor move, and a layout pass of the whole screen per key press is measurable), and
what the coding screen says in it about where the selection is."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget

from qualcode.model import Turn, clock


class StatusLine(Widget):
    text: reactive[str] = reactive("", layout=False)

    def render(self) -> str:
        return self.text

    def update(self, text: str) -> None:
        self.text = text


def turn_place(turn: Turn | None, last: int, span: tuple[int, int]) -> list[str]:
    """Where a selection is, in words a researcher reads: "turn 3 of 82", the speaker, the
    turn's time in the recording (when the transcript has one) and "characters 246–353".

    Turns are numbered as ``qualcode turns`` numbers them (from 0, usually the header
    before the first speaker), so ``last`` is the number of the last turn and a turn is
    found by the same number in both.
    """
    s, e = span
    where = f"characters {s}–{e}"
    if turn is None:
        return [where]
    parts = [f"turn {turn.index} of {last}", turn.speaker or "no speaker"]
    if turn.timestamp is not None:
        parts.append(clock(turn.timestamp))
    return [*parts, where]
