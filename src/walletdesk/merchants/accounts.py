"""Merchant ledger accounts, split into shards, and the sharded hot platform accounts.

Every payment to a merchant credits that merchant. With one ledger row per merchant, every
payment to a popular merchant would take the same row lock and they would run one after
another, however many clients pay at once. So a merchant has SHARDS rows
(``merchant:<id>:CNY:s0`` .. ``s7``); each payment credits one picked at random, its balance is
their sum, and up to eight payments to the same merchant commit side by side. The platform's
points-liability and coupon-expense accounts are touched by many payments too and are
sharded the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.ledger.accounts import (
    ensure_account,
    ensure_account_id,
    platform_account,
    platform_account_id,
)
from walletdesk.ledger.models import AccountKind, LedgerAccount
from walletdesk.ledger.money import POINTS
from walletdesk.merchants.policy import SHARDS

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def shard_codes(merchant_id: str, currency: str) -> list[str]:
    return [f"merchant:{merchant_id}:{currency}:s{n}" for n in range(SHARDS)]


def merchant_shard(
    rt: Runtime, uow: UnitOfWork, merchant_id: str, currency: str, shard: int
) -> LedgerAccount:
    return ensure_account(
        rt,
        uow,
        code=shard_codes(merchant_id, currency)[shard],
        kind=AccountKind.MERCHANT,
        currency=currency,
        owner_id=merchant_id,
        allow_negative=False,
    )


def any_merchant_shard(
    rt: Runtime, uow: UnitOfWork, merchant_id: str, currency: str
) -> LedgerAccount:
    return merchant_shard(rt, uow, merchant_id, currency, rt.random.randbelow(SHARDS))


def any_merchant_shard_id(rt: Runtime, uow: UnitOfWork, merchant_id: str, currency: str) -> str:
    """`any_merchant_shard(...).id`, from the runtime's cache once known."""
    return ensure_account_id(
        rt,
        uow,
        code=shard_codes(merchant_id, currency)[rt.random.randbelow(SHARDS)],
        kind=AccountKind.MERCHANT,
        currency=currency,
        owner_id=merchant_id,
        allow_negative=False,
    )


def open_merchant_accounts(rt: Runtime, uow: UnitOfWork, merchant_id: str, currency: str) -> None:
    """Create all shards up front, so a refund always finds every row it may draw on."""
    for shard in range(SHARDS):
        merchant_shard(rt, uow, merchant_id, currency, shard)


def hot_platform_account(
    rt: Runtime, uow: UnitOfWork, kind: AccountKind, currency: str
) -> LedgerAccount:
    return platform_account(rt, uow, kind, currency, f"s{rt.random.randbelow(SHARDS)}")


def hot_platform_account_id(rt: Runtime, uow: UnitOfWork, kind: AccountKind, currency: str) -> str:
    return platform_account_id(rt, uow, kind, currency, f"s{rt.random.randbelow(SHARDS)}")


def points_code(user_id: str) -> str:
    return f"points:{user_id}:{POINTS}"


def points_account(rt: Runtime, uow: UnitOfWork, user_id: str) -> LedgerAccount:
    """A user's points (积分) wallet. Its owner is in the code only: the money views (wallet
    balances, history, limits) list a user's accounts by owner, and points are not money."""
    return ensure_account(
        rt,
        uow,
        code=points_code(user_id),
        kind=AccountKind.WALLET,
        currency=POINTS,
        owner_id=None,
        allow_negative=False,
    )


def points_account_id(rt: Runtime, uow: UnitOfWork, user_id: str) -> str:
    return ensure_account_id(
        rt,
        uow,
        code=points_code(user_id),
        kind=AccountKind.WALLET,
        currency=POINTS,
        owner_id=None,
        allow_negative=False,
    )


def merchant_balance(rt: Runtime, merchant_id: str, currency: str) -> int:
    """Available balance: the sum over the merchant's shards."""
    codes = set(shard_codes(merchant_id, currency))
    with rt.db.uow(read_only=True) as uow:
        return sum(a.available for a in uow.accounts.for_owner(merchant_id) if a.code in codes)
