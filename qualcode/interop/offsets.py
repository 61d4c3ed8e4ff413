"""How other tools count selection offsets, and how to tell which way a file counts them.

REFI-QDA says a ``PlainTextSelection`` counts Unicode code points, but producers count what
their platform counts: NVivo (.NET) counts UTF-16 code units, so an emoji is two; ATLAS.ti is
reported to count a CRLF line end as one; some tools count a leading BOM, some do not. A file
read the wrong way shifts every quote by a few characters and nothing fails, so the
convention is data (:class:`Convention`), every candidate maps offsets exactly onto the text
as the file had it (:class:`UnitMap`), and the reader picks the candidate under which the
file's own selections make sense (:func:`choose`): their boundaries fall between words, and
they match the quote a tool wrote into the selection's ``name``. When another reading that
places the quotes elsewhere fits as well (text written without spaces, where a boundary
proves nothing), the file cannot tell, and the import keeps the producer's reading and warns.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qualcode.errors import ExchangeError
from qualcode.interop.refi import OffsetMap

UNITS = ("codepoints", "utf16", "utf8")
UNIT_LABELS = {
    "codepoints": "Unicode code points",
    "utf16": "UTF-16 code units",
    "utf8": "UTF-8 bytes",
}
POOR = 0.9  # below this share of codings placed cleanly, the import warns
CUT_NAME = 20  # a name this long that starts its quote is the quote cut short


@dataclass(frozen=True, slots=True)
class Convention:
    """One way of counting offsets into a source's text as its file has it.

    Attributes:
        unit: ``codepoints``, ``utf16`` (code units) or ``utf8`` (bytes).
        bom: a leading byte order mark is counted (as one unit of ``unit``).
        crlf: what a CRLF line end counts, 1 or 2 (a lone CR or LF always counts 1).
    """

    unit: str = "codepoints"
    bom: bool = False
    crlf: int = 2

    def __str__(self) -> str:
        extras = []
        if self.bom:
            extras.append("BOM counted")
        if self.crlf == 1:
            extras.append("CRLF as one")
        return UNIT_LABELS[self.unit] + (f" ({', '.join(extras)})" if extras else "")


STANDARD = Convention()


@dataclass(frozen=True, slots=True)
class Producer:
    """What a tool is known (or reported) to write, most likely first."""

    name: str
    pattern: str  # matched against <Project origin="...">, case-insensitive
    conventions: tuple[Convention, ...]
    source: str  # why we believe it


_ALL = tuple(Convention(u, b, c) for u in UNITS for b in (False, True) for c in (2, 1))

# Matched in this order: "qualcode (for NVivo)" (an export for NVivo) is read as NVivo's,
# and "QualCoder 3.5" must not be taken for qualcode.
PRODUCERS = (
    Producer(
        "NVivo",
        r"nvivo",
        (Convention("utf16"), Convention("utf16", crlf=1), Convention("codepoints")),
        "confirmed on NVivo for Windows 12 exports: UTF-16 code units, BOM not counted",
    ),
    Producer(
        "ATLAS.ti",
        r"atlas",
        (Convention("codepoints", crlf=1), Convention("utf16", crlf=1), Convention()),
        "reported (QualCoder's importer): a CRLF counts one; the unit is not confirmed",
    ),
    Producer(
        "MAXQDA",
        r"maxqda",
        (Convention("codepoints", crlf=1), Convention(), Convention("utf16")),
        "reported (QualCoder's MAXQDA export writes CRLF with one-per-line-end offsets)",
    ),
    Producer(
        "QualCoder",
        r"qualcoder",
        (Convention(), Convention("codepoints", crlf=1)),
        "QualCoder's source: Python code points; its text files carry a BOM not counted",
    ),
    Producer("qualcode", r"^qualcode", (Convention(),), "qualcode's own exports"),
)


def producer_of(origin: str) -> Producer | None:
    """The known producer named in a project's ``origin``, if any."""
    for p in PRODUCERS:
        if re.search(p.pattern, origin or "", re.IGNORECASE):
            return p
    return None


def candidates(origin: str, unit: str | None = None) -> list[Convention]:
    """Conventions to try on a file, the producer's likeliest first, then all others;
    ``unit`` (an override) keeps only those counting in that unit."""
    if unit is not None and unit not in UNITS:
        raise ExchangeError(f"offsets are counted in {', '.join(UNITS)}, not {unit!r}")
    producer = producer_of(origin)
    first = producer.conventions if producer else (STANDARD,)
    ordered = list(dict.fromkeys([*first, *_ALL]))
    return [c for c in ordered if unit is None or c.unit == unit]


