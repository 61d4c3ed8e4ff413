"""Measure the suggesters on any CSV of human-coded passages.

    python -m qualcode.nlp.evaluate DATA.csv --text COL --codes COL [--sep ';'] [--group COL]
        [--encoding ENC] [--codebook FILE] [--seed N] [--format json]

Rows with the same text (within the same group) are one passage; its codes are the union of
the ``--sep``-separated codes of its rows, so both "one row per passage" and "one row per
code" files work. Passages are split by ``--group`` (the participant: none of a person's
answers is both learned from and tested on) into halves with a fixed seed; the suggesters
learn from one half and are measured on the passages of the other that carry any code.

Definitions, per test passage with true codes T and ranked suggestions S, then averaged:

* ``p_at_k`` = |S[:k] ∩ T| / k (k = 1, 3; fewer than k suggestions still divide by k);
* ``r_at_3`` = |S[:3] ∩ T| / |T|;
* ``baseline_*``: the same for always suggesting the training half's most frequent codes;
* ``codebook_*`` (with ``--codebook``): the codebook suggester alone, before any learning;
* ``curve``: the learned figures when each code has at most 5, 10, 20, 50 training passages;
* ``calibration``: of the top-5 suggestions in each score band, the share that is right.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import random
import sys
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError
from qualcode.nlp.codebook import CodeDescription

CURVE = (5, 10, 20, 50)


@dataclass(frozen=True, slots=True)
class Passage:
    group: str
    text: str
    codes: frozenset[str]


def _read_rows(path: Path, encoding: str | None) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a sheet. Without an encoding, qualcode's sheet reader detects
    it and the delimiter (``,`` ``;`` tab) and reads .xlsx too; with one, the file is
    tried first, and only the delimiter is sniffed."""
    if encoding is None:
        from qualcode.ingest import read_table

        frame = read_table(path)
        return [str(c) for c in frame.columns], frame.to_dict("records")
    raw, content = path.read_bytes(), ""
    # A wrong --encoding is survived: UTF-8, then cp1252 (latin-1 decodes anything).
    for enc in (encoding, "utf-8-sig", "cp1252", "latin-1"):
        try:
            content = raw.decode(enc)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    first = content.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    return list(reader.fieldnames or []), list(reader)


def read_passages(
    path: Path,
    text: str,
    codes: str,
    *,
    sep: str = ";",
    group: str | None = None,
    encoding: str | None = None,
) -> list[Passage]:
    """The coded passages of a CSV file (see the module docstring)."""
    header, rows = _read_rows(path, encoding)
    for col in (text, codes, group):
        if col is not None and col not in header:
            raise QualcodeError(
                f"no column {col!r}; the columns are {', '.join(header)}", file=path
            )
    reader = rows
    found: dict[tuple[str, str], set[str]] = {}
    for row in reader:
        body = (row.get(text) or "").strip()
        if not body:
            continue
        key = ((row.get(group) or "") if group else body, body)
        labels = found.setdefault(key, set())
        labels.update(c.strip() for c in (row.get(codes) or "").split(sep) if c.strip())
    return [Passage(g, t, frozenset(c)) for (g, t), c in found.items()]


