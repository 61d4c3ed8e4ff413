"""The domain objects: plain, immutable dataclasses with no I/O.

Offsets everywhere are ``[start, end)`` in Unicode code points of a source's normalised text
(NFC, ``\\n`` newlines), the convention of REFI-QDA ``PlainTextSelection``. Ids are assigned by
the project database; objects built from a file before they are stored carry file-local ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

SOURCE_KINDS: tuple[str, ...] = ("interview", "expert_panel", "focus_group", "document", "response")

PATH_SEPARATOR = "/"
_ESCAPE = "\\"


def join_path(names: Iterable[str]) -> str:
    """The path of a code from its ancestors' names and its own, top first.

    A name is kept as written, ``/`` included ("Social/Political Advocacy"); in a path its
    ``/`` is written ``\\/`` and its ``\\`` as ``\\\\``, so that ``split_path`` gives the
    names back: ``join_path(["Parent", "Social/Political"])`` is ``Parent/Social\\/Political``.
    """
    return PATH_SEPARATOR.join([_escaped(n) for n in names])


def _escaped(name: str) -> str:
    if PATH_SEPARATOR not in name and _ESCAPE not in name:  # nearly every name: no copy
        return name
    return name.replace(_ESCAPE, _ESCAPE * 2).replace(PATH_SEPARATOR, _ESCAPE + PATH_SEPARATOR)


def split_path(path: str) -> list[str]:
    """The names in a code path, top first: the inverse of :func:`join_path`.

    ``\\/`` is a ``/`` within a name and ``\\\\`` a backslash; any other backslash is kept as
    typed (``a\\b`` is the name ``a\\b``), so that only a name with ``/`` needs escaping.
    Names are not stripped: callers compare them as they need.
    """
    names: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(path):
        char = path[i]
        if char == _ESCAPE and path[i + 1 : i + 2] in (_ESCAPE, PATH_SEPARATOR):
            current.append(path[i + 1])
            i += 2
            continue
        if char == PATH_SEPARATOR:
            names.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    names.append("".join(current))
    return names


def case_twins(name: str, names: Iterable[str]) -> list[str]:
    """The ``names`` that are ``name`` but for case or surrounding spaces, not ``name``
    itself, sorted: ``Anna`` beside ``anna`` reads as one person in every list, so a new
    coder of such a name is refused where a user types it."""
    folded = name.strip().casefold()
    return sorted({n for n in names if n != name and n.strip().casefold() == folded})


# What a memo is attached to.
MemoTarget = Literal["project", "source", "code", "coding"]


def utc_now() -> str:
    """Timestamps are ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# The fields of a code beyond its name and place in the tree, as the codebook files and the
# store know them.
CODE_FIELDS = (
    "definition",
    "inclusion",
    "exclusion",
    "keywords",
    "examples",
    "color",
    "hotkey",
    "guid",
)


@dataclass(frozen=True, slots=True)
class Code:
    """A code of the codebook; ``parent_id`` is ``None`` for a top-level code or group."""

    id: int
    name: str
    parent_id: int | None = None
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    color: str | None = None
    hotkey: str | None = None
    guid: str | None = None


