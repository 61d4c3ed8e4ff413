"""The team of a project on a server: who codes, who leads (see :mod:`qualcode.store.team`)."""

from __future__ import annotations

from qualcode.project.base import ProjectBase
from qualcode.store.team import Member


class TeamActions(ProjectBase):
    @property
    def on_server(self) -> bool:
        """Whether the project is on a PostgreSQL server (its coder is then the role)."""
        return self.store.role is not None

    def team(self) -> list[Member]:
        """The coders and leads of a project on a server, each with their codings."""
        return self.store.team()

    def add_coder(self, name: str, *, lead: bool = False) -> bool:
        """Make role ``name`` a coder (a lead, with ``lead``); only a lead may. Returns
        whether a login role had to be created for it (it has no password yet)."""
        return self.store.add_member(name, lead=lead)

    def remove_coder(self, name: str) -> None:
        """Take ``name`` out of the team; its role and its codings stay."""
        self.store.remove_member(name)
