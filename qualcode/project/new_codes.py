"""Codes made from a typed path, each one named.

A ``/`` in a typed code path separates a parent from its child: "Social/Political Advocacy"
is a child "Political Advocacy" under "Social", and ``Social\\/Political Advocacy`` is one
code whose name has a slash. Where no code "Social" exists, coding with the path would make
it too: a new top-level code that nobody asked for by name, and a typo in a parent's name
("Awarness/Radio") would fork the codebook the same way without a word. So a missing
parent is made only when asked (``parents=True``, the CLI's ``--parents``, the workbench's
explicit "+ new codes" choice), and whatever is made is said in full, parents included,
with the one-name reading of the path beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.errors import quoted
from qualcode.model import PATH_SEPARATOR, Codebook, join_path


@dataclass(frozen=True, slots=True)
class NewCodes:
    """The codes one typed path made, top first (missing parents, then the code itself),
    and the path read as one code name under the parent that existed (escaped)."""

    paths: tuple[str, ...] = ()
    single: str = ""

    def __bool__(self) -> bool:
        return bool(self.paths)

    def describe(self) -> str:
        """What was made, in a sentence: "New code 'Time' added to the codebook." or
        "New codes added: 'Social' (a parent) and 'Social/Political Advocacy'. A '/'
        separates a parent from its child; 'Social\\/Political Advocacy' names one code."
        (empty when nothing was made)."""
        if not self.paths:
            return ""
        if len(self.paths) == 1:
            return f"New code {quoted(self.paths[0])} added to the codebook."
        parents = ", ".join(f"{quoted(p)} (a parent)" for p in self.paths[:-1])
        return (
            f"New codes added: {parents} and {quoted(self.paths[-1])}. A '/' separates a "
            f"parent from its child; {quoted(self.single)} names one code."
        )


def one_name(names: Sequence[str], depth: int) -> str:
    """The path whose names from ``depth`` on are read as one name (its ``/`` escaped),
    under the codes above it: what a path with a missing parent may have meant."""
    return join_path([*names[:depth], PATH_SEPARATOR.join(names[depth:])])


def existing_part(book: Codebook, names: Sequence[str]) -> tuple[int | None, int]:
    """How far a path's ``names`` lead through the codes of ``book``: the id of the
    deepest code reached (None for none) and how many of the names that took."""
    parent: int | None = None
    for depth in range(len(names)):
        prefix = join_path(names[: depth + 1])
        hit = [c for c in book.find(prefix) if c.parent_id == parent]
        if not hit:
            return parent, depth
        parent = hit[0].id
    return parent, len(names)
