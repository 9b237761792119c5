"""A request whose lease ran out and was taken over by a retry must not post: the retry does,
once. The same on SQLite (one transaction per transfer) and PostgreSQL (the engine checks the
lease where it writes the money)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from walletdesk.clock import FrozenClock
from walletdesk.errors import Conflict
from walletdesk.ledger import idempotency, transfers
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.limits import BEIJING
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime

RENT = Money.parse("1200.00", "CNY")


def body_of(result: transfers.TransferResult) -> dict[str, object]:
    return {"id": result.id, "amount": result.amount.to_string()}


def test_a_request_whose_lease_was_taken_over_moves_nothing_and_the_retry_moves_it_once(
    rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_in(rt, phone="13800000051", name="张明")
    li = sign_in(rt, phone="13800000052", name="李娜")
    fund(rt, zhang.user.id, "2000.00")
    first = idempotency.claim(rt, scope=zhang.user.id, key="rent-11", fingerprint="f")
    assert isinstance(first, idempotency.Reservation)
    clock.advance(idempotency.LEASE + timedelta(seconds=1))  # the first request stalled
    retry = idempotency.claim(rt, scope=zhang.user.id, key="rent-11", fingerprint="f")
    assert isinstance(retry, idempotency.Reservation) and retry.token != first.token

    with pytest.raises(Conflict) as stalled:
        transfers.transfer(
            rt,
            zhang,
            to=li.user.id,
            amount=RENT,
            note=None,
            locale="en",
            record=idempotency.ResponseRecord(first, 201, body_of),
        )
    assert stalled.value.code == "request_in_progress"
    day = rt.clock.now().astimezone(BEIJING).strftime("%Y-%m-%d")
    with rt.db.uow(read_only=True) as uow:
        assert uow.limits.used(zhang.user.id, "day", day) == 0  # nothing counted either

    sent = transfers.transfer(
        rt,
        zhang,
        to=li.user.id,
        amount=RENT,
        note=None,
        locale="en",
        record=idempotency.ResponseRecord(retry, 201, body_of),
    )
    replay = idempotency.claim(rt, scope=zhang.user.id, key="rent-11", fingerprint="f")
    assert replay == idempotency.Replay(201, {"id": sent.id, "amount": "1200.00"})
    with rt.db.uow(read_only=True) as uow:
        assert check_books(uow) == []
        assert uow.limits.used(zhang.user.id, "day", day) == RENT.minor
        li_balance = sum(a.posted for a in uow.accounts.for_owner(li.user.id))
    assert li_balance == RENT.minor
