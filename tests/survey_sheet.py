"""Sheets with a question column, for measuring the context feature.

``python -m tests.survey_sheet OUT.csv`` makes one from the two shared data sets: the music
answers and the games-as-art answers become the answers to two questions of one survey, each
with its own codes, as in a study that asks several open questions. ``python -m
tests.survey_sheet --demo OUT.csv`` makes one from the example study as coded by its two
coders: each speaker turn, the turn of another speaker before it (the interviewer's question)
and the codes of the codings that touch it, grouped by source; ``--demo-answers`` the same
with speaker-aware units: only the answers, each with the last interviewer's or moderator's
turn before it. ``python -m tests.survey_sheet --questions OUT.csv [N]`` makes a survey of
its own (no data needed): 14 questions named by id ("Q1" ... "Q14"), each with N codes of
its own (5), whose answers use the same words from one question to the next, so that only
the question tells which code a word is evidence of. Then

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
# The words the made-up survey's answers are about; each is evidence of a different code in
# each question that uses it.
TOPICS = (
    "mentor teacher friend family money time exam lecture library schedule campus travel food "
    "sleep sport music grade course project lab clinic patient report email meeting feedback "
    "support career research stress"
).split()
FILLERS = (
    "I think the was really for me and it of a bit we my there so also quite not very "
    "then when because always"
).split()


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


def question_answers(
    questions: int = 14,
    participants: int = 240,
    answered: int = 4,
    codes_per_question: int = 5,
    seed: int = 0,
) -> list[tuple[str, str, str, list[str]]]:
    """A made-up survey in long form: ``(participant, question id, answer, codes)`` rows.

    Each question ("Q1", "Q2", ...) has ``codes_per_question`` codes of its own ("Q3 code
    2"), each with three cue words drawn from :data:`TOPICS`, so one word is a cue of codes
    in several questions. Each participant answers ``answered`` questions; an answer names
    one or two of its question's codes (the first codes more often than the last) by one
    of its cues each, among filler words and a stray topic. From the words alone a model
    can tell the candidates; the question id decides among them.
    """
    import random

    rng = random.Random(seed)
    cues = {
        (q, c): rng.sample(TOPICS, 3)
        for q in range(1, questions + 1)
        for c in range(1, codes_per_question + 1)
    }
    weights = [1.0 / c for c in range(1, codes_per_question + 1)]
    rows = []
    for p in range(participants):
        for q in sorted(rng.sample(range(1, questions + 1), answered)):
            chosen = set(rng.choices(range(1, codes_per_question + 1), weights, k=2))
            words = [rng.choice(FILLERS) for _ in range(rng.randint(4, 9))]
            for cue in [*(rng.choice(cues[(q, c)]) for c in sorted(chosen)), rng.choice(TOPICS)]:
                words.insert(rng.randrange(len(words) + 1), cue)
            answer = " ".join(words).capitalize() + "."
            rows.append((f"p{p}", f"Q{q}", answer, sorted(f"Q{q} code {c}" for c in chosen)))
    return rows


def write_questions(out: Path, **params: int) -> int:
    """Write :func:`question_answers` as a sheet; returns its number of rows."""
    rows = question_answers(**params)
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["participant", "question", "answer", "codes"])
        writer.writerows((p, q, a, ";".join(c)) for p, q, a, c in rows)
    return len(rows)


if __name__ == "__main__":
    if sys.argv[1] == "--questions":  # --questions OUT.csv [CODES_PER_QUESTION]
        write_questions(Path(sys.argv[2]), codes_per_question=int((sys.argv[3:] or [5])[0]))
    elif sys.argv[1] in ("--demo", "--demo-answers"):
        write_demo(Path(sys.argv[2]), answers_only=sys.argv[1] == "--demo-answers")
    else:
        write_survey(Path(sys.argv[1]))
