"""P2P transfers by group commit (PostgreSQL): the same rules as `ledger.transfers`, many
transfers per transaction.

`transfer()` hands a `TransferOrder` to the runtime's `GroupCommit`; the leader's flush
(`flush_transfers`) then, in one unit of work:

1. finds every recipient of the batch with one query and masks their names;
2. posts all transfers with one call of the database's `wd_post_transfers` (migration 0005e),
   which applies each one with the checks of `ledger.guards` where the rows are locked;
3. queues, for each posted transfer, its ledger event and the recipient's notice, and runs the
   caller's `record` hook (the idempotency layer stores the response there);
4. (before posting) assesses every transfer that asks for it with one read for the whole
   batch (`risk.engine.assess_many`); the engine stores the approvals' decisions and history
   rows with the money it posts (migration 0011a); the others leave the batch for the
   one-transfer path (`ScreenedOut`, see `ledger.transfers.transfer`);
5. commits, delivers the notices, and only then tells each caller how its transfer ended.

A transfer refused by a rule fails alone; an unexpected error fails the batch, which is then
retried one transfer at a time so that one bad transfer cannot sink the others. A deadlock with
another process's transaction is retried as a whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.errors import DomainError, NotFound
from walletdesk.identity.masking import mask_name
from walletdesk.identity.models import User
from walletdesk.ledger.accounts import wallet_code
from walletdesk.ledger.errors import InsufficientFunds, WalletFrozen
from walletdesk.ledger.group_commit import GroupCommit, Slot
from walletdesk.ledger.guards import recent_change_refusal
from walletdesk.ledger.idempotency import ResponseRecord, lease_lost
from walletdesk.ledger.limits import PERSONAL_LIMITS, Limit, _exceeded, cny_equivalent, lifted
from walletdesk.ledger.limits import _periods as limit_periods
from walletdesk.ledger.limits_config import LimitTable, limit_table
from walletdesk.ledger.models import EntryKind
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import EVENT_ENTRY_POSTED, entry_event_id, entry_event_payload
from walletdesk.notify.models import InboxNotification, OutboxMessage
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.ledger.transfers import TransferResult
    from walletdesk.risk.screening import Screened
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

DEADLOCK_RETRIES = 3


def _caps(table: LimitTable, raised: Limit | None = None) -> dict[str, list[int]]:
    """The personal limits in force by KYC tier, as the engine reads them (lifted by a raise)."""
    caps: dict[str, list[int]] = {}
    for tier, base in table.personal.items():
        limit = lifted(base, raised)
        caps[str(tier)] = [limit.per_transaction, limit.per_day, limit.per_year]
    return caps


@dataclass(frozen=True)
class TransferOrder:
    """What a caller asks for; `to_id` or `to_index` names the recipient."""

    entry_id: str
    payer: User
    to_id: str | None
    to_index: str | None
    amount: Money
    note: str | None
    locale: str
    at: datetime
    account_ids: tuple[str, str]  # used only if the payer's or payee's wallet is new
    record: Callable[[UnitOfWork, TransferResult], None] | None
    screen: ScreenRequest | None = None
    """Set when the risk engine must assess it: the batch does, for all its transfers at once."""


@dataclass(frozen=True)
class ScreenRequest:
    """What the engine needs from the caller's session to assess a transfer in the batch."""

    device_id: str | None
    ip: str | None


class ScreenedOut(Exception):  # noqa: N818 - a signal to the caller, not an error shown
    """The engine did not approve this transfer in the batch (hold, freeze, decline, step-up):
    the caller takes the one-transfer path with this decision, which stores and acts on it."""

    def __init__(self, screened: Screened) -> None:
        super().__init__(f"not approved by the risk engine: {screened.decision.action}")
        self.screened = screened


TransferSlot = Slot[TransferOrder, "TransferResult"]


class DeadlockDetected(Exception):
    """The database chose this batch's transaction as a deadlock victim; safe to retry."""


def new_group_commit(rt: Runtime) -> GroupCommit[TransferOrder, TransferResult]:
    return GroupCommit(
        lambda slots: flush_transfers(rt, slots),
        max_batch=64,
        flushers=rt.settings.transfer_group_commit_flushers,
    )


