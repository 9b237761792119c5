"""Webhooks go to public internet addresses only (no SSRF), checked when a merchant sets its
URL and again at every delivery. This module runs with private addresses NOT allowed, as in
production."""

import ipaddress
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_KEYS
from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay, shop_headers, webhook_receiver
from tests.support import ZHANG_MING, remember, sign_up_and_in
from walletdesk.merchants.registry import create_merchant
from walletdesk.merchants.webhook_targets import (
    DestinationRefused,
    WebhookUrlNotAllowed,
    is_public,
    pinned_destination,
)
from walletdesk.merchants.webhooks import CHANNEL, WebhookSender
from walletdesk.notify.models import OutboxStatus
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings, UnsafeSettings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": False})


class FakeDns:
    """A resolver whose answers the test sets, and may change, like a real zone."""

    def __init__(self, **zone: list[str]) -> None:
        self.zone = {name.replace("_", "."): answers for name, answers in zone.items()}

    def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.zone:
            raise OSError(f"{host}: name not known")
        return self.zone[host]


EVIL = FakeDns(hooks_evil_example=["127.0.0.1"], mixed_evil_example=["93.184.215.14", "10.0.0.7"])

REFUSED = [
    ("a private network address", "http://10.0.0.1/hooks"),
    ("loopback", "http://127.0.0.1:8080/hooks"),
    ("the cloud metadata service", "http://169.254.169.254/latest/meta-data/"),
    ("IPv6 loopback", "http://[::1]/hooks"),
    ("IPv4 loopback inside IPv6", "http://[::ffff:127.0.0.1]/hooks"),
    ("multicast", "http://224.0.0.1/hooks"),
    ("reserved", "http://240.0.0.1/hooks"),
    ("a localhost name", "http://localhost:9000/hooks"),
    ("a name resolving to 127.0.0.1", "https://hooks.evil.example/hooks"),
    ("a name with one private answer among public ones", "https://mixed.evil.example/hooks"),
]


@pytest.mark.parametrize(("label", "url"), REFUSED)
def test_a_webhook_url_that_does_not_point_to_a_public_address_is_refused(
    rt: Runtime, label: str, url: str
) -> None:
    with pytest.raises(WebhookUrlNotAllowed) as refused:
        create_merchant(rt, name="Shady Shop", webhook_url=url, resolve=EVIL.resolve)
    assert refused.value.code == "webhook_url_not_allowed", label
    assert refused.value.field == "webhook_url"


@pytest.mark.parametrize("url", ["http://127.1/hooks", "http://2130706433/hooks"])
def test_shorthand_forms_of_loopback_are_refused_through_the_real_resolver(
    rt: Runtime, url: str
) -> None:
    with pytest.raises(WebhookUrlNotAllowed):
        create_merchant(rt, name="Shady Shop", webhook_url=url)


