"""The walletdesk side of a benchmark: a scratch database, migrated, with funded, signed-in
people (registration and sign-in go through the real services)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from walletdesk.identity.authentication import Authenticated, SignedIn, login
from walletdesk.identity.context import RequestContext
from walletdesk.identity.models import SessionKind
from walletdesk.identity.passwords import Argon2Parameters
from walletdesk.identity.registration import register
from walletdesk.ledger.accounts import platform_account, wallet_account
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.limits import PERSONAL_LIMITS
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.randomness import SystemRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings

# Seeding only: people are signed in once, so a cheap hash keeps set-up short. Transfers never
# touch passwords, so this does not flatter the figures.
SEED_ARGON2 = Argon2Parameters(time_cost=1, memory_cost_kib=1024, parallelism=1)
TOP_TIER = max(PERSONAL_LIMITS)
OPENING_BALANCE = Money(100_000 * 100, "CNY")


@dataclass
class Person:
    actor: Authenticated
    token: str

    @property
    def user_id(self) -> str:
        return self.actor.user.id


@dataclass
class World:
    rt: Runtime
    data_dir: Path
    people: list[Person] = field(default_factory=list)

    def server_env(self) -> dict[str, str]:
        """Environment for a `walletdesk` server process on the same database and secrets."""
        return {
            "WALLETDESK_ENV": "dev",
            "WALLETDESK_DATA_DIR": str(self.data_dir),
            "WALLETDESK_DATABASE_URL": self.rt.settings.resolved_database_url,
            "WALLETDESK_LOG_LEVEL": "WARNING",
            "WALLETDESK_RISK_SCREEN_TRANSFERS": str(self.rt.settings.risk_screen_transfers).lower(),
        }

    def check(self) -> list[str]:
        with self.rt.db.uow(read_only=True) as uow:
            return check_books(uow)

    def entries(self) -> int:
        with self.rt.db.uow(read_only=True) as uow:
            return uow.journal.count()


def build_world(
    database_url: str,
    data_dir: Path,
    *,
    people: int,
    screening: bool = True,
    progress: Callable[[int], None] | None = None,
) -> World:
    settings = Settings(
        env="dev",
        data_dir=data_dir,
        database_url=database_url,
        log_level="WARNING",
        risk_screen_transfers=screening,
    )
    rt = build_runtime(settings, random=SystemRandom(), argon2=SEED_ARGON2)
    world = World(rt=rt, data_dir=data_dir)
    for number in range(people):
        # Each person on a phone of their own, as in life: one device shared by every bench
        # person would make its 24-hour window (and the engine's read of it) grow with the run.
        request = RequestContext(user_agent="walletdesk-bench", device_id=f"bench-phone-{number}")
        password = secrets.token_urlsafe(18)
        user = register(
            rt,
            phone=f"1390000{number:04d}",
            email=None,
            password=password,
            display_name=f"压测用户{number}",
            locale="zh-CN",
            request=request,
        )
        with rt.db.uow() as uow:
            stored = uow.users.get(user.id, for_update=True)
            assert stored is not None
            stored.kyc_tier = TOP_TIER
            uow.users.save(stored)
            wallet = wallet_account(rt, uow, user.id, OPENING_BALANCE.currency)
            bank = platform_account(rt, uow, AccountKind.BANK_CLEARING, "CNY", "ICBC")
            post_entry(
                rt,
                uow,
                kind=EntryKind.TOPUP,
                description="bench opening balance",
                legs=[
                    Leg(bank.id, -OPENING_BALANCE.minor, "CNY"),
                    Leg(wallet.id, OPENING_BALANCE.minor, "CNY"),
                ],
            )
            uow.commit()
        signed = login(
            rt,
            login_text=f"1390000{number:04d}",
            password=password,
            kind=SessionKind.API,
            request=request,
        )
        assert isinstance(signed, SignedIn)
        actor = Authenticated(user=signed.user, session=signed.session, roles=frozenset())
        world.people.append(Person(actor=actor, token=signed.token))
        if progress is not None:
            progress(number + 1)
    if screening:
        snooze_behaviour_rules(world)
    return world


# The bench's traffic is hundreds of transfers a minute between the same few hundred new
# accounts: exactly what these rules exist to stop (frequent transfers, fan-out, mules, ...).
# With screening on, each bench person gets a snooze of them, as a reviewer would give a
# known high-volume customer: every rule is still evaluated on every movement (the cost is
# measured), but these do not turn the run into a stream of holds and step-ups.
BEHAVIOUR_RULES = (
    "new_receiving_account",
    "dormant_reactivated",
    "unusual_amount_new_payee",
    "quick_follow_up",
    "fan_out",
    "fan_in_possible_mule",
    "similar_amounts_one_receiver",
    "pass_through",
    "frequent_transfers",
    "account_drained",
    "device_shared_by_many",
)


def snooze_behaviour_rules(world: World) -> None:
    from walletdesk.randomness import new_id
    from walletdesk.risk.records import Snooze

    now = world.rt.clock.now()
    with world.rt.db.uow() as uow:
        for person in world.people:
            for rule_id in BEHAVIOUR_RULES:
                uow.risk.add_snooze(
                    Snooze(
                        id=new_id(world.rt.random, "rsz"),
                        user_id=person.user_id,
                        rule_id=rule_id,
                        until=now + timedelta(days=1),
                        reason="benchmark traffic",
                        created_at=now,
                        created_by=None,
                    )
                )
        uow.commit()
