"""Transactions (filters, cursor paging, one transaction with its reason in plain words) and
the monthly bill with its chart by category."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank
from tests.ledger.funding import fund
from tests.support import LI_NA, ZHANG_MING, register
from tests.web.pages import sign_in_via_page
from tests.web.test_wallet_pages import bind_card_via_pages, submit, wallet_user
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A patient risk engine: on a busy machine the first assessment in a fresh process can
    outlast the 50 ms budget and hold the transfer (failing closed). These tests are about the
    pages; test_wallet_held_pages covers a held transfer on purpose."""
    return settings.model_copy(update={"risk_time_budget_ms": 60_000.0})


def transfer_via_pages(client: TestClient, to: str, amount: str, note: str = "") -> str:
    review = submit(
        client,
        "/wallet/transfer",
        "/wallet/transfer/review",
        {"to": to, "amount": amount, "note": note},
    )
    return submit(client, review, "/wallet/transfer/confirm").url.path


def amounts(page: str) -> list[str]:
    return re.findall(r'<span class="tx-amount[^"]*">([^<\s]+)', page)


def test_the_list_filters_by_type_amount_and_date_and_keeps_the_filters(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    register(client, LI_NA)
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "300.00")
    clock.advance(timedelta(days=2))
    transfer_via_pages(client, LI_NA.phone or "", "25", "电影票")
    transfer_via_pages(client, LI_NA.phone or "", "120")
    everything = client.get("/wallet/transactions")
    assert amounts(everything.text) == ["-¥120.00", "-¥25.00", "+¥300.00"]
    transfers = client.get("/wallet/transactions", params={"type": "transfer"})
    assert amounts(transfers.text) == ["-¥120.00", "-¥25.00"]
    assert '<option value="transfer" selected>' in transfers.text
    small = client.get("/wallet/transactions", params={"max_amount": "100"})
    assert amounts(small.text) == ["-¥25.00"]
    assert 'value="100"' in small.text
    first_day = client.get(
        "/wallet/transactions", params={"since": "2026-11-23", "until": "2026-11-23"}
    )
    assert amounts(first_day.text) == ["+¥300.00"]
    none = client.get("/wallet/transactions", params={"type": "refund"})
    assert "没有符合筛选条件的交易" in none.text


def test_a_wrong_filter_is_explained_and_kept(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    page = client.get("/wallet/transactions", params={"since": "23/11/2026", "min_amount": "x"})
    assert page.status_code == 422
    assert 'id="since-error"' in page.text and "请按 2026-11-23 的格式填写日期。" in page.text
    assert 'value="23/11/2026"' in page.text


def test_the_list_pages_with_a_cursor(client: TestClient, rt: Runtime) -> None:
    zhang = wallet_user(client, rt)
    for yuan in range(1, 24):
        fund(rt, zhang, f"{yuan}.00")
    first = client.get("/wallet/transactions")
    assert len(amounts(first.text)) == 20 and amounts(first.text)[0] == "+¥23.00"
    older = re.search(r'href="(/wallet/transactions\?[^"]*cursor=\d+)" rel="next"', first.text)
    assert older
    second = client.get(html.unescape(older.group(1)))
    assert amounts(second.text) == ["+¥3.00", "+¥2.00", "+¥1.00"]
    assert 'rel="next"' not in second.text and 'href="/wallet/transactions?"' not in second.text


def test_a_failed_top_up_shows_its_reason_in_plain_words_in_the_list_and_detail(
    client: TestClient, rt: Runtime
) -> None:
    wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING)
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.DAILY_LIMIT_EXCEEDED])
    review = submit(client, "/wallet/topup", "/wallet/topup/review", {"amount": "60"})
    submit(client, review, "/wallet/topup/confirm")
    failed = client.get("/wallet/transactions", params={"status": "failed"})
    link = re.search(r'href="(/wallet/transactions/top_\w+)"', failed.text)
    assert link and "失败" in failed.text
    assert "top_" not in client.get("/wallet/transactions", params={"status": "succeeded"}).text
    detail = client.get(link.group(1))
    assert "原因：" in detail.text and "您可以：" in detail.text
    assert 'href="/help/articles/topup-failed"' in detail.text
    english = html.unescape(client.get(link.group(1) + "?lang=en").text)
    assert "This card has reached its bank's daily limit." in english
    assert "Try again tomorrow, or use another card." in english


