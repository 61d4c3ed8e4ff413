"""spaCy pipelines and the per-text analyses every suggester shares.

A pipeline is ``spacy.blank(lang)`` + sentencizer + lookup lemmatizer (tables from
``spacy-lookups-data``, installed like any dependency), unless the project names an installed
trained pipeline in the setting ``nlp.model``. Nothing is downloaded.

An :class:`Analysis` keeps what the suggesters need from a spaCy ``Doc`` (token offsets,
lower-cased lemmas, sentence bounds) as plain lists, so it is cheap to keep and to slice by
character offsets. Analyses are cached by the hash of the text and the pipeline name: a
transcript is parsed once per process, however often its passages are asked about, and once
per machine, as they are kept on disk too (:mod:`qualcode.nlp.kept`): a later process reads
them without loading spaCy.
"""

from __future__ import annotations

import bisect
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from spacy.language import Language

_PIPELINES: dict[tuple[str, str], Language] = {}
_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, str], Analysis] = OrderedDict()
_CACHE_SIZE = 5000


@dataclass(frozen=True, slots=True)
class Analysis:
    """Tokens of a text: ``starts``/``ends`` character offsets, ``lemmas`` lower-cased,
    ``content`` true for words that are neither stop words, punctuation nor numbers;
    ``sentences`` as ``(start, end)`` character spans."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    lemmas: tuple[str, ...]
    content: tuple[bool, ...]
    sentences: tuple[tuple[int, int], ...]

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Indices ``[i, j)`` of the tokens that overlap ``[start, end)`` characters."""
        i = bisect.bisect_left(self.ends, start + 1)
        j = bisect.bisect_right(self.starts, end - 1)
        return i, max(i, j)

    def lemma_text(self, start: int = 0, end: int | None = None) -> str:
        """The lemmas of the words in ``[start, end)``, space-separated: what TF-IDF reads."""
        if end is None:
            end = self.ends[-1] if self.ends else 0
        i, j = self.token_range(start, end)
        return " ".join(
            lem for lem, word in zip(self.lemmas[i:j], self.content[i:j], strict=True) if word
        )

    def word_text(self, start: int = 0, end: int | None = None) -> str:
        """Every word's lemma in ``[start, end)``, stop words included ("not", "no", "me"),
        space-separated: what the learned suggester's function-word features read."""
        if end is None:
            end = self.ends[-1] if self.ends else 0
        i, j = self.token_range(start, end)
        return " ".join(lem for lem in self.lemmas[i:j] if lem.isalpha())

    def all_lemmas(self, start: int, end: int) -> list[str]:
        """Every lemma in ``[start, end)``, stop words included (phrases need them)."""
        i, j = self.token_range(start, end)
        return list(self.lemmas[i:j])

    def sentence_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """Sentences clipped to ``[start, end)``, without empty ones."""
        out = []
        first = bisect.bisect_right(self.sentences, (start, start)) - 1
        for s, e in self.sentences[max(first, 0) :]:
            if s >= end:
                break
            a, b = max(s, start), min(e, end)
            if b > a:
                out.append((a, b))
        return out


