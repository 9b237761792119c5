"""The admin configuration pages against a real database (SLA policies, business hours and
holidays, the official channels registry): each shows what is in force, edits through its
service with translated refusals that keep what was typed, audits the change, and the edited
value is what the support desk then uses. Only admins may open them, in both languages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import beijing, hand_off, staff_member, start_chat
from tests.web.admin_config_helpers import (
    admin_browser,
    audited,
    error_beside,
    input_value,
    submit,
)
from tests.web.console_helpers import console_staff
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.holidays import load_calendars

PAGES = (
    "/console/admin/sla",
    "/console/admin/calendars",
    "/console/admin/limits",
    "/console/admin/fees",
    "/console/admin/fx",
    "/console/admin/channels",
)
SLA = "/console/admin/sla"
CALENDARS = "/console/admin/calendars"


def _sla_form(**changes: str) -> dict[str, str]:
    return {
        "priority": "any",
        "case_type": "complaint",
        "first_response": "20",
        "next_response": "60",
        "resolution": "8100",
        "calendar": "business",
    } | changes


def test_every_page_opens_for_an_admin_in_both_languages(app: FastAPI, rt: Runtime) -> None:
    browser, _ = admin_browser(app, rt)
    for page in PAGES:
        zh = browser.get(page + "?lang=zh-CN")
        assert zh.status_code == 200, (page, zh.text)
        assert '<html lang="zh-CN"' in zh.text
        en = browser.get(page + "?lang=en")
        assert en.status_code == 200, (page, en.text)
        assert '<html lang="en"' in en.text
    assert "设置策略" in browser.get(SLA + "?lang=zh-CN").text
    assert "SLA policies" in browser.get(SLA + "?lang=en").text


@pytest.mark.parametrize("role", ["agent", "senior_agent", "supervisor"])
def test_staff_without_the_admin_role_are_refused_every_page_and_post(
    app: FastAPI, rt: Runtime, role: str
) -> None:
    browser, _ = console_staff(app, rt, f"not-admin-{role}", "小王", role)
    for page in PAGES:
        assert browser.get(page).status_code == 403, page
    token = browser.cookies.get("wd_csrf") or ""
    refused = browser.post(SLA, data=_sla_form() | {"csrf_token": token})
    assert refused.status_code == 403
    assert audited(rt, "support.sla_policy_set") == []


def test_a_customer_and_a_visitor_cannot_open_them(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    visitor = TestClient(app, base_url="https://testserver")
    answer = visitor.get(SLA, follow_redirects=False)
    assert answer.status_code in (303, 401, 403) and "服务水平" not in answer.text
    sign_up_and_in(client, ZHANG_MING)
    customer = TestClient(app, base_url="https://testserver")
    customer.cookies.update(client.cookies)
    assert customer.get(SLA, follow_redirects=False).status_code in (303, 401, 403)


def test_the_sla_page_shows_the_defaults_and_a_saved_policy_applies_to_the_next_case(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    browser, admin_id = admin_browser(app, rt)
    shown = browser.get(SLA + "?lang=en")
    assert 'data-policy="default_urgent"' in shown.text and "Default" in shown.text

    saved = submit(browser, SLA, SLA, _sla_form())
    assert saved.status_code == 303, saved.text
    page = browser.get(SLA + "?lang=en")
    assert 'data-policy="sla_any_complaint"' in page.text
    assert "The SLA policy was saved" in page.text
    [(actor, subject, details)] = audited(rt, "support.sla_policy_set")
    assert (actor, subject) == (admin_id, "sla_any_complaint")
    assert details["minutes"] == [20, 60, 8100] and details["calendar"] == "business"

    # A complaint opened on Monday 17:00 Beijing is due 20 business minutes later.
    clock.set(beijing("2026-11-23 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我要投诉：客服态度差", type="complaint")
    hand_off(client, zhang, started["conversation_id"])
    case = client.get(f"/api/v1/staff/cases/{started['case']['id']}", headers=agent.headers)
    body = case.json()
    assert body["sla_policy_id"] == "sla_any_complaint"
    first = next(t for t in body["sla"] if t["kind"] == "first_response")
    assert first["due_at"] == "2026-11-23T09:20:00Z"


def test_the_edit_link_fills_the_form_with_the_policy_in_force(app: FastAPI, rt: Runtime) -> None:
    browser, _ = admin_browser(app, rt)
    page = browser.get(SLA + "?priority=high&case_type=")
    assert input_value(page.text, "first_response") == "60"
    assert input_value(page.text, "resolution") == "540"


@pytest.mark.parametrize(
    ("label", "changes", "field", "zh", "en"),
    [
        ("not a number", {"first_response": "soon"}, "first_response", "整数分钟", "whole minutes"),
        ("zero minutes", {"resolution": "0"}, "resolution", "整数分钟", "whole minutes"),
        ("no scope", {"case_type": "any"}, "priority", "优先级", "priority, a case type"),
        ("unknown calendar", {"calendar": "lunar"}, "calendar", "日历", "calendar from the list"),
    ],
)
def test_a_wrong_sla_policy_is_refused_beside_its_field_keeping_what_was_typed(
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
        refused = submit(browser, f"{SLA}?lang={lang}", SLA, _sla_form(**changes))
        assert refused.status_code == 422, label
        assert words in error_beside(refused.text, field), (label, lang)
        assert input_value(refused.text, "next_response") == "60"
        for name in ("first_response", "resolution"):
            if name in changes:
                assert input_value(refused.text, name) == changes[name]
    assert audited(rt, "support.sla_policy_set") == []


def test_the_calendar_page_shows_the_hours_and_the_2026_holidays(app: FastAPI, rt: Runtime) -> None:
    browser, _ = admin_browser(app, rt)
    page = browser.get(CALENDARS + "?lang=en")
    assert input_value(page.text, "mon", "business-mon") == "09:00-18:00"
    assert input_value(page.text, "sat", "business-sat") == ""
    assert 'data-year="2026"' in page.text and "Shipped with the release" in page.text
    edit = browser.get(CALENDARS + "?year=2026")
    assert "2026-02-15..2026-02-23 春节 Spring Festival" in edit.text
    assert "2026-02-14 春节调休" in edit.text


def test_new_business_hours_are_audited_and_count_in_the_sla_calendar(
    app: FastAPI, rt: Runtime
) -> None:
    browser, admin_id = admin_browser(app, rt)
    hours = {d: "08:30-12:00, 13:00-17:30" for d in ("mon", "tue", "wed", "thu", "fri")}
    hours |= {"sat": "10:00-16:00", "sun": "", "makeup_day": "08:30-17:30"}
    saved = submit(browser, CALENDARS, f"{CALENDARS}/business/hours", hours)
    assert saved.status_code == 303, saved.text
    page = browser.get(CALENDARS)
    assert input_value(page.text, "mon", "business-mon") == "08:30-12:00, 13:00-17:30"
    [(actor, subject, details)] = audited(rt, "support.business_hours_set")
    assert (actor, subject) == (admin_id, "business")
    assert details["previous"]["mon"] == "09:00-18:00"
    with rt.db.uow(read_only=True) as uow:
        business = load_calendars(uow).get("business")
    # Monday 23 Nov 2026, Beijing: open 08:30 (00:30 UTC), closed over lunch 12:00-13:00.
    assert business.is_open(beijing("2026-11-23 08:45"))
    assert not business.is_open(beijing("2026-11-23 12:30"))
    assert business.is_open(beijing("2026-11-28 11:00"))  # Saturday now works
    assert business.elapsed(beijing("2026-11-23 08:30"), beijing("2026-11-23 17:30")) == 8 * 3600


def test_overlapping_hours_are_refused_beside_the_day_in_both_languages(
    app: FastAPI, rt: Runtime
) -> None:
    browser, _ = admin_browser(app, rt)
    days = {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    bad = days | {"wed": "09:00-13:00, 12:00-18:00", "sat": "", "sun": "", "makeup_day": ""}
    for lang, words in (("zh-CN", "不能重叠"), ("en", "must not overlap")):
        refused = submit(browser, f"{CALENDARS}?lang={lang}", f"{CALENDARS}/business/hours", bad)
        assert refused.status_code == 422
        assert words in error_beside(refused.text, "business-wed")
        assert input_value(refused.text, "wed", "business-wed") == "09:00-13:00, 12:00-18:00"
    assert audited(rt, "support.business_hours_set") == []


def test_a_new_year_of_holidays_is_stored_audited_and_used_by_the_calendar(
    app: FastAPI, rt: Runtime
) -> None:
    browser, admin_id = admin_browser(app, rt)
    form = {
        "year": "2027",
        "source": "国务院办公厅关于2027年部分节假日安排的通知",
        "holidays": "2027-01-01..2027-01-03 元旦\n2027-02-06..2027-02-12 春节",
        "workdays": "2027-02-13 春节调休",
    }
    saved = submit(browser, CALENDARS, f"{CALENDARS}/holidays", form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"].endswith("?year=2027")
    [(actor, subject, details)] = audited(rt, "support.holidays_set")
    assert (actor, subject, details["holidays"], details["workdays"]) == (admin_id, "2027", 10, 1)
    with rt.db.uow(read_only=True) as uow:
        business = load_calendars(uow).get("business")
    assert not business.is_working_day(date(2027, 2, 8))  # a Monday of the Spring Festival
    assert business.is_working_day(date(2027, 2, 13))  # the make-up Saturday
    page = browser.get(CALENDARS + "?lang=en")
    assert 'data-year="2027"' in page.text and "Set by an admin" in page.text


@pytest.mark.parametrize(
    ("label", "changes", "field", "en"),
    [
        ("bad line", {"holidays": "New Year 1 Jan"}, "holidays", "This line is not understood"),
        (
            "range as workday",
            {"workdays": "2027-02-13..2027-02-14 调休"},
            "workdays",
            "not understood",
        ),
        ("bad year", {"year": "27"}, "year", "Enter a year from 2000 to 2100"),
    ],
)
def test_a_wrong_holiday_year_is_refused_keeping_the_lines_typed(
    app: FastAPI, rt: Runtime, label: str, changes: dict[str, str], field: str, en: str
) -> None:
    browser, _ = admin_browser(app, rt)
    form = {
        "year": "2027",
        "source": "通知",
        "holidays": "2027-01-01 元旦",
        "workdays": "",
    } | changes
    refused = submit(browser, f"{CALENDARS}?lang=en", f"{CALENDARS}/holidays", form)
    assert refused.status_code == 422, label
    assert en in error_beside(refused.text, field)
    assert form["holidays"] in refused.text
    zh = submit(browser, f"{CALENDARS}?lang=zh-CN", f"{CALENDARS}/holidays", form)
    assert en not in zh.text and zh.status_code == 422
    assert audited(rt, "support.holidays_set") == []


def test_a_day_both_off_and_a_make_up_working_day_is_refused_above_the_form(
    app: FastAPI, rt: Runtime
) -> None:
    browser, _ = admin_browser(app, rt)
    form = {
        "year": "2027",
        "source": "通知",
        "holidays": "2027-01-01..2027-01-03 元旦",
        "workdays": "2027-01-02 调休",
    }
    refused = submit(browser, f"{CALENDARS}?lang=en", f"{CALENDARS}/holidays", form)
    assert refused.status_code == 422
    assert "both a holiday and a make-up working day" in refused.text
    assert "2027-01-02 调休" in refused.text


def test_the_channels_registry_is_shown_with_its_verified_signature_and_no_entry_editing(
    app: FastAPI, rt: Runtime
) -> None:
    browser, _ = admin_browser(app, rt)
    page = browser.get("/console/admin/channels?lang=en")
    assert 'data-registry-status="verified"' in page.text
    assert "<code data-key-id>wd-channels-2026</code>" in page.text
    assert 'data-registry-source="packaged"' in page.text
    assert "How the registry is changed" in page.text
    # The one form takes a whole document signed offline, never an entry typed here.
    forms = page.text.split("data-registry-entries")[1].split('method="post"')[1:]
    assert len(forms) == 1
    fields = re.findall(r'name="([^"]+)"', forms[0].split("</form>")[0])
    assert sorted(fields) == ["csrf_token", "document"]
    zh = browser.get("/console/admin/channels?lang=zh-CN")
    assert "签名已验证" in zh.text
    assert browser.post("/console/admin/channels").status_code in (403, 405)


def test_removing_a_saved_policy_brings_the_default_back_for_new_cases(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    browser, admin_id = admin_browser(app, rt)
    normal = _sla_form(priority="normal", case_type="any", first_response="5")
    assert submit(browser, SLA, SLA, normal).status_code == 303
    page = browser.get(SLA + "?lang=en")
    assert "Default, replaced" in page.text
    removed = submit(browser, SLA, f"{SLA}/sla_normal_any/remove", {})
    assert removed.status_code == 303, removed.text
    page = browser.get(SLA + "?lang=en")
    assert 'data-policy="sla_normal_any"' not in page.text
    assert "The SLA policy was removed" in page.text
    [(actor, subject, details)] = audited(rt, "support.sla_policy_removed")
    assert (actor, subject, details["minutes"]) == (admin_id, "sla_normal_any", [5, 60, 8100])
    again = submit(browser, f"{SLA}?lang=en", f"{SLA}/sla_normal_any/remove", {})
    assert again.status_code == 404 and "does not exist" in again.text

    clock.set(beijing("2026-11-23 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "提现一直没到账", type="problem")
    hand_off(client, zhang, started["conversation_id"])
    body = client.get(f"/api/v1/staff/cases/{started['case']['id']}", headers=agent.headers).json()
    assert body["sla_policy_id"] == "default_normal"
    first = next(t for t in body["sla"] if t["kind"] == "first_response")
    assert first["due_at"] == "2026-11-24T04:00:00Z"  # 4 business hours: Tue 12:00 Beijing
