"""The team of a project on a PostgreSQL server: its coders and leads are database roles.

Adding a coder makes (or finds) a login role and grants it the project's coders' group;
a lead also gets the leads' group, with the right to pass both on. Removing takes the
groups away and keeps the role, which may be used elsewhere on the server, and the coder's
codings, which are part of the project. Only a lead changes the team; a role is created
only by a lead allowed to create roles (``CREATEROLE``), and never with a password:
the server's administrator or the coder sets one (``\\password`` in psql).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from qualcode.errors import ProjectError
from qualcode.model import case_twins
from qualcode.store import server
from qualcode.store.base import StoreBase

_ROLE_NAME_LIMIT = 63
# Role names PostgreSQL reserves (refused by CREATE ROLE, or meaning another role in GRANT).
_RESERVED_ROLES = frozenset({"public", "none", "current_user", "current_role", "session_user"})


@dataclass(frozen=True, slots=True)
class Member:
    """A role of a project's team."""

    name: str
    lead: bool
    codings: int


class TeamMixin(StoreBase):
    def _server_only(self) -> None:
        if self.role is None:
            raise ProjectError(
                "the team is for a project on a server (postgresql://...); in a project "
                "file a coder is a name (--coder)",
                file=self.label,
            )

    def team(self) -> list[Member]:
        """The project's coders and leads, by name."""
        self._server_only()
        with self.reading() as conn:
            coders, leads = server.team_roles(conn)
            rows = conn.exec_driver_sql(
                "WITH RECURSIVE inside(oid) AS ("
                "  SELECT oid FROM pg_roles WHERE rolname IN (%(c)s, %(l)s)"
                "  UNION SELECT am.member FROM pg_auth_members am"
                "  JOIN inside i ON am.roleid = i.oid"
                ") "
                "SELECT r.rolname, "
                "  pg_has_role(r.oid, %(l)s, 'MEMBER') OR r.rolname = t.tableowner, "
                "  (SELECT count(*) FROM codings k JOIN coders c ON c.id = k.coder_id "
                "   WHERE c.name = r.rolname) "
                "FROM pg_roles r CROSS JOIN (SELECT %(owner)s AS tableowner) t "
                "WHERE (r.oid IN (SELECT oid FROM inside) OR r.rolname = t.tableowner) "
                "  AND r.rolname NOT IN (%(c)s, %(l)s) "
                "ORDER BY r.rolname",
                {"c": coders, "l": leads, "owner": server.owner(conn)},
            ).all()
        return [Member(str(name), bool(lead), int(n)) for name, lead, n in rows]

    def add_member(self, name: str, *, lead: bool = False) -> bool:
        """Make role ``name`` a coder of the project (and a lead, with ``lead``), creating
        it as a login role if the server has none of that name. Returns whether the role
        was created."""
        self._server_only()
        _check_name(name, self.label)
        with self.writing() as conn:
            coders, leads = self._as_lead(conn, "add coders")
            _check_not_reserved(name, (coders, leads), self.label)
            self._check_case_twin(name)
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": name}
            ).first()
            if exists is None:
                may_create = conn.exec_driver_sql(
                    "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
                ).scalar()
                if not may_create:
                    raise ProjectError(
                        f"there is no role {name!r} on the server, and {self.role} may not "
                        f"create roles: the server's administrator creates it (CREATE ROLE "
                        f"{server.quote_name(name)} LOGIN), then run 'team add' again",
                        file=self.label,
                    )
                conn.exec_driver_sql(f"CREATE ROLE {server.quote_name(name)} LOGIN")
            role = server.quote_name(name)
            conn.exec_driver_sql(f"GRANT {server.quote_name(coders)} TO {role}")
            if lead:
                for group in (leads, coders):
                    conn.exec_driver_sql(
                        f"GRANT {server.quote_name(group)} TO {role} WITH ADMIN OPTION"
                    )
        return exists is None

    def remove_member(self, name: str) -> None:
        """Take role ``name`` out of the team; the role and its codings stay."""
        self._server_only()
        with self.writing() as conn:
            coders, leads = self._as_lead(conn, "remove coders")
            if name not in {m.name for m in self.team()}:
                raise ProjectError(f"{name!r} is not in the team", file=self.label)
            if name == server.owner(conn):
                raise ProjectError(
                    f"{name} set the project up and owns its tables; it stays a lead",
                    file=self.label,
                )
            for group in (leads, coders):
                conn.exec_driver_sql(
                    f"REVOKE {server.quote_name(group)} FROM {server.quote_name(name)}"
                )

    def _check_case_twin(self, name: str) -> None:
        """Refuse ``name`` if a team member or a coder of the project has it in another case:
        ``Anna`` next to ``anna`` would be two roles that look like one person in every list."""
        twins = case_twins(name, [*(m.name for m in self.team()), *self.coders()])
        if twins:
            raise ProjectError(
                f"{name!r} differs from {twins[0]} only in case, a coder of this project: two "
                f"names alike would read as one person; add {twins[0]}, or choose another name",
                file=self.label,
            )

    def _as_lead(self, conn: Connection, what: str) -> tuple[str, str]:
        if not server.is_lead(conn):
            raise ProjectError(
                f"only a lead may {what}; {self.role} is a coder of this project "
                "(see 'qualcode team list' for its leads)",
                file=self.label,
            )
        return server.team_roles(conn)


def _check_name(name: str, label: str) -> None:
    if not name.strip() or name != name.strip() or len(name.encode()) > _ROLE_NAME_LIMIT:
        raise ProjectError(
            f"{name!r} cannot be a role name: 1 to 63 bytes, no spaces around it", file=label
        )
    if name.startswith("pg_"):
        raise ProjectError(f"{name!r}: names starting with pg_ are the server's own", file=label)


def _check_not_reserved(name: str, groups: tuple[str, str], label: str) -> None:
    """Refuse a name the server reserves, or one of the project's group roles (a group
    made a coder would be a member of itself, or give every coder a lead's rights)."""
    if name in _RESERVED_ROLES:
        raise ProjectError(f"{name!r} cannot be a coder: the server reserves that name", file=label)
    if name in groups:
        raise ProjectError(
            f"{name!r} cannot be a coder: it is the project's group of "
            f"{'coders' if name == groups[0] else 'leads'}; add each person by their own role",
            file=label,
        )
