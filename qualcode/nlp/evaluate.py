"""Measure the suggesters on any CSV of human-coded passages.

    python -m qualcode.nlp.evaluate DATA.csv --text COL --codes COL [--sep ';'] [--group COL]
        [--context COL] [--encoding ENC] [--codebook FILE] [--seed N] [--seeds 3] [--curve]
        [--excerpt COL] [--gains | --no-ablation] [--suggester NAME] [--min-precision 0.8]
        [--format json]
    python -m qualcode.nlp.evaluate DATA.csv ... --codebook FILE --deductive [--scorer NAME]

Rows with the same text (within the same group and context) are one passage; its codes are
the union of the ``--sep``-separated codes of its rows, so both "one row per passage" and
"one row per code" files work. ``--context`` names the column with what a passage answers
(a survey sheet's question column), read as the suggester reads it (``qualcode.combined.v4``:
ids and few values as a category, numbers as a number, else text). ``--excerpt`` names the
column with the exact words a row's codes were applied to: the suggester then learns as a
project does, from the coded words and from the passages that hold them, and is still
measured on whole passages.
Passages are split by ``--group`` (the participant: none
of a person's answers is both learned from and tested on) into halves, once per seed
(``--seeds`` splits from ``--seed``); the suggesters learn from one half and are measured on
the passages of the other that carry any code. Every figure is the mean over the splits.
The suggester measured is ``qualcode.combined.v4``, the project's, unless ``--suggester``
names another registered one (``qualcode.combined.v3``).

Definitions, per test passage with true codes T and ranked suggestions S, then averaged:

* ``p_at_k`` = |S[:k] ∩ T| / k (k = 1, 3; fewer than k suggestions still divide by k);
* ``r_at_3`` = |S[:3] ∩ T| / |T|;
* ``baseline_*``: the same for always suggesting the training half's most frequent codes;
* ``spread``: per figure, the standard deviation over the splits, the lowest and highest;
* ``gain``: per feature of the suggester (``qualcode.combined.v3`` or later), the figures
  with every feature and without that one, and the p@3 gain: by default for the columns
  given (``context``, ``excerpts``), with ``--gains`` for every feature (function words,
  the nearest passages' vote for rare codes, name shares, the rare codes' discount, the
  best sentence, and the columns), a model each;
* ``codebook_*`` (with ``--codebook``): the codebook suggester alone, before any learning;
* ``curve`` (with ``--curve``): the figures when each code has at most 5, 10, 20, 50
  training passages;
* ``calibration``: of the top-5 suggestions in each score band, the share that is right;
* ``kappa``: per code, Cohen's kappa between the human coding and the suggestions the review
  queue would hold at ``--min-precision`` (see :mod:`qualcode.nlp.kappa`), and their mean.

``--deductive`` measures the codebook suggester alone, with no learning and no split (see
:mod:`qualcode.nlp.evaluate_deductive`).
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError
from qualcode.nlp.codebook import CodeDescription
from qualcode.nlp.kappa import MIN_PRECISION, code_kappas, pooled
from qualcode.nlp.measures import calibration, calibration_lines, precision_recall
from qualcode.nlp.measures import label_key as _key

CURVE = (5, 10, 20, 50)
SEEDS = (0, 1, 2)
FIGURES = ("p_at_1", "p_at_3", "r_at_3")
METRICS = (*FIGURES, *(f"baseline_{k}" for k in FIGURES))
# The suggester measured unless another is named (``--suggester``): the one a project fits.
SUGGESTER = "qualcode.combined.v4"


@dataclass(frozen=True, slots=True)
class Passage:
    group: str
    text: str
    codes: frozenset[str]
    context: str = ""  # what the passage answers: the survey question, say
    # The coded excerpts of the passage, each with its codes (``--excerpt``): what a
    # project learns from, where the passage is the unit that holds them.
    excerpts: tuple[tuple[str, frozenset[str]], ...] = ()


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
    context: str | None = None,
    excerpt: str | None = None,
) -> list[Passage]:
    """The coded passages of a CSV file (see the module docstring); ``context`` names the
    column with what each passage answers (the question), ``excerpt`` the column with the
    exact words a row's codes were applied to."""
    header, rows = _read_rows(path, encoding)
    for col in (text, codes, group, context, excerpt):
        if col is not None and col not in header:
            raise QualcodeError(
                f"no column {col!r}; the columns are {', '.join(header)}", file=path
            )
    reader = rows
    found: dict[tuple[str, str, str], set[str]] = {}
    excerpts: dict[tuple[str, str, str], dict[str, set[str]]] = {}
    for row in reader:
        body = (row.get(text) or "").strip()
        if not body:
            continue
        asked = (row.get(context) or "").strip() if context else ""
        key = ((row.get(group) or "") if group else body, asked, body)
        labels = found.setdefault(key, set())
        applied = {c.strip() for c in (row.get(codes) or "").split(sep) if c.strip()}
        labels.update(applied)
        words = (row.get(excerpt) or "").strip() if excerpt else ""
        if words and applied:
            excerpts.setdefault(key, {}).setdefault(words, set()).update(applied)
    return [
        Passage(
            g,
            t,
            frozenset(c),
            q,
            tuple((w, frozenset(e)) for w, e in excerpts.get((g, q, t), {}).items()),
        )
        for (g, q, t), c in found.items()
    ]


