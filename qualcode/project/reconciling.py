"""Reconciling coders into an agreed coding that never loses a decision.

The agreed coding is the codings of a coder of its own (``agreed`` by default, the ``into``).
At the first reconcile of a set of coders into it, it gets every unit they all coded alike
(one decision, ``agreements``). Then each disagreement of the comparison (a unit, a sentence by
default) is settled by a decision: a coder's version clipped to that span, ``passage`` (the
span) or ``none``; a decision changes ``into`` inside its span only (see
:mod:`qualcode.analysis.reconciling`), so it never settles or undoes another.

Every decision is recorded (:class:`qualcode.model.Decision`); one on a span an earlier
decision stands on is refused, naming it, unless ``change`` is given (the earlier one is then
marked replaced). Each reconcile is one undo step of ``into``: undo puts its codings back and
marks the log. The settings ``reconcile.into`` and ``reconcile.coders`` say what was last
reconciled, for the reports to count the agreed coder (written where the coder may change
settings: in a project file anyone, on a server a lead, who is whoever may write as a coder
that is no role such as ``agreed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qualcode.analysis.reconciling import Span, decided, joined
from qualcode.errors import ProjectError
from qualcode.model import Coding, Decision, NewCoding, NewDecision, utc_now
from qualcode.store import Store
from qualcode.store.settings import SettingKey

if TYPE_CHECKING:
    from qualcode.analysis.agreement import Alike, Disagreement
    from qualcode.project.agreement import Agreement
    from qualcode.project.base import ProjectContext

AGREED = "agreed"
CHOICES_EXTRA = ("passage", "none")
AGREEMENTS = "agreements"
INTO_SETTING, CODERS_SETTING = SettingKey.RECONCILE_INTO, SettingKey.RECONCILE_CODERS
Place = tuple[int, int]  # source id, code id


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What one reconcile did.

    Attributes:
        decisions: the decisions it made, in order.
        agreements: the ``agreements`` decision, if this was the first reconcile of these
            coders into ``into`` (its ``count`` is the units they coded alike).
        kept: earlier decisions left standing on disagreements it did not decide
            (``reconcile_all`` without ``change``).
        replaced: earlier decisions it replaced (``change``).
        codings: for one decision, how many codings ``into`` has of its code on its span now.
    """

    decisions: tuple[Decision, ...]
    agreements: Decision | None = None
    kept: tuple[Decision, ...] = ()
    replaced: tuple[Decision, ...] = ()
    codings: int = 0


class _Plan:
    """``into``'s codings of the (source, code)s decided, changed in memory and then written
    as what to remove and what to add."""

    def __init__(self, codings: Iterable[Coding], texts: dict[int, str]) -> None:
        self.texts = texts
        self.before: dict[Place, list[Coding]] = {}
        for c in codings:
            self.before.setdefault((c.source_id, c.code_id), []).append(c)
        self.spans: dict[Place, list[Span]] = {
            k: [(c.start, c.end) for c in v] for k, v in self.before.items()
        }

    def decide(self, place: Place, start: int, end: int, chosen: Sequence[Span]) -> None:
        current = self.spans.get(place, [])
        self.spans[place] = decided(current, chosen, start, end, self.texts[place[0]])

    def add(self, place: Place, spans: Iterable[Span]) -> None:
        self.spans[place] = joined([*self.spans.get(place, []), *spans], self.texts[place[0]])

    def changes(self, into_id: int, now: str) -> tuple[list[int], list[NewCoding]]:
        """The ids of ``into``'s codings to remove and the codings to add; a cut or joined
        coding's memo goes to the codings made of it."""
        remove: list[int] = []
        add: list[NewCoding] = []
        for place, spans in self.spans.items():
            before = self.before.get(place, [])
            kept = {(c.start, c.end) for c in before} & set(spans)
            gone = [c for c in before if (c.start, c.end) not in kept]
            remove.extend(c.id for c in gone)
            for a, b in spans:
                if (a, b) in kept:
                    continue
                memos = dict.fromkeys(c.memo for c in gone if c.memo and c.start < b and c.end > a)
                add.append(NewCoding(*place, into_id, a, b, now, "; ".join(memos)))
        return remove, add