def test_a_transfer_detail_shows_who_when_and_the_balance_after(
    client: TestClient, rt: Runtime
) -> None:
    register(client, LI_NA)
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "50.00")
    path = transfer_via_pages(client, LI_NA.phone or "", "20", "咖啡")
    detail = client.get(path)
    assert "转账" in detail.text and "-¥20.00" in detail.text
    assert "*娜" in detail.text and "咖啡" in detail.text
    assert "交易后余额" in detail.text and "¥30.00" in detail.text
    assert "2026年11月23日" in detail.text  # Beijing time
    client.cookies.clear()
    sign_in_via_page(client, LI_NA)
    mine = client.get(path)
    assert mine.status_code == 200 and "+¥20.00" in mine.text, "the recipient sees it too"
    assert client.get("/wallet/transactions/ent_doesnotexist000").status_code == 404


def test_the_monthly_bill_charts_money_in_and_out_by_category(
    client: TestClient, rt: Runtime
) -> None:
    register(client, LI_NA)
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "400.00")
    transfer_via_pages(client, LI_NA.phone or "", "150")
    bill = client.get("/wallet/bills")
    assert "月账单" in bill.text and "2026-11" in bill.text
    assert '<svg viewBox="0 0 360 68"' in bill.text and 'role="img"' in bill.text
    assert "收入 ¥400.00，支出 ¥150.00" in bill.text, "the chart's text alternative"
    assert re.search(r'<g class="bar bar-in">\s*<text[^>]*>充值</text>', bill.text)
    assert re.search(r'<g class="bar bar-out">\s*<text[^>]*>转出</text>', bill.text)
    assert '<th scope="row">充值</th><td>1</td><td>+¥400.00</td>' in bill.text
    assert 'href="/wallet/bills?month=2026-10&amp;currency=CNY"' in bill.text
    assert "month=2026-12" not in bill.text, "no link into the future"
    october = client.get("/wallet/bills", params={"month": "2026-10"})
    assert "<svg" not in october.text and "本月 CNY 没有收支" in october.text
    english = client.get("/wallet/bills?lang=en")
    assert "Monthly bill" in english.text and "Top-ups" in english.text


def test_a_month_that_is_not_a_month_is_refused_in_words(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    refused = client.get("/wallet/bills", params={"month": "November"})
    assert refused.status_code == 422
    assert "2026-11" in refused.text


def test_the_status_filter_finds_a_failed_top_up_behind_a_full_page_of_settled_ones(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    """The filter narrows before paging (audit G7): no empty page with an "Older" link."""
    zhang = wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING)
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.DAILY_LIMIT_EXCEEDED])
    review = submit(client, "/wallet/topup", "/wallet/topup/review", {"amount": "60"})
    submit(client, review, "/wallet/topup/confirm")
    for yuan in range(1, 24):
        clock.advance(timedelta(minutes=1))
        fund(rt, zhang, f"{yuan}.00")
    failed = client.get("/wallet/transactions", params={"status": "failed"})
    assert amounts(failed.text) == ["+¥60.00"] and "失败" in failed.text
    assert 'rel="next"' not in failed.text
    assert '<option value="failed" selected>' in failed.text
    settled = client.get("/wallet/transactions", params={"status": "succeeded"})
    assert len(amounts(settled.text)) == 20 and "+¥60.00" not in amounts(settled.text)
    older = re.search(r'href="(/wallet/transactions\?[^"]*cursor=\d+)" rel="next"', settled.text)
    assert older and "status=succeeded" in older.group(1)
    rest = client.get(html.unescape(older.group(1)))
    assert amounts(rest.text) == ["+¥3.00", "+¥2.00", "+¥1.00"]
