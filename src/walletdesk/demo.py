"""Demo data for a developer's machine: memorable people, one staff member per role.

Dev mode only. Passwords and the staff TOTP secrets below are public (the README lists them),
which is exactly why `seed --demo` refuses to run in prod mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from walletdesk.audit.services import Actor
from walletdesk.identity import totp
from walletdesk.identity.context import RequestContext
from walletdesk.identity.registration import register
from walletdesk.identity.staff import create_staff, find_user_id
from walletdesk.identity.twofactor import enable_totp
from walletdesk.identity.vault import TOTP_SECRET
from walletdesk.runtime import Runtime
from walletdesk.settings import UnsafeSettings

DEMO_PASSWORD = "walletdesk demo 2026"  # noqa: S105 - public by design, dev mode only


@dataclass(frozen=True)
class DemoUser:
    display_name: str
    phone: str | None
    email: str | None
    locale: str
    totp_secret: str | None = None
    frozen: bool = False


@dataclass(frozen=True)
class DemoStaff:
    display_name: str
    email: str
    role: str
    totp_secret: str


DEMO_USERS = (
    DemoUser("张明", "13800138000", "zhang.ming@example.com", "zh-CN"),
    DemoUser("李娜", "13900139000", None, "zh-CN", totp_secret="JBSWY3DPEHPK3PXPLINA2FAA"),  # noqa: S106
    DemoUser("Tom Baker", None, "tom@example.com", "en"),
    DemoUser("王芳", "13700137000", None, "zh-CN", frozen=True),
)

DEMO_STAFF = (
    DemoStaff("客服 小陈", "agent@walletdesk.example", "agent", "JBSWY3DPEHPK3PXPAGENT2AA"),
    DemoStaff(
        "资深客服 老周", "senior@walletdesk.example", "senior_agent", "JBSWY3DPEHPK3PXPSENIOR2A"
    ),
    DemoStaff("风控 刘审", "risk@walletdesk.example", "risk_reviewer", "JBSWY3DPEHPK3PXPRISK2AAA"),
    DemoStaff(
        "主管 孙敏", "supervisor@walletdesk.example", "supervisor", "JBSWY3DPEHPK3PXPSUPER2AA"
    ),
    DemoStaff("管理员 Admin", "admin@walletdesk.example", "admin", "JBSWY3DPEHPK3PXPADMIN2AA"),
)


def seed_demo(rt: Runtime) -> list[str]:
    """Create whatever demo accounts are missing; returns a line per account for the console."""
    if not rt.settings.is_dev:
        raise UnsafeSettings("demo data has public passwords and is refused outside dev mode")
    lines: list[str] = []
    for person in DEMO_USERS:
        lines.append(_seed_user(rt, person))
    for member in DEMO_STAFF:
        if find_user_id(rt, member.email):
            lines.append(f"exists  {member.role:<14} {member.email}")
            continue
        create_staff(
            rt,
            login_text=member.email,
            password=DEMO_PASSWORD,
            display_name=member.display_name,
            roles=[member.role],
            actor=Actor.system(),
            request=RequestContext(locale="zh-CN"),
            totp_secret=member.totp_secret,
        )
        lines.append(f"created {member.role:<14} {member.email}")
    from walletdesk.demo_money import seed_demo_money  # the ledger comes after the people
    from walletdesk.ledger.fx_rates import seed_demo_rates
    from walletdesk.support.kb_seed import seed_kb

    rates = seed_demo_rates(rt)
    lines.append(f"{'created' if rates else 'exists '} fx rates       {len(rates)} pairs")
    lines.extend(seed_demo_money(rt))
    lines.extend(seed_kb(rt))  # the help centre's starter articles
    return lines


def _seed_user(rt: Runtime, person: DemoUser) -> str:
    login = person.phone or person.email or ""
    if find_user_id(rt, login):
        return f"exists  {'user':<14} {login}"
    user = register(
        rt,
        phone=person.phone,
        email=person.email,
        password=DEMO_PASSWORD,
        display_name=person.display_name,
        locale=person.locale,
        request=RequestContext(),
    )
    with rt.db.uow() as uow:
        stored = uow.users.get(user.id, for_update=True)
        assert stored is not None
        if person.totp_secret:
            stored.totp_secret_enc = rt.cipher.encrypt(person.totp_secret, TOTP_SECRET)
            enable_totp(rt, uow, stored, totp.counter_at(rt.clock.now()) - 2, actor=Actor.system())
        if person.frozen:
            stored.freeze(rt.clock.now(), "lost_phone")
            uow.users.save(stored)
        uow.commit()
    return f"created {'user':<14} {login}"
