"""What a ``clone``, ``push`` or ``pull`` did (:class:`SyncReport`) and the wording of its
counts, in a module of their own: :mod:`qualcode.project.sync` makes the report and
:mod:`qualcode.project.sync_rules` fills it, so neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def count(n: int, noun: str) -> str:
    """``1 coding``, ``2 codings``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(slots=True)
class SyncReport:
    """What a clone, push or pull did, in counts, and what the user must look at."""

    action: str  # clone | push | pull
    origin: str
    coder: str
    codings_added: int = 0
    codings_removed: int = 0
    memos_added: int = 0
    memos_edited: int = 0  # memos of codings changed
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.codings_added or self.codings_removed or self.memos_added or self.memos_edited
        )

    def summary(self) -> str:
        """One line: ``pushed 12 new codings, 3 removals, 1 memo, 2 edited memos; 2
        conflicts:`` (edited memos only when there are some)."""
        if self.action == "clone":
            line = (
                f"cloned {self.origin} for {self.coder}: "
                f"{count(self.codings_added, 'coding')}, {count(self.memos_added, 'memo')}"
            )
        else:
            verb = "pushed" if self.action == "push" else "pulled"
            line = (
                f"{verb} {count(self.codings_added, 'new coding')}, "
                f"{count(self.codings_removed, 'removal')}, {count(self.memos_added, 'memo')}"
            )
            if self.memos_edited:
                line += f", {count(self.memos_edited, 'edited memo')}"
        if self.conflicts:
            line += f"; {count(len(self.conflicts), 'conflict')}:"
        return line