def split(passages: Sequence[Passage], seed: int = 0) -> tuple[list[Passage], list[Passage]]:
    """Halves by group, with a fixed seed: every passage of a group lands on one side."""
    groups = sorted({p.group for p in passages})
    random.Random(seed).shuffle(groups)
    train_groups = set(groups[: len(groups) // 2])
    train = [p for p in passages if p.group in train_groups]
    test = [p for p in passages if p.group not in train_groups]
    return train, test


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


# The gains measured unless asked otherwise: those of the columns given.
INPUTS = ("context", "excerpts")
FEATURES = (
    "function_words",
    "context",
    "neighbour_vote",
    "name_shares",
    "rare_discount",
    "sentences",
    "excerpts",
)


def evaluate(
    passages: Sequence[Passage],
    *,
    codebook: Sequence[CodeDescription] = (),
    language: str = "en",
    seeds: Sequence[int] = SEEDS,
    curve: Sequence[int] = (),
    ablation: bool | Sequence[str] = INPUTS,
    min_precision: float = MIN_PRECISION,
    suggester: str = SUGGESTER,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every figure of the module docstring for these passages: the mean over ``seeds``
    (one split each) with its spread, the gain of each feature named in ``ablation``
    that is in use (True: every feature; by default the columns given, context and
    excerpts), and per code the kappa at the threshold of a review queue held at
    ``min_precision``, for the suggester registered as ``suggester``
    (``qualcode.combined.v3`` or later) with ``params`` beside the features'."""
    from qualcode.nlp.pipeline import lemmatise

    corpus = lemmatise([p.text for p in passages], language)
    given = {"context": any(p.context for p in passages)}
    given["excerpts"] = any(p.excerpts for p in passages)
    features = [f for f in FEATURES if given.get(f, True)]
    named = FEATURES if ablation is True else () if ablation is False else ablation
    measured = [f for f in features if f in named]
    make = _suggester(suggester, params or {})
    runs = [
        _evaluate_split(
            passages,
            corpus,
            codebook,
            language,
            seed,
            curve,
            features,
            measured,
            make,
            min_precision,
        )
        for seed in seeds
    ]
    result: dict[str, Any] = {
        "suggester": suggester,
        "passages": len(passages),
        "seeds": list(seeds),
        "features": features,
    }
    for key in ("train_passages", "test_passages", "codes", "codes_per_test_passage"):
        result[key] = round(statistics.mean(r[key] for r in runs), 2)
    result.update(_means(runs, METRICS))
    result["spread"] = {k: _spread([r[k] for r in runs]) for k in METRICS}
    if codebook:
        result.update(_means(runs, [f"codebook_{k}" for k in FIGURES]))
    if measured:
        result["gain"] = {
            f: {
                "with": _means(runs, FIGURES),
                "without": _means([r["without"][f] for r in runs], FIGURES),
                "p_at_3": round(
                    statistics.mean(r["p_at_3"] - r["without"][f]["p_at_3"] for r in runs), 4
                ),
            }
            for f in measured
        }
    hits = [h for r in runs for h in r["hits"]]
    result["calibration"] = calibration([h[0] for h in hits], [h[1] for h in hits])
    result["kappa"] = pooled([r["kappa"] for r in runs], min_precision)
    result["curve"] = [
        {
            "examples_per_code": n,
            **_means([r["curve"][i] for r in runs], ["train_passages", *FIGURES]),
        }
        for i, n in enumerate(curve)
    ]
    result["per_seed"] = [
        {"seed": seed, **{k: r[k] for k in ("train_passages", "test_passages", *METRICS)}}
        for seed, r in zip(seeds, runs, strict=True)
    ]
    return result


def _evaluate_split(
    passages: Sequence[Passage],
    corpus: Sequence[str],
    codebook: Sequence[CodeDescription],
    language: str,
    seed: int,
    curve: Sequence[int],
    features: Sequence[str],
    measured: Sequence[str],
    make: Callable[..., Any],
    min_precision: float = MIN_PRECISION,
) -> dict[str, Any]:
    """The figures of one split (``seed``), of the suggesters ``make`` makes."""
    from qualcode.nlp.engine import fit_vectorizer

    train, test = split(passages, seed)
    test = [p for p in test if p.codes]
    if not train or not test:
        raise QualcodeError("too few groups to split into a training and a test half")
    truth = [p.codes for p in test]
    freq = Counter(c for p in train for c in p.codes)
    codes = _descriptions(sorted(freq), codebook)
    # The word weights are the whole data set's, as a project's are all its passages'.
    vectorizer = fit_vectorizer(codes, corpus, language)
    hits: list[tuple[Sequence[Any], Collection[str]]] = []

    def run(sample: Sequence[Passage], off: str | None = None) -> dict:
        on = {f: f in features and f != off for f in FEATURES}
        model = make(
            language,
            vectorizer=vectorizer,
            function_words=on["function_words"],
            neighbour_vote=0.5 if on["neighbour_vote"] else 0.0,
            name_shares=on["name_shares"],
            rare_discount=2.0 if on["rare_discount"] else 0.0,
            pooled=on["sentences"],
            random_state=seed,
        )
        asked = [p.context for p in sample] if on["context"] else None
        if on["excerpts"]:
            # As a project learns: from the coded words, and from the units holding them.
            spans = [(p, words, found) for p in sample for words, found in p.excerpts]
            model.fit(
                codes,
                [words for _, words, _ in spans],
                [found for _, _, found in spans],
                contexts=[p.context for p, _, _ in spans] if on["context"] else None,
                units=[p.text for p in sample],
                unit_labels=[p.codes for p in sample],
                unit_contexts=asked,
            )
        else:
            model.fit(codes, [p.text for p in sample], [p.codes for p in sample], contexts=asked)
        context = on["context"]
        ranked = model.suggest_texts(
            [p.text for p in test],
            top=5,
            evidence=False,
            contexts=[p.context for p in test] if context else None,
        )
        if off is None and not hits:
            hits.extend(zip(ranked, truth, strict=True))
        return precision_recall([[r.label for r in row] for row in ranked], truth)

    # Ties broken by name: by insertion order they would follow set order, which changes
    # from one run to the next with Python's string hashing.
    top = sorted(freq, key=lambda c: (-freq[c], c))[:3]
    baseline = precision_recall([top] * len(test), truth)
    result: dict[str, Any] = {
        "train_passages": len(train),
        "test_passages": len(test),
        "codes": len(freq),
        "codes_per_test_passage": round(sum(map(len, truth)) / len(truth), 2),
        **run(train),
        **{f"baseline_{k}": v for k, v in baseline.items()},
        "hits": hits,
        "kappa": code_kappas(
            [[(r.label, r.score) for r in row] for row, _ in hits],
            truth,
            [c.label for c in codes],
            min_precision=min_precision,
        ),
    }
    if measured:
        result["without"] = {f: run(train, off=f) for f in measured}
    if codebook:
        alone = run([])
        result.update({f"codebook_{k}": alone[k] for k in FIGURES})
    result["curve"] = [
        {"train_passages": len(s), **run(s)} for n in curve for s in [cap_per_code(train, n, seed)]
    ]
    return result


def _suggester(name: str, params: Mapping[str, Any]) -> Callable[..., Any]:
    """The suggester class registered as ``name``, with ``params``; refused unless it takes
    the parameters the features are switched by (``qualcode.combined.v3`` and later)."""
    from qualcode.nlp import registry
    from qualcode.nlp.engine import CombinedSuggesterV3

    found = registry.get(name)
    if not issubclass(found, CombinedSuggesterV3):
        known = [n for n, c in registry.REGISTRY.items() if issubclass(c, CombinedSuggesterV3)]
        raise QualcodeError(f"the evaluator measures {', '.join(sorted(known))}, not {name!r}")
    return functools.partial(found, **params)


def _descriptions(
    labels: Sequence[str], codebook: Sequence[CodeDescription]
) -> list[CodeDescription]:
    """The data set's codes described by the codebook where it has them, then the
    codebook's other codes. A codebook's code matches a data set's code by path or name,
    ignoring case and punctuation ("Song Structure/Composition" is "Song structure -
    composition")."""
    described = {_key(c.label): c for c in codebook}
    described.update({_key(c.name): c for c in codebook})
    codes = [replace(described.get(_key(c), CodeDescription(c, c)), label=c) for c in labels]
    known = {_key(c) for c in labels}
    extra = [d for d in codebook if _key(d.name) not in known and _key(d.label) not in known]
    codes.extend(replace(d, label=d.name) for d in extra)
    return codes


def _means(runs: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, float]:
    return {k: round(statistics.mean(r[k] for r in runs), 4) for k in keys}


def _spread(values: Sequence[float]) -> dict[str, float]:
    """Standard deviation (of the seeds' figures), lowest and highest."""
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"sd": round(sd, 4), "min": round(min(values), 4), "max": round(max(values), 4)}


def load_descriptions(path: Path) -> list[CodeDescription]:
    """The codes of a codebook file (YAML, CSV or .qdc) as descriptions."""
    from qualcode.codebook import load_codebook

    book = load_codebook(path)
    return [CodeDescription.of(c, book.path(c)) for c in book]


def _table(result: dict[str, Any]) -> str:
    skip = ("curve", "calibration", "spread", "gain", "per_seed", "kappa")
    lines = []
    for k, v in result.items():
        if k in skip:
            continue
        spread = result["spread"].get(k)
        if spread:
            v = f"{v:.3f}  sd {spread['sd']:.3f}  ({spread['min']:.3f}-{spread['max']:.3f})"
        lines.append(f"{k:>24}: {v}")
    for name, gain in result.get("gain", {}).items():
        lines.append(
            f"{'gain of ' + name:>24}: p@3 {gain['p_at_3']:+.3f} "
            f"({gain['without']['p_at_3']:.3f} without, {gain['with']['p_at_3']:.3f} with)"
        )
    lines.extend(calibration_lines(result))
    if result["curve"]:
        lines.append("learning curve (examples per code: train passages, p@1, p@3, r@3)")
    for row in result["curve"]:
        lines.append(
            f"{row['examples_per_code']:>24}: {row['train_passages']:>7}  {row['p_at_1']:.3f}  "
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
    parser.add_argument("--context", help="column with what a passage answers (the question)")
    parser.add_argument(
        "--excerpt", help="column with the exact words a row's codes were applied to"
    )
    parser.add_argument(
        "--suggester",
        default=SUGGESTER,
        help=f"the registered suggester to measure (default {SUGGESTER})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the first split")
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="splits to average over")
    parser.add_argument("--curve", action="store_true", help="the learning curve too")
    gains = parser.add_mutually_exclusive_group()
    gains.add_argument(
        "--gains", action="store_true", help="measure every feature's gain (a model each)"
    )
    gains.add_argument(
        "--no-ablation", action="store_true", help="measure no gain, not even the columns'"
    )
    parser.add_argument(
        "--min-precision",
        type=float,
        default=MIN_PRECISION,
        help="the review queue's expected precision: kappa is measured at its threshold",
    )
    parser.add_argument(
        "--deductive",
        action="store_true",
        help="score with the codebook alone (needs --codebook): no learning, no split",
    )
    parser.add_argument(
        "--scorer",
        default="qualcode.codebook.v3",
        help="with --deductive: the codebook suggester (qualcode.codebook.v1, .v2, .v3)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    if not 0.0 < args.min_precision <= 1.0:
        parser.error(f"--min-precision must be in (0, 1], not {args.min_precision}")
    try:
        passages = read_passages(
            args.data,
            args.text,
            args.codes,
            sep=args.sep,
            group=args.group,
            encoding=args.encoding,
            context=args.context,
            excerpt=args.excerpt,
        )
        codebook = load_descriptions(args.codebook) if args.codebook else []
        if args.deductive:
            from qualcode.nlp.evaluate_deductive import deductive_table, evaluate_deductive

            result = evaluate_deductive(
                passages,
                codebook,
                language=args.language,
                scorer=args.scorer,
                min_precision=args.min_precision,
            )
            table = deductive_table
        else:
            result = evaluate(
                passages,
                codebook=codebook,
                language=args.language,
                seeds=range(args.seed, args.seed + args.seeds),
                curve=CURVE if args.curve else (),
                ablation=True if args.gains else () if args.no_ablation else INPUTS,
                min_precision=args.min_precision,
                suggester=args.suggester,
            )
            table = _table
    except (QualcodeError, OSError) as exc:
        print(f"qualcode: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.format == "json" else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
