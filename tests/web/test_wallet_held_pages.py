"""A transfer the risk engine holds for review (审核中): the payer sees it on its own page and
on the wallet home, with the money reserved, and can cancel it.

These tests turn transfer screening on and give the risk engine no time at all (a budget
below zero), so it fails closed and holds every transfer: the held path, on purpose and every
time. Transfers take the one-by-one path on PostgreSQL too (no group commit), the one that
screens them today."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.ledger.funding import fund
from tests.support import LI_NA, register
from tests.web.pages import sign_in_via_page
from tests.web.test_wallet_money_pages import available, held
from tests.web.test_wallet_pages import form_fields, submit, wallet_user
from walletdesk.ledger import wallets
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "risk_screen_transfers": True,
            "risk_time_budget_ms": -1.0,
            "transfer_group_commit": False,
        }
    )


def held_transfer(client: TestClient, amount: str) -> str:
    review = submit(
        client,
        "/wallet/transfer",
        "/wallet/transfer/review",
        {"to": LI_NA.phone or "", "amount": amount, "note": "房租"},
    )
    first = submit(client, review, "/wallet/transfer/confirm", follow=False)
    again = submit(client, review, "/wallet/transfer/confirm", follow=False)
    assert first.headers["location"] == again.headers["location"], "sent twice, held once"
    return str(first.headers["location"])


def test_a_held_transfer_shows_its_own_page_with_the_money_reserved(
    client: TestClient, rt: Runtime
) -> None:
    li = register(client, LI_NA)["id"]
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "100.00")
    location = held_transfer(client, "30")
    assert re.fullmatch(r"/wallet/transfer/held/htr_\w+", location)
    page = client.get(location)
    assert "您的转账正在审核中" in page.text
    assert "审核中" in page.text and "*娜" in page.text and "¥30.00" in page.text
    assert "预计" in page.text and "房租" in page.text
    assert available(rt, zhang) == "70.00" and held(rt, zhang) == "30.00"
    assert available(rt, str(li)) == "0.00", "nothing reached the recipient"
    home = client.get("/wallet")
    assert "审核中的转账" in home.text and f'href="{location}"' in home.text
    assert "冻结中：¥30.00" in home.text


def test_cancelling_a_held_transfer_frees_the_money_once(client: TestClient, rt: Runtime) -> None:
    register(client, LI_NA)
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "100.00")
    location = held_transfer(client, "45")
    page = client.get(location)
    assert "取消这笔转账" in page.text
    cancel = f"{location}/cancel"
    assert form_fields(page.text, cancel)["csrf_token"]
    cancelled = submit(client, page, cancel)
    assert cancelled.url.path == location
    assert "转账已取消" in cancelled.text and "已取消" in cancelled.text
    assert cancel not in cancelled.text, "nothing left to cancel"
    assert available(rt, zhang) == "100.00" and held(rt, zhang) == "0.00"
    again = submit(client, page, cancel)
    assert again.status_code == 409
    assert available(rt, zhang) == "100.00"
    assert "审核中的转账" not in client.get("/wallet").text


def test_someone_elses_held_transfer_looks_missing(client: TestClient, rt: Runtime) -> None:
    register(client, LI_NA)
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "100.00")
    location = held_transfer(client, "10")
    client.cookies.clear()
    sign_in_via_page(client, LI_NA)
    assert client.get(location).status_code == 404


def _status_options(html: str) -> list[str]:
    select = re.search(r'<select id="status" name="status">(.*?)</select>', html, re.S)
    assert select, "no status filter"
    return re.findall(r'<option value="(\w*)"', select.group(1))


def test_the_transactions_status_filter_offers_every_status_and_finds_held_and_cancelled(
    client: TestClient, rt: Runtime
) -> None:
    register(client, LI_NA)
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "100.00")
    waiting = held_transfer(client, "30").rsplit("/", 1)[-1]
    cancelled = held_transfer(client, "20")
    submit(client, client.get(cancelled), f"{cancelled}/cancel")
    cancelled_id = cancelled.rsplit("/", 1)[-1]

    listed = client.get("/wallet/transactions")
    assert _status_options(listed.text) == [
        "",
        "succeeded",
        "processing",
        "under_review",
        "failed",
        "declined",
        "cancelled",
    ]
    assert set(_status_options(listed.text)[1:]) == wallets.HISTORY_STATUSES
    under_review = client.get("/wallet/transactions", params={"status": "under_review"}).text
    assert waiting in under_review and cancelled_id not in under_review
    assert "审核中" in under_review
    shown = client.get("/wallet/transactions", params={"status": "cancelled"}).text
    assert cancelled_id in shown and waiting not in shown
    settled = client.get("/wallet/transactions", params={"status": "succeeded"}).text
    assert waiting not in settled and cancelled_id not in settled
