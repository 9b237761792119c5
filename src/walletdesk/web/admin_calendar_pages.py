"""Business hours and holiday calendars (/console/admin/calendars): each calendar's weekly
opening hours with a form to change them, and the public holidays and make-up working days
(调休) of every configured year with a form to add or correct a year. Parsing, validating,
storing and auditing is `support.calendar_admin`'s (and `support.holidays`'); SLA clocks
count business time on what they store."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import calendar_admin
from walletdesk.support.holidays import WEEKDAYS
from walletdesk.web.admin_config_view import ConfigAdmin, admin_render, failed, staff_actor
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console/admin/calendars",
    dependencies=[Depends(csrf_protected)],
    include_in_schema=False,
)

PAGE: Final = "/console/admin/calendars"
DAY_NAMES: Final = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
HOURS_FIELDS: Final = (*WEEKDAYS, "makeup_day")
YEAR_FIELDS: Final = ("year", "source", "holidays", "workdays")
LINES_MAX = 4000


def _year_form(rt: Runtime, year: str) -> FormState:
    wanted = text(year, 4)
    for shown in calendar_admin.years_view(rt):
        if str(shown.year.year) == wanted:
            holidays, workdays = calendar_admin.holidays_as_text(shown.year)
            return FormState(
                values={
                    "year": wanted,
                    "source": shown.year.source,
                    "holidays": holidays,
                    "workdays": workdays,
                }
            )
    return FormState(values={"year": wanted, "source": "", "holidays": "", "workdays": ""})


def _page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    *,
    year_form: FormState,
    hours_key: str | None = None,
    hours_form: FormState | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    calendars = calendar_admin.calendars_view(rt)
    forms = {
        shown.key: hours_form
        if shown.key == hours_key and hours_form is not None
        else FormState(values={**shown.days, "makeup_day": shown.makeup_day})
        for shown in calendars
    }
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/calendar_settings.html",
        "calendars",
        {
            "calendars": calendars,
            "hours_forms": forms,
            "years": calendar_admin.years_view(rt),
            "year_form": year_form,
            "weekdays": WEEKDAYS,
            "day_names": DAY_NAMES,
            "page_path": PAGE,
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def calendar_settings(
    request: Request, auth: ConfigAdmin, rt: RuntimeDep, year: str = ""
) -> Response:
    """`?year=2027` fills the holiday form with that year, to correct it (or start it)."""
    return _page(request, rt, auth, year_form=_year_form(rt, year))


@router.post("/{key}/hours")
def set_hours(
    key: str,
    request: Request,
    auth: ConfigAdmin,
    rt: RuntimeDep,
    mon: FormText = "",
    tue: FormText = "",
    wed: FormText = "",
    thu: FormText = "",
    fri: FormText = "",
    sat: FormText = "",
    sun: FormText = "",
    makeup_day: FormText = "",
) -> Response:
    key = key[:32]
    days = {
        d: text(v, 200) for d, v in zip(WEEKDAYS, (mon, tue, wed, thu, fri, sat, sun), strict=True)
    }
    values = {**days, "makeup_day": text(makeup_day, 200)}
    try:
        calendar_admin.set_business_hours(
            rt, staff_actor(request, auth), calendar=key, days=days, makeup_day=values["makeup_day"]
        )
    except DomainError as exc:
        form, status, headers = failed(request, exc, values, HOURS_FIELDS)
        return _page(
            request,
            rt,
            auth,
            year_form=_year_form(rt, ""),
            hours_key=key,
            hours_form=form,
            status_code=status,
            headers=headers,
        )
    return redirect(request, PAGE, flash="admin_hours_saved")


@router.post("/holidays")
def set_holidays(
    request: Request,
    auth: ConfigAdmin,
    rt: RuntimeDep,
    year: FormText = "",
    source: FormText = "",
    holidays: FormText = "",
    workdays: FormText = "",
) -> Response:
    values = {
        "year": text(year, 4),
        "source": text(source, 500),
        "holidays": text(holidays, LINES_MAX),
        "workdays": text(workdays, LINES_MAX),
    }
    try:
        saved = calendar_admin.set_holidays_from_form(rt, staff_actor(request, auth), **values)
    except DomainError as exc:
        form, status, headers = failed(request, exc, values, YEAR_FIELDS)
        return _page(request, rt, auth, year_form=form, status_code=status, headers=headers)
    return redirect(request, f"{PAGE}?year={saved.year}", flash="admin_holidays_saved")