def flush_transfers(rt: Runtime, slots: list[TransferSlot]) -> None:
    for _attempt in range(DEADLOCK_RETRIES):
        try:
            _flush(rt, slots)
            return
        except DeadlockDetected:
            for slot in slots:
                slot.done, slot.result, slot.error = False, None, None
        except Exception:
            if len(slots) == 1:
                raise
            for slot in slots:  # find the one that broke the batch; the others go through
                slot.done, slot.result, slot.error = False, None, None
                _flush_alone(rt, slot)
            return
    for slot in slots:
        _flush_alone(rt, slot)


def _flush_alone(rt: Runtime, slot: TransferSlot) -> None:
    try:
        _flush(rt, [slot])
    except Exception as exc:  # noqa: BLE001 - this caller's own failure, raised in its thread
        slot.fail(exc)


def _flush(rt: Runtime, slots: list[TransferSlot]) -> None:
    from walletdesk.ledger.transfers import TransferResult, masked_recipient, no_recipient, to_self

    settled: list[tuple[TransferSlot, TransferResult]] = []
    stale: list[TransferSlot] = []
    with rt.db.uow() as uow:
        parties = uow.transfer_engine.parties(
            ids=[s.item.to_id for s in slots if s.item.to_id] + [s.item.payer.id for s in slots],
            login_indexes=[s.item.to_index for s in slots if s.item.to_index],
            at=rt.clock.now(),
        )
        users, wallets, raised = parties.users, parties.wallets, parties.raised
        table = limit_table(uow)
        found: dict[int, User] = {}
        for number, slot in enumerate(slots):
            order = slot.item
            recipient = users.get(order.to_id or order.to_index or "")
            if recipient is None:
                slot.fail(no_recipient())
            elif recipient.id == order.payer.id:
                slot.fail(to_self())
            else:
                found[number] = recipient
        approvals = _screen(rt, uow, slots, found, parties.available)
        items: list[dict[str, object]] = []
        results: dict[int, TransferResult] = {}
        for number, recipient in found.items():
            slot, order = slots[number], slots[number].item
            if slot.done:  # turned away by the risk engine
                continue
            try:
                results[number] = TransferResult(
                    id=order.entry_id,
                    amount=order.amount,
                    recipient=masked_recipient(rt, recipient),
                    note=order.note,
                    created_at=order.at,
                )
                item = _engine_item(
                    rt,
                    uow,
                    number,
                    order,
                    recipient,
                    wallets,
                    _caps(table, raised.get(order.payer.id)),
                )
                if isinstance(order.record, ResponseRecord):
                    # The engine stores the response with the money, checking the lease.
                    item["response"] = order.record.row(results[number])
                items.append(item)
            except DomainError as exc:
                slot.fail(exc)
        risk_rows = {n: (a.decision, a.movement) for n, a in approvals.items()}
        rows = uow.transfer_engine.post(items, risk_rows) if items else []
        for number, code, info in rows:
            slot, order = slots[number], slots[number].item
            if code == "stale_account":
                stale.append(slot)
            elif code != "ok":
                slot.fail(_refusal(rt, code, info, order))
            else:
                if order.record is not None and not isinstance(order.record, ResponseRecord):
                    order.record(uow, results[number])
                settled.append((slot, results[number]))
        uow.commit()
    for slot, result in settled:
        slot.succeed(result)
    # Nothing below may raise into `flush_transfers`: the batch has committed.
    for slot in stale:  # a wallet was created meanwhile: look again (rare, so one at a time)
        _flush_alone(rt, slot)


def _screen(
    rt: Runtime,
    uow: UnitOfWork,
    slots: list[TransferSlot],
    found: dict[int, User],
    available: dict[str, int],
) -> dict[int, Screened]:
    """Assess every transfer of the batch that asks for it, with one read for them all
    (`risk.engine.assess_many`). Returns the approvals by slot number; any other decision
    fails its slot with `ScreenedOut`, and its caller takes the one-transfer path with it."""
    from walletdesk.risk.engine import assess_many
    from walletdesk.risk.models import MovementKind
    from walletdesk.risk.screening import Screened, movement_of

    asking = [n for n in found if slots[n].item.screen is not None]
    movements = []
    for number in asking:
        order, screen = slots[number].item, slots[number].item.screen
        assert screen is not None
        balance = available.get(wallet_code(order.payer.id, "CNY"))
        movements.append(
            movement_of(
                rt,
                uow,
                kind=MovementKind.TRANSFER,
                sender_id=order.payer.id,
                receiver_id=found[number].id,
                amount=order.amount,
                cny_amount=cny_equivalent(uow, order.amount, order.at),
                device_id=screen.device_id,
                ip=screen.ip,
                sender_balance_minor=balance if order.amount.currency == "CNY" else None,
                at=order.at,
            )
        )
    approvals: dict[int, Screened] = {}
    for number, movement, decision in zip(
        asking, movements, assess_many(rt, uow, movements), strict=True
    ):
        screened = Screened(decision, movement, slots[number].item.note)
        if screened.approved:
            approvals[number] = screened
        else:
            slots[number].fail(ScreenedOut(screened))
    return approvals


