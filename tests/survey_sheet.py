"""Sheets with a question column, for measuring the context feature.

``python -m tests.survey_sheet OUT.csv`` makes one from the two shared data sets: the music
answers and the games-as-art answers become the answers to two questions of one survey, each
with its own codes, as in a study that asks several open questions. ``python -m
tests.survey_sheet --demo OUT.csv`` makes one from the example study as coded by its two
coders: each speaker turn, the turn of another speaker before it (the interviewer's question)
and the codes of the codings that touch it, grouped by source; ``--demo-answers`` the same
with speaker-aware units: only the answers, each with the last interviewer's or moderator's
turn before it. Then

    python -m qualcode.nlp.evaluate OUT.csv --text answer --codes codes \\
        --group participant --context question
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("QUALCODE_SHARED_DATA") or ROOT.parent / "shared" / "data")
MUSIC = "Did the music you heard on shuffle remind you of anything?"
GAMES = "Why did you experience this game as art?"
FIFTHS = ("opening", "early", "middle", "late", "closing")


def write_survey(out: Path, data: Path = DATA) -> int:
    """Write the sheet; returns its number of rows."""
    rows = []
    with open(data / "music_listening_coded.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            answer, codes = r["full_response_text"], r["code_level3"]
            rows.append(("m" + r["participant_id"], MUSIC, answer, codes))
    with open(data / "games_as_art_coded.csv", encoding="cp1252", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            rows.append((f"g{i}", GAMES, r["why_art"], r["human_codes"]))
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["participant", "question", "answer", "codes"])
        writer.writerows(rows)
    return len(rows)


def write_demo(out: Path, *, answers_only: bool = False) -> int:
    """Write the example study's turns with the question before each; returns the rows.

    With ``answers_only`` (speaker-aware units), the interviewers' and moderators' own turns
    are left out and each answer's question is the last such turn before it. The column
    ``position`` is where in its interview a turn is, in fifths (``opening``, ``early``,
    ``middle``, ``late``, ``closing``: words, as the context features keep only words), for
    measuring position as a feature (``--context position``).
    """
    import re
    import tempfile

    from qualcode.examples import build_demo
    from qualcode.project.themes import INTERVIEWERS

    asking = re.compile(INTERVIEWERS, re.IGNORECASE)

    def asks(speaker: str | None) -> bool:
        return bool(speaker and asking.fullmatch(speaker.strip()))

    rows = []
    with tempfile.TemporaryDirectory() as folder, build_demo(Path(folder) / "demo.qcdb") as p:
        book = p.codebook.book()
        for s in p.sources.all():
            text, turns = p.sources.get(s.id).text, p.sources.turns(s.id)
            codings = p.context.store.list_codings(source_id=s.id)
            for i, t in enumerate(turns):
                if answers_only and asks(t.speaker):
                    continue
                if answers_only:
                    asked = [u for u in turns[:i] if asks(u.speaker)]
                else:
                    asked = [u for u in turns[:i] if u.speaker != t.speaker]
                question = text[asked[-1].start : asked[-1].end] if asked else ""
                codes = {
                    book.path(c.code_id) for c in codings if c.start < t.end and c.end > t.start
                }
                answer = text[t.start : t.end]
                position = FIFTHS[5 * i // len(turns)]
                rows.append(
                    (s.name, " ".join(question.split()), " ".join(answer.split()), codes, position)
                )
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["participant", "question", "answer", "codes", "position"])
        writer.writerows((g, q, a, ";".join(sorted(c)), n) for g, q, a, c, n in rows)
    return len(rows)


if __name__ == "__main__":
    if sys.argv[1] in ("--demo", "--demo-answers"):
        write_demo(Path(sys.argv[2]), answers_only=sys.argv[1] == "--demo-answers")
    else:
        write_survey(Path(sys.argv[1]))
