"""Business hours and holiday years through the API (issue 5, items 5 and 15): an admin adds
next year's holidays and make-up working days as the State Council publishes them and
changes weekly hours; both are audited and new SLA clocks count them; bad input is refused."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from tests.support_desk.helpers import Staff, staff_member
from walletdesk.audit.services import recent_entries
from walletdesk.runtime import Runtime
from walletdesk.support.holidays import load_calendars

NEW_YEAR_2027 = {
    "source": "国务院办公厅关于2027年部分节假日安排的通知 (test data)",
    "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
    "workdays": [{"name": "元旦调休", "date": "2027-01-09"}],
}


def calendars(client: TestClient, admin: Staff) -> dict:
    response = client.get("/api/v1/staff/calendars", headers=admin.headers)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def is_open(rt: Runtime, calendar: str, beijing: str) -> bool:
    """Whether `calendar` is open at `beijing` (a time in UTC+8)."""
    with rt.db.uow(read_only=True) as uow:
        cal = load_calendars(uow).get(calendar)
    return cal.is_open(datetime.fromisoformat(beijing + "+08:00"))


def test_an_admin_adds_a_holiday_year_and_it_counts_for_the_clocks(
    client: TestClient, rt: Runtime
) -> None:
    admin = staff_member(client, rt, "Admin", "admin")
    shipped = calendars(client, admin)
    assert {c["key"] for c in shipped["calendars"]} == {"business", "always"}
    assert [(y["year"], y["stored"]) for y in shipped["years"]] == [(2026, False)]
    assert is_open(rt, "business", "2027-01-01 10:00"), "a Friday nobody declared a holiday"

    stored = client.put(
        "/api/v1/staff/holiday-years/2027", headers=admin.headers, json=NEW_YEAR_2027
    )
    assert stored.status_code == 200, stored.text
    assert [d["day"] for d in stored.json()["holidays"]] == [
        "2027-01-01",
        "2027-01-02",
        "2027-01-03",
    ]
    assert stored.json()["workdays"] == [{"day": "2027-01-09", "name": "元旦调休"}]
    assert [(y["year"], y["stored"]) for y in calendars(client, admin)["years"]] == [
        (2026, False),
        (2027, True),
    ]
    assert not is_open(rt, "business", "2027-01-01 10:00")
    assert is_open(rt, "business", "2027-01-09 10:00"), "the make-up Saturday"
    assert is_open(rt, "always", "2027-01-01 10:00"), "round the clock ignores holidays"
    [entry] = recent_entries(rt.db, subject_id="2027")
    assert (entry.action, entry.actor_id) == ("support.holidays_set", admin.user_id)


def test_an_admin_changes_weekly_hours_and_the_next_clock_counts_them(
    client: TestClient, rt: Runtime
) -> None:
    admin = staff_member(client, rt, "Admin", "admin")
    assert not is_open(rt, "business", "2026-12-05 10:00"), "a Saturday"
    changed = client.put(
        "/api/v1/staff/calendars/business/hours",
        headers=admin.headers,
        json={
            "days": {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}
            | {"sat": "10:00-12:00"},
            "makeup_day": "09:00-18:00",
        },
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["days"]["sat"], changed.json()["days"]["sun"]) == ("10:00-12:00", "")
    assert changed.json()["version_id"] is not None
    assert is_open(rt, "business", "2026-12-05 10:00")
    assert not is_open(rt, "business", "2026-12-05 12:00")
    [entry] = recent_entries(rt.db, subject_id="business")
    assert entry.action == "support.business_hours_set"


def test_only_admins_change_calendars_and_bad_input_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    admin = staff_member(client, rt, "Admin", "admin")
    boss = staff_member(client, rt, "Chen", "supervisor")
    year = "/api/v1/staff/holiday-years/2027"
    assert client.put(year, headers=boss.headers, json=NEW_YEAR_2027).status_code == 403
    assert client.get("/api/v1/staff/calendars", headers=boss.headers).status_code == 403
    both = NEW_YEAR_2027 | {"workdays": [{"name": "错", "date": "2027-01-02"}]}
    for label, path, body in [
        ("a day both off and on", year, both),
        (
            "a date of another year",
            year,
            NEW_YEAR_2027 | {"workdays": [{"name": "x", "date": "2028-01-02"}]},
        ),
        ("no source", year, NEW_YEAR_2027 | {"source": " "}),
        ("a year out of range", "/api/v1/staff/holiday-years/1999", NEW_YEAR_2027),
    ]:
        assert client.put(path, headers=admin.headers, json=body).status_code == 422, label
    hours = "/api/v1/staff/calendars/business/hours"
    overlap = client.put(
        hours, headers=admin.headers, json={"days": {"mon": "09:00-12:00, 11:00-18:00"}}
    )
    assert overlap.status_code == 422
    unknown = client.put(
        "/api/v1/staff/calendars/moon/hours", headers=admin.headers, json={"days": {}}
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_calendar"
    assert [y["year"] for y in calendars(client, admin)["years"]] == [2026]
