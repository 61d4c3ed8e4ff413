"""Import of a generated corpus: 200 transcripts x 5,000 words, and 10,000 survey answers."""

from __future__ import annotations

import random
from pathlib import Path

from qualcode.project import ImportOptions, Project

WORDS = (
    "mentoring programme student time exam faculty heard never really think know semester "
    "mentor matching career research thesis stress online group meeting um uh so yeah well "
    "the a and of to in it was I you we they"
).split()


def _turn(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def write_corpus(folder: Path, files: int, words: int, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(files):
        lines, total = [f"Interview {i}, telephone"], 0
        speakers = (
            ["INTERVIEWER", "STUDENT"]
            if i % 2
            else ["Moderator", "Dr. Weber", "Prof. Lindqvist", "Tom Berger"]
        )
        t = 0
        while total < words:
            n = rng.randint(8, 120)
            sec = 5 * t
            stamp = f"[{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}] "
            lines.append(f"{stamp}{speakers[t % len(speakers)]}: {_turn(rng, n)}")
            total += n
            t += 1
        path = folder / f"t{i:03d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_import_200_transcripts_of_5000_words(tmp_path: Path, bench):
    paths = write_corpus(tmp_path, 200, 5000)
    with Project.create(tmp_path / "big.qcdb") as p, bench("import 200 x 5,000 words"):
        report = p.sources.import_files(paths)
    assert len(report.added) == 200
    with Project.open(tmp_path / "big.qcdb") as p, bench("sources listing, 1M words"):
        assert sum(s.words for s in p.sources.all()) >= 1_000_000


def test_import_10000_survey_answers(tmp_path: Path, bench):
    rng = random.Random(2)
    sheet = tmp_path / "answers.csv"
    rows = ["id,answer,cohort,codes"]
    for i in range(10_000):
        codes = ";".join(rng.sample(["time", "awareness", "format", "matching"], 2))
        rows.append(f'r{i},"{_turn(rng, rng.randint(5, 60))}",{2018 + i % 6},{codes}')
    sheet.write_text("\n".join(rows), encoding="utf-8")
    with Project.create(tmp_path / "survey.qcdb") as p, bench("import 10,000 survey answers"):
        report = p.sources.import_responses(
            sheet,
            ImportOptions(
                text_column="answer", id_column="id", codes_column="codes", coder="rater"
            ),
        )
    assert len(report.added) == 10_000 and report.codings_added == 20_000
