"""``qualcode team``: the coders and leads of a project on a PostgreSQL server.

Coders are database roles. qualcode never asks for, prints or stores a password: a new
role has none until the server's administrator (or the coder, in psql) sets one, and each
coder connects with libpq's own means (``PGPASSWORD``, ``~/.pgpass``, peer authentication).
"""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.base import FormatOpt, ProjectArg, app, opened, reports_errors, say
from qualcode.cli.render import Format, render

team_app = typer.Typer(
    help="The coders of a project on a server (postgresql://...): database roles.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(team_app, name="team")

NameArg = Annotated[str, typer.Argument(help="The coder's role name.", show_default=False)]


@team_app.command("list")
@reports_errors
def team_list(project: ProjectArg, fmt: FormatOpt = Format.table) -> None:
    """List the project's coders and leads with their codings."""
    with opened(project) as p:
        rows = [
            {"coder": m.name, "lead": "yes" if m.lead else "", "codings": m.codings}
            for m in p.team.members()
        ]
        if fmt is Format.json:
            rows = [{**r, "lead": bool(r["lead"])} for r in rows]
        say(render(rows, fmt, columns=["coder", "lead", "codings"]))


@team_app.command("add")
@reports_errors
def team_add(
    project: ProjectArg,
    name: NameArg,
    lead: Annotated[
        bool, typer.Option("--lead", help="Also a lead: may change the codebook and sources.")
    ] = False,
) -> None:
    """Make a role a coder of the project (a lead only). A role the server lacks is
    created as a login role without a password."""
    with opened(project) as p:
        created = p.team.add_coder(name, lead=lead)
    what = "a lead" if lead else "a coder"
    if created:
        say(
            f"Created role {name} and made it {what} of {project}. It has no password yet: "
            f"the server's administrator sets one (in psql: \\password {name}), or the "
            "server lets it in by peer authentication."
        )
    else:
        say(f"{name} is now {what} of {project}.")


@team_app.command("remove")
@reports_errors
def team_remove(project: ProjectArg, name: NameArg) -> None:
    """Take a coder out of the project (a lead only); their role and codings stay."""
    with opened(project) as p:
        p.team.remove_coder(name)
    say(f"{name} is no longer in the team of {project}; their codings stay in the project.")