@dataclass(frozen=True, slots=True)
class Codebook:
    """A tree of codes, in display order (parents before their children)."""

    codes: tuple[Code, ...] = ()
    name: str = ""
    _by_id: dict[int, Code] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # An index by id: get() and path() are called once per row of large tables.
        object.__setattr__(self, "_by_id", {c.id: c for c in self.codes})

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code_id: int) -> Code:
        """The code with this id (``KeyError`` if there is none)."""
        return self._by_id[code_id]

    def name_of(self, code_id: int | None, default: str) -> str:
        """The code's own name, or ``default`` for a code the codebook does not hold (one
        deleted meanwhile, a candidate theme)."""
        code = self._by_id.get(code_id) if code_id is not None else None
        return code.name if code is not None else default

    def roots(self) -> list[Code]:
        return [c for c in self.codes if c.parent_id is None]

    def children(self, code_id: int | None) -> list[Code]:
        return [c for c in self.codes if c.parent_id == code_id]

    def descendants(self, code_id: int) -> list[Code]:
        """Every code below ``code_id``, depth first."""
        out: list[Code] = []
        for child in self.children(code_id):
            out.append(child)
            out.extend(self.descendants(child.id))
        return out

    def names(self, code: Code | int) -> list[str]:
        """The names from the top of the tree down to the code (its own last)."""
        node = self.get(code) if isinstance(code, int) else code
        names = [node.name]
        seen = {node.id}
        while node.parent_id is not None:
            node = self.get(node.parent_id)
            if node.id in seen:  # a cycle cannot be stored, but never loop forever
                break
            seen.add(node.id)
            names.append(node.name)
        return names[::-1]

    def path(self, code: Code | int) -> str:
        """``Parent/Child`` path of a code, the name users see and type; a ``/`` in a name is
        escaped (:func:`join_path`)."""
        names = self.names(code)
        path = PATH_SEPARATOR.join(names)
        # Nearly no name has '/' or '\\': then the plain join is the path, and it is cheaper
        # (paths are made once per row of large tables).
        if _ESCAPE in path or path.count(PATH_SEPARATOR) != len(names) - 1:
            path = join_path(names)
        return path

    def depth(self, code: Code) -> int:
        return len(self.names(code)) - 1

    def find(self, ref: str) -> list[Code]:
        """Codes matching a name or a ``Parent/Child`` path, case-insensitively.

        ``ref`` is read as a path (:func:`split_path`: ``\\/`` is a ``/`` within a name). An
        exact path match wins over name matches; a bare name may match several codes in
        different branches, and the caller decides what that means.
        """
        wanted = [name.strip().casefold() for name in split_path(ref.strip())]
        by_path = [
            c
            for c in self.codes
            if c.name.strip().casefold() == wanted[-1]
            and [n.strip().casefold() for n in self.names(c)] == wanted
        ]
        if by_path or len(wanted) > 1:
            return by_path
        return [c for c in self.codes if c.name.strip().casefold() == wanted[0]]


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance: a speaker's consecutive lines. ``[start, end)`` covers what was said,
    without the speaker label or timestamp, which stay in the source text before it."""

    source_id: int
    index: int
    start: int
    end: int
    speaker: str | None = None
    timestamp: float | None = None  # seconds from the start of the recording

    @property
    def clock(self) -> str | None:
        """The timestamp as a transcript shows it (``00:01:06``), or None without one."""
        return None if self.timestamp is None else clock(self.timestamp)


def clock(seconds: float) -> str:
    """Seconds from the start of a recording as ``hh:mm:ss`` (fractions dropped)."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


@dataclass(frozen=True, slots=True)
class Source:
    """A transcript (or other text) in the project. ``text`` never changes after import."""

    id: int
    name: str
    kind: str
    text: str
    language: str = "en"
    attributes: Mapping[str, str] = field(default_factory=dict)
    guid: str | None = None
    content_hash: str = ""
    origin: str = ""  # the file it was imported from
    imported_at: str = ""


@dataclass(frozen=True, slots=True)
class Coding:
    """A code applied by a coder to ``[start, end)`` of a source; ``guid`` is its REFI-QDA
    guid once it has one (given by an export, or brought by an import)."""

    id: int
    source_id: int
    code_id: int
    start: int
    end: int
    coder: str
    created_at: str = ""
    memo: str = ""
    guid: str | None = None


@dataclass(frozen=True, slots=True)
class NewCoding:
    """A coding to be written: what :class:`Coding` holds before the store gives it an id,
    with its coder by id (the store's key) and, from an exchange file, its REFI-QDA guid."""

    source_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    created_at: str
    memo: str = ""
    guid: str | None = None


@dataclass(frozen=True, slots=True)
class Memo:
    """Free text attached to the project (``target_id`` None), a source, a code or a coding."""

    id: int
    target: MemoTarget
    target_id: int | None
    text: str
    coder: str = ""
    created_at: str = ""
    guid: str | None = None  # its REFI-QDA Note guid, once it has one


