from datetime import timedelta

import pytest

from tests.support import START, remember
from walletdesk.channels.base import DeliveryFailed
from walletdesk.clock import FrozenClock
from walletdesk.identity.context import RequestContext
from walletdesk.identity.registration import register
from walletdesk.notify.delivery import MAX_ATTEMPTS, backoff
from walletdesk.notify.inbox import list_inbox, simulated_outbox
from walletdesk.notify.models import Channel, Delivery, OutboxStatus
from walletdesk.runtime import Runtime


class FlakySms:
    """An SMS gateway that fails the first `failures` sends, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[str] = []

    def send(self, delivery: Delivery) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryFailed("gateway timeout")
        self.sent.append(delivery.id)


def enqueue_sms(rt: Runtime, *, deliver_after_commit: bool = True) -> str:
    remember("13812345678", "+8613812345678")
    with rt.db.uow() as uow:
        message_id = rt.outbox.enqueue(
            uow,
            now=rt.clock.now(),
            channel=Channel.SMS,
            template="wallet.unfrozen",
            params={"time": rt.clock.now()},
            locale="zh-CN",
            user_id=None,
            destination="+8613812345678",
        )
        if not deliver_after_commit:
            uow._after_commit.clear()  # as if the process died right after commit
        uow.commit()
    return message_id


def status_of(rt: Runtime, message_id: str) -> tuple[str, int]:
    with rt.db.uow(read_only=True) as uow:
        message = uow.outbox.get(message_id)
    assert message is not None
    return message.status, message.attempts


def test_a_message_is_delivered_right_after_commit(rt: Runtime) -> None:
    message_id = enqueue_sms(rt)
    assert status_of(rt, message_id) == (OutboxStatus.DELIVERED, 1)
    sent = simulated_outbox(rt)
    assert [m.id for m in sent] == [message_id]
    assert sent[0].body.startswith("【walletdesk】您的 walletdesk 钱包已于 2026年11月23日 17:00")


def test_nothing_is_sent_when_the_transaction_rolls_back(rt: Runtime) -> None:
    with rt.db.uow() as uow:
        rt.outbox.enqueue(
            uow,
            now=rt.clock.now(),
            channel=Channel.SMS,
            template="wallet.unfrozen",
            params={"time": rt.clock.now()},
            locale="zh-CN",
            user_id=None,
            destination="+8613812345678",
        )
        # leaving without commit
    assert rt.dispatcher.deliver() == 0
    assert simulated_outbox(rt) == []


def test_a_message_left_behind_by_a_crash_is_delivered_by_the_worker(rt: Runtime) -> None:
    message_id = enqueue_sms(rt, deliver_after_commit=False)
    assert status_of(rt, message_id)[0] == OutboxStatus.PENDING
    assert rt.dispatcher.deliver() == 1
    assert status_of(rt, message_id)[0] == OutboxStatus.DELIVERED


def test_a_failed_send_is_retried_with_backoff_until_it_succeeds(
    rt: Runtime, clock: FrozenClock
) -> None:
    gateway = FlakySms(failures=2)
    rt.dispatcher._senders = {**rt.senders, Channel.SMS: gateway}  # type: ignore[attr-defined]
    message_id = enqueue_sms(rt)
    assert status_of(rt, message_id) == (OutboxStatus.PENDING, 1)
    assert rt.dispatcher.deliver() == 0  # not due yet
    clock.advance(backoff(1))
    assert rt.dispatcher.deliver() == 0  # second failure
    clock.advance(backoff(2))
    assert rt.dispatcher.deliver() == 1
    assert status_of(rt, message_id) == (OutboxStatus.DELIVERED, 3)
    assert gateway.sent == [message_id]


def test_a_message_that_never_goes_through_is_marked_failed(
    rt: Runtime, clock: FrozenClock
) -> None:
    rt.dispatcher._senders = {  # type: ignore[attr-defined]
        **rt.senders,
        Channel.SMS: FlakySms(failures=10**6),
    }
    message_id = enqueue_sms(rt)
    for attempt in range(1, MAX_ATTEMPTS):
        clock.advance(backoff(attempt))
        rt.dispatcher.deliver()
    assert status_of(rt, message_id) == (OutboxStatus.FAILED, MAX_ATTEMPTS)


def test_a_redelivery_after_a_lost_acknowledgement_is_recorded_once(
    rt: Runtime, clock: FrozenClock
) -> None:
    message_id = enqueue_sms(rt, deliver_after_commit=False)
    with rt.db.uow() as uow:  # a worker leased it and died after sending
        claimed = uow.outbox.claim_due(
            clock.now(), clock.now() + timedelta(seconds=60), ids=None, limit=10
        )
        uow.commit()
    rt.senders[Channel.SMS].send(
        Delivery(
            id=message_id,
            channel="sms",
            user_id=None,
            destination="+8613812345678",
            subject=None,
            body="first copy",
            template="wallet.unfrozen",
            created_at=START,
        )
    )
    assert [m.id for m in claimed] == [message_id]
    assert rt.dispatcher.deliver() == 0  # leased: nobody else takes it
    clock.advance(timedelta(seconds=60))
    assert rt.dispatcher.deliver() == 1  # lease over: sent again, same id
    assert [m.id for m in simulated_outbox(rt)] == [message_id]


def test_in_app_notifications_are_written_once_per_message(rt: Runtime) -> None:
    user = register(
        rt,
        phone="13812345678",
        email=None,
        password="plum blossom river 7",
        display_name="张明",
        locale=None,
        request=RequestContext(),
    )
    remember("plum blossom river 7")
    inbox = list_inbox(rt, user.id)
    assert [n.title for n in inbox] == ["欢迎使用 walletdesk"]
    rt.senders[Channel.INAPP].send(
        Delivery(
            id=inbox[0].id,
            channel="inapp",
            user_id=user.id,
            destination=None,
            subject="again",
            body="again",
            template="account.welcome",
            created_at=START,
        )
    )
    assert len(list_inbox(rt, user.id)) == 1


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 5), (2, 10), (5, 80), (20, 3600)])
def test_backoff_doubles_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert backoff(attempts) == timedelta(seconds=seconds)
