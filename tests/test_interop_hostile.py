"""Hostile and broken .qdpx files: each is refused with one line naming the file and the
place, and the project is left byte for byte as it was."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.errors import ExchangeError
from qualcode.interop.qdpx import Limits, read_qdpx
from qualcode.project import Project
from tests.conftest import dump
from tests.refi_helpers import SOURCE, make_qdpx, selection, simple_qde

TEXT = {f"sources/{SOURCE}.txt": b"I had never heard of it."}

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>"""


def _zip_slip(tmp: Path) -> Path:
    return make_qdpx(tmp / "slip.qdpx", simple_qde(), {**TEXT, "../../evil.txt": b"x"})


def _backslash_slip(tmp: Path) -> Path:
    return make_qdpx(tmp / "bslip.qdpx", simple_qde(), {**TEXT, "..\\..\\evil.txt": b"x"})


def _absolute_member(tmp: Path) -> Path:
    return make_qdpx(tmp / "abs.qdpx", simple_qde(), {**TEXT, "/tmp/evil.txt": b"x"})


def _path_traversal(tmp: Path) -> Path:
    qde = simple_qde(path="internal://../../../etc/passwd")
    return make_qdpx(tmp / "trav.qdpx", qde, TEXT)


def _absolute_source_path(tmp: Path) -> Path:
    return make_qdpx(tmp / "absp.qdpx", simple_qde(path="absolute:///etc/passwd"), TEXT)


def _billion_laughs(tmp: Path) -> Path:
    return make_qdpx(tmp / "laughs.qdpx", LAUGHS)


def _external_entity(tmp: Path) -> Path:
    return make_qdpx(tmp / "xxe.qdpx", XXE)


def _zip_bomb(tmp: Path) -> Path:
    return make_qdpx(tmp / "bomb.qdpx", simple_qde(), {f"sources/{SOURCE}.txt": bytes(20 * 2**20)})


def _broken_xml(tmp: Path) -> Path:
    return make_qdpx(
        tmp / "broken.qdpx", '<?xml version="1.0"?>\n<Project name="x">\n<Users>\n</Project>'
    )


def _offsets_past_the_end(tmp: Path) -> Path:
    return make_qdpx(tmp / "past.qdpx", simple_qde(selection(5, 999)), TEXT)


def _not_a_zip(tmp: Path) -> Path:
    path = tmp / "plain.qdpx"
    path.write_text("this is no zip")
    return path


def _no_project_xml(tmp: Path) -> Path:
    path = tmp / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("sources/a.txt", "x")
    return path


def _deep_nesting(tmp: Path) -> Path:
    depth = 5000
    codes = "".join(
        f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="c{i}" isCodable="true">'
        for i in range(depth)
    )
    qde = simple_qde().replace(
        "<CodeBook><Codes>", "<CodeBook><Codes>" + codes + "</Code>" * depth, 1
    )
    return make_qdpx(tmp / "deep.qdpx", qde, TEXT)


