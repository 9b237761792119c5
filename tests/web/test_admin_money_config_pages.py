"""The admin pages for money settings against a real database: limits by account type and KYC
tier, the withdrawal fee schedule, and FX rates. Each edit goes through its service, is
refused with a translated message beside the field keeping what was typed, is audited and
versioned, and is what the ledger then applies (the next transfer, withdrawal quote, FX quote)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bind
from tests.ledger.actors import send_transfer, sign_in
from tests.ledger.funding import fund, user_id_of
from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.agent_tools_helpers import propose, signed_up_with_case, staff
from tests.web.admin_config_helpers import (
    admin_browser,
    audited,
    error_beside,
    input_value,
    submit,
)
from tests.web.console_helpers import console_staff
from walletdesk.bot.tools_read import fees as bot_fees
from walletdesk.clock import FrozenClock
from walletdesk.ledger import fx_rates
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime

LIMITS = "/console/admin/limits"
FEES = "/console/admin/fees"
FX = "/console/admin/fx"


def _limit_form(**changes: str) -> dict[str, str]:
    return {
        "account_type": "personal",
        "kyc_tier": "3",
        "per_transaction": "100.00",
        "per_day": "150.00",
        "per_year": "10000.00",
    } | changes


def test_the_limits_page_shows_the_defaults_of_each_class(app: FastAPI, rt: Runtime) -> None:
    browser, _ = admin_browser(app, rt)
    page = browser.get(LIMITS + "?lang=en")
    assert input_value(page.text, "per_transaction", "personal-0-per_transaction") == "500.00"
    assert input_value(page.text, "per_year", "personal-1-per_year") == "100000.00"
    assert input_value(page.text, "per_day", "business-0-per_day") == "5000000.00"
    assert "No admin has changed the limits yet" in page.text


def test_a_lower_limit_applies_to_the_next_transfer_and_is_audited_and_versioned(
    app: FastAPI, rt: Runtime
) -> None:
    zhang = sign_in(rt, phone="13800000001", name="张明", kyc_tier=3)
    li = sign_in(rt, phone="13800000002", name="李娜", kyc_tier=3)
    fund(rt, zhang.user.id, "1000.00")
    before = send_transfer(rt, zhang, key="t-1", to=li.user.id, amount=Money.parse("200.00", "CNY"))
    assert before.status == 201, before.body

    browser, admin_id = admin_browser(app, rt)
    saved = submit(browser, LIMITS, LIMITS, _limit_form(per_day="300.00"))
    assert saved.status_code == 303, saved.text

    def pay(key: str, amount: str) -> str | None:
        return send_transfer(
            rt, zhang, key=key, to=li.user.id, amount=Money.parse(amount, "CNY")
        ).code

    assert pay("t-2", "120.00") == "limit_exceeded"  # over the new ¥100 a payment
    assert pay("t-3", "50.00") is None  # ¥250 today
    assert pay("t-4", "60.00") == "limit_exceeded"  # ¥310 would pass the new ¥300 a day
    assert pay("t-5", "50.00") is None  # exactly ¥300

    [(actor, subject, details)] = audited(rt, "limits.set")
    assert (actor, subject) == (admin_id, "personal:3")
    assert details["per_transaction"] == 100_00
    assert details["previous"] == [200_000_00, 500_000_00, 2_000_000_00]
    page = browser.get(LIMITS + "?lang=en")
    assert input_value(page.text, "per_transaction", "personal-3-per_transaction") == "100.00"
    assert "data-limit-history" in page.text and "Set by an admin" in page.text
    # Other tiers keep their defaults.
    assert input_value(page.text, "per_transaction", "personal-2-per_transaction") == "50000.00"


@pytest.mark.parametrize(
    ("label", "changes", "field", "zh", "en"),
    [
        ("not an amount", {"per_day": "lots"}, "per_day", "金额", "amount above zero"),
        ("day below payment", {"per_day": "50.00"}, "per_day", "单笔", "below the single-payment"),
        ("year below day", {"per_year": "100.00"}, "per_year", "每日", "below the daily"),
    ],
)
def test_a_wrong_limit_is_refused_beside_its_field_keeping_what_was_typed(
    app: FastAPI,
    rt: Runtime,
    label: str,
    changes: dict[str, str],
    field: str,
    zh: str,
    en: str,
) -> None:
    browser, _ = admin_browser(app, rt)
    for lang, words in (("zh-CN", zh), ("en", en)):
        refused = submit(browser, f"{LIMITS}?lang={lang}", LIMITS, _limit_form(**changes))
        assert refused.status_code == 422, label
        assert words in error_beside(refused.text, f"personal-3-{field}"), (label, lang)
        assert input_value(refused.text, field, f"personal-3-{field}") == changes[field]
        assert input_value(refused.text, "per_transaction", "personal-3-per_transaction") == (
            "100.00"
        )
        # The other classes' forms still show what is in force.
        assert input_value(refused.text, "per_day", "personal-2-per_day") == "100000.00"
    assert audited(rt, "limits.set") == []


def test_the_fee_page_shows_the_schedule_and_a_change_applies_to_the_next_quote(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card_id = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    fund(rt, user_id_of(rt, "张明"), "900.00")
    clock.advance(timedelta(minutes=5))

    def quote(amount: str) -> dict:
        answer = client.post(
            "/api/v1/withdrawals/quote",
            headers=zhang,
            json={"card_id": card_id, "amount": amount},
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    assert quote("300.00")["fee"]["amount"] == "0.00"  # two free withdrawals a month
    browser, admin_id = admin_browser(app, rt)
    page = browser.get(FEES + "?lang=en")
    assert input_value(page.text, "free_per_month") == "2"
    assert input_value(page.text, "basis_points") == "10"
    assert input_value(page.text, "minimum") == "0.10"

    form = {"free_per_month": "0", "basis_points": "50", "minimum": "2.00"}
    saved = submit(browser, FEES, FEES, form)
    assert saved.status_code == 303, saved.text
    offer = quote("500.00")
    assert offer["fee"]["amount"] == "2.50" and offer["free_withdrawals_left"] == 0
    assert quote("100.00")["fee"]["amount"] == "2.00"  # the new minimum
    # The assistant tells customers the schedule in force too.
    [told] = bot_fees(rt, None, "en").lines
    assert told.params["free"] == 0 and told.params["rate"] == "0.5"

    [(actor, _, details)] = audited(rt, "fees.schedule_set")
    assert actor == admin_id
    assert details == {
        "free_per_month": 0,
        "basis_points": 50,
        "minimum": "2.00",
        "previous": {"free_per_month": 2, "basis_points": 10, "minimum": "0.10"},
    }
    page = browser.get(FEES + "?lang=en")
    assert "<dd data-free>0</dd>" in page.text and "data-fee-history" in page.text


@pytest.mark.parametrize(
    ("label", "changes", "field", "zh", "en"),
    [
        ("negative quota", {"free_per_month": "-1"}, "free_per_month", "整数", "whole number"),
        ("too high a rate", {"basis_points": "5000"}, "basis_points", "1000", "0 to 1000"),
        ("bad minimum", {"minimum": "1.234"}, "minimum", "小数", "decimal places"),
        ("huge minimum", {"minimum": "500"}, "minimum", "100.00", "at most 100.00"),
    ],
)
def test_a_wrong_fee_schedule_is_refused_keeping_what_was_typed(
    app: FastAPI,
    rt: Runtime,
    label: str,
    changes: dict[str, str],
    field: str,
    zh: str,
    en: str,
) -> None:
    browser, _ = admin_browser(app, rt)
    form = {"free_per_month": "3", "basis_points": "20", "minimum": "0.50"} | changes
    for lang, words in (("zh-CN", zh), ("en", en)):
        refused = submit(browser, f"{FEES}?lang={lang}", FEES, form)
        assert refused.status_code == 422, label
        assert words in error_beside(refused.text, field), (label, lang)
        for name, value in form.items():
            assert input_value(refused.text, name) == value
    assert audited(rt, "fees.schedule_set") == []


def test_a_new_fx_rate_is_versioned_audited_and_prices_the_next_quote(
    app: FastAPI, rt: Runtime
) -> None:
    browser, admin_id = admin_browser(app, rt)
    page = browser.get(FX + "?lang=en")
    assert "No rate: conversions and payments in this currency are paused." in page.text
    saved = submit(browser, FX, FX, {"base": "USD", "mid": "7.2000", "spread_bps": "30"})
    assert saved.status_code == 303, saved.text
    again = submit(browser, FX, FX, {"base": "USD", "mid": "7.1000", "spread_bps": "25"})
    assert again.status_code == 303
    [usd] = [r for r in fx_rates.rates_now(rt) if r.base == "USD"]
    assert (usd.mid, usd.spread_bps, usd.set_by) == ("7.1", 25, admin_id)
    entries = audited(rt, "fx.rate_set")
    assert [d["mid"] for _, _, d in entries] == ["7.2", "7.1"]
    assert entries[1][2]["previous_mid"] == "7.2" and entries[1][0] == admin_id
    page = browser.get(FX + "?base=USD&lang=en")
    assert input_value(page.text, "mid") == "7.1"
    assert 'data-fx-history="USD"' in page.text


@pytest.mark.parametrize(
    ("label", "changes", "field", "en"),
    [
        ("zero rate", {"mid": "0"}, "mid", "above zero"),
        ("spread too wide", {"spread_bps": "3000"}, "spread_bps", "between 0 and 1000"),
        ("spread not a number", {"spread_bps": "wide"}, "spread_bps", "between 0 and 1000"),
        ("unknown pair", {"base": "GBP"}, "base", "one foreign currency against CNY"),
        ("in the past", {"effective_at": "2020-01-01T09:00"}, "effective_at", "not in the past"),
    ],
)
def test_a_wrong_fx_rate_is_refused_keeping_what_was_typed(
    app: FastAPI, rt: Runtime, label: str, changes: dict[str, str], field: str, en: str
) -> None:
    browser, _ = admin_browser(app, rt)
    form = {"base": "EUR", "mid": "7.7620", "spread_bps": "40", "effective_at": ""} | changes
    refused = submit(browser, f"{FX}?lang=en", FX, form)
    assert refused.status_code == 422, label
    assert en in error_beside(refused.text, field), label
    if field != "base":
        assert input_value(refused.text, field) == changes[field]
    zh = submit(browser, f"{FX}?lang=zh-CN", FX, form)
    assert zh.status_code == 422 and en not in zh.text
    assert audited(rt, "fx.rate_set") == []


def test_a_supervisor_cannot_change_limits_fees_or_rates(app: FastAPI, rt: Runtime) -> None:
    browser, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    token = browser.cookies.get("wd_csrf") or ""
    for action, form in (
        (LIMITS, _limit_form()),
        (FEES, {"free_per_month": "0", "basis_points": "50", "minimum": "2.00"}),
        (FX, {"base": "USD", "mid": "7.2", "spread_bps": "30"}),
    ):
        assert browser.post(action, data=form | {"csrf_token": token}).status_code == 403
    assert audited(rt, "limits.set") == audited(rt, "fees.schedule_set") == []
    assert audited(rt, "fx.rate_set") == []


def test_a_support_raise_is_weighed_against_the_limits_an_admin_set(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    browser, _ = admin_browser(app, rt)
    lowered = _limit_form(
        kyc_tier="0", per_transaction="100.00", per_day="200.00", per_year="1000.00"
    )
    assert submit(browser, LIMITS, LIMITS, lowered).status_code == 303
    _, case_id = signed_up_with_case(client, ZHANG_MING, "想临时提高额度")
    wang = staff(client, rt, "wang", "小王", "agent")
    panel = client.get(f"/api/v1/staff/cases/{case_id}/customer", headers=wang.headers).json()
    assert panel["limits"]["per_transaction"]["amount"] == "100.00"
    # ¥300 a payment is below the default ¥500 of tier 0 but above the ¥100 now in force.
    proposed = propose(
        client,
        wang,
        case_id,
        kind="raise_limit",
        reason="客户已完成视频核验，临时提额",
        limits={"per_transaction": "300.00", "per_day": "600.00", "per_year": "1000.00"},
        days=7,
    )
    assert proposed["status"] == "pending"
