"""Every default rule at its edge: one second (or one fen) before, at, and after it.

Each case builds a history at B and a movement near the rule's edge, then asks whether the rule
fired. The same table runs on the in-memory store and on the real database through `assess`
(SQLite, and PostgreSQL when configured), with the clock frozen at the movement's time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.risk.helpers import DatabaseHarness, Harness, MemoryHarness, movement, yuan
from tests.support import START
from walletdesk.clock import FrozenClock
from walletdesk.risk.models import MovementKind
from walletdesk.runtime import Runtime

B = START
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
SHIFTS = (-1, 0, 1)
# Whether the rule fires one second (or fen) before its edge, at it, and one after:
UP_TO = (True, True, False)
BELOW = (True, False, False)
ABOVE = (False, False, True)
FROM = (False, True, True)
NEVER = (False, False, False)


@dataclass(frozen=True)
class Case:
    label: str
    rule: str
    build: Callable[[Harness, str, int], object]
    """Set up history for ids prefixed `tag`; return the probe movement, `shift` seconds (or
    fen) from the edge."""
    expected: tuple[bool, bool, bool]
    """Fired at edge - 1, at the edge, at edge + 1 (UP_TO, BELOW, ABOVE, FROM, NEVER)."""


def new_receiving_account(h: Harness, tag: str, shift: int) -> object:
    h.party(f"{tag}r", opened_at=B)
    return movement(f"{tag}s", f"{tag}r", 100, B + DAY + shift * SECOND)


def dormant(h: Harness, tag: str, shift: int) -> object:
    h.record(movement(f"{tag}s", None, 500, B, kind=MovementKind.TOPUP))
    return movement(f"{tag}s", f"{tag}x", 100, B + 90 * DAY + shift * SECOND)


def three_payments_of_100(h: Harness, tag: str) -> None:
    h.record(*(movement(f"{tag}s", f"{tag}p", 100, B) for _ in range(3)))


def unusual_amount_window(h: Harness, tag: str, shift: int) -> object:
    three_payments_of_100(h, tag)
    return movement(f"{tag}s", f"{tag}new", 301, B + 90 * DAY + shift * SECOND)


def unusual_amount_size(h: Harness, tag: str, shift: int) -> object:
    three_payments_of_100(h, tag)
    return movement(f"{tag}s", f"{tag}new", yuan("300") + shift, B + DAY, amount_fen=True)


def follow_up(h: Harness, tag: str, shift: int) -> object:
    h.record(movement(f"{tag}s", f"{tag}x", 50, B))
    return movement(f"{tag}s", f"{tag}x", 50, B + timedelta(minutes=5) + shift * SECOND)


def fan_out(h: Harness, tag: str, shift: int) -> object:
    h.record(*(movement(f"{tag}s", f"{tag}r{i}", 80, B) for i in range(4)))
    return movement(f"{tag}s", f"{tag}r4", 80, B + timedelta(hours=8) + shift * SECOND)


def fan_in(h: Harness, tag: str, shift: int) -> object:
    h.record(*(movement(f"{tag}a{i}", f"{tag}mule", 200 + i * 37, B) for i in range(4)))
    return movement(f"{tag}a4", f"{tag}mule", 90, B + DAY + shift * SECOND)


def similar_window(h: Harness, tag: str, shift: int) -> object:
    h.record(*(movement(f"{tag}a{i % 2}", f"{tag}r", 1000, B) for i in range(4)))
    return movement(f"{tag}a0", f"{tag}r", 1100, B + DAY + shift * SECOND)


def similar_band(h: Harness, tag: str, shift: int) -> object:
    # 1111.11 is within a tenth of 1000.00; 1111.12 is not (the band is |x - a| <= a / 10).
    h.record(*(movement(f"{tag}a", f"{tag}r", 1000, B) for _ in range(4)))
    return movement(f"{tag}a", f"{tag}r", yuan("1111.11") + shift, B + DAY, amount_fen=True)


def pass_through_window(h: Harness, tag: str, shift: int) -> object:
    h.record(movement(f"{tag}x", f"{tag}s", 5000, B))
    return movement(f"{tag}s", f"{tag}y", 4500, B + DAY + shift * SECOND)


def pass_through_share(h: Harness, tag: str, shift: int) -> object:
    h.record(movement(f"{tag}x", f"{tag}s", 5000, B))
    return movement(f"{tag}s", f"{tag}y", yuan(4500) + shift, B + DAY, amount_fen=True)


def frequent_hour(h: Harness, tag: str, shift: int) -> object:
    h.record(*(movement(f"{tag}s", f"{tag}x", 20, B) for _ in range(10)))
    return movement(f"{tag}s", f"{tag}x", 20, B + timedelta(hours=1) + shift * SECOND)


def frequent_day(h: Harness, tag: str, shift: int) -> object:
    h.record(*(movement(f"{tag}s", f"{tag}x", 20, B) for _ in range(30)))
    return movement(f"{tag}s", f"{tag}x", 20, B + DAY + shift * SECOND)


def large(h: Harness, tag: str, shift: int) -> object:
    return movement(f"{tag}s", f"{tag}x", yuan(10_000) + shift, B, amount_fen=True)


def four_eyes(h: Harness, tag: str, shift: int) -> object:
    return movement(f"{tag}s", f"{tag}x", yuan(50_000) + shift, B, amount_fen=True)


def after_password_reset(h: Harness, tag: str, shift: int) -> object:
    h.party(f"{tag}s", opened_at=B - 400 * DAY, password_reset_at=B)
    return movement(f"{tag}s", f"{tag}x", 2000, B + DAY + shift * SECOND)


def after_phone_change(h: Harness, tag: str, shift: int) -> object:
    h.party(f"{tag}s", opened_at=B - 400 * DAY, contact_changed_at=B)
    return movement(f"{tag}s", f"{tag}x", 2000, B + DAY + shift * SECOND)


def on_new_device(h: Harness, tag: str, shift: int) -> object:
    h.party(f"{tag}s", opened_at=B - 400 * DAY)
    h.device(f"{tag}s", "a" * 63 + tag[-1], B - 300 * DAY)
    h.device(f"{tag}s", "b" * 63 + tag[-1], B)
    at = B + DAY + shift * SECOND
    return movement(f"{tag}s", f"{tag}x", 2000, at, device_id="b" * 63 + tag[-1])


def security_amount(h: Harness, tag: str, shift: int) -> object:
    h.party(f"{tag}s", opened_at=B - 400 * DAY, password_reset_at=B)
    return movement(f"{tag}s", f"{tag}x", yuan(2000) + shift, B + DAY, amount_fen=True)


def safe_account(h: Harness, tag: str, shift: int) -> object:
    at = B + timedelta(hours=1) + shift * SECOND
    return movement(f"{tag}s", f"{tag}safe", 3000, at, support_contact=True, payee_added_at=B)


def no_support_call(h: Harness, tag: str, shift: int) -> object:
    at = B + timedelta(hours=1) + shift * SECOND
    return movement(f"{tag}s", f"{tag}safe", 3000, at, support_contact=False, payee_added_at=B)


def drained(h: Harness, tag: str, shift: int) -> object:
    return movement(
        f"{tag}s",
        f"{tag}x",
        yuan(9900) + shift,
        B,
        amount_fen=True,
        kind=MovementKind.WITHDRAWAL,
        sender_balance_minor=yuan(10_000),
    )


def shared_device(h: Harness, tag: str, shift: int) -> object:
    device = "d" * 63 + tag[-1]
    h.record(*(movement(f"{tag}a{i}", f"{tag}x", 30, B, device_id=device) for i in range(3)))
    return movement(f"{tag}a3", f"{tag}x", 30, B + DAY + shift * SECOND, device_id=device)


CASES = [
    Case(
        "receiving account younger than a day",
        "new_receiving_account",
        new_receiving_account,
        BELOW,
    ),
    Case("dormant for more than 90 days", "dormant_reactivated", dormant, ABOVE),
    Case(
        "3x average, history inside 90 days",
        "unusual_amount_new_payee",
        unusual_amount_window,
        UP_TO,
    ),
    Case("more than 3x the average", "unusual_amount_new_payee", unusual_amount_size, ABOVE),
    Case("follow-up within 5 minutes", "quick_follow_up", follow_up, UP_TO),
    Case("5 receivers within 8 hours", "fan_out", fan_out, UP_TO),
    Case("5 senders within 24 hours", "fan_in_possible_mule", fan_in, UP_TO),
    Case(
        "5 similar amounts within 24 hours", "similar_amounts_one_receiver", similar_window, UP_TO
    ),
    Case("similar means within a tenth", "similar_amounts_one_receiver", similar_band, UP_TO),
    Case("received money sent on within 24 hours", "pass_through", pass_through_window, UP_TO),
    Case("90% of the money received", "pass_through", pass_through_share, FROM),
    Case("more than 10 an hour", "frequent_transfers", frequent_hour, UP_TO),
    Case("more than 30 a day", "frequent_transfers", frequent_day, UP_TO),
    Case("10,000 yuan or more", "large_amount", large, FROM),
    Case("four eyes above 50,000 yuan", "four_eyes_large_amount", four_eyes, ABOVE),
    Case(
        "within 24 hours of a password reset",
        "large_after_security_change",
        after_password_reset,
        UP_TO,
    ),
    Case(
        "within 24 hours of a phone change",
        "large_after_security_change",
        after_phone_change,
        UP_TO,
    ),
    Case("within 24 hours of a new device", "large_after_security_change", on_new_device, UP_TO),
    Case("2,000 yuan or more after a reset", "large_after_security_change", security_amount, FROM),
    Case(
        "new payee added within the hour, on a support call",
        "safe_account_scam",
        safe_account,
        UP_TO,
    ),
    Case("the same without a support call", "safe_account_scam", no_support_call, NEVER),
    Case("99% of the balance", "account_drained", drained, FROM),
    Case("4 accounts on one device in 24 hours", "device_shared_by_many", shared_device, UP_TO),
]


def _run(case: Case, harness: Harness, number: int) -> tuple[bool, bool, bool]:
    seen = []
    for edge, shift in enumerate(SHIFTS):
        probe = case.build(harness, f"c{number}e{edge}", shift)
        seen.append(case.rule in harness.fired(probe))  # type: ignore[arg-type]
    return seen[0], seen[1], seen[2]


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_each_rule_fires_exactly_up_to_its_edge_in_memory(case: Case) -> None:
    assert _run(case, MemoryHarness(), CASES.index(case)) == case.expected


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_each_rule_fires_exactly_up_to_its_edge_on_the_database(
    case: Case, rt: Runtime, clock: FrozenClock
) -> None:
    assert _run(case, DatabaseHarness(rt, clock), CASES.index(case)) == case.expected
