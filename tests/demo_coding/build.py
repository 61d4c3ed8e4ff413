"""The two coders' work on the example study, written down once and turned into REFI-QDA files.

``codings.txt`` beside this file is how two researchers, anna and ben, coded the example
transcripts against ``codebooks/mentoring.yaml``: each read the transcripts and coded the
passages by the codes' definitions, inclusion and exclusion rules. Where they agree the line
says ``AB``; where one saw a code the other did not, or took a shorter or longer passage, the
line names one coder. The shipped files ``transcripts_example/codings/<coder>.qdpx`` are this
file run through qualcode itself (one project per coder, exported as REFI-QDA), so
``qualcode demo`` merges two coders' projects exactly as a team would.

Run ``python -m tests.demo_coding.build`` from the repository root after editing
``codings.txt``; ``tests/test_demo_coded.py`` checks that the shipped files still say what
``codings.txt`` says.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qualcode.examples import CODERS, build_demo, examples_root
from qualcode.project import Project

HERE = Path(__file__).resolve().parent
CODINGS = HERE / "codings.txt"

CODES = {  # the short names used in codings.txt
    "aw": "Awareness and publicity/Awareness",
    "ic": "Awareness and publicity/Information channels",
    "mo": "Participation/Motivation to participate",
    "rn": "Participation/Reasons not to participate",
    "tc": "Participation/Time constraints",
    "mm": "Mentoring relationship/Mentor matching criteria",
    "pf": "Mentoring relationship/Peer vs faculty mentoring",
    "ex": "Mentoring relationship/Expectations of the mentor",
    "ch": "Mentoring relationship/Confidentiality and hierarchy",
    "cg": "Counselling needs/Career guidance",
    "rd": "Counselling needs/Research and doctoral thesis",
    "es": "Counselling needs/Exam stress and wellbeing",
    "is": "Counselling needs/International students",
    "ss": "Counselling needs/Struggling students' needs",
    "ha": "Counselling needs/High achievers' needs",
    "fc": "Programme organisation/Faculty commitment",
    "ir": "Programme organisation/Incentives and recognition",
    "pg": "Programme organisation/Programme format",
}
WHO = {"A": CODERS[0], "B": CODERS[1]}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of ``codings.txt``: a code on a turn (or a quote in it) by some coders."""

    source: str
    turn: int
    code: str
    coders: tuple[str, ...]
    quote: str | None
    lineno: int


def read_lines(path: Path = CODINGS) -> list[Line]:
    """The codings file, parsed; a malformed line stops with its number."""
    lines: list[Line] = []
    source = ""
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("== "):
            source = text[3:].strip()
            continue
        head, _, quote = text.partition(" | ")
        turn, code, who = head.split()
        if code not in CODES or not who or set(who) - set(WHO) or not source:
            raise ValueError(f"{path.name}, line {lineno}: cannot read {raw!r}")
        coders = tuple(WHO[c] for c in who)
        lines.append(Line(source, int(turn), code, coders, quote.strip() or None, lineno))
    return lines


def spans(project: Project, lines: list[Line]) -> list[tuple[str, int, int, str, str]]:
    """``(source, start, end, code path, coder)`` for every coding the lines describe."""
    out = []
    turns: dict[str, list] = {}
    for line in lines:
        if line.source not in turns:
            turns[line.source] = project.sources.turns(line.source)
        turn = turns[line.source][line.turn]
        start, end = turn.start, turn.end
        if line.quote is not None:
            said = project.sources.get(line.source).text[start:end]
            at = said.find(line.quote)
            if at < 0:
                raise ValueError(f"line {line.lineno}: quote not in turn {line.turn}")
            start, end = start + at, start + at + len(line.quote)
        for coder in line.coders:
            out.append((line.source, start, end, CODES[line.code], coder))
    return out


def code_as(project: Project, coder: str, lines: list[Line]) -> int:
    """Apply one coder's codings from ``lines`` to ``project``; returns how many."""
    book = project.codebook.book()
    ids = {path: book.find(path)[0].id for path in CODES.values()}
    done = 0
    with project.context.store.atomic():
        for source, start, end, code, who in spans(project, lines):
            if who == coder:
                project.coding.apply(source, start, end, ids[code], coder=coder)
                done += 1
    return done


def build(out: Path) -> list[Path]:
    """Write one ``.qdpx`` per coder into ``out``; returns their paths."""
    lines = read_lines()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="qualcode-demo-") as tmp:
        for coder in CODERS:
            with build_demo(Path(tmp) / f"{coder}.qcdb", coded=False) as project:
                project.context.set_coder(coder)
                code_as(project, coder, lines)
                written.append(project.exchange.export_qdpx(out / f"{coder}.qdpx"))
    return written


if __name__ == "__main__":
    for path in build(examples_root() / "transcripts_example" / "codings"):
        print(path, file=sys.stderr)