@dataclass(frozen=True, slots=True)
class NewMemo:
    """A memo to be written: what :class:`Memo` holds before the store gives it an id, with
    its coder by id (the store's key)."""

    target: MemoTarget
    target_id: int | None
    text: str
    coder_id: int | None
    created_at: str
    guid: str | None = None


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """One row of the project's source list."""

    id: int
    name: str
    kind: str
    language: str
    speakers: tuple[str, ...]
    turns: int
    words: int
    characters: int
    coded_characters: int
    codings: int
    coders: tuple[str, ...]

    @property
    def coded_share(self) -> float:
        """Share of the text covered by at least one coding, 0..1."""
        return self.coded_characters / self.characters if self.characters else 0.0


@dataclass(frozen=True, slots=True)
class CodedSegment:
    """A coding with what it points at: the quote, the code path and the speaker.

    ``text`` is the quote as shown to people (transcriber notes and repeated labels left
    out, see :func:`qualcode.ingest.spoken.spoken_quote`); ``verbatim`` the exact coded text.
    """

    coding: Coding
    source: str
    code: str  # path
    text: str
    speaker: str | None = None
    verbatim: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A code (or a candidate theme) suggested for ``[start, end)`` of a source.

    Not stored until accepted. ``code_id`` is None for a candidate theme not yet in the
    codebook; ``evidence`` is what a person can check: matched terms, the nearest coded example.
    """

    source_id: int
    start: int
    end: int
    label: str  # the code's path, or the candidate theme's label
    score: float  # in [0, 1]
    suggester: str  # a versioned name, e.g. "qualcode.codebook.v1"
    evidence: tuple[str, ...] = ()
    code_id: int | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """A candidate theme found in uncoded text: not a code until promoted.

    ``quotes`` are representative passages and ``spans`` where each is, as
    ``(source_id, start, end)``; ``weight`` is the theme's share of the uncoded text, 0..1.
    """

    label: str
    terms: tuple[str, ...]
    quotes: tuple[str, ...]
    spans: tuple[tuple[int, int, int], ...]
    size: int  # passages in the theme
    weight: float
    suggester: str = "qualcode.themes.v1"


@dataclass(frozen=True, slots=True)
class PendingSuggestion:
    """A suggestion waiting in the review queue (``qualcode suggest --all``), with the
    precision expected of the queue at the threshold it was made with."""

    id: int
    suggestion: Suggestion
    precision: float
    created_at: str


@dataclass(frozen=True, slots=True)
class Feedback:
    """What a coder did with a suggestion: accepted (it became a coding) or rejected."""

    id: int
    source_id: int
    start: int
    end: int
    code_id: int | None
    label: str
    suggester: str
    score: float
    accepted: bool
    coder: str
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """One reconcile decision as the log records it.

    ``kind`` is ``pick`` (one disagreement settled), ``accept`` (one disagreement settled
    by ``reconcile --accept``) or ``agreements`` (the units the coders coded alike, put into
    ``into`` at the first reconcile; ``count`` says how many, and it has no span). ``choice``
    is a coder's name, ``passage`` or ``none``. ``replaced_by`` is the id of the decision
    that replaced it (``--change``), if one did.
    """

    id: int
    kind: str
    source_id: int | None
    source: str
    code_id: int | None
    code: str
    start: int | None
    end: int | None
    choice: str
    into: str
    coders: tuple[str, ...]
    unit: str
    decided_by: str
    created_at: str
    count: int = 1
    undone: bool = False
    replaced_by: int | None = None

    @property
    def active(self) -> bool:
        """Whether it stands: neither undone nor replaced."""
        return not self.undone and self.replaced_by is None

    @property
    def status(self) -> str:
        """``undone``, ``replaced by #N`` or empty, for the log."""
        if self.undone:
            return "undone"
        return f"replaced by #{self.replaced_by}" if self.replaced_by is not None else ""


@dataclass(frozen=True, slots=True)
class NewDecision:
    """A reconcile decision to be recorded: what :class:`Decision` holds before the store
    gives it an id, with the coder it decides for by id and the compared coders joined by
    commas."""

    kind: str
    source_id: int | None
    code_id: int | None
    start: int | None
    end: int | None
    choice: str
    into_id: int
    coders: str
    unit: str
    decided_by: str
    created_at: str
    count: int = 1
