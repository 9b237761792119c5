"""Movements, people and staff for the risk tests, and one harness over two stores: the real
database (through `assess`) and the in-memory store (through `evaluate_movement`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from tests.support import START
from walletdesk.clock import FrozenClock
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.models import Device, Session, User
from walletdesk.risk.engine import assess, evaluate_movement, record_movement
from walletdesk.risk.history import Party
from walletdesk.risk.memory import MemoryStore
from walletdesk.risk.models import Decision, Movement, MovementKind
from walletdesk.risk.rules_admin import default_rule_set
from walletdesk.runtime import Runtime

STILL = 0.0


def still_timer() -> float:
    """A timer that never moves: these tests are about rules, never about speed."""
    return STILL


def yuan(amount: str | int) -> int:
    """Fen from a yuan amount written as text or an integer ("9999.99" -> 999999)."""
    whole, _, fraction = str(amount).partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])


_counter = iter(range(1, 10**9))


def movement(
    sender: str,
    receiver: str | None,
    amount: str | int,
    at: datetime,
    *,
    kind: MovementKind = MovementKind.TRANSFER,
    movement_id: str | None = None,
    amount_fen: bool = False,
    **extra: object,
) -> Movement:
    """A CNY movement of `amount` yuan (or fen, with `amount_fen`)."""
    fen = int(amount) if amount_fen else yuan(amount)
    base = Movement(
        id=movement_id or f"mv{next(_counter)}",
        kind=kind,
        sender_id=sender,
        receiver_id=receiver,
        amount_minor=fen,
        currency="CNY",
        amount_cny_minor=fen,
        at=at,
    )
    return replace(base, **extra)  # type: ignore[arg-type]


def add_user(
    rt: Runtime,
    user_id: str,
    *,
    opened_at: datetime = START - timedelta(days=400),
    password_reset_at: datetime | None = None,
    contact_changed_at: datetime | None = None,
    phone_index: str | None = None,
) -> User:
    """A user row written directly (no registration, no password hashing: the engine only
    reads the account's dates and phone index)."""
    user = User(
        id=user_id,
        display_name=user_id,
        locale="zh-CN",
        kyc_tier=1,
        password_hash="not-a-password-hash",
        created_at=opened_at,
        updated_at=opened_at,
        password_reset_at=password_reset_at,
        contact_changed_at=contact_changed_at,
        phone_index=phone_index,
    )
    with rt.db.uow() as uow:
        uow.users.add(user)
        uow.commit()
    return user


def add_device(rt: Runtime, user_id: str, fingerprint: str, first_seen_at: datetime) -> None:
    with rt.db.uow() as uow:
        uow.devices.add(
            Device(
                id=f"dev_{fingerprint[:12]}{user_id[-6:]}",
                user_id=user_id,
                fingerprint=fingerprint,
                name="Phone",
                first_seen_at=first_seen_at,
                last_seen_at=first_seen_at,
                last_ip=None,
            )
        )
        uow.commit()


def staff(rt: Runtime, user_id: str, *roles: str) -> Authenticated:
    """A signed-in staff member with `roles` (their account row exists; the session is only
    what the services read). Asking twice for the same person gives the same account."""
    with rt.db.uow(read_only=True) as uow:
        existing = uow.users.get(user_id)
    user = existing or add_user(rt, user_id)
    session = Session(
        id=f"ses_{user_id}"[:32],
        user_id=user_id,
        token_hash="0" * 64,
        kind="api",
        device_id=None,
        ip="127.0.0.1",
        user_agent="risk-tests",
        created_at=START,
        last_seen_at=START,
        expires_at=START + timedelta(days=1),
    )
    return Authenticated(user=user, session=session, roles=frozenset(roles))


class Harness(Protocol):
    backend: str

    def party(
        self,
        user_id: str,
        opened_at: datetime,
        *,
        password_reset_at: datetime | None = None,
        contact_changed_at: datetime | None = None,
    ) -> None: ...

    def device(self, user_id: str, fingerprint: str, first_seen_at: datetime) -> None: ...

    def record(self, *movements: Movement) -> None: ...

    def fired(self, probe: Movement) -> set[str]: ...


class DatabaseHarness:
    """Through `assess` and `record_movement` on the test database, the clock set to the
    movement's time."""

    backend = "database"

    def __init__(self, rt: Runtime, clock: FrozenClock) -> None:
        self.rt, self.clock = rt, clock

    def party(
        self,
        user_id: str,
        opened_at: datetime,
        *,
        password_reset_at: datetime | None = None,
        contact_changed_at: datetime | None = None,
    ) -> None:
        add_user(
            self.rt,
            user_id,
            opened_at=opened_at,
            password_reset_at=password_reset_at,
            contact_changed_at=contact_changed_at,
        )

    def device(self, user_id: str, fingerprint: str, first_seen_at: datetime) -> None:
        add_device(self.rt, user_id, fingerprint, first_seen_at)

    def record(self, *movements: Movement) -> None:
        with self.rt.db.uow() as uow:
            for item in movements:
                record_movement(uow, item)
            uow.commit()

    def decide(self, probe: Movement) -> Decision:
        self.clock.set(probe.at)
        with self.rt.db.uow() as uow:
            decision = assess(self.rt, uow, probe, timer=still_timer)
            uow.commit()
        return decision

    def fired(self, probe: Movement) -> set[str]:
        return {hit.rule_id for hit in self.decide(probe).hits}


class MemoryHarness:
    backend = "memory"

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.rules = default_rule_set()

    def party(
        self,
        user_id: str,
        opened_at: datetime,
        *,
        password_reset_at: datetime | None = None,
        contact_changed_at: datetime | None = None,
    ) -> None:
        self.store.add_party(
            user_id,
            Party(
                opened_at=opened_at,
                password_reset_at=password_reset_at,
                contact_changed_at=contact_changed_at,
            ),
        )

    def device(self, user_id: str, fingerprint: str, first_seen_at: datetime) -> None:
        self.store.add_device(user_id, fingerprint, first_seen_at)

    def record(self, *movements: Movement) -> None:
        self.store.record_all(movements)

    def fired(self, probe: Movement) -> set[str]:
        assessed = evaluate_movement(self.rules, self.store, probe, probe.at)
        return {hit.rule_id for hit in assessed.verdict.hits}
