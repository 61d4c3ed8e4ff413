"""Whether a passage says something a code could be about: the one rule that decides which
units get a suggestion, a theme quote or a queue entry.

A coder reviewing a queue of suggestions for "Maybe.", "Exactly.", "Thank you for taking
part." or "- Participant: student, 4th semester" learns to distrust the queue. None of these
is about anything, whatever a model scores them. A passage is left out when it is:

- **header**: every line of it is a transcript's heading or metadata line: a Markdown
  heading, a ``Key: value`` line with a metadata key ("Date:", "Participant:",
  "Interviewer:" ...) or after a list marker, or a line with a date or a clock time that is
  not a sentence ("Telephone interview, duration 00:34:12");
- **courtesy**: it opens with thanks or closes the conversation ("Thank you for taking the
  time.", "Vielen Dank, dass Sie mitmachen."), or it is backchannels and courtesies and
  nothing else ("Okay, thanks a lot.", "Yeah, sure.", "D'accord.");
- **short**: fewer than three different content words ("Campus South.", "That could work.").

A content word is a word (letters, at least two) that is not a stop word of the passage's
language (spaCy's list for that language), not a number, and not a word of talk
(:mod:`qualcode.nlp.talk`: backchannels, courtesies, fillers, hedges such as "a bit"). A
negation counts as one content word however many there are ("I had never heard of it
before you called." has three). The tokenizer is that of the language's blank pipeline
(:func:`qualcode.nlp.pipeline.pipeline`), so words are cut as the suggesters cut them; a
language spaCy does not know is cut by its multi-language tokenizer and has no stop words.

The rule is applied by the project before the versioned suggesters and the theme finder see
any passage, so they keep their outputs (tests/test_nlp_versions.py).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from qualcode.errors import QualcodeError
from qualcode.nlp import talk

if TYPE_CHECKING:
    from spacy.language import Language

MIN_CONTENT_WORDS = 3
Reason = Literal["short", "courtesy", "header"]
Span = tuple[int, int]

_HEADING = re.compile(r"\s*#{1,6}\s")
_MARKER = r"(?:[-*•–—+]|\d{1,2}[.)])"
_KEY_VALUE = re.compile(
    rf"\s*(?P<marker>{_MARKER}\s+)?(?P<key>[^\W\d_][^\W\d_ .'’/-]*(?:[ .'’/-]+[^\W\d_]+){{0,2}})"
    r"\s*:\s*(?P<value>\S.*)?$"
)
_DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    r"|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,}\.?\s+(?:de\s+)?\d{4}"
    r"|[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b"
)
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*\s*$")
_MORE_SENTENCES = re.compile(r"[.!?…]\s+\S")  # a courtesy opens a sentence, not a turn
_DATED_LINE_WORDS = 12  # a dated line longer than this is taken for speech


@dataclass(frozen=True, slots=True)
class Verdict:
    """What :func:`judge` found: ``reason`` is None for a passage that says something."""

    reason: Reason | None
    content: tuple[str, ...]  # the different content words, in order (negation: "not")

    @property
    def substantive(self) -> bool:
        return self.reason is None


def is_substantive(text: str, language: str) -> bool:
    """Whether ``text`` may get a suggestion, a theme quote or a queue entry (see
    :func:`judge` for why not)."""
    return judge(text, language).substantive


@functools.lru_cache(maxsize=50_000)
def judge(text: str, language: str) -> Verdict:
    """Whether ``text`` says something a code could be about, and if not, why not.

    Args:
        text: the passage as spoken (speaker labels and timestamps best blanked first).
        language: its ISO 639-1 code (``en``, ``de``, ``fr`` ...; ``en-GB`` is read as
            ``en``), as the project detected or was told.
    """
    lang = _base(language)
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(_header_line(line) for line in lines):
        return Verdict("header", ())
    lexicon = _lexicon(lang)
    tokens = lexicon.tokens(text)
    talking = lexicon.talk(tokens)
    content: list[str] = []
    negated = False
    for (_, _, word, counts), is_talk in zip(tokens, talking, strict=True):
        if is_talk:
            continue
        if word in lexicon.negations:
            negated = True
        elif counts and word not in content:
            content.append(word)
    if negated:
        content.append("not")
    found = tuple(content)
    courtesy = talk.COURTESY.get(lang)
    said = text.strip()
    if courtesy is not None and courtesy.match(said) and not _MORE_SENTENCES.search(said):
        return Verdict("courtesy", found)
    if len(found) < MIN_CONTENT_WORDS:
        return Verdict("courtesy" if any(talking) and not found else "short", found)
    return Verdict(None, found)


def talk_spans(text: str, language: str) -> list[Span]:
    """The ``[start, end)`` spans of ``text`` that are talk, not topic: backchannels,
    courtesies, fillers and hedges ("sorry", "a bit", "you know")."""
    lexicon = _lexicon(_base(language))
    tokens = lexicon.tokens(text)
    return [
        (a, b)
        for (a, b, _, _), is_talk in zip(tokens, lexicon.talk(tokens), strict=True)
        if is_talk
    ]


def _base(language: str) -> str:
    return language.split("-")[0].split("_")[0].lower() or "xx"


def _header_line(line: str) -> bool:
    """Whether one line is a heading or a metadata line, not something said."""
    if _HEADING.match(line):
        return True
    sentence = bool(_SENTENCE_END.search(line))
    pair = _KEY_VALUE.match(line)
    if pair is not None and not sentence:
        key = pair["key"].lower().split()
        value = pair["value"] or ""
        if pair["marker"] or key[-1] in talk.HEADER_KEYS or not re.search(r"[^\W\d_]", value):
            return True
    if sentence:
        return False
    dated = _DATE.search(line) or _TIME.search(line)
    return bool(dated) and len(line.split()) <= _DATED_LINE_WORDS


class _Lexicon:
    """A language's tokenizer, stop words, words and phrases of talk, and negations."""

    def __init__(self, nlp: Language, language: str) -> None:
        self._tokenizer = nlp.tokenizer
        kept = frozenset(talk.NOT_STOP.get(language, "").split())
        self.stop = frozenset(w.lower() for w in nlp.Defaults.stop_words) - kept
        self.words = talk.words(language)
        self.negations = talk.negations(language)
        phrases: dict[str, list[tuple[str, ...]]] = {}
        for phrase in talk.TALK_PHRASES.get(language, ()):
            seq = tuple(w for _, _, w, _ in self.tokens(phrase))
            if seq:
                phrases.setdefault(seq[0], []).append(seq)
        self.phrases = {k: sorted(v, key=len, reverse=True) for k, v in phrases.items()}

    def tokens(self, text: str) -> list[tuple[int, int, str, bool]]:
        """The words of ``text``: start, end, lower-cased form, and whether it may count as
        content (letters, two or more, not a stop word, not a number)."""
        out = []
        for tok in self._tokenizer(text):
            if tok.is_space or tok.is_punct:
                continue
            word = tok.lower_.replace("’", "'")
            letters = word.replace("'", "").replace("-", "")
            counts = (
                letters.isalpha()
                and len(letters) > 1
                and word not in self.stop
                and not tok.like_num
            )
            out.append((tok.idx, tok.idx + len(tok.text), word, counts))
        return out

    def talk(self, tokens: list[tuple[int, int, str, bool]]) -> list[bool]:
        """Per token, whether it is part of a word or phrase of talk."""
        words = [w for _, _, w, _ in tokens]
        marked = [w in self.words for w in words]
        for i, w in enumerate(words):
            for seq in self.phrases.get(w, ()):
                if tuple(words[i : i + len(seq)]) == seq:
                    marked[i : i + len(seq)] = [True] * len(seq)
                    break
        return marked


