"""Signed-in people and idempotent transfers at the service layer, for the ledger's property
and concurrency tests (no HTTP in between, so thousands of steps stay fast)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.support import remember
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated, SignedIn, login
from walletdesk.identity.context import RequestContext
from walletdesk.identity.models import SessionKind
from walletdesk.identity.registration import register
from walletdesk.ledger import idempotency, transfers
from walletdesk.ledger.errors import WalletFrozen
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime
from walletdesk.storage.uow import UnitOfWork

PASSWORD = "ledger property walk 88"
remember(PASSWORD)


def sign_in(rt: Runtime, *, phone: str, name: str, kyc_tier: int = 3) -> Authenticated:
    """Register someone with `phone`, give them a KYC tier, and sign them in."""
    remember(phone, "+86" + phone)
    request = RequestContext(ip="127.0.0.1", user_agent="ledger-tests", device_id=f"dev-{phone}")
    user = register(
        rt,
        phone=phone,
        email=None,
        password=PASSWORD,
        display_name=name,
        locale="zh-CN",
        request=request,
    )
    with rt.db.uow() as uow:
        stored = uow.users.get(user.id, for_update=True)
        assert stored is not None
        stored.kyc_tier = kyc_tier
        uow.users.save(stored)
        uow.commit()
    signed = login(rt, login_text=phone, password=PASSWORD, kind=SessionKind.API, request=request)
    assert isinstance(signed, SignedIn)
    return Authenticated(user=signed.user, session=signed.session, roles=frozenset())


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, object]
    replayed: bool = False

    @property
    def code(self) -> str | None:
        error = self.body.get("error")
        return str(error["code"]) if isinstance(error, dict) else None


def send_transfer(
    rt: Runtime, actor: Authenticated, *, key: str, to: str, amount: Money, note: str | None = None
) -> Answer:
    """What `POST /api/v1/transfers` does around the service (api/idempotency.run_idempotent):
    claim the key, move the money and store the answer in one transaction, store definite
    refusals, free the key after transient ones."""
    body = {"to": to, "amount": amount.to_string(), "currency": amount.currency, "note": note}
    fingerprint = idempotency.request_hash("POST", "/api/v1/transfers", body)
    try:
        claimed = idempotency.claim(rt, scope=actor.user.id, key=key, fingerprint=fingerprint)
    except DomainError as exc:
        return Answer(exc.http_status, {"error": {"code": exc.code}})
    if isinstance(claimed, idempotency.Replay):
        return Answer(claimed.status, claimed.body, replayed=True)

    def shape(result: transfers.TransferResult) -> dict[str, object]:
        return {
            "id": result.id,
            "amount": result.amount.to_string(),
            "currency": result.amount.currency,
            "to": result.recipient.wallet_id,
        }

    def record(uow: UnitOfWork, result: transfers.TransferResult) -> None:
        idempotency.finish(uow, claimed, 201, shape(result))

    try:
        result = transfers.transfer(
            rt, actor, to=to, amount=amount, note=note, locale="zh-CN", record=record
        )
    except DomainError as exc:
        refusal: dict[str, object] = {"error": {"code": exc.code}}
        if isinstance(exc, WalletFrozen) or exc.http_status >= 500:
            idempotency.abandon(rt, claimed)
        else:
            idempotency.finish_failed(rt, claimed, exc.http_status, refusal)
        return Answer(exc.http_status, refusal)
    except Exception:
        idempotency.abandon(rt, claimed)
        raise
    return Answer(201, json.loads(json.dumps(shape(result))))
