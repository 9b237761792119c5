"""A merchant, its API, and a real HTTP server on 127.0.0.1 that receives its webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fastapi.testclient import TestClient

from tests.support import remember
from walletdesk.merchants.registry import NewMerchant, create_merchant
from walletdesk.runtime import Runtime


def open_shop(
    rt: Runtime, name: str = "喜茶 HEYTEA", webhook_url: str | None = None, currency: str = "CNY"
) -> NewMerchant:
    created = create_merchant(rt, name=name, webhook_url=webhook_url, currency=currency)
    remember(created.api_key, created.webhook_secret)
    return created


def shop_headers(shop: NewMerchant, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {shop.api_key}"}
    return headers | ({"Idempotency-Key": key} if key else {})


def new_order(
    client: TestClient,
    shop: NewMerchant,
    *,
    amount: str = "100.00",
    order_no: str = "HT-20261123-0001",
    description: str = "多肉葡萄 ×2",
    key: str | None = None,
    currency: str = "CNY",
) -> dict:
    response = client.post(
        "/api/v1/merchant/payments",
        headers=shop_headers(shop, key or f"create-{order_no}"),
        json={
            "amount": amount,
            "currency": currency,
            "description": description,
            "merchant_order_id": order_no,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def pay(
    client: TestClient, headers: dict[str, str], payment_id: str, key: str, **body: str
) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/payments/{payment_id}/pay",
        headers=headers | {"Idempotency-Key": key},
        json=body,
    )
    return response.status_code, response.json()


def refund(
    client: TestClient, shop: NewMerchant, payment_id: str, amount: str, number: str
) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/merchant/payments/{payment_id}/refunds",
        headers=shop_headers(shop),
        json={"amount": amount, "currency": "CNY", "out_request_no": number},
    )
    return response.status_code, response.json()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    url: str
    received: list[Received] = field(default_factory=list)
    failures_left: int = 0
    """Answer this many requests with HTTP 503 before accepting."""


@contextmanager
def webhook_receiver(failures: int = 0) -> Iterator[WebhookReceiver]:
    """A real HTTP server on 127.0.0.1 standing in for the merchant's webhook endpoint."""
    receiver = WebhookReceiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                receiver.received.append(Received(dict(self.headers.items()), body))
                failing = receiver.failures_left > 0
                if failing:
                    receiver.failures_left -= 1
            self.send_response(503 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: the test reads what arrived instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/walletdesk"
    receiver.failures_left = failures
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