# -- mapping ----------------------------------------------------------------------------------


def _width(unit: str) -> Callable[[str], int]:
    if unit == "utf16":
        return lambda ch: 2 if ord(ch) > 0xFFFF else 1
    if unit == "utf8":
        return lambda ch: len(ch.encode("utf-8", "surrogatepass"))
    return lambda ch: 1


class UnitMap:
    """Offsets of one convention into code-point offsets of the text as the file had it.

    An offset that falls inside a character (the second unit of a surrogate pair, a byte
    inside a UTF-8 sequence) rounds outward: a start down, an end up.
    """

    def __init__(self, original: str, convention: Convention):
        self.convention = convention
        c = convention
        simple = c.unit == "codepoints" or original.isascii()
        has_bom = original.startswith("\ufeff")
        if simple and (c.bom or not has_bom) and (c.crlf == 2 or "\r\n" not in original):
            self._pos: list[int] | None = None  # one unit per code point: the identity
            self.size = len(original)
            return
        width = _width(c.unit)
        widths = [width(ch) for ch in original]
        if has_bom and not c.bom:
            widths[0] = 0
        if c.crlf == 1:
            for m in re.finditer("\r\n", original):
                widths[m.start()] = 0
        self._pos = [0, *itertools.accumulate(widths)]
        self.size = self._pos[-1]

    def positions(self) -> list[int]:
        """The offset in this convention of each code point (and of the end)."""
        return list(range(self.size + 1)) if self._pos is None else self._pos

    def __call__(self, offset: int, *, end: bool = False) -> int:
        if self._pos is None:
            return offset
        i = bisect.bisect_left(self._pos, offset)
        if not end and (i >= len(self._pos) or self._pos[i] != offset):
            i -= 1
        return min(i, len(self._pos) - 1)


# -- choosing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """A selection as the file has it: raw offsets and the ``name`` a tool may have written."""

    source: int  # index into the texts
    start: int
    end: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """How well the file's selections read under one convention."""

    convention: Convention
    total: int  # selections
    outside: int  # out of the text under this convention
    on_words: int  # start and end fall on word or line boundaries
    named: int  # selections whose name holds a quote
    name_matches: int  # ... and the quote is the text selected
    reading: int = 0  # a digest of where every selection lands: equal readings place alike
    unjudged: int = 0  # an end between two letters of a script written without spaces

    @property
    def fitting(self) -> int:
        """Selections no end of which cuts a word: on boundaries, or where none can tell."""
        return self.on_words + self.unjudged

    @property
    def score(self) -> tuple[int, int, int]:
        return (-self.outside, self.name_matches, self.fitting)

    @property
    def certain(self) -> bool:
        """Every selection is inside its text and matches its quote, or (without quotes)
        starts and ends on word boundaries: no other reading can do better."""
        if self.outside or self.name_matches < self.named:
            return False
        return self.named == self.total or self.on_words == self.total

    @property
    def poor(self) -> bool:
        if self.total == 0:
            return False
        if self.outside:
            return True
        if 2 * self.named >= self.total:  # quotes in the names: the strongest evidence
            return self.name_matches < POOR * self.named
        return self.fitting < POOR * self.total

    def describe(self) -> str:
        """``303 of 303 codings start and end on word boundaries`` (and the names)."""
        parts = [f"{self.on_words} of {self.total} codings start and end on word boundaries"]
        if self.named:
            parts.append(f"{self.name_matches} of {self.named} match the quote in their name")
        if self.unjudged:
            parts.append(
                f"{self.unjudged} start or end inside text written without spaces, "
                "where boundaries cannot tell"
            )
        if self.outside:
            parts.append(f"{self.outside} fall outside the text")
        return "; ".join(parts)


# Scripts written without spaces between words: between two of their letters a boundary
# says nothing (Han, kana, Thai, Lao, Myanmar, Khmer).
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]"
)


def _cannot_tell(text: str, pos: int) -> bool:
    return 0 < pos < len(text) and bool(
        _UNSPACED.match(text[pos - 1]) and _UNSPACED.match(text[pos])
    )


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def on_boundary(text: str, pos: int) -> bool:
    """``pos`` does not cut a word in two (line ends, spaces and punctuation are boundaries).

    A mark (an accent, a vowel sign, an emoji's variation selector) belongs to the character
    before it: ``❤️Anna`` has a boundary before ``A``, ``दुनिया`` none inside it."""
    if pos <= 0 or pos >= len(text):
        return True
    base = pos - 1
    while base > 0 and _is_mark(text[base]) and pos - base < 32:  # (a hostile run of marks)
        base -= 1
    if not text[base].isalnum():
        return True
    return not (text[pos].isalnum() or _is_mark(text[pos]))


