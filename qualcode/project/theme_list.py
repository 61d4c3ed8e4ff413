"""Themes as they were found and as ``qualcode themes`` listed them.

Finding themes (NMF over every uncoded sentence, word weights from general-language
frequencies) took seconds in every process, and ``promote-theme N`` found them all again
to pick the N-th: the theme promoted was whatever the new run put N-th. Now:

* the themes found in a set of sentences are kept by a key of those sentences and the
  finder's parameters (:mod:`qualcode.nlp.kept`), so the same texts give the same themes
  from disk;
* the list ``qualcode themes`` showed is remembered per project with that key, and
  ``promote-theme N`` promotes from it while the key is still the one the project's text
  gives; when the uncoded text changed since (a coding, an import), it refuses, since the
  N-th theme of a new list is not the one the user read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qualcode.model import Theme
from qualcode.nlp import kept

FOUND = "themes"  # kept themes by the key of their inputs
LISTED = "themes-listed"  # the list last shown, by project


@dataclass(frozen=True, slots=True)
class Listed:
    """The themes last listed for a project, with what they were asked for and found in."""

    themes: list[Theme]
    n: int
    source: str | int | None
    key: str  # of the texts they were found in (see :func:`inputs_key`)


def inputs_key(finder: str, inputs: Any) -> str:
    """The key of themes found by ``finder`` in ``inputs`` (texts, their places, the
    parameters), with the version of the NLP code."""
    return kept.digest(finder, kept.code_version(), inputs)


def found_themes(key: str, find: Callable[[], list[Theme]]) -> list[Theme]:
    """The themes kept for ``key``, else ``find()``'s, kept."""
    stored = kept.get_json(FOUND, key)
    if isinstance(stored, list):
        try:
            return [_theme(t) for t in stored]
        except (KeyError, TypeError, ValueError):
            pass
    themes = find()
    kept.put_json(FOUND, key, [_plain(t) for t in themes])
    return themes


def remember_listing(project: str, listing: Listed) -> None:
    """Remember ``listing`` as the themes shown for ``project`` (its file or URL)."""
    kept.put_json(
        LISTED,
        kept.digest(project),
        {
            "n": listing.n,
            "source": listing.source,
            "key": listing.key,
            "themes": [_plain(t) for t in listing.themes],
        },
    )


def listed(project: str) -> Listed | None:
    """The themes last shown for ``project``, or None if none are remembered."""
    stored = kept.get_json(LISTED, kept.digest(project))
    if not isinstance(stored, dict):
        return None
    try:
        return Listed(
            [_theme(t) for t in stored["themes"]],
            int(stored["n"]),
            stored["source"],
            str(stored["key"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _plain(t: Theme) -> dict[str, Any]:
    return {
        "label": t.label,
        "terms": list(t.terms),
        "quotes": list(t.quotes),
        "spans": [list(s) for s in t.spans],
        "size": t.size,
        "weight": t.weight,
        "suggester": t.suggester,
    }


def _theme(d: dict[str, Any]) -> Theme:
    return Theme(
        label=str(d["label"]),
        terms=tuple(str(w) for w in d["terms"]),
        quotes=tuple(str(q) for q in d["quotes"]),
        spans=tuple((int(a), int(b), int(c)) for a, b, c in d["spans"]),
        size=int(d["size"]),
        weight=float(d["weight"]),
        suggester=str(d["suggester"]),
    )
