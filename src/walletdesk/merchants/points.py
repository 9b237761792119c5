"""Points (积分): earned on merchant payments, kept on their own ledger in the pseudo-currency
PTS (platform points liability → the user's points wallet), never convertible to money."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.merchants.accounts import points_code

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime


@dataclass(frozen=True)
class PointsBalance:
    balance: int
    points_per_yuan: int


def points_balance(rt: Runtime, actor: Authenticated) -> PointsBalance:
    with rt.db.uow(read_only=True) as uow:
        account = uow.accounts.get_by_code(points_code(actor.user.id))
    return PointsBalance(
        balance=account.posted if account else 0,
        points_per_yuan=rt.merchant_policy.points_per_yuan,
    )
