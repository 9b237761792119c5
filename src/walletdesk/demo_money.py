"""Demo money: three months of top-ups and transfers between the demo users, posted through
the real services on a clock set back in time, so balances, history and limits all agree.
Dev mode only, like the rest of the demo data."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from walletdesk.clock import FrozenClock
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.kyc import submit_real_name
from walletdesk.identity.models import Session, SessionKind
from walletdesk.identity.staff import find_user_id
from walletdesk.ledger.accounts import platform_account, wallet_account
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.ledger.transfers import transfer
from walletdesk.runtime import Runtime
from walletdesk.settings import UnsafeSettings

BEIJING = ZoneInfo("Asia/Shanghai")

# (days ago, hour in Beijing, what, from, to, amount, note); logins as in demo.DEMO_USERS.
ZHANG, LI, TOM, WANG = "13800138000", "13900139000", "tom@example.com", "13700137000"
SCHEDULE: tuple[tuple[int, int, str, str, str, str, str | None], ...] = (
    (92, 10, "topup", "ICBC", ZHANG, "5000.00", None),
    (91, 12, "topup", "CMB", LI, "3000.00", None),
    (90, 9, "topup", "BOC", TOM, "800.00", None),
    (88, 19, "transfer", ZHANG, LI, "1200.00", "十一月房租分摊"),
    (84, 12, "transfer", LI, ZHANG, "35.50", "午饭 AA"),
    (80, 20, "transfer", TOM, ZHANG, "120.00", "Concert ticket"),
    (75, 10, "topup", "CCB", WANG, "500.00", None),
    (70, 13, "transfer", LI, ZHANG, "42.00", "奶茶 + 午饭"),
    (62, 10, "topup", "ICBC", ZHANG, "2000.00", None),
    (58, 19, "transfer", ZHANG, LI, "1200.00", "十二月房租分摊"),
    (55, 21, "transfer", ZHANG, TOM, "66.00", "电影票"),
    (49, 12, "transfer", LI, ZHANG, "28.00", "午饭 AA"),
    (40, 18, "transfer", ZHANG, WANG, "200.00", "生日快乐 🎂"),
    (33, 10, "topup", "CMB", LI, "1500.00", None),
    (28, 19, "transfer", ZHANG, LI, "1200.00", "一月房租分摊"),
    (21, 12, "transfer", LI, ZHANG, "31.00", "午饭 AA"),
    (14, 15, "transfer", TOM, LI, "50.00", "Thanks for the tea"),
    (7, 12, "transfer", LI, ZHANG, "45.80", "火锅 AA"),
    (2, 20, "transfer", ZHANG, LI, "88.00", "红包"),
)
REAL_NAMES = ((ZHANG, "张明", "11010519491231002X"), (LI, "李娜", "310101199001011234"))


def _actor(rt: Runtime, user_id: str) -> Authenticated:
    """The seed acts for a demo user directly; no session is stored for it."""
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(user_id)
    assert user is not None
    now = rt.clock.now()
    session = Session(
        id="ses_demo_seed",
        user_id=user_id,
        token_hash="-",  # noqa: S106 - never stored, matches no token
        kind=SessionKind.API,
        device_id=None,
        ip=None,
        user_agent="walletdesk seed",
        created_at=now,
        last_seen_at=now,
        expires_at=now,
    )
    return Authenticated(user=user, session=session, roles=frozenset())


def _topup(rt: Runtime, user_id: str, bank: str, amount: Money) -> None:
    with rt.db.uow() as uow:
        wallet = wallet_account(rt, uow, user_id, amount.currency)
        clearing = platform_account(rt, uow, AccountKind.BANK_CLEARING, amount.currency, bank)
        post_entry(
            rt,
            uow,
            kind=EntryKind.TOPUP,
            description=f"Top-up from {bank}",
            details={"bank": bank, "demo": True},
            legs=[
                Leg(clearing.id, -amount.minor, amount.currency),
                Leg(wallet.id, amount.minor, amount.currency),
            ],
        )
        uow.commit()


def seed_demo_money(rt: Runtime) -> list[str]:
    if not rt.settings.is_dev:
        raise UnsafeSettings("demo data is refused outside dev mode")
    ids = {login: find_user_id(rt, login) for login in (ZHANG, LI, TOM, WANG)}
    if any(user_id is None for user_id in ids.values()):
        return ["skipped money: seed the demo users first"]
    with rt.db.uow(read_only=True) as uow:
        if uow.accounts.for_owner(str(ids[ZHANG])):
            return ["exists  money          demo wallets and history"]
    for login, name, id_number in REAL_NAMES:
        submit_real_name(
            rt, _actor(rt, str(ids[login])), real_name=name, id_number=id_number, ip=None
        )
    today = rt.clock.now().astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)
    for days_ago, hour, what, source, target, amount, note in SCHEDULE:
        when: datetime = (today - timedelta(days=days_ago)).replace(hour=hour)
        then = dataclasses.replace(rt, clock=FrozenClock(when))
        money = Money.parse(amount, "CNY")
        if what == "topup":
            _topup(then, str(ids[target]), source, money)
        else:
            transfer(
                then,
                _actor(then, str(ids[source])),
                to=str(ids[target]),
                amount=money,
                note=note,
                locale="zh-CN",
            )
    return [f"created money          {len(SCHEDULE)} demo top-ups and transfers"]