@functools.cache
def _lexicon(language: str) -> _Lexicon:
    # The language's blank pipeline, which the analysis of its sources has built already
    # (building one takes a tenth of a second); spaCy is imported only here, so the command
    # line starts without it (tests/test_startup.py).
    from qualcode.nlp.pipeline import pipeline

    try:
        nlp = pipeline(language)
    except QualcodeError:  # a language spaCy does not know: its multi-language tokenizer
        import spacy

        nlp = spacy.blank("xx")
    return _Lexicon(nlp, language)


def reasons(texts: Sequence[str], language: str) -> list[Reason | None]:
    """:func:`judge`'s reason for each of ``texts``, kept (see :func:`_kept_each`)."""
    found = _kept_each("reason", texts, language, lambda t: judge(t, language).reason or "")
    return [
        _REASONS[r] if r in _REASONS else judge(t, language).reason
        for r, t in zip(found, texts, strict=True)
    ]


def talk_spans_of(texts: Sequence[str], language: str) -> list[list[Span]]:
    """:func:`talk_spans` of each of ``texts``, kept (see :func:`_kept_each`)."""
    found = _kept_each("talk", texts, language, lambda t: talk_spans(t, language))
    return [[(int(a), int(b)) for a, b in spans] for spans in found]


def _kept_each(
    kind: str, texts: Sequence[str], language: str, compute: Callable[[str], Any]
) -> list[Any]:
    """``compute`` (JSON-able) of each of ``texts``, read from what an earlier process kept
    (:mod:`qualcode.nlp.kept`, by the text, the language and the code) where it can be:
    judging needs the language's tokenizer, and loading spaCy for it costs a command that
    has everything else kept more than half a second."""
    import json

    from qualcode.nlp import kept

    if kept.cache_dir() is None:
        return [compute(t) for t in texts]
    name = f"substance-{kind}:{kept.code_version()}"
    keys = [hashlib.blake2b(f"{language}\0{t}".encode(), digest_size=20).hexdigest() for t in texts]
    found = kept.get_values(name, keys)
    out: list[Any] = []
    new: dict[str, bytes] = {}
    for key, text in zip(keys, texts, strict=True):
        if key in found:
            out.append(json.loads(found[key]))
            continue
        value = compute(text)
        new[key] = json.dumps(value).encode()
        out.append(value)
    kept.put_values(name, new)
    return out


_REASONS: dict[str, Reason | None] = {
    "": None,
    "short": "short",
    "courtesy": "courtesy",
    "header": "header",
}