def _engine_item(
    rt: Runtime,
    uow: UnitOfWork,
    number: int,
    order: TransferOrder,
    recipient: User,
    wallets: dict[str, str],
    caps: dict[str, list[int]],
) -> dict[str, object]:
    """Everything the engine needs for one transfer, including its ledger event and the
    payee's notice, prepared here because only Python can render and encrypt them."""
    from walletdesk.ledger.transfers import entry_details

    currency = order.amount.currency
    # A wallet that does not exist yet gets the id this order brought for it, and every later
    # order of the batch for the same wallet uses that id too (`setdefault`).
    source = wallets.setdefault(wallet_code(order.payer.id, currency), order.account_ids[0])
    target = wallets.setdefault(wallet_code(recipient.id, currency), order.account_ids[1])
    postings = sorted(
        [(source, -order.amount.minor, currency), (target, order.amount.minor, currency)]
    )
    event, notice = _announcements(rt, order, recipient, postings)
    counted = cny_equivalent(uow, order.amount, order.at)
    (_, day), (_, year) = limit_periods(order.at)
    window = timedelta(hours=rt.settings.recent_change_hours)
    return {
        "i": number,
        "entry": order.entry_id,
        "kind": EntryKind.TRANSFER.value,
        "description": "P2P transfer",
        "details": details_json(entry_details(rt, order.payer, recipient, order.note)),
        "at": order.at.isoformat(),
        "payer": order.payer.id,
        "payee": recipient.id,
        "amount": order.amount.minor,
        "currency": currency,
        "source_id": source,
        "target_id": target,
        "recent_amount": counted,
        "recent_threshold": rt.settings.recent_change_threshold_yuan * 100,
        "recent_window_s": window.total_seconds(),
        "counted": counted,
        "caps": caps,
        "max_tier": max(PERSONAL_LIMITS),
        "day": day,
        "year": year,
        "event_id": event.id,
        "event_body": event.body_enc,
        "notice": {
            "id": notice.id,
            "template": notice.template,
            "title": notice.title,
            "body": notice.body,
        },
    }


def _refusal(rt: Runtime, code: str, info: dict[str, object], order: TransferOrder) -> DomainError:
    locale = order.locale
    if code == "wallet_frozen":
        return WalletFrozen()
    if code == "recent_security_change":
        threshold = Money(rt.settings.recent_change_threshold_yuan * 100, "CNY")
        return recent_change_refusal(threshold, datetime.fromisoformat(str(info["until"])), locale)
    if code == "limit_exceeded":
        return _exceeded(str(info["period"]), _int(info["cap"]), _int(info["used"]), locale)
    if code == "request_in_progress":
        return lease_lost()
    if code == "insufficient_funds":
        available = Money(_int(info["available"]), order.amount.currency)
        return InsufficientFunds(available=available.format(locale))
    return NotFound(code)


def _int(value: object) -> int:
    assert isinstance(value, int | str)
    return int(value)


def _announcements(
    rt: Runtime,
    order: TransferOrder,
    recipient: User,
    postings: list[tuple[str, int, str]],
) -> tuple[OutboxMessage, InboxNotification]:
    """The entry's ledger event and the recipient's in-app notice, as `ledger.posting` and
    `ledger.transfers` write them one at a time."""
    event = rt.outbox.event_message(
        now=order.at,
        event_id=entry_event_id(order.entry_id),
        kind=EVENT_ENTRY_POSTED,
        payload=entry_event_payload(order.entry_id, EntryKind.TRANSFER.value, postings),
    )
    notice = rt.outbox.inapp_notice(
        now=order.at,
        user=recipient,
        template="transfer.received",
        params={
            "name": mask_name(order.payer.display_name),
            "amount": order.amount.format(recipient.locale),
        },
    )
    return event, notice


def order_ids(rt: Runtime) -> tuple[str, tuple[str, str]]:
    """The entry id and the ids a new payer or payee wallet would get."""
    return new_id(rt.random, "ent"), (new_id(rt.random, "acc"), new_id(rt.random, "acc"))


def details_json(details: dict[str, object]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False)
