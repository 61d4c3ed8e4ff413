"""The language a transcript is in, detected offline.

A study with a German interview among English ones must analyse each in its own language
(lemmas, stop words, sentence rules), and people do not think to say which is which. The
detector is py3langid (a maintained fork of langid.py): its model ships inside the package
(about 4 MB), nothing is fetched at run time, it needs only numpy, and it gives the same
answer every time, which langdetect does not without a fixed seed. Loading the model takes
about two seconds, so it is loaded once, on the first detection.

Only speech is read (speaker labels and timestamps blanked, see :mod:`.spoken`), so an
"Interviewer:" label does not vote for English. A guess the detector is not sure of, or a
text too short to tell, gives the caller's default.
"""

from __future__ import annotations

import functools
from typing import Any

# Below these the guess is not used: a few words ("ok", "yes") are any language.
MIN_WORDS = 8
MIN_CONFIDENCE = 0.9
SAMPLE = 20_000  # characters read: enough to tell, and a long transcript costs no more


@functools.cache
def _identifier() -> Any:
    # Deferred: the model takes two seconds to load, and only an import needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, default: str) -> str:
    """The ISO 639-1 code of the language ``text`` is in (``en``, ``de`` ...), or
    ``default`` when the text is too short or the detector is unsure.

    Args:
        text: what was said (labels and timestamps are best blanked first).
        default: the answer when no confident guess can be made.
    """
    sample = " ".join(text[:SAMPLE].split())
    if len(sample.split()) < MIN_WORDS:
        return default
    language, confidence = _identifier().classify(sample)
    return str(language) if confidence >= MIN_CONFIDENCE else default