_SPACE = re.compile(r"\s+")
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
_ELLIPSIS = ("…", "...")


def quote_matches(name: str, quote: str) -> bool | None:
    """Whether a selection's ``name`` is its quote (whole, or cut short with an ellipsis);
    None when the name cannot be a quote (empty)."""
    if name not in ("", "…") and (
        name == quote or (name[-1] == "…" and quote.startswith(name[:-1]))
    ):
        return True  # the common case, as qualcode and QualCoder write it
    want = _SPACE.sub(" ", unicodedata.normalize("NFC", name)).strip()
    if not want.rstrip(".…"):
        return None  # empty, or a mark alone: says nothing of the quote
    have = _SPACE.sub(" ", quote).strip()
    for mark in _ELLIPSIS:
        if want.endswith(mark) and have != want:
            head = want[: -len(mark)].rstrip()
            return bool(head) and have.startswith(head)
    # A long name may be the quote cut at a fixed width without a mark: a reading shifted
    # by even one character does not start with it.
    return have == want or (len(want) >= CUT_NAME and have.startswith(want))


def evaluate(
    sources: Sequence[OffsetMap], selections: Sequence[Selection], convention: Convention
) -> Evidence:
    """How the file's ``selections`` read under ``convention``; ``sources`` map each text
    as the file had it to the normalised text."""
    maps = [UnitMap(s.original, convention) for s in sources]
    outside = on_words = unjudged = named = matches = 0
    placed: list[tuple[int, int]] = []
    for sel in selections:
        umap, norm = maps[sel.source], sources[sel.source]
        if not 0 <= sel.start <= sel.end <= umap.size:
            outside += 1
            placed.append((-1, -1))
            continue
        a, b = norm(umap(sel.start)), norm(umap(sel.end, end=True), end=True)
        placed.append((a, b))
        ends = [on_boundary(norm.text, a), on_boundary(norm.text, b)]
        if all(ends):
            on_words += 1
        elif all(ok or _cannot_tell(norm.text, at) for ok, at in zip(ends, (a, b), strict=True)):
            unjudged += 1
        verdict = quote_matches(sel.name, norm.text[a:b])
        if verdict is not None:
            named += 1
            matches += verdict
    return Evidence(
        convention,
        len(selections),
        outside,
        on_words,
        named,
        matches,
        hash(tuple(placed)),
        unjudged,
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """The convention chosen for a file and the evidence for it."""

    best: Evidence
    producer: str  # the origin as the file gives it, or ""
    forced: bool = False  # chosen by --offsets
    rivals: tuple[Evidence, ...] = ()  # tried, inside the text, and placing otherwise

    @property
    def convention(self) -> Convention:
        return self.best.convention

    def describe(self) -> str:
        """``offsets read as UTF-16 code units (NVivo for Windows 12.6): 303 of 303 ...``"""
        why = self.producer or "no producer named"
        if self.forced:
            why += ", as --offsets says"
        return f"offsets read as {self.convention} ({why}): {self.best.describe()}"

    @property
    def tied(self) -> Evidence | None:
        """A reading that places the quotes elsewhere and fits the file as well."""
        return next((r for r in self.rivals if r.score == self.best.score), None)

    def warning(self) -> str | None:
        """A loud line when even the best reading places too few codings cleanly, or
        another reading that places them elsewhere fits as well, so the file cannot tell.
        When every reading places them alike (plain ASCII text, say), odd boundaries are
        the coder's choice, not a shift."""
        tied = self.tied
        if not (self.best.poor and (self.forced or self.rivals)) and tied is None:
            return None
        if self.forced and tied is None:
            others = [u for u in UNITS if u != self.convention.unit]
        else:
            others = [u for u in UNITS if any(r.convention.unit == u for r in self.rivals)]
            others = [u for u in others if u != self.convention.unit]
        advice = "check them with 'qualcode codings'"
        if others:
            advice += f", or import again with --offsets {', '.join(others)}"
        if tied is not None:
            return (
                "the quotes may be shifted: the file does not tell how it counts offsets; "
                f"read as {self.convention} ({self.producer or 'no producer named'}), but "
                f"{tied.convention} places them elsewhere and fits as well "
                f"({self.best.describe()}); {advice}"
            )
        return (
            f"the quotes may be shifted: even the best reading ({self.convention}) gives "
            f"{self.best.describe()}; {advice}"
        )


_WORD = re.compile(r"\w+")


class _Words:
    """The words of a text, to tell a quote from a label: a quote's inner words are words
    of the text; its first may be a word's end and its last a word's start (a quote cut
    mid-word, a name cut short)."""

    def __init__(self, text: str):
        self.chars = set(text)
        self.words = set(_WORD.findall(text))
        self.heads = sorted(self.words)
        self.tails = sorted(w[::-1] for w in self.words)

    @staticmethod
    def _begins(ordered: list[str], part: str) -> bool:
        i = bisect.bisect_left(ordered, part)
        return i < len(ordered) and ordered[i].startswith(part)

    def could_quote(self, name: str) -> bool:
        found = _WORD.findall(unicodedata.normalize("NFC", name))
        # Text written without spaces has no words to look up: its letters must be there.
        unspaced = [w for w in found if _UNSPACED.search(w)]
        if any(not set(w) <= self.chars for w in unspaced):
            return False
        found = [w for w in found if w not in unspaced]
        if not found:
            return True  # punctuation, or unspaced letters: only the match can say
        first, last = found[0], found[-1]
        if not all(w in self.words for w in found[1:-1]):
            return False
        ends_ok = first in self.words or self._begins(self.tails, first[::-1])
        starts_ok = last in self.words or self._begins(self.heads, last)
        if len(found) == 1:
            return ends_ok or starts_ok
        return ends_ok and starts_ok


def _quotes_only(sources: Sequence[OffsetMap], selections: Sequence[Selection]) -> list[Selection]:
    """The selections with every name that cannot be a quote of its source left out.
    Tools also write labels there (``Document 1: 4-13``, a code's name), and those say
    nothing about the offsets."""
    vocabulary: dict[int, _Words] = {}
    out = []
    for sel in selections:
        if sel.name:
            if sel.source not in vocabulary:
                vocabulary[sel.source] = _Words(sources[sel.source].text)
            if not vocabulary[sel.source].could_quote(sel.name):
                sel = Selection(sel.source, sel.start, sel.end)
        out.append(sel)
    return out


def choose(
    sources: Sequence[OffsetMap],
    selections: Sequence[Selection],
    *,
    origin: str,
    unit: str | None = None,
) -> Choice:
    """Try the candidates for ``origin`` on the file's selections and keep the best.

    Args:
        sources: each source's text as the file has it, mapped to the normalised text.
        selections: every selection of the file, with raw offsets.
        origin: the ``origin`` of ``<Project>``, naming the producer.
        unit: an override (``--offsets``): only conventions in this unit are tried.
    """
    selections = _quotes_only(sources, selections)
    originals = [s.original for s in sources]
    has_bom = any(t.startswith("\ufeff") for t in originals)
    has_crlf = any("\r\n" in t for t in originals)
    ascii_only = all(t.isascii() for t in originals)
    beyond_bmp = any(_BEYOND_BMP.search(t) for t in originals)
    tried: set[tuple[object, ...]] = set()
    found: list[Evidence] = []
    best: Evidence | None = None
    # Once a reading is certain, only one that fits as well matters (it makes the file
    # ambiguous); one misplaced selection in a sample rules a reading out cheaply.
    sample = selections[:: max(1, len(selections) // 256)]
    for conv in candidates(origin, unit):
        # Conventions that cannot differ on this file are evaluated once, so the
        # producer's own convention (tried first) keeps the name when they tie.
        same_unit = "codepoints" if conv.unit == "utf16" and not beyond_bmp else conv.unit
        key = (
            "ascii" if ascii_only else same_unit,
            conv.bom and has_bom,
            conv.crlf if has_crlf else 2,
        )
        if key in tried:
            continue
        tried.add(key)
        if best is not None and best.certain:
            probe = evaluate(sources, sample, conv)
            if probe.outside or probe.name_matches < probe.named or probe.fitting < probe.total:
                continue
        found.append(evaluate(sources, selections, conv))
        if best is None or found[-1].score > best.score:
            best = found[-1]  # on a tie the likelier convention, tried first, keeps it
    assert best is not None
    rivals = tuple(e for e in found if not e.outside and e.reading != best.reading)
    return Choice(best, origin, forced=unit is not None, rivals=rivals)
