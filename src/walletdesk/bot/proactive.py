"""Proactive help (issue 6, item 7): what fits the customer before they ask, from their own
history only.

- a top-up that failed lately: the bank's reason and the fix;
- a withdrawal still at the bank: when it normally arrives;
- a daily limit nearly used up: what is left and how to raise it;
- one of their coupons that fits a merchant they keep paying (`proactive_coupon`).

At most one suggestion is shown at a time (the first that applies, in that order), each has a
stable key (the operation, or the day), and a dismissed key never comes back. Everything is
read through the ledger's and the bank's services for the one user id the caller proved: no
other user's data can appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.bot import replies
from walletdesk.bot.proactive_coupon import matching_coupon
from walletdesk.bot.replies import Line, say
from walletdesk.bot.tools_read import WITHDRAWAL_EXPECTED
from walletdesk.errors import NotFound
from walletdesk.i18n import N_, Text
from walletdesk.ledger import wallets
from walletdesk.ledger.limits import BEIJING, limit_for, remaining
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

RECENT = timedelta(days=7)
LOOK_BACK = 20
LIMIT_NEAR_SHARE = 0.2
"""A daily limit is "nearly used" when less than this share of it is left."""


@dataclass(frozen=True)
class Suggestion:
    key: str
    kind: str
    """topup_failed, withdrawal_pending, limit_near or coupon."""
    line: Line

    def text(self, locale: str) -> str:
        return self.line.text(locale)


def _from_history(rt: Runtime, user_id: str, locale: str) -> list[Suggestion]:
    now = rt.clock.now()
    page = wallets.user_history_page(
        rt,
        user_id,
        cursor=None,
        limit=LOOK_BACK,
        filters=wallets.HistoryFilter(kinds=["topup", "withdrawal"], since=now - RECENT),
    )
    found = []
    topups = [i for i in page.items if i.kind == "topup"]
    if topups and topups[0].status == "failed" and topups[0].failure_message:
        last = topups[0]
        found.append(
            Suggestion(
                f"topup_failed:{last.entry_id}",
                "topup_failed",
                say(
                    replies.SUGGEST_TOPUP_FAILED,
                    amount=last.amount.format(locale),
                    reason=Text(last.failure_message or ""),
                    next_step=Text(last.next_step or ""),
                ),
            )
        )
    for item in page.items:
        if item.kind == "withdrawal" and item.status == "processing":
            found.append(
                Suggestion(
                    f"withdrawal_pending:{item.entry_id}",
                    "withdrawal_pending",
                    say(
                        replies.SUGGEST_WITHDRAWAL_PENDING,
                        amount=(-item.amount).format(locale),
                        expected=item.created_at + WITHDRAWAL_EXPECTED,
                    ),
                )
            )
            break
    return found


def _limit(rt: Runtime, user_id: str, locale: str) -> list[Suggestion]:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(user_id)
        if user is None:
            return []
        limit = limit_for(user.kyc_tier, uow=uow, user_id=user_id, at=now)
        left = remaining(uow, subject_id=user_id, limit=limit, at=now)["day"]
    if left >= limit.per_day * LIMIT_NEAR_SHARE:
        return []
    day = now.astimezone(BEIJING).date().isoformat()
    line = say(replies.SUGGEST_LIMIT_NEAR, left=Money(left, "CNY").format(locale))
    return [Suggestion(f"limit_near:{day}", "limit_near", line)]


def _coupon(rt: Runtime, user_id: str, locale: str) -> list[Suggestion]:
    match = matching_coupon(rt, user_id)
    if match is None:
        return []
    coupon = match.coupon
    line = say(
        replies.SUGGEST_COUPON,
        amount_off=Money(coupon.amount_off, coupon.currency).format(locale),
        min_spend=Money(coupon.min_spend, coupon.currency).format(locale),
        expires=coupon.expires_at,
        merchant=match.merchant.name,
    )
    # Keyed by the coupon: dismissing it hides this coupon, not coupons issued later.
    return [Suggestion(f"coupon:{coupon.id}", "coupon", line)]


def suggestions(rt: Runtime, user_id: str, locale: str) -> list[Suggestion]:
    """Every suggestion that applies now, best first (dismissed ones included): what went
    wrong or is waiting before what could save money."""
    return (
        _from_history(rt, user_id, locale)
        + _limit(rt, user_id, locale)
        + _coupon(rt, user_id, locale)
    )


def first_suggestion(rt: Runtime, user_id: str, locale: str) -> Suggestion | None:
    """The one suggestion to show now: the first that applies and was not dismissed."""
    with rt.db.uow(read_only=True) as uow:
        dismissed = uow.bot.dismissed(user_id)
    return next((s for s in suggestions(rt, user_id, locale) if s.key not in dismissed), None)


def dismiss(rt: Runtime, user_id: str, key: str) -> None:
    """Dismiss one of the user's own current suggestions; any other key looks missing."""
    if key not in {s.key for s in suggestions(rt, user_id, "en")}:
        raise NotFound("suggestion_not_found", N_("There is no such suggestion for you now."))
    with rt.db.uow() as uow:
        uow.bot.dismiss(user_id, key, rt.clock.now())
        uow.commit()
