"""The suggesters by versioned name, as a project records them (``nlp.suggesters``,
``nlp.themes``).

The project facade looks the suggester it fits up here by the name it records, so the name
in a project and the code that made its suggestions cannot drift apart. Behaviour changes by
adding a ``.v2`` beside a ``.v1``, never by editing a ``.v1``, so a project's recorded name
keeps meaning what it meant. Importing this module does not load spaCy or scikit-learn: the
suggesters import them when they fit.
"""

from __future__ import annotations

from qualcode.errors import QualcodeError
from qualcode.nlp.codebook import CodebookSuggester, CodebookSuggesterV2
from qualcode.nlp.combined_v4 import CombinedSuggesterV4, LearnedSuggesterV4
from qualcode.nlp.deductive import CodebookSuggesterV3
from qualcode.nlp.engine import CombinedSuggester, CombinedSuggesterV2, CombinedSuggesterV3
from qualcode.nlp.learned import LearnedSuggester, LearnedSuggesterV2, LearnedSuggesterV3
from qualcode.nlp.themes import ThemeFinder

REGISTRY: dict[str, type] = {
    CodebookSuggester.name: CodebookSuggester,
    CodebookSuggesterV2.name: CodebookSuggesterV2,
    CodebookSuggesterV3.name: CodebookSuggesterV3,
    LearnedSuggester.name: LearnedSuggester,
    LearnedSuggesterV2.name: LearnedSuggesterV2,
    LearnedSuggesterV3.name: LearnedSuggesterV3,
    LearnedSuggesterV4.name: LearnedSuggesterV4,
    CombinedSuggester.name: CombinedSuggester,
    CombinedSuggesterV2.name: CombinedSuggesterV2,
    CombinedSuggesterV3.name: CombinedSuggesterV3,
    CombinedSuggesterV4.name: CombinedSuggesterV4,
    ThemeFinder.name: ThemeFinder,
}


def get(name: str) -> type:
    """The suggester class registered as ``name`` (e.g. ``qualcode.codebook.v1``)."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise QualcodeError(f"no suggester {name!r}; this qualcode has {known}") from None
