"""Putting money into wallets for tests, the way a settled bank top-up would."""

from walletdesk.ledger.accounts import platform_account, wallet_account
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.runtime import Runtime


def fund(rt: Runtime, user_id: str, amount: str, currency: str = "CNY") -> str:
    money = Money.parse(amount, currency)
    with rt.db.uow() as uow:
        wallet = wallet_account(rt, uow, user_id, currency)
        bank = platform_account(rt, uow, AccountKind.BANK_CLEARING, currency, "ICBC")
        posted = post_entry(
            rt,
            uow,
            kind=EntryKind.TOPUP,
            description="test top-up",
            legs=[Leg(bank.id, -money.minor, currency), Leg(wallet.id, money.minor, currency)],
        )
        uow.commit()
    return posted.entry.id


def user_id_of(rt: Runtime, display_name: str) -> str:
    with rt.db.uow(read_only=True) as uow:
        return next(u.id for u in uow.users.list_all() if u.display_name == display_name)