def split(passages: Sequence[Passage], seed: int = 0) -> tuple[list[Passage], list[Passage]]:
    """Halves by group, with a fixed seed: every passage of a group lands on one side."""
    groups = sorted({p.group for p in passages})
    random.Random(seed).shuffle(groups)
    train_groups = set(groups[: len(groups) // 2])
    train = [p for p in passages if p.group in train_groups]
    test = [p for p in passages if p.group not in train_groups]
    return train, test


def precision_recall(ranked: Sequence[Sequence[str]], truth: Sequence[Collection[str]]) -> dict:
    """Mean p@1, p@3 and r@3 of ranked label lists against the true label sets."""
    n = len(truth) or 1
    p1 = sum(len(set(r[:1]) & set(t)) for r, t in zip(ranked, truth, strict=True)) / n
    p3 = sum(len(set(r[:3]) & set(t)) / 3 for r, t in zip(ranked, truth, strict=True)) / n
    r3 = sum(len(set(r[:3]) & set(t)) / len(t) for r, t in zip(ranked, truth, strict=True)) / n
    return {"p_at_1": round(p1, 4), "p_at_3": round(p3, 4), "r_at_3": round(r3, 4)}


def calibration(
    ranked: Sequence[Sequence[Any]], truth: Sequence[Collection[str]]
) -> list[dict[str, Any]]:
    """Share of suggestions (top 5) that are right, by score band: scores mean something
    if the share rises with the score."""
    edges = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
    out = []
    for lo, hi in itertools.pairwise(edges):
        hits = [
            r.label in t
            for row, t in zip(ranked, truth, strict=True)
            for r in row
            if lo <= r.score < hi
        ]
        out.append(
            {
                "scores": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "suggestions": len(hits),
                "right": round(sum(hits) / len(hits), 3) if hits else None,
            }
        )
    return out


def cap_per_code(train: Sequence[Passage], n: int, seed: int = 0) -> list[Passage]:
    """Training passages chosen so each code has at most about ``n`` examples."""
    order = list(train)
    random.Random(seed).shuffle(order)
    counts: Counter[str] = Counter()
    chosen = []
    for p in order:
        if any(counts[c] < n for c in p.codes):
            chosen.append(p)
            counts.update(p.codes)
    return chosen


def evaluate(
    passages: Sequence[Passage],
    *,
    codebook: Sequence[CodeDescription] = (),
    language: str = "en",
    seed: int = 0,
    curve: Sequence[int] = CURVE,
) -> dict[str, Any]:
    """Every figure of the module docstring for these passages."""
    from qualcode.nlp.engine import CombinedSuggester

    train, test = split(passages, seed)
    test = [p for p in test if p.codes]
    if not train or not test:
        raise QualcodeError("too few groups to split into a training and a test half")
    truth = [p.codes for p in test]
    freq = Counter(c for p in train for c in p.codes)
    # A codebook's code matches a data set's code by path or name, ignoring case and
    # punctuation ("Song Structure/Composition" is "Song structure - composition").
    described = {_key(c.label): c for c in codebook}
    described.update({_key(c.name): c for c in codebook})
    labels = sorted(freq)
    codes = [replace(described.get(_key(c), CodeDescription(c, c)), label=c) for c in labels]
    known = {_key(c) for c in labels}
    extra = [d for d in codebook if _key(d.name) not in known and _key(d.label) not in known]
    codes.extend(replace(d, label=d.name) for d in extra)
    corpus_texts = [p.text for p in passages]

    from qualcode.nlp.pipeline import lemmatise

    corpus = lemmatise(corpus_texts, language)
    bins: list[dict[str, Any]] = []

    def run(sample: Sequence[Passage]) -> dict:
        model = CombinedSuggester(language, random_state=seed)
        model.fit(codes, [p.text for p in sample], [p.codes for p in sample], corpus=corpus)
        ranked = model.suggest_texts([p.text for p in test], top=5, evidence=False)
        if not bins:
            bins.extend(calibration(ranked, truth))
        return precision_recall([[r.label for r in row] for row in ranked], truth)

    baseline = precision_recall([[c for c, _ in freq.most_common(3)]] * len(test), truth)
    result: dict[str, Any] = {
        "passages": len(passages),
        "train_passages": len(train),
        "test_passages": len(test),
        "codes": len(freq),
        "codes_per_test_passage": round(sum(map(len, truth)) / len(truth), 2),
        **run(train),
        **{f"baseline_{k}": v for k, v in baseline.items()},
    }
    result["calibration"] = list(bins)
    if codebook:
        alone = run([])
        result["codebook_p_at_1"] = alone["p_at_1"]
        result["codebook_p_at_3"] = alone["p_at_3"]
        result["codebook_r_at_3"] = alone["r_at_3"]
    result["curve"] = [
        {"examples_per_code": n, "train_passages": len(s), **run(s)}
        for n in curve
        for s in [cap_per_code(train, n, seed)]
    ]
    return result


def _key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def load_descriptions(path: Path) -> list[CodeDescription]:
    """The codes of a codebook file (YAML, CSV or .qdc) as descriptions."""
    from qualcode.codebook import load_codebook

    book = load_codebook(path)
    return [CodeDescription.of(c, book.path(c)) for c in book]


def _table(result: dict[str, Any]) -> str:
    lines = [f"{k:>24}: {v}" for k, v in result.items() if k not in ("curve", "calibration")]
    lines.append("share right by score (top 5 suggestions): band, suggestions, right")
    for row in result["calibration"]:
        lines.append(f"{row['scores']:>24}: {row['suggestions']:>5}  {row['right']}")
    lines.append("learning curve (examples per code: train passages, p@1, p@3, r@3)")
    for row in result["curve"]:
        lines.append(
            f"{row['examples_per_code']:>24}: {row['train_passages']:>5}  {row['p_at_1']:.3f}  "
            f"{row['p_at_3']:.3f}  {row['r_at_3']:.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qualcode.nlp.evaluate",
        description="Learn from half of a coded CSV (split by group) and measure the rest.",
    )
    parser.add_argument("data", type=Path, help="CSV of coded passages")
    parser.add_argument("--text", required=True, help="column with the passage text")
    parser.add_argument("--codes", required=True, help="column with the codes")
    parser.add_argument("--sep", default=";", help="separator of several codes in one cell")
    parser.add_argument("--group", help="column to split by (the participant)")
    parser.add_argument("--encoding", help="the file's encoding (else UTF-8, then cp1252)")
    parser.add_argument("--codebook", type=Path, help="codebook file (.yaml, .csv, .qdc)")
    parser.add_argument("--language", default="en", help="language of the texts")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    try:
        passages = read_passages(
            args.data, args.text, args.codes, sep=args.sep, group=args.group, encoding=args.encoding
        )
        codebook = load_descriptions(args.codebook) if args.codebook else []
        result = evaluate(passages, codebook=codebook, language=args.language, seed=args.seed)
    except (QualcodeError, OSError) as exc:
        print(f"qualcode: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.format == "json" else _table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
