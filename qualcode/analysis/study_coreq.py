"""The items of the COREQ checklist that a qualcode project can answer, for the study report.

COREQ (Tong, Sainsbury and Craig 2007, "Consolidated criteria for reporting qualitative
research") is the checklist journals ask qualitative studies to fill in. Of its 32 items a
project knows the answer to a few of domain 3 (analysis and findings) and to the sample
size: who coded, the coding tree, how the codes came about, the software, and that quotes
are identified. Each answer says only what the project records; where it records nothing
(when a code was added, whether participants checked the findings) the answer says so
instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.model import Codebook

# The definition Project.promote_theme gives a code made from an emergent theme.
EMERGENT_MARK = "Emergent theme: "


def plural(n: int, word: str) -> str:
    """``1 code``, ``23 codes``: a number and its noun, agreeing (plural by ``s``)."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def promoted_codes(book: Codebook) -> int:
    """How many codes were made from themes found in uncoded text."""
    return sum(c.definition.startswith(EMERGENT_MARK) for c in book)


def tree_description(book: Codebook) -> str:
    """``23 codes: 5 at the top level, 2 levels deep``."""
    if not len(book):
        return "no codes"
    depth = max(book.depth(c) for c in book) + 1
    levels = "1 level" if depth == 1 else f"{depth} levels deep"
    return f"{plural(len(book), 'code')}: {len(book.roots())} at the top level, {levels}"


def derivation(book: Codebook) -> str:
    """How the codes came about, as far as the project records it."""
    promoted = promoted_codes(book)
    defined = sum(bool(c.definition.strip()) for c in book)
    parts = [
        f"Codebook: {plural(len(book), 'code')}, {defined} with a written definition "
        f"({sum(bool(c.inclusion.strip()) for c in book)} with inclusion and "
        f"{sum(bool(c.exclusion.strip()) for c in book)} with exclusion criteria)."
    ]
    if promoted:
        parts.append(
            f"{promoted} of them were promoted from themes qualcode found in uncoded text "
            "(inductive)."
        )
    else:
        parts.append("None was promoted from the themes qualcode finds in uncoded text.")
    undefined = len(book) - defined
    if undefined:
        parts.append(
            f"{plural(undefined, 'code')} without a definition, as codes added while coding are."
        )
    parts.append("qualcode does not record when a code was added.")
    return " ".join(parts)


def coreq_items(
    *,
    coders: Sequence[str],
    codebook: Codebook,
    sample: str,
    agreement: str,
    derived: str,
    software: str,
) -> list[list[str]]:
    """Rows of item number, item, and the project's answer; ``sample`` says the sources
    by kind."""
    coded_by = f"{len(coders)}: {', '.join(coders)}" if coders else "none yet"
    if len(coders) > 1 and agreement:
        coded_by += f". {agreement}"
    return [
        ["12", "Sample size", sample],
        ["24", "Number of data coders", coded_by],
        ["25", "Description of the coding tree", tree_description(codebook) + " (see Codebook)"],
        ["26", "Derivation of themes", derived],
        ["27", "Software", software],
        [
            "29",
            "Quotations presented",
            "Up to three per code, each identified by speaker, source and position (see Quotes)",
        ],
    ]
