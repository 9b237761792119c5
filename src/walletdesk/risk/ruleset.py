"""A compiled rule set: which rules fire, the score and the action.

Score = the sum of the weights of the rules that fire, capped at 100. Action = the most severe
action among them, raised to hold when the score reaches the file's hold threshold and to
freeze when it reaches the freeze threshold. A rule snoozed for the customer does not fire (it
is listed as snoozed when it would have).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from walletdesk.risk.models import Action, RuleHit, Verdict
from walletdesk.risk.predicates import Features, Predicate
from walletdesk.risk.rulefile import RuleFile, RuleSpec, parse_rule_file

SCORE_CAP = 100
DEFAULT_RULES_FILE = "default_rules.yaml"


@dataclass(frozen=True)
class RuleSet:
    name: str
    hold_at: int
    freeze_at: int
    rules: tuple[RuleSpec, ...]
    source: str
    sha256: str

    @classmethod
    def compile(cls, source: str) -> RuleSet:
        """Parse and compile; raises RuleFileRefused (with the line) for an invalid file."""
        parsed: RuleFile = parse_rule_file(source)
        return cls(
            name=parsed.name,
            hold_at=parsed.hold_at,
            freeze_at=parsed.freeze_at,
            rules=parsed.rules,
            source=source,
            sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        )

    @cached_property
    def _hits(self) -> dict[str, RuleHit]:
        return {
            rule.id: RuleHit(
                rule_id=rule.id,
                version=rule.version,
                weight=rule.weight,
                action=rule.action,
                reason_zh=rule.reason_zh,
                reason_en=rule.reason_en,
            )
            for rule in self.rules
        }

    def by_id(self) -> dict[str, RuleSpec]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def _checks(self) -> tuple[tuple[RuleSpec, RuleHit, Predicate], ...]:
        return tuple((rule, self._hits[rule.id], _gated(rule)) for rule in self.rules)

    def fires(self, rule: RuleSpec, features: Features) -> bool:
        return _gated(rule)(features) is True

    def evaluate(self, features: Features, snoozed: frozenset[str] = frozenset()) -> Verdict:
        hits: list[RuleHit] = []
        held_back: list[str] = []
        four_eyes = False
        for rule, hit, check in self._checks:
            if check(features) is not True:
                continue
            if rule.id in snoozed:
                held_back.append(rule.id)
                continue
            hits.append(hit)
            four_eyes = four_eyes or rule.four_eyes
        score = min(SCORE_CAP, sum(hit.weight for hit in hits))
        action = Action.APPROVE
        for hit in hits:
            action = action.at_least(hit.action)
        if score >= self.freeze_at:
            action = action.at_least(Action.FREEZE)
        elif score >= self.hold_at:
            action = action.at_least(Action.HOLD)
        return Verdict(
            action=action,
            score=score,
            hits=tuple(hits),
            four_eyes=four_eyes,
            snoozed=tuple(held_back),
        )


def _gated(rule: RuleSpec) -> Predicate:
    """The rule's condition behind its optional amount gates (yuan, both ends inclusive)."""
    condition = rule.when.predicate
    low, high = rule.min_amount, rule.max_amount
    if low is None and high is None:
        return condition

    def check(features: Features) -> bool | None:
        amount = features.get("amount")
        if not isinstance(amount, int):
            return None
        if (low is not None and amount < low) or (high is not None and amount > high):
            return False
        return condition(features)

    return check


def default_rules_source() -> str:
    """The rule file shipped with walletdesk (`risk/default_rules.yaml`)."""
    return (resources.files("walletdesk.risk") / DEFAULT_RULES_FILE).read_text(encoding="utf-8")
