"""The group-commit transfer path (PostgreSQL): many transfers in one transaction, each one
succeeding or failing on its own, with the same refusals as the one-at-a-time path."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.freeze import FREEZE_REASONS, freeze_wallet
from walletdesk.ledger import transfers
from walletdesk.ledger.group_commit import Slot
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.limits import BEIJING
from walletdesk.ledger.money import Money
from walletdesk.ledger.transfer_batches import TransferOrder, flush_transfers, order_ids
from walletdesk.ledger.transfers import TransferResult
from walletdesk.runtime import Runtime
from walletdesk.storage.repositories.transfer_engine import Parties, TransferEngineRepository

FREEZE_REASON = sorted(FREEZE_REASONS)[0]


@pytest.fixture(autouse=True)
def _postgresql_only(rt: Runtime) -> None:
    if rt.transfer_batches is None:
        pytest.skip("group commit runs on PostgreSQL; SQLite posts one transfer at a time")


def order(
    rt: Runtime, payer: Authenticated, to: str, amount: str
) -> Slot[TransferOrder, TransferResult]:
    entry_id, account_ids = order_ids(rt)
    return Slot(
        TransferOrder(
            entry_id=entry_id,
            payer=payer.user,
            to_id=to,
            to_index=None,
            amount=Money.parse(amount, "CNY"),
            note="午饭",
            locale="en",
            at=rt.clock.now(),
            account_ids=account_ids,
            record=None,
        )
    )


def balance(rt: Runtime, user_id: str) -> int:
    with rt.db.uow(read_only=True) as uow:
        return sum(a.posted for a in uow.accounts.for_owner(user_id) if a.currency == "CNY")


def test_one_batch_posts_the_good_transfers_and_refuses_each_bad_one_with_its_own_reason(
    rt: Runtime,
) -> None:
    zhang = sign_in(rt, phone="13800000001", name="张明")
    li = sign_in(rt, phone="13800000002", name="李娜")
    wang = sign_in(rt, phone="13800000003", name="王芳")
    fund(rt, zhang.user.id, "100.00")
    fund(rt, wang.user.id, "100.00")
    freeze_wallet(rt, wang, reason=FREEZE_REASON, note=None, ip=None)
    slots = [
        order(rt, zhang, li.user.id, "30.00"),
        order(rt, zhang, li.user.id, "80.00"),  # only 70.00 left by now
        order(rt, zhang, "usr_nobody", "1.00"),
        order(rt, zhang, zhang.user.id, "1.00"),
        order(rt, wang, li.user.id, "1.00"),
        order(rt, zhang, li.user.id, "70.00"),  # exactly what is left
    ]
    flush_transfers(rt, slots)
    outcomes = [
        s.error.code if isinstance(s.error, DomainError) else s.outcome().amount.to_string()
        for s in slots
    ]
    assert outcomes == [
        "30.00",
        "insufficient_funds",
        "recipient_not_found",
        "transfer_to_self",
        "wallet_frozen",
        "70.00",
    ]
    assert isinstance(slots[1].error, DomainError)
    assert slots[1].error.params["available"] == "CN¥70.00"
    assert balance(rt, zhang.user.id) == 0
    assert balance(rt, li.user.id) == 100_00
    with rt.db.uow(read_only=True) as uow:
        assert check_books(uow) == []
        # Only the two transfers that went through count against the daily limit.
        day = rt.clock.now().astimezone(BEIJING).strftime("%Y-%m-%d")
        assert uow.limits.used(zhang.user.id, "day", day) == 100_00
        assert len(uow.inbox.list_for_user(li.user.id)) >= 2


def test_a_refused_transfer_gives_back_the_limit_it_counted(rt: Runtime) -> None:
    zhang = sign_in(rt, phone="13800000011", name="张明", kyc_tier=1)  # ¥10,000 a day
    li = sign_in(rt, phone="13800000012", name="李娜")
    fund(rt, zhang.user.id, "9000.00")
    slots = [order(rt, zhang, li.user.id, "5000.00"), order(rt, zhang, li.user.id, "4500.00")]
    flush_transfers(rt, slots)
    assert isinstance(slots[1].error, DomainError) and slots[1].error.code == "insufficient_funds"
    with rt.db.uow(read_only=True) as uow:
        day = rt.clock.now().astimezone(BEIJING).strftime("%Y-%m-%d")
        assert uow.limits.used(zhang.user.id, "day", day) == 5000_00
    # 5,000 + 5,000 is exactly the daily cap; one fen more is refused with what is left.
    fund(rt, zhang.user.id, "1000.00")
    assert transfers.transfer(
        rt, zhang, to=li.user.id, amount=Money.parse("5000.00", "CNY"), note=None, locale="en"
    ).amount == Money.parse("5000.00", "CNY")
    with pytest.raises(DomainError) as refused:
        transfers.transfer(
            rt, zhang, to=li.user.id, amount=Money.parse("0.01", "CNY"), note=None, locale="en"
        )
    assert refused.value.code == "limit_exceeded"


def test_the_one_at_a_time_path_still_works_on_postgresql_when_group_commit_is_off(
    rt: Runtime,
) -> None:
    zhang = sign_in(rt, phone="13800000021", name="张明")
    li = sign_in(rt, phone="13800000022", name="李娜")
    fund(rt, zhang.user.id, "10.00")
    batches, rt.transfer_batches = rt.transfer_batches, None
    try:
        sent = transfers.transfer(
            rt, zhang, to=li.user.id, amount=Money.parse("10.00", "CNY"), note="x", locale="en"
        )
    finally:
        rt.transfer_batches = batches
    assert sent.recipient.masked_name == "*娜"
    assert balance(rt, li.user.id) == 10_00


def test_a_batch_that_breaks_is_retried_one_transfer_at_a_time(rt: Runtime) -> None:
    zhang = sign_in(rt, phone="13800000031", name="张明")
    li = sign_in(rt, phone="13800000032", name="李娜")
    fund(rt, zhang.user.id, "10.00")

    def broken_record(uow: object, result: TransferResult) -> None:
        raise RuntimeError("the idempotency store is broken for this one")

    good = order(rt, zhang, li.user.id, "1.00")
    bad = order(rt, zhang, li.user.id, "2.00")
    bad = Slot(replace(bad.item, record=broken_record))
    flush_transfers(rt, [good, bad])
    assert good.outcome().amount == Money.parse("1.00", "CNY")
    assert isinstance(bad.error, RuntimeError)
    assert balance(rt, li.user.id) == 1_00


def test_a_wallet_created_meanwhile_makes_the_transfer_look_again(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup saw no wallet for Li, so the order brought an id for a new one; by the time
    the engine ran another transaction had created it. The engine refuses the stale id and
    the transfer goes through on a second look, naming the right account in its event."""
    zhang = sign_in(rt, phone="13800000041", name="张明")
    li = sign_in(rt, phone="13800000042", name="李娜")
    fund(rt, zhang.user.id, "10.00")
    fund(rt, li.user.id, "1.00")  # Li's wallet exists...
    real_parties = TransferEngineRepository.parties
    looks: list[int] = []

    def forgetful(self: TransferEngineRepository, **kwargs: Any) -> Parties:
        found = real_parties(self, **kwargs)
        looks.append(1)
        if len(looks) == 1:  # ...but the first look misses it
            found.wallets = {c: i for c, i in found.wallets.items() if li.user.id not in c}
        return found

    monkeypatch.setattr(TransferEngineRepository, "parties", forgetful)
    sent = transfers.transfer(
        rt, zhang, to=li.user.id, amount=Money.parse("2.50", "CNY"), note=None, locale="en"
    )
    assert sent.amount == Money.parse("2.50", "CNY") and len(looks) == 2
    assert balance(rt, li.user.id) == 3_50
    with rt.db.uow(read_only=True) as uow:
        assert check_books(uow) == []
        event = next(m for m in uow.outbox.recent() if m.id == f"evt_{sent.id[4:]}")
        body = rt.cipher.decrypt(event.body_enc, "outbox.body")
        li_wallet = next(a.id for a in uow.accounts.for_owner(li.user.id))
        assert li_wallet in body
