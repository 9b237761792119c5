"""Seeding the chat bench: customers with chats handed to people, and agents assigned to them,
through the real services in a few worker processes."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Pair:
    conversation_id: str
    case_id: str
    customer_token: str
    agent_token: str


SEED_WORKERS = 4


def seed(database_url: str, data_dir: Path, pairs: int, progress: Progress) -> list[Pair]:
    """Customers with handed-off chats and agents assigned to them, through the services,
    in a few worker processes at once (seeding is not measured)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from walletdesk.settings import Settings

    # The dev secrets are written once, here, before the workers would race to create them.
    assert Settings(env="dev", data_dir=data_dir, database_url=database_url).secrets
    chunk = 25
    seeded: list[Pair] = []
    with ProcessPoolExecutor(max_workers=SEED_WORKERS) as pool:
        futures = [
            pool.submit(_seed_range, database_url, data_dir, first, min(chunk, pairs - first))
            for first in range(0, pairs, chunk)
        ]
        for future in as_completed(futures):
            seeded.extend(future.result())
            progress("seeding customers and agents", len(seeded), pairs)
    return sorted(seeded, key=lambda pair: pair.conversation_id)


def _seed_range(database_url: str, data_dir: Path, first: int, count: int) -> list[Pair]:
    """Customers `first`.. with handed-off chats and agents assigned to them (one worker)."""
    from walletdesk.audit.services import Actor
    from walletdesk.bench.world import SEED_ARGON2
    from walletdesk.identity import totp
    from walletdesk.identity.authentication import (
        Authenticated,
        SignedIn,
        TwoFactorChallenge,
        complete_two_factor,
        login,
    )
    from walletdesk.identity.context import RequestContext
    from walletdesk.identity.models import SessionKind
    from walletdesk.identity.registration import register
    from walletdesk.identity.staff import create_staff
    from walletdesk.randomness import SystemRandom
    from walletdesk.runtime import build_runtime
    from walletdesk.settings import Settings
    from walletdesk.support import casework, conversations
    from walletdesk.support.access import SupportActor

    # Dev settings rewrite secrets.json whenever they are read: each worker reads its own copy.
    own_dir = data_dir / f"seed-{first}"
    own_dir.mkdir()
    shutil.copy(data_dir / "secrets.json", own_dir / "secrets.json")
    settings = Settings(env="dev", data_dir=own_dir, database_url=database_url, log_level="WARNING")
    rt = build_runtime(settings, random=SystemRandom(), argon2=SEED_ARGON2)
    _relax_durability(rt.db.engine)
    request = RequestContext(user_agent="walletdesk-bench")
    seeded = []
    try:
        for number in range(first, first + count):
            password = secrets.token_urlsafe(18)
            phone = f"1370000{number:04d}"
            user = register(
                rt,
                phone=phone,
                email=None,
                password=password,
                display_name=f"压测用户{number}",
                locale="zh-CN",
                request=request,
            )
            customer = login(
                rt, login_text=phone, password=password, kind=SessionKind.API, request=request
            )
            assert isinstance(customer, SignedIn)
            auth = Authenticated(user=user, session=customer.session, roles=frozenset())
            email = f"agent{number}@bench.walletdesk.example"
            staff = create_staff(
                rt,
                login_text=email,
                password=password,
                display_name=f"客服{number}",
                roles=["agent"],
                actor=Actor.system(),
                request=request,
            )
            challenge = login(
                rt, login_text=email, password=password, kind=SessionKind.API, request=request
            )
            assert isinstance(challenge, TwoFactorChallenge)
            agent = complete_two_factor(
                rt,
                challenge_token=challenge.challenge_token,
                code=totp.code_at(staff.totp_secret, rt.clock.now()),
                request=request,
            )
            assert isinstance(agent, SignedIn)
            started = conversations.start_chat(rt, auth, text="我的提现三天了还没到账")
            actor = SupportActor.customer(auth)
            conversations.hand_off(rt, actor, started.conversation.id, reason="bench")
            agent_auth = Authenticated(
                user=agent.user, session=agent.session, roles=frozenset({"agent"})
            )
            casework.assign(rt, SupportActor.agent(agent_auth), started.case.id, agent.user.id)
            seeded.append(
                Pair(started.conversation.id, started.case.id, customer.token, agent.token)
            )
    finally:
        rt.close()
    return seeded


def _relax_durability(engine: Engine) -> None:
    """Seeding only: scratch rows need not survive a power cut, so commits skip the disk
    flush (SQLite `synchronous=OFF`, PostgreSQL `synchronous_commit=off`). The server that
    is measured keeps the normal settings."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _no_flush(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET synchronous_commit = off")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()