def _not_utf8(tmp: Path) -> Path:
    return make_qdpx(tmp / "latin.qdpx", simple_qde(), {f"sources/{SOURCE}.txt": b"caf\xe9 \xff"})


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zip slip": (_zip_slip, "points outside"),
    "zip slip with backslashes": (_backslash_slip, "points outside"),
    "absolute member name": (_absolute_member, "points outside"),
    "source path traversal": (_path_traversal, "points outside"),
    "absolute source path": (_absolute_source_path, "absolute path"),
    "billion laughs": (_billion_laughs, "entity"),
    "external entity": (_external_entity, "entity"),
    "zip bomb": (_zip_bomb, "zip bomb"),
    "broken XML": (_broken_xml, "line 4"),
    "offsets past the end": (_offsets_past_the_end, "outside the text"),
    "not a zip": (_not_a_zip, "zip"),
    "no project.qde": (_no_project_xml, "project.qde"),
    "text not UTF-8": (_not_utf8, "UTF-8"),
    "codes nested 5,000 deep": (_deep_nesting, "nested too deeply"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_qdpx_is_refused_and_the_project_is_untouched(
    case: str, project: Project, project_path: Path, tmp_path: Path
):
    make, expected = HOSTILE[case]
    bad = make(tmp_path)
    project.coding.apply("int1", 0, 9, "Awareness", coder="anna", new=True)
    before = dump(project_path)
    with pytest.raises(ExchangeError) as info:
        project.exchange.import_qdpx(bad)
    message = str(info.value)
    assert "\n" not in message and str(bad) in message, message
    assert expected in message, message
    assert dump(project_path) == before
    assert not list(tmp_path.glob("**/evil.txt")) and not Path("/tmp/evil.txt").exists()


def test_declared_sizes_over_the_limit_are_refused(tmp_path: Path):
    qdpx = make_qdpx(tmp_path / "big.qdpx", simple_qde(selection(0, 5)), TEXT)
    with pytest.raises(ExchangeError, match="would unpack to"):
        read_qdpx(qdpx, Limits(total=100))


def _many_sources(count: int) -> str:
    sources = "".join(
        f'<TextSource guid="5555aaaa-0000-4000-8000-{i:012d}" name="s{i}" '
        f'plainTextPath="internal://s{i}.txt"/>'
        for i in range(count)
    )
    return simple_qde().replace(simple_qde().split("<Sources>")[1].split("</Sources>")[0], sources)


def test_many_members_within_every_per_member_limit_are_still_a_bomb(
    project: Project, project_path: Path, tmp_path: Path
):
    # 80 members of 1 MiB each: none is over 1 MiB, so no per-member ratio applies, yet
    # 80 MiB come out of an archive of about 100 kB (the audit's 1,900 such members made
    # a 2 GB project of a 2.2 MB file).
    members = {f"sources/s{i}.txt": b"a" * 2**20 for i in range(80)}
    bomb = make_qdpx(tmp_path / "many.qdpx", _many_sources(80), members)
    assert bomb.stat().st_size < 200_000
    before = dump(project_path)
    with pytest.raises(ExchangeError) as info:
        project.exchange.import_qdpx(bomb)
    assert str(info.value) == (
        f"{bomb}: would unpack to {80 * 2**20 + len(_many_sources(80)):,} bytes or more, "
        "over 100 times the archive's own size: refused as a possible zip bomb"
    )
    assert dump(project_path) == before


def test_members_read_a_chunk_at_a_time_come_out_whole(tmp_path: Path):
    texts = {
        f"sources/s{i}.txt": f"{i}: I had never heard of it. ".encode() * 999 for i in range(3)
    }
    qdpx = make_qdpx(tmp_path / "three.qdpx", _many_sources(3), texts)
    sources = read_qdpx(qdpx, Limits(chunk=4096)).sources
    assert [s.text.encode() for s in sources] == list(texts.values())
    with pytest.raises(ExchangeError, match="over 1 times the archive's own size"):
        read_qdpx(qdpx, Limits(small=0, archive_ratio=1))


def test_a_failure_while_writing_rolls_everything_back(
    project: Project, project_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from qualcode.interop import merge

    good = make_qdpx(tmp_path / "good.qdpx", simple_qde(selection(0, 5)), TEXT)
    before = dump(project_path)

    def explode(self: object, refi: object) -> None:
        raise ExchangeError("disk on fire", file="good.qdpx")

    monkeypatch.setattr(merge.Merger, "_notes", explode)
    with pytest.raises(ExchangeError):
        project.exchange.import_qdpx(good)
    assert dump(project_path) == before  # sources, codes and codings written before: gone


def test_cli_refuses_with_one_line_and_a_new_project_is_removed(tmp_path: Path):
    runner = CliRunner()
    bad = _billion_laughs(tmp_path)
    target = tmp_path / "new.qcdb"
    result = runner.invoke(app, ["import", str(target), str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qualcode: error: ") and str(bad) in lines[0]
    assert not target.exists()
