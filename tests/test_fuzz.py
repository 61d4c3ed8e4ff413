"""Mutated input files: each gives a clean import or one line of error, never a traceback or
a hang, and a failed import leaves the project exactly as it was.

Cases go through the facade the CLI calls (``import_files``, ``import_codebook``,
``import_responses``, ``import_qdpx``, chosen by suffix as ``qualcode import`` chooses):
building the Typer command for each of a few hundred runs would cost more than the imports.
A :class:`QualcodeError` is what the CLI prints as its one line with exit status 1; any other
exception fails the test.

The seeds are the example study's own files (every transcript format, the codebook, the
attribute sheet) and a small .qdpx and codebook CSV made here. Each is mutated with a fixed
seed in ways real files get damaged: bytes flipped, stray bytes inserted (0xFF, control
characters), cut short, a piece repeated or removed; zip packages also with one member
damaged inside an intact zip, so the XML parsers see the damage and not only zipfile.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import signal
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook, save_codebook
from qualcode.errors import QualcodeError
from qualcode.project import ImportOptions, Project
from tests.conftest import INTERVIEW, dump
from tests.refi_helpers import SOURCE, make_qdpx, selection, simple_qde

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "transcripts_example"
SEED = 10
MUTANTS_PER_FILE = 16
SECONDS_PER_CASE = 10
TRANSCRIPTS = {".txt", ".md", ".docx", ".odt", ".rtf", ".vtt", ".srt"}
STRAY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NASTY = [b"\xff", b"\xfe", b"\x00", b"\x07", b"\x1b", b"\x81", b"\xc3", b"\r", b"\xe2\x80"]


Importer = Callable[[Project, Path], object]


def _transcript(p: Project, path: Path) -> object:
    return p.sources.import_files([path])


def _codebook(p: Project, path: Path) -> object:
    return p.codebook.import_codebook(path)


def _survey(p: Project, path: Path) -> object:
    return p.sources.import_responses(path, ImportOptions(text_column="role", id_column="source"))


def _qdpx(p: Project, path: Path) -> object:
    return p.exchange.import_qdpx(path)


def _seeds(folder: Path) -> list[tuple[Path, Importer]]:
    """The files to mutate, with the import each goes through."""
    seeds: list[tuple[Path, Importer]] = [
        (path, _transcript) for path in sorted(EXAMPLES.iterdir()) if path.suffix in TRANSCRIPTS
    ]
    seeds.append((ROOT / "codebooks" / "mentoring.yaml", _codebook))
    seeds.append((EXAMPLES / "attributes.csv", _survey))
    book = folder / "codebook.csv"
    save_codebook(load_codebook(ROOT / "codebooks" / "mentoring.yaml"), book)
    seeds.append((book, _codebook))
    text = {f"sources/{SOURCE}.txt": "Prüfung: I had never heard of it.\n".encode()}
    seeds.append((make_qdpx(folder / "team.qdpx", simple_qde(selection(0, 7)), text), _qdpx))
    return seeds


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four damages of the kinds files really suffer."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        kind = rng.randrange(5)
        if kind == 0 and out:  # flip a byte
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif kind == 1:  # a stray byte or sequence
            out[at:at] = rng.choice(NASTY)
        elif kind == 2:  # cut short
            del out[max(at, 1) :]
        elif kind == 3:  # a piece repeated
            out[at:at] = out[at : at + rng.randint(1, 64)]
        else:  # a piece lost
            del out[at : at + rng.randint(1, 64)]
    return bytes(out)


def _mutate_member(data: bytes, rng: random.Random) -> bytes:
    """A zip package with one member damaged and the zip itself intact."""
    with zipfile.ZipFile(io.BytesIO(data)) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    victim = rng.randrange(len(members))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as new:
        for i, (info, content) in enumerate(members):
            new.writestr(info.filename, _mutate(content, rng) if i == victim else content)
    return buffer.getvalue()


def _cases(folder: Path) -> Iterator[tuple[str, Path, Importer]]:
    rng = random.Random(SEED)
    for n, (seed, importer) in enumerate(_seeds(folder)):
        data = seed.read_bytes()
        for m in range(MUTANTS_PER_FILE):
            is_zip = data.startswith(b"PK\x03\x04")
            mutant = _mutate_member(data, rng) if is_zip and m % 2 else _mutate(data, rng)
            path = folder / f"case{n:02d}-{m:02d}" / seed.name
            path.parent.mkdir()
            path.write_bytes(mutant)
            yield f"{seed.name} #{m}", path, importer


@contextmanager
def _deadline(seconds: int, case: str) -> Iterator[None]:
    """Fail a case that is still running after ``seconds`` (a hang), where POSIX allows."""
    if sys.platform == "win32":
        yield
        return

    def expire(*_: object) -> None:
        raise TimeoutError(f"{case}: still importing after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a source, a code and a coding, so "unchanged" means something."""
    folder = tmp_path_factory.mktemp("fuzz-template")
    (folder / "int1.txt").write_text(INTERVIEW, encoding="utf-8")
    path = folder / "template.qcdb"
    with Project.create(path, coder="anna") as p:
        p.sources.import_files([folder / "int1.txt"])
        p.coding.apply("int1", 0, 9, "Awareness", new=True)
    return path


def test_mutated_files_import_cleanly_or_fail_in_one_line(
    tmp_path: Path, template: Path, capsys: pytest.CaptureFixture[str]
):
    outcomes = {"imported": 0, "refused": 0}
    for case, path, importer in _cases(tmp_path):
        project = path.parent / "p.qcdb"
        shutil.copyfile(template, project)
        before = dump(project)
        with Project.open(project) as p, _deadline(SECONDS_PER_CASE, case):
            try:
                importer(p, path)
            except QualcodeError as exc:
                error: QualcodeError | None = exc
            else:
                error = None
                if path.suffix in TRANSCRIPTS:  # REFI-QDA texts keep theirs (offsets)
                    texts = [p.sources.get(s.id).text for s in p.sources.all()]
                    assert not any(STRAY.search(t) for t in texts), case
        printed = capsys.readouterr()  # a library's own printing would garble the one line
        assert not printed.out and not printed.err, (case, printed.out[:200], printed.err[:200])
        if error is None:
            outcomes["imported"] += 1
            continue
        assert "\n" not in str(error) and str(error).strip(), (case, str(error))
        assert dump(project) == before, case
        outcomes["refused"] += 1
    # Both outcomes must occur, or the mutations test only one path.
    assert outcomes["imported"] > 20 and outcomes["refused"] > 20, outcomes
