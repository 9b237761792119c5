"""What the risk engine is asked about (a `Movement`) and what it answers (a `Decision`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MovementKind(StrEnum):
    TRANSFER = "transfer"
    PAYMENT = "payment"
    WITHDRAWAL = "withdrawal"
    TOPUP = "topup"
    FX = "fx"

    @property
    def is_outgoing(self) -> bool:
        """Money leaves the sender for someone else (a top-up comes in, FX stays with them)."""
        return self in _OUTGOING


_OUTGOING = frozenset({MovementKind.TRANSFER, MovementKind.PAYMENT, MovementKind.WITHDRAWAL})


class Action(StrEnum):
    """What happens to the movement, from mildest to most severe."""

    APPROVE = "approve"
    STEP_UP = "step_up"
    """Ask the customer to confirm with a second factor first."""
    HOLD = "hold"
    """Reserve the funds and put the movement in front of a reviewer."""
    DECLINE = "decline"
    FREEZE = "freeze"
    """Freeze the account, and hold the movement."""

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    def at_least(self, other: Action) -> Action:
        return self if self.severity >= other.severity else other


_SEVERITY = {action: rank for rank, action in enumerate(Action)}


@dataclass(frozen=True)
class Movement:
    """One money movement, as the ledger is about to post it.

    `amount_cny_minor` is the amount's CNY equivalent in fen (the same as `amount_minor` for
    CNY); rules compare amounts in CNY. `device_id` is the device fingerprint
    (`identity.devices.device_fingerprint`, the same for one phone across accounts).
    `support_contact` is true while the customer is in a call or chat with someone who claims
    to be support; `payee_added_at` is when the customer saved this payee (None if unknown).
    `sender_balance_minor` is the sender's available balance before the movement, in CNY fen,
    when the caller knows it.
    """

    id: str
    kind: MovementKind
    sender_id: str
    receiver_id: str | None
    amount_minor: int
    currency: str
    amount_cny_minor: int
    at: datetime
    device_id: str | None = None
    ip: str | None = None
    payee_added_at: datetime | None = None
    support_contact: bool = False
    sender_balance_minor: int | None = None

    @property
    def is_outgoing(self) -> bool:
        return self.kind.is_outgoing


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    version: int
    weight: int
    action: Action
    reason_zh: str
    reason_en: str

    def reason(self, locale: str) -> str:
        return self.reason_zh if locale.lower().startswith("zh") else self.reason_en

    def as_json(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "version": self.version,
            "weight": self.weight,
            "action": str(self.action),
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> RuleHit:
        return cls(
            rule_id=str(data["rule_id"]),
            version=int(str(data["version"])),
            weight=int(str(data["weight"])),
            action=Action(str(data["action"])),
            reason_zh=str(data["reason_zh"]),
            reason_en=str(data["reason_en"]),
        )


ENGINE_UNAVAILABLE = RuleHit(
    rule_id="engine_unavailable",
    version=1,
    weight=0,
    action=Action.HOLD,
    reason_zh="风控引擎暂时不可用，交易已暂停，等待人工审核",
    reason_en="Risk engine unavailable: the movement is held for a reviewer",
)
"""The hit a fail-closed decision carries: the movement is held, never approved."""


@dataclass(frozen=True)
class Verdict:
    """What a rule set says about one set of features."""

    action: Action
    score: int
    hits: tuple[RuleHit, ...]
    four_eyes: bool = False
    snoozed: tuple[str, ...] = ()
    """Rules that would have fired but are snoozed for this customer."""


@dataclass(frozen=True)
class Decision:
    id: str
    movement_id: str
    movement_kind: MovementKind
    user_id: str
    counterparty_id: str | None
    amount_minor: int
    currency: str
    amount_cny_minor: int
    action: Action
    score: int
    hits: tuple[RuleHit, ...]
    rule_set_version: int | None
    elapsed_us: int
    created_at: datetime
    four_eyes: bool = False
    snoozed: tuple[str, ...] = ()
    failure: str | None = None
    """Why the engine failed closed ("timeout", "error: OperationalError"), else None."""
    features: dict[str, object] = field(default_factory=dict)
    """The feature values the rules saw (24 h velocity context for reviewers)."""

    @property
    def elapsed_ms(self) -> float:
        return self.elapsed_us / 1000

    @property
    def approved(self) -> bool:
        return self.action is Action.APPROVE

    @property
    def failed_closed(self) -> bool:
        return self.failure is not None


def hits_to_text(hits: tuple[RuleHit, ...]) -> str:
    return json.dumps([hit.as_json() for hit in hits], ensure_ascii=False, separators=(",", ":"))


def hits_from_text(text: str) -> tuple[RuleHit, ...]:
    return tuple(RuleHit.from_json(item) for item in json.loads(text))