def test_public_addresses_and_names_not_yet_in_dns_are_accepted(rt: Runtime) -> None:
    dns = FakeDns(hooks_shop_example=["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
    for url in (
        "https://93.184.215.14/hooks",
        "https://hooks.shop.example/hooks",
        "https://not-yet.shop.example/hooks",  # judged again at every delivery
    ):
        created = create_merchant(rt, name="喜茶 HEYTEA", webhook_url=url, resolve=dns.resolve)
        assert created.merchant.webhook_url == url


def test_a_merchant_changing_its_webhook_url_is_held_to_the_same_rule(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    refused = client.put(
        "/api/v1/merchant/webhook",
        headers=shop_headers(shop),
        json={"webhook_url": "http://169.254.169.254/latest/meta-data/"},
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "webhook_url_not_allowed" and error["field"] == "webhook_url"
    assert "公网地址" in error["message"]
    english = client.put(
        "/api/v1/merchant/webhook",
        headers=shop_headers(shop) | {"Accept-Language": "en"},
        json={"webhook_url": "http://[::1]/hooks"},
    )
    assert english.json()["error"]["message"].startswith("The webhook URL must point to a public")
    accepted = client.put(
        "/api/v1/merchant/webhook",
        headers=shop_headers(shop),
        json={"webhook_url": "https://93.184.215.14/hooks"},
    )
    assert accepted.status_code == 200
    assert accepted.json() == {"webhook_url": "https://93.184.215.14/hooks"}
    stopped = client.put("/api/v1/merchant/webhook", headers=shop_headers(shop), json={})
    assert stopped.status_code == 422  # the field is required; null stops webhooks
    assert client.put(
        "/api/v1/merchant/webhook", headers=shop_headers(shop), json={"webhook_url": None}
    ).json() == {"webhook_url": None}


def test_a_name_that_resolves_to_a_private_address_at_delivery_time_gets_nothing(
    client: TestClient, rt: Runtime
) -> None:
    """DNS rebinding: public when the merchant registered, 127.0.0.1 when we deliver."""
    dns = FakeDns(hooks_shop_example=["93.184.215.14"])
    rt.senders[CHANNEL] = WebhookSender(rt, resolve=dns.resolve)
    with webhook_receiver() as hooks:
        port = hooks.url.rsplit(":", 1)[1].split("/", 1)[0]
        shop = create_merchant(
            rt,
            name="喜茶 HEYTEA",
            webhook_url=f"http://hooks.shop.example:{port}/hooks/walletdesk",
            resolve=dns.resolve,
        )
        remember(shop.api_key, shop.webhook_secret)
        dns.zone["hooks.shop.example"] = ["127.0.0.1"]  # the answer changes
        zhang = sign_up_and_in(client, ZHANG_MING)
        fund(rt, user_id_of(rt, "张明"), "100.00")
        order = new_order(client, shop)
        assert pay(client, zhang, order["id"], "pay-1")[0] == 201
    assert hooks.received == []  # the receiver on 127.0.0.1 was never contacted
    with rt.db.uow(read_only=True) as uow:
        [webhook] = [m for m in uow.outbox.recent() if m.channel == CHANNEL]
    assert webhook.status == OutboxStatus.PENDING and webhook.attempts == 1
    assert webhook.last_error is not None and "not allowed" in webhook.last_error


def test_a_delivery_is_pinned_to_the_address_that_was_checked() -> None:
    dns = FakeDns(hooks_shop_example=["93.184.215.14"], v6_shop_example=["2606:4700:4700::1111"])
    pinned = pinned_destination("https://hooks.shop.example/hooks?x=1", resolve=dns.resolve)
    assert pinned.url == "https://93.184.215.14/hooks?x=1"
    assert pinned.host_header == "hooks.shop.example"
    assert pinned.sni_hostname == "hooks.shop.example"
    v6 = pinned_destination("http://v6.shop.example:8080/h", resolve=dns.resolve)
    assert v6.url == "http://[2606:4700:4700::1111]:8080/h"
    assert v6.host_header == "v6.shop.example:8080" and v6.sni_hostname is None
    literal = pinned_destination("https://93.184.215.14/h", resolve=dns.resolve)
    assert literal.url == "https://93.184.215.14/h" and literal.host_header is None
    with pytest.raises(DestinationRefused):
        pinned_destination("https://mixed.evil.example/h", resolve=EVIL.resolve)
    with pytest.raises(OSError):
        pinned_destination("https://gone.shop.example/h", resolve=dns.resolve)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # shared address space (carrier-grade NAT)
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, not a bind
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
    ],
)
def test_only_public_internet_addresses_count_as_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_private_webhook_addresses_cannot_be_allowed_outside_dev_mode(tmp_path: Path) -> None:
    unsafe = Settings(env="prod", data_dir=tmp_path, webhook_allow_private=True, **TEST_KEYS)
    with pytest.raises(UnsafeSettings, match="WEBHOOK_ALLOW_PRIVATE"):
        unsafe.check_safe()
    Settings(env="prod", data_dir=tmp_path, **TEST_KEYS).check_safe()