class Reconciling:
    """Reconciling coders into an agreed coding, decision by decision."""

    def __init__(self, ctx: ProjectContext, agreement: Agreement) -> None:
        self._ctx = ctx
        self._agreement = agreement

    # -- deciding ------------------------------------------------------------------------

    def _gap_texts(self, source_ids: Sequence[int]) -> dict[int, str]:
        """The sources' texts as reconcile reads the gaps between pieces of a coding: a
        label that repeats the turn's speaker is white space there, as it is to the
        sentence units (:func:`qualcode.ingest.spoken.labels_blanked`)."""
        from qualcode.ingest.spoken import labels_blanked

        return {
            i: labels_blanked(text, [(t.start, t.end, t.speaker) for t in self._ctx.store.turns(i)])
            for i, text in self._ctx.texts(source_ids).items()
        }

    def reconcile(
        self,
        disagreement_id: str,
        choice: str,
        *,
        coders: Sequence[str],
        into: str = AGREED,
        unit: str = "sentence",
        change: bool = False,
    ) -> Reconciled:
        """Settle one disagreement of ``coders``: ``into`` gets ``choice``'s version of its
        span and keeps what it has outside the span.

        Args:
            disagreement_id: an id from :meth:`disagreements` (``source:code:start-end``).
            choice: one of ``coders`` (their codings of the code, clipped to the span),
                ``"passage"`` (the span itself) or ``"none"`` (nothing there).
            coders: the coders compared (the first reconcile of them into ``into`` puts what
                they coded alike into it).
            into: the coder who holds the agreed coding.
            unit: the unit the coders were compared by.
            change: replace an earlier decision standing on the span; without it such a
                decision is refused, naming the earlier one.
        """
        source_id, code_id, start, end = self._disagreement_place(disagreement_id)
        self._check_reconcile(coders, into, unit)
        if choice not in CHOICES_EXTRA and choice not in coders:
            raise ProjectError(
                f"choose one of the coders compared ({', '.join(coders)}), 'passage' or "
                f"'none', not {choice!r}"
            )
        alike = None if self._seeded(coders, into) else self._alike(coders, unit)
        now = utc_now()
        with self._ctx.store.atomic() as store:
            into_id = store.coder_id(into)
            seed = self._seed(store, coders, into, unit, alike, now)
            log = store.list_decisions(into=into)
            earlier = _standing(log, source_id, code_id, start, end)
            if earlier and not change:
                raise ProjectError(_refusal(disagreement_id, earlier[-1]), file=self._ctx.label)
            if choice == "passage":
                chosen = [(start, end)]
            elif choice == "none":
                chosen = []
            else:
                chosen = [
                    (c.start, c.end)
                    for c in store.list_codings(source_id=source_id, code_ids=[code_id])
                    if c.coder == choice
                ]
            mine = store.list_codings(source_id=source_id, code_ids=[code_id], coder=into)
            plan = _Plan(mine, self._gap_texts([source_id]))
            plan.decide((source_id, code_id), start, end, chosen)
            remove, add = plan.changes(into_id, now)
            where = (source_id, code_id, start, end)
            made = self._decision("pick", where, choice, into_id, coders, unit, now)
            store.write_decisions(
                into_id=into_id,
                remove=remove,
                add=add,
                decisions=[made],
                replaced=[(e.id, 0) for e in earlier],
            )
            self._note_reconcile(coders, into)
        spans = plan.spans.get((source_id, code_id), [])
        there = sum(1 for a, b in spans if a < end and b > start)
        decisions = self._named(self._ctx.store.list_decisions(into=into))
        return Reconciled(
            decisions=(decisions[-1],),
            agreements=self._agreements_of(decisions, seed),
            replaced=tuple(self._named(earlier)),
            codings=there,
        )

    def reconcile_all(
        self,
        coders: Sequence[str],
        accept: str,
        *,
        into: str = AGREED,
        unit: str = "sentence",
        change: bool = False,
    ) -> Reconciled:
        """Settle every disagreement of ``coders`` not yet decided with ``accept``'s version
        (clipped to each one's span, as :meth:`reconcile`), one decision each, as one undo
        step. Earlier decisions stand (they are returned as ``kept``) unless ``change``."""
        from qualcode.analysis.agreement import coded_alike, compare

        self._check_reconcile(coders, into, unit)
        if accept not in coders:
            raise ProjectError(f"{accept!r} is not one of the coders compared")
        inputs = self._agreement.comparison(list(coders), unit=unit)
        found = compare(**inputs)[1]
        alike = coded_alike(**{k: inputs[k] for k in ALIKE_ARGS})
        versions: dict[Place, list[Span]] = {}
        for c in inputs["codings"]:
            if c.coder == accept:
                versions.setdefault((c.source_id, c.code_id), []).append((c.start, c.end))
        now = utc_now()
        with self._ctx.store.atomic() as store:
            into_id = store.coder_id(into)
            seed = self._seed(store, coders, into, unit, alike, now)
            log = store.list_decisions(into=into)
            ids = sorted({d.source_id for d in found})
            plan = _Plan(store.list_codings(source_ids=ids, coder=into), self._gap_texts(ids))
            made: list[NewDecision] = []
            kept: dict[int, Decision] = {}
            replaced: list[tuple[int, int]] = []
            for d in found:
                earlier = _standing(log, d.source_id, d.code_id, d.start, d.end)
                if earlier and not change:
                    kept.update((e.id, e) for e in earlier)
                    continue
                place = (d.source_id, d.code_id)
                plan.decide(place, d.start, d.end, versions.get(place, []))
                replaced.extend((e.id, len(made)) for e in earlier)
                span = (d.source_id, d.code_id, d.start, d.end)
                made.append(self._decision("accept", span, accept, into_id, coders, unit, now))
            if made:
                remove, add = plan.changes(into_id, now)
                store.write_decisions(
                    into_id=into_id, remove=remove, add=add, decisions=made, replaced=replaced
                )
            self._note_reconcile(coders, into)
        decisions = self._named(self._ctx.store.list_decisions(into=into))
        before = {e.id for e in log}
        gone = {old for old, _ in replaced}
        return Reconciled(
            decisions=tuple(d for d in decisions if d.id not in before and d.kind != AGREEMENTS),
            agreements=self._agreements_of(decisions, seed),
            kept=tuple(self._named(kept.values())),
            replaced=tuple(d for d in decisions if d.id in gone),
        )

    # -- reading the log -----------------------------------------------------------------

    def decisions(self, *, into: str | None = None) -> list[Decision]:
        """The decision log, oldest first (of ``into`` only, if given), undone and replaced
        decisions included and marked."""
        return self._named(self._ctx.store.list_decisions(into=into))

    def reconciled(
        self, disagreements: Sequence[Disagreement], *, into: str = AGREED
    ) -> dict[str, Decision]:
        """The disagreements a standing decision for ``into`` covers, by id, with the
        (latest) decision on each: for a screen to mark those settled."""
        standing = [d for d in self.decisions(into=into) if d.active and d.kind != AGREEMENTS]
        out: dict[str, Decision] = {}
        for d in disagreements:
            on = _standing(standing, d.source_id, d.code_id, d.start, d.end)
            covered = d.start
            for a, b in sorted((e.start or 0, e.end or 0) for e in on):
                if a <= covered:
                    covered = max(covered, b)
            if on and covered >= d.end:
                out[d.id] = on[-1]
        return out

    # -- helpers -------------------------------------------------------------------------

    def _disagreement_place(self, disagreement_id: str) -> tuple[int, int, int, int]:
        try:
            source_s, code_s, span = disagreement_id.split(":")
            start_s, end_s = span.split("-")
            source_id, code_id, start, end = int(source_s), int(code_s), int(start_s), int(end_s)
        except ValueError:
            raise ProjectError(f"not a disagreement id: {disagreement_id!r}") from None
        source = self._ctx.store.get_source(source_id)
        if source is None or code_id not in {c.id for c in self._ctx.codebook()}:
            raise ProjectError(f"no such disagreement: {disagreement_id!r}", file=self._ctx.label)
        self._ctx.check_span(source.id, start, end)
        return source_id, code_id, start, end

    def _check_reconcile(self, coders: Sequence[str], into: str, unit: str) -> None:
        from qualcode.analysis.agreement import UNITS

        if len(coders) < 2 or len(set(coders)) != len(coders):
            raise ProjectError("compare two or more different coders", file=self._ctx.label)
        if into in coders:
            raise ProjectError(
                f"{into!r} is one of the coders compared; the agreed coding goes to a coder "
                "of its own (--into)"
            )
        if unit not in UNITS:
            raise ProjectError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        # "Agreed" beside "agreed" would start a second agreed coding without a word.
        self._ctx.coder_as(into, hint="use --into {}")

    def _seeded(self, coders: Sequence[str], into: str) -> bool:
        return _seeded_in(self.decisions(into=into), coders)

    def _decision(
        self,
        kind: str,
        where: tuple[int, int, int, int] | None,
        choice: str,
        into_id: int,
        coders: Sequence[str],
        unit: str,
        now: str,
        count: int = 1,
    ) -> NewDecision:
        """A decision of the current coder; ``where`` is (source, code, start, end)."""
        source_id, code_id, start, end = where if where is not None else (None, None, None, None)
        return NewDecision(
            kind=kind,
            source_id=source_id,
            code_id=code_id,
            start=start,
            end=end,
            choice=choice,
            into_id=into_id,
            coders=",".join(coders),
            unit=unit,
            decided_by=self._ctx.coder,
            created_at=now,
            count=count,
        )

    def _alike(self, coders: Sequence[str], unit: str) -> list[Alike]:
        from qualcode.analysis.agreement import coded_alike

        inputs = self._agreement.comparison(list(coders), unit=unit)
        return coded_alike(**{k: inputs[k] for k in ALIKE_ARGS})

    def _seed(
        self,
        store: Store,
        coders: Sequence[str],
        into: str,
        unit: str,
        alike: list[Alike] | None,
        now: str,
    ) -> int | None:
        """At the first reconcile of ``coders`` into ``into_id``: give it what they coded
        alike, as a decision and an undo step of its own. Returns the decision's id, or None
        if they were reconciled into it before."""
        into_id = store.coder_id(into)
        if _seeded_in(store.list_decisions(into=into), coders):
            return None
        if alike is None:  # the earlier agreements were undone meanwhile
            alike = self._alike(coders, unit)
        ids = sorted({a.source_id for a in alike})
        plan = _Plan(store.list_codings(source_ids=ids, coder=into), self._gap_texts(ids))
        for a in alike:
            plan.add((a.source_id, a.code_id), a.spans)
        remove, add = plan.changes(into_id, now)
        count = sum(a.weight for a in alike)
        made = self._decision(AGREEMENTS, None, "", into_id, coders, unit, now, count)
        return store.write_decisions(into_id=into_id, remove=remove, add=add, decisions=[made])[0]

    def _note_reconcile(self, coders: Sequence[str], into: str) -> None:
        self._ctx.note_setting(INTO_SETTING, into)
        self._ctx.note_setting(CODERS_SETTING, ",".join(coders))

    def _named(self, decisions: Iterable[Decision]) -> list[Decision]:
        """Decisions with their code's path."""
        book = self._ctx.codebook()
        known = {c.id for c in book}
        return [
            replace(d, code=book.path(d.code_id)) if d.code_id in known else d for d in decisions
        ]

    @staticmethod
    def _agreements_of(decisions: Sequence[Decision], seed: int | None) -> Decision | None:
        return next((d for d in decisions if d.id == seed), None)


# The arguments of compare() that coded_alike() takes too.
ALIKE_ARGS = ("coders", "unit", "texts", "turns", "codings", "only_code")


def _seeded_in(decisions: Iterable[Decision], coders: Sequence[str]) -> bool:
    """Whether a standing ``agreements`` decision of these coders is among ``decisions``."""
    wanted = set(coders)
    return any(d.kind == AGREEMENTS and d.active and set(d.coders) == wanted for d in decisions)


def _standing(
    decisions: Iterable[Decision], source_id: int, code_id: int, start: int, end: int
) -> list[Decision]:
    """The standing pick and accept decisions on the same source and code overlapping
    ``[start, end)``, oldest first."""
    return [
        d
        for d in decisions
        if d.active
        and d.kind != AGREEMENTS
        and d.source_id == source_id
        and d.code_id == code_id
        and (d.start or 0) < end
        and (d.end or 0) > start
    ]


def _refusal(disagreement_id: str, earlier: Decision) -> str:
    return (
        f"{disagreement_id} is already decided: decision #{earlier.id}, {earlier.choice}, by "
        f"{earlier.decided_by} at {earlier.created_at}; give --change to replace it"
    )
