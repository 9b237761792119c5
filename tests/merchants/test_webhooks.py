import hashlib
import hmac
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay, refund, webhook_receiver
from tests.support import ZHANG_MING, sign_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.errors import ValidationFailed
from walletdesk.merchants.signing import sign, verify_signature
from walletdesk.runtime import Runtime


def test_a_paid_order_sends_a_signed_webhook_that_verifies_and_a_tampered_one_does_not(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    with webhook_receiver() as hooks:
        shop = open_shop(rt, webhook_url=hooks.url)
        zhang = sign_up_and_in(client, ZHANG_MING)
        fund(rt, user_id_of(rt, "张明"), "500.00")
        order = new_order(client, shop, amount="88.00")
        assert hooks.received == []  # creating an order announces nothing
        pay(client, zhang, order["id"], "pay-1")
    [hook] = hooks.received
    event = hook.event
    assert event["type"] == "payment.succeeded"
    assert event["data"]["payment_id"] == order["id"]
    assert event["data"]["merchant_order_id"] == "HT-20261123-0001"
    assert event["data"]["amount"] == {"amount": "88.00", "currency": "CNY"}
    assert hook.headers["X-Walletdesk-Delivery"] == event["id"]
    timestamp, signature = (
        hook.headers["X-Walletdesk-Timestamp"],
        hook.headers["X-Walletdesk-Signature"],
    )
    assert timestamp == str(int(clock.now().timestamp()))
    now = clock.now().timestamp()
    secret = shop.webhook_secret
    assert verify_signature(secret, timestamp, hook.body, signature, now=now)
    tampered = hook.body.replace(b"88.00", b"8.00")
    assert not verify_signature(secret, timestamp, tampered, signature)
    assert not verify_signature(secret, str(int(timestamp) + 1), hook.body, signature)
    assert not verify_signature("whsec_someone-else", timestamp, hook.body, signature)
    assert not verify_signature(secret, timestamp, hook.body, signature, now=now + 301)


def test_a_failed_webhook_is_retried_later_with_the_same_delivery_id(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    with webhook_receiver(failures=1) as hooks:
        shop = open_shop(rt, webhook_url=hooks.url)
        zhang = sign_up_and_in(client, ZHANG_MING)
        fund(rt, user_id_of(rt, "张明"), "500.00")
        order = new_order(client, shop)
        assert pay(client, zhang, order["id"], "pay-1")[0] == 201  # the merchant's 503 is ours
        assert len(hooks.received) == 1
        rt.dispatcher.deliver()  # the ledger events, which the worker delivers
        assert len(hooks.received) == 1  # the webhook is not due yet: backing off
        assert rt.dispatcher.deliver() == 0
        clock.advance(timedelta(seconds=6))
        assert rt.dispatcher.deliver() == 1
        assert rt.dispatcher.deliver() == 0  # delivered once it succeeded; never again
    first, second = hooks.received
    assert first.headers["X-Walletdesk-Delivery"] == second.headers["X-Walletdesk-Delivery"]
    assert first.body == second.body
    assert first.headers["X-Walletdesk-Timestamp"] != second.headers["X-Walletdesk-Timestamp"]
    for attempt in (first, second):
        assert verify_signature(
            shop.webhook_secret,
            attempt.headers["X-Walletdesk-Timestamp"],
            attempt.body,
            attempt.headers["X-Walletdesk-Signature"],
        )


def test_each_refund_sends_its_own_webhook(client: TestClient, rt: Runtime) -> None:
    with webhook_receiver() as hooks:
        shop = open_shop(rt, webhook_url=hooks.url)
        zhang = sign_up_and_in(client, ZHANG_MING)
        fund(rt, user_id_of(rt, "张明"), "500.00")
        order = new_order(client, shop)
        pay(client, zhang, order["id"], "pay-1")
        refund(client, shop, order["id"], "30.00", "RF-1")
        refund(client, shop, order["id"], "30.00", "RF-1")  # the same refund: no new webhook
        refund(client, shop, order["id"], "70.00", "RF-2")
    kinds = [h.event["type"] for h in hooks.received]
    assert kinds == ["payment.succeeded", "refund.succeeded", "refund.succeeded"]
    last = hooks.received[-1].event["data"]
    assert last["out_request_no"] == "RF-2" and last["refunded_total"]["amount"] == "100.00"


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # A fixed vector merchants can check their own implementation against.
    expected = hmac.new(b"whsec_test", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert sign("whsec_test", "1700000000", b'{"a":1}') == f"sha256={expected}"
    assert verify_signature("whsec_test", "1700000000", '{"a":1}', f"sha256={expected}")
    assert not verify_signature("whsec_test", "1700000000", '{"a":1}', expected)


@pytest.mark.parametrize(
    "url", ["ftp://shop.example/hook", "javascript:alert(1)", "shop.example/hook", "http://"]
)
def test_only_http_and_https_webhook_urls_are_accepted(rt: Runtime, url: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        open_shop(rt, webhook_url=url)
    assert refused.value.code == "invalid_webhook_url"
