"""Finding and creating ledger accounts by their stable codes.

Codes read like paths: ``wallet:usr_x:CNY``, ``merchant:mch_x:CNY``, ``platform:fee_revenue:CNY``,
``platform:bank_clearing:ICBC:CNY``. Hot platform and merchant accounts may be split into
shards (``...:s3``) so concurrent postings do not queue on one row.

Each kind of account is described once, by its `AccountSpec` (`wallet_spec`, `platform_spec`);
`*_account` opens or reads the row, `*_account_id` answers from the runtime's id cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from walletdesk.ledger.models import AccountKind, LedgerAccount
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


class AccountSpec(NamedTuple):
    """What an account is before it exists: its code and how it is opened. (A tuple: it is
    built on every posting's account lookup, and a tuple is the cheapest immutable record.)"""

    code: str
    kind: AccountKind
    currency: str
    owner_id: str | None
    allow_negative: bool


def wallet_code(user_id: str, currency: str) -> str:
    return f"wallet:{user_id}:{currency}"


def platform_code(kind: AccountKind, currency: str, qualifier: str | None = None) -> str:
    middle = f"{kind.value}:{qualifier}" if qualifier else kind.value
    return f"platform:{middle}:{currency}"


def wallet_spec(user_id: str, currency: str) -> AccountSpec:
    return AccountSpec(
        wallet_code(user_id, currency),
        AccountKind.WALLET,
        currency,
        owner_id=user_id,
        allow_negative=False,
    )


def platform_spec(kind: AccountKind, currency: str, qualifier: str | None = None) -> AccountSpec:
    """Platform accounts mirror money outside the wallet system and may go negative."""
    return AccountSpec(
        platform_code(kind, currency, qualifier),
        kind,
        currency,
        owner_id=None,
        allow_negative=True,
    )


def ensure(rt: Runtime, uow: UnitOfWork, spec: AccountSpec) -> LedgerAccount:
    """The account `spec` describes, opened on first use."""
    existing = uow.accounts.get_by_code(spec.code)
    if existing is not None:
        return existing
    return uow.accounts.ensure(
        LedgerAccount(
            id=new_id(rt.random, "acc"),
            code=spec.code,
            kind=spec.kind,
            owner_id=spec.owner_id,
            currency=spec.currency,
            allow_negative=spec.allow_negative,
            posted=0,
            held=0,
            seq=0,
            created_at=rt.clock.now(),
        )
    )


def ensure_id(rt: Runtime, uow: UnitOfWork, spec: AccountSpec) -> str:
    """`ensure(...).id` without a query once the id is known. An account this unit of work
    creates is remembered only when it commits: a rollback would take the row away."""
    known = rt.account_ids.get(spec.code)
    if known is not None:
        return known
    account = ensure(rt, uow, spec)

    def remember() -> None:
        rt.account_ids.setdefault(spec.code, account.id)

    uow.on_commit(remember)
    return account.id


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
    return ensure(rt, uow, AccountSpec(code, kind, currency, owner_id, allow_negative))


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
    """`ensure_account(...).id`, from the runtime's cache once known (see `ensure_id`)."""
    return ensure_id(rt, uow, AccountSpec(code, kind, currency, owner_id, allow_negative))


def wallet_account(rt: Runtime, uow: UnitOfWork, user_id: str, currency: str) -> LedgerAccount:
    return ensure(rt, uow, wallet_spec(user_id, currency))


def wallet_account_id(rt: Runtime, uow: UnitOfWork, user_id: str, currency: str) -> str:
    return ensure_id(rt, uow, wallet_spec(user_id, currency))


def wallet_ids(rt: Runtime, uow: UnitOfWork, user_ids: list[str], currency: str) -> dict[str, str]:
    """Many users' wallet account ids in one query; the few wallets that do not exist yet
    are created one by one."""
    codes = {user_id: wallet_code(user_id, currency) for user_id in user_ids}
    # An account's id never changes, so ids read once are kept per runtime (`ensure_id`).
    known = rt.account_ids
    unknown = sorted({code for code in codes.values() if code not in known})
    found = uow.accounts.ids_by_code(unknown) if unknown else {}
    if found:
        uow.on_commit(lambda: known.update(found))
    return {
        user_id: known.get(code) or found.get(code) or wallet_account_id(rt, uow, user_id, currency)
        for user_id, code in codes.items()
    }


def platform_account(
    rt: Runtime, uow: UnitOfWork, kind: AccountKind, currency: str, qualifier: str | None = None
) -> LedgerAccount:
    return ensure(rt, uow, platform_spec(kind, currency, qualifier))


def platform_account_id(
    rt: Runtime, uow: UnitOfWork, kind: AccountKind, currency: str, qualifier: str | None = None
) -> str:
    return ensure_id(rt, uow, platform_spec(kind, currency, qualifier))
