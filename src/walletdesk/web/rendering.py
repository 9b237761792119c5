"""One Jinja2 environment for every page, translated per request.

Templates use `_()` and `{% trans %}` (new-style gettext: placeholders are `%(name)s` and
values are escaped). The gettext callables read the catalog of the page being rendered from a
context variable, so one shared environment serves every language safely across threads.

The page language is, in order: `?lang=` (remembered in the `wd_locale` cookie), that cookie,
the signed-in user's profile language, the browser's Accept-Language, then zh-CN.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Final
from urllib.parse import urlencode

from babel.dates import format_date, format_time
from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from walletdesk.clock import as_utc
from walletdesk.i18n import (
    SUPPORTED_LOCALES,
    from_accept_language,
    is_supported,
    negotiate,
    normalise_locale,
    translate,
    translations,
)
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.masking import format_phone
from walletdesk.notify.inbox import unread_count
from walletdesk.web.cookies import (
    CSRF_COOKIE,
    FLASH_COOKIE,
    LOCALE_COOKIE,
    LOCALE_MAX_AGE,
    clear_cookie,
    runtime_of,
    set_cookie,
)
from walletdesk.web.flash import pending_flash

BEIJING: Final = timezone(timedelta(hours=8), "UTC+8")
"""Times are shown in China Standard Time (no daylight saving, so a fixed offset is exact)."""

_BABEL_LOCALES: Final = {"zh-CN": "zh_CN", "en": "en"}


@dataclass(frozen=True)
class _Page:
    locale: str
    catalog: Translations


_current: ContextVar[_Page] = ContextVar("walletdesk_page")


def _gettext(message: str) -> str:
    return _current.get().catalog.gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _current.get().catalog.ngettext(singular, plural, count)


def format_when(value: datetime | None) -> str:
    """A stored instant as a short local date and time in the page's language."""
    if value is None:
        return ""
    locale = _BABEL_LOCALES[_current.get().locale]
    instant = as_utc(value).astimezone(BEIJING)
    day = format_date(instant, "medium", locale=locale)
    return f"{day} {format_time(instant, 'short', locale=locale)}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("walletdesk.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        _gettext, _ngettext, newstyle=True
    )
    env.filters["when"] = format_when
    env.filters["phone"] = format_phone
    return env


ENVIRONMENT: Final = _environment()


def page_locale(request: Request) -> str:
    user: Authenticated | None = getattr(request.state, "page_user", None)
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LOCALE_COOKIE),
        user.user.locale if user else None,
        from_accept_language(request.headers.get("accept-language")),
    )


def _language_links(request: Request, page_path: str) -> dict[str, str]:
    """Links that show this page in each language (GET pages keep their query string)."""
    links = {}
    for locale in SUPPORTED_LOCALES:
        if request.method == "GET":
            query = dict(request.query_params)
            query["lang"] = locale
            links[locale] = f"{request.url.path}?{urlencode(query)}"
        else:
            links[locale] = f"{page_path}?{urlencode({'lang': locale})}"
    return links


def page_text(request: Request, message: str, **params: object) -> str:
    """Translate a page message (marked with `N_`) into the language of this request."""
    return translate(message, page_locale(request), **params)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render `template` in the request's language with what every page needs.

    `page_path` in the context names the GET page a POST result belongs to, for the language
    links. Page responses are never cached: they carry personal data and the CSRF token.
    """
    rt = runtime_of(request)
    locale = page_locale(request)
    request.state.locale = locale
    user: Authenticated | None = getattr(request.state, "page_user", None)
    flash = pending_flash(request, locale)
    extra = dict(context or {})
    page_path = str(extra.pop("page_path", request.url.path))
    values: dict[str, Any] = {
        "locale": locale,
        "user": user,
        "unread": unread_count(rt, user.user.id) if user else 0,
        "csrf_token": getattr(request.state, "csrf_token", None)
        or request.cookies.get(CSRF_COOKIE, ""),
        "is_dev": rt.settings.is_dev,
        "flash": flash,
        "page_path": page_path,
        "lang_links": _language_links(request, page_path),
    }
    values.update(extra)
    token = _current.set(_Page(locale, translations(locale)))
    try:
        html = ENVIRONMENT.get_template(template).render(values)
    finally:
        _current.reset(token)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Cache-Control"] = "no-store"
    if flash is not None or FLASH_COOKIE in request.cookies:
        clear_cookie(response, rt, FLASH_COOKIE)
    chosen = request.query_params.get("lang")
    if chosen and is_supported(chosen):
        set_cookie(response, rt, LOCALE_COOKIE, normalise_locale(chosen), max_age=LOCALE_MAX_AGE)
    return response
