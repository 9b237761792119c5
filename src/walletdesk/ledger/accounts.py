"""Finding and creating ledger accounts by their stable codes.

Codes read like paths: ``wallet:usr_x:CNY``, ``merchant:mch_x:CNY``, ``platform:fee_revenue:CNY``,
``platform:bank_clearing:ICBC:CNY``. Hot platform and merchant accounts may be split into
shards (``...:s3``) so concurrent postings do not queue on one row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.ledger.models import AccountKind, LedgerAccount
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def wallet_code(user_id: str, currency: str) -> str:
    return f"wallet:{user_id}:{currency}"


def platform_code(kind: AccountKind, currency: str, qualifier: str | None = None) -> str:
    middle = f"{kind.value}:{qualifier}" if qualifier else kind.value
    return f"platform:{middle}:{currency}"


def ensure_account(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    code: str,
    kind: AccountKind,
    currency: str,
    owner_id: str | None,
    allow_negative: bool,
) -> LedgerAccount:
    existing = uow.accounts.get_by_code(code)
    if existing is not None:
        return existing
    return uow.accounts.ensure(
        LedgerAccount(
            id=new_id(rt.random, "acc"),
            code=code,
            kind=kind,
            owner_id=owner_id,
            currency=currency,
            allow_negative=allow_negative,
            posted=0,
            held=0,
            seq=0,
            created_at=rt.clock.now(),
        )
    )


def ensure_account_id(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    code: str,
    kind: AccountKind,
    currency: str,
    owner_id: str | None,
    allow_negative: bool,
) -> str:
    """`ensure_account(...).id` without a query once the id is known. An account this unit of
    work creates is remembered only when it commits: a rollback would take the row away."""
    known = rt.account_ids.get(code)
    if known is not None:
        return known
    account = ensure_account(
        rt,
        uow,
        code=code,
        kind=kind,
        currency=currency,
        owner_id=owner_id,
        allow_negative=allow_negative,
    )

    def remember() -> None:
        rt.account_ids.setdefault(code, account.id)

    uow.on_commit(remember)
    return account.id


def wallet_account(rt: Runtime, uow: UnitOfWork, user_id: str, currency: str) -> LedgerAccount:
    return ensure_account(
        rt,
        uow,
        code=wallet_code(user_id, currency),
        kind=AccountKind.WALLET,
        currency=currency,
        owner_id=user_id,
        allow_negative=False,
    )


def wallet_ids(rt: Runtime, uow: UnitOfWork, user_ids: list[str], currency: str) -> dict[str, str]:
    """Many users' wallet account ids in one query; the few wallets that do not exist yet
    are created one by one."""
    codes = {user_id: wallet_code(user_id, currency) for user_id in user_ids}
    found = uow.accounts.ids_by_code(sorted(set(codes.values())))
    return {
        user_id: found.get(code) or wallet_account(rt, uow, user_id, currency).id
        for user_id, code in codes.items()
    }


def wallet_account_id(rt: Runtime, uow: UnitOfWork, user_id: str, currency: str) -> str:
    return ensure_account_id(
        rt,
        uow,
        code=wallet_code(user_id, currency),
        kind=AccountKind.WALLET,
        currency=currency,
        owner_id=user_id,
        allow_negative=False,
    )


def platform_account_id(
    rt: Runtime, uow: UnitOfWork, kind: AccountKind, currency: str, qualifier: str | None = None
) -> str:
    return ensure_account_id(
        rt,
        uow,
        code=platform_code(kind, currency, qualifier),
        kind=kind,
        currency=currency,
        owner_id=None,
        allow_negative=True,
    )


def platform_account(
    rt: Runtime, uow: UnitOfWork, kind: AccountKind, currency: str, qualifier: str | None = None
) -> LedgerAccount:
    """Platform accounts mirror money outside the wallet system and may go negative."""
    return ensure_account(
        rt,
        uow,
        code=platform_code(kind, currency, qualifier),
        kind=kind,
        currency=currency,
        owner_id=None,
        allow_negative=True,
    )
