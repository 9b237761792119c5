"""Assessing a movement before it posts, inside the caller's unit of work.

    decision = assess(rt, uow, movement)      # reads history, stores the decision in `uow`
    if decision.approved: post it, then record_movement(uow, movement)

`assess` fails closed: an exception anywhere in the engine, or an assessment slower than
`settings.risk_time_budget_ms`, gives a *hold* decision carrying the hit "risk engine
unavailable" — never an approval. The engine's reads run inside a savepoint (the SQL store
sends it in the same round trip as the read itself), so a database error there does not spoil
the caller's transaction and the held decision is still stored with it. If even storing the
decision fails, the exception reaches the caller, whose unit of work then rolls back: the
movement does not post either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.randomness import new_id
from walletdesk.risk.features import FeatureValue, compute_features
from walletdesk.risk.history import Facts, FactSource
from walletdesk.risk.models import ENGINE_UNAVAILABLE, Action, Decision, Movement, Verdict
from walletdesk.risk.rules_admin import rule_set_for
from walletdesk.risk.ruleset import RuleSet

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

Timer = Callable[[], float]
"""A monotonic clock in seconds (`time.perf_counter`); tests inject their own."""


@dataclass(frozen=True)
class Assessment:
    features: dict[str, FeatureValue]
    verdict: Verdict


def evaluate_movement(
    rules: RuleSet, source: FactSource, movement: Movement, now: datetime
) -> Assessment:
    """The engine without its safety net: features from `source`, verdict from `rules`.
    Replay calls this directly (no time budget, so its results are reproducible)."""
    return _evaluate(rules, source.facts(movement, now), movement, now)


def _evaluate(rules: RuleSet, facts: Facts, movement: Movement, now: datetime) -> Assessment:
    features = compute_features(movement, facts, now)
    return Assessment(features, rules.evaluate(features, facts.snoozed))


_known_heads: dict[tuple[int, str], RuleSet] = {}
_KNOWN_HEADS_MAX = 16


def _rules_for(uow: UnitOfWork, head: tuple[int, str] | None) -> tuple[int, RuleSet]:
    """`rule_set_for` without a savepoint's two round trips in the usual case: only a head
    this process has not met yet is read from storage, and that read runs isolated."""
    if head is None:
        return rule_set_for(uow, None)
    rules = _known_heads.get(head)
    if rules is None:
        with uow.risk.isolated():
            _, rules = rule_set_for(uow, head)
        if len(_known_heads) >= _KNOWN_HEADS_MAX:
            _known_heads.clear()
        _known_heads[head] = rules
    return head[0], rules


def assess(
    rt: Runtime,
    uow: UnitOfWork,
    movement: Movement,
    *,
    timer: Timer = time.perf_counter,
    store: bool = True,
) -> Decision:
    """Decide on `movement` before it posts and store the decision in `uow` (not committed).

    Never approves on failure: see the module docstring. The caller commits the decision with
    whatever it does about the movement; a caller that refuses the movement by raising should
    commit the decision first, or it rolls back with the refusal. With `store=False` the
    decision is only returned (`uow` may be read-only): the caller stores it where the
    movement is posted (the group commit stores a whole batch's decisions in one insert).
    """
    started = timer()
    now = rt.clock.now()
    version: int | None = None
    failure: str | None = None
    assessment: Assessment | None = None
    try:
        facts = uow.risk.facts(movement, now)  # isolated: a failure spoils no transaction
        version, rules = _rules_for(uow, facts.rule_set_head)
        assessment = _evaluate(rules, facts, movement, now)
    except Exception as exc:
        # Any failure holds the movement; the reason stays in the log, not with the customer.
        logger.exception("risk assessment of %s failed; holding it", movement.id)
        failure = f"error: {type(exc).__name__}"[:120]
    decision = _decision(rt, movement, now, version, assessment, failure, timer() - started)
    if store:
        uow.risk.add_decision(decision)
    return decision


def assess_many(
    rt: Runtime, uow: UnitOfWork, movements: list[Movement], *, timer: Timer = time.perf_counter
) -> list[Decision]:
    """`assess(..., store=False)` for a group-commit batch: every movement's facts in one read
    (one round trip on PostgreSQL), then each verdict on its own. The same safety net: a
    failed read holds them all, a failed evaluation holds that one. Each is charged its share
    of the read plus its own evaluation against the time budget."""
    if not movements:
        return []
    started = timer()
    now = rt.clock.now()
    read_failure: str | None = None
    all_facts: list[Facts] = []
    try:
        all_facts = uow.risk.facts_many(movements, now)  # isolated, like `facts`
    except Exception as exc:
        logger.exception("risk assessment of a batch of %d failed; holding it", len(movements))
        read_failure = f"error: {type(exc).__name__}"[:120]
    share = (timer() - started) / len(movements)
    decisions: list[Decision] = []
    for number, movement in enumerate(movements):
        begun = timer()
        version: int | None = None
        failure = read_failure
        assessment: Assessment | None = None
        if failure is None:
            try:
                facts = all_facts[number]
                version, rules = _rules_for(uow, facts.rule_set_head)
                assessment = _evaluate(rules, facts, movement, now)
            except Exception as exc:
                logger.exception("risk assessment of %s failed; holding it", movement.id)
                failure = f"error: {type(exc).__name__}"[:120]
        elapsed = share + timer() - begun
        decisions.append(_decision(rt, movement, now, version, assessment, failure, elapsed))
    return decisions


def _decision(
    rt: Runtime,
    movement: Movement,
    now: datetime,
    version: int | None,
    assessment: Assessment | None,
    failure: str | None,
    elapsed: float,
) -> Decision:
    """The decision on `movement`: the verdict, or a hold when the engine failed or took
    longer than its time budget (fail closed)."""
    if failure is None and elapsed * 1000 > rt.settings.risk_time_budget_ms:
        logger.warning(
            "risk assessment of %s took %.1f ms (budget %.1f ms); holding it",
            movement.id,
            elapsed * 1000,
            rt.settings.risk_time_budget_ms,
        )
        failure = "timeout"
    if failure is not None or assessment is None:
        verdict = Verdict(action=Action.HOLD, score=0, hits=(ENGINE_UNAVAILABLE,))
        features: dict[str, FeatureValue] = {}
    else:
        verdict, features = assessment.verdict, assessment.features
    return Decision(
        id=new_id(rt.random, "rsk"),
        movement_id=movement.id,
        movement_kind=movement.kind,
        user_id=movement.sender_id,
        counterparty_id=movement.receiver_id,
        amount_minor=movement.amount_minor,
        currency=movement.currency,
        amount_cny_minor=movement.amount_cny_minor,
        action=verdict.action,
        score=verdict.score,
        hits=verdict.hits,
        rule_set_version=version,
        elapsed_us=max(0, round(elapsed * 1_000_000)),
        created_at=now,
        four_eyes=verdict.four_eyes,
        snoozed=verdict.snoozed,
        failure=failure,
        features=dict(features),
    )


def record_movement(uow: UnitOfWork, movement: Movement) -> bool:
    """Add a movement that has posted to the engine's history (velocity windows, first-seen
    times, payees). Call it in the unit of work that posts the money; recording the same
    movement id twice keeps one row (returns False the second time)."""
    return uow.risk.record_event(movement)
