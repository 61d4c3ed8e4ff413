"""Every qualcode command of the README's "Working as a team on a server" section runs, as
written, against a real PostgreSQL: the IT person's part done as the README says (a lead
role that may create roles, an empty database it owns), then the lead's and the coder's
commands in order, each as the role its URL names."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.postgres import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
SECTION = re.search(
    r"^## Working as a team on a server\n(.*?)^## ",
    (ROOT / "README.md").read_text(encoding="utf-8"),
    re.M | re.S,
)
URL = re.compile(r'"postgresql://(\w+)@db\.example\.edu/mentoring\?sslmode=verify-full"')


def commands() -> list[tuple[str, str]]:
    """``(command, what its comment says it prints)`` of the section's bash blocks."""
    assert SECTION is not None
    blocks = re.findall(r"^```bash\n(.*?)^```", SECTION.group(1), re.M | re.S)
    out = []
    for line in "".join(blocks).splitlines():
        command, _, comment = line.partition("  #")
        if command.startswith("qualcode "):
            out.append((command.strip(), comment.strip().split(":")[0]))
    return out


def test_the_server_section_has_the_lead_and_the_coder_commands():
    names = [shlex.split(c)[1] for c, _ in commands()]
    for name in ("init", "import", "team", "open", "code", "clone", "push", "pull"):
        assert name in names


def test_every_command_of_the_server_section_works(
    postgres: PostgresServer, pg_database: str, tmp_path: Path
):
    with postgres.admin() as conn:  # what the IT person does with createuser and createdb
        conn.execute("CREATE ROLE lena LOGIN CREATEROLE")
        conn.execute(f'ALTER DATABASE "{pg_database}" OWNER TO lena')
    (tmp_path / "transcripts_example").symlink_to(ROOT / "transcripts_example")
    for command, says in commands():
        if command.startswith("qualcode open "):
            continue  # the workbench: tests/test_live.py drives it on a server
        line = URL.sub(lambda m: shlex.quote(postgres.url(pg_database, m.group(1))), command)
        result = subprocess.run(
            [sys.executable, "-m", "qualcode", *shlex.split(line)[1:]],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=300,
        )
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        if says.startswith(("pushed", "pulled")):
            assert result.stdout.startswith(says), f"{command}\n{result.stdout}"