def pipeline(language: str = "en", model: str | None = None) -> Language:
    """A spaCy pipeline for ``language``, or the installed pipeline named ``model``.

    Raises:
        QualcodeError: the named pipeline is not installed, or the language is unknown.
    """
    key = (language, model or "")
    with _LOCK:
        if key in _PIPELINES:
            return _PIPELINES[key]
        # spaCy takes a second to import: only the functions that need it pay for it.
        import spacy

        if model:
            try:
                nlp = spacy.load(model, exclude=["ner", "textcat"])
            except OSError:
                raise QualcodeError(
                    f"the spaCy pipeline {model!r} named in the setting nlp.model is not "
                    "installed; install it with pip, or remove the setting to use the "
                    "built-in blank pipeline"
                ) from None
            if not any(nlp.has_pipe(p) for p in ("parser", "senter", "sentencizer")):
                nlp.add_pipe("sentencizer", first=True)
        else:
            lang = language.split("-")[0].split("_")[0].lower()
            try:
                nlp = spacy.blank(lang)
            except (ImportError, KeyError, ValueError):
                raise QualcodeError(
                    f"spaCy has no language {language!r}; set the source's language to a "
                    "code spaCy knows (en, de, fr, ...)"
                ) from None
            nlp.add_pipe("sentencizer")
            try:
                nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
                nlp.initialize()
            except (ValueError, OSError, KeyError):
                # No lookup tables for this language: lower-cased words stand for lemmas.
                nlp.remove_pipe("lemmatizer")
                nlp.initialize()
        _PIPELINES[key] = nlp
        return nlp


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def analyse(
    texts: Sequence[str],
    language: str = "en",
    model: str | None = None,
    *,
    batch_size: int = 64,
) -> list[Analysis]:
    """Analyses of ``texts`` (cached by content); new ones are parsed with ``nlp.pipe``."""
    name = f"{language}:{model or 'blank'}"
    out: list[Analysis | None] = []
    todo: dict[str, str] = {}
    done: dict[str, Analysis] = {}
    keys = [text_key(t) for t in texts]
    with _LOCK:
        for key, text in zip(keys, texts, strict=True):
            found = _CACHE.get((name, key))
            if found is None:
                todo[key] = text
            else:
                _CACHE.move_to_end((name, key))
            out.append(found)
    if todo:
        done = _kept(name, model, list(todo))
        todo = {k: t for k, t in todo.items() if k not in done}
    if todo:
        nlp = pipeline(language, model)
        parsed = {
            key: _from_doc(doc)
            for key, doc in zip(todo, nlp.pipe(todo.values(), batch_size=batch_size), strict=True)
        }
        _keep(name, model, parsed)
        done.update(parsed)
    if done:
        with _LOCK:
            for key, analysis in done.items():
                _CACHE[(name, key)] = analysis
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        out = [a if a is not None else done[k] for a, k in zip(out, keys, strict=True)]
    return [a for a in out if a is not None]


def _kept_kind(name: str, model: str | None) -> str:
    """The kind analyses of this pipeline are kept under (see :mod:`qualcode.nlp.kept`)."""
    from qualcode.nlp import kept

    return f"analysis:{name}:{model_version(model)}:{kept.code_version()}"


def model_version(model: str | None) -> str:
    """The installed version of a named pipeline (a package, or a folder's meta.json)."""
    if not model:
        return ""
    from importlib import metadata
    from pathlib import Path

    try:
        return metadata.version(model)
    except (metadata.PackageNotFoundError, ValueError):
        meta = Path(model) / "meta.json"
        try:
            return text_key(meta.read_text(encoding="utf-8")) + str(meta.stat().st_mtime_ns)
        except OSError:
            return "unknown"


def _kept(name: str, model: str | None, keys: list[str]) -> dict[str, Analysis]:
    """The analyses kept on disk for these text keys."""
    import json

    from qualcode.nlp import kept

    out = {}
    for key, raw in kept.get_values(_kept_kind(name, model), keys).items():
        try:
            starts, ends, lemmas, content, sentences = json.loads(raw)
            out[key] = Analysis(
                tuple(starts),
                tuple(ends),
                tuple(lemmas),
                tuple(bool(c) for c in content),
                tuple((a, b) for a, b in sentences),
            )
        except (ValueError, TypeError):
            continue
    return out


def _keep(name: str, model: str | None, done: dict[str, Analysis]) -> None:
    import json

    from qualcode.nlp import kept

    kept.put_values(
        _kept_kind(name, model),
        {
            key: json.dumps(
                [a.starts, a.ends, a.lemmas, [int(c) for c in a.content], a.sentences],
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode("utf-8")
            for key, a in done.items()
        },
    )


def _from_doc(doc: Any) -> Analysis:
    starts, ends, lemmas, content = [], [], [], []
    for tok in doc:
        if tok.is_space:
            continue
        starts.append(tok.idx)
        ends.append(tok.idx + len(tok.text))
        lemma = (tok.lemma_ or tok.text).lower()
        lemmas.append(lemma)
        content.append(tok.is_alpha and not tok.is_stop and len(lemma) > 1)
    sentences = tuple((s.start_char, s.end_char) for s in doc.sents) if len(doc) else ()
    return Analysis(tuple(starts), tuple(ends), tuple(lemmas), tuple(content), sentences)


def lemmatise(texts: Sequence[str], language: str = "en", model: str | None = None) -> list[str]:
    """Each text as its content lemmas joined by spaces."""
    return [a.lemma_text() for a in analyse(texts, language, model)]
