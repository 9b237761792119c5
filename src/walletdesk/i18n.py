"""Translations and locale negotiation.

Message ids are English source strings; the zh-CN catalog translates them and the en catalog
may refine them. Catalogs live as `.po` files in `walletdesk/locale/` and are loaded through
Babel at start-up (no compile step to forget). `N_()` marks a string for extraction without
translating it: domain code raises errors with marked ids, and the edge (API, pages, outbox)
translates them into the reader's language.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Final

from babel import dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DEFAULT_LOCALE: Final = "zh-CN"
SUPPORTED_LOCALES: Final = ("zh-CN", "en")
_CATALOG_DIRS: Final = {"zh-CN": "zh_CN", "en": "en"}


DISPLAY_TIMEZONE: Final = "Asia/Shanghai"
"""Times shown to people are Beijing time; storage and APIs stay UTC."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark `message` for extraction; it is translated later, where the reader is known."""
    return message


class Text(str):
    """A msgid passed as a parameter; translated along with the message that carries it."""

    __slots__ = ()


def format_datetime(value: datetime, locale: str) -> str:
    """``2026年11月23日 17:00`` or ``Nov 23, 2026 17:00 Beijing time``."""
    zone = dates.get_timezone(DISPLAY_TIMEZONE)
    if normalise_locale(locale) == "zh-CN":
        return dates.format_datetime(value, "yyyy年M月d日 HH:mm", tzinfo=zone, locale="zh_CN")
    return dates.format_datetime(
        value, "MMM d, yyyy HH:mm 'Beijing time'", tzinfo=zone, locale="en"
    )


def _localise(value: object, locale: str) -> object:
    if isinstance(value, Text):
        return translations(locale).gettext(value)
    if isinstance(value, datetime):
        return format_datetime(value, locale)
    return value


PRIMARY_CATALOGS: Final = ("messages.po", "pages.po")
"""messages.po: domain, errors and notifications; pages.po: the templates. Any other `.po`
file in the folder (one per area, e.g. ``payments.po``) is merged in after them."""


@cache
def translations(locale: str) -> Translations:
    folder = _CATALOG_DIRS[normalise_locale(locale)]
    directory = resources.files("walletdesk") / "locale" / folder / "LC_MESSAGES"
    merged: Translations | None = None
    extra = sorted(
        entry.name
        for entry in directory.iterdir()
        if entry.name.endswith(".po") and entry.name not in PRIMARY_CATALOGS
    )
    for name in (*PRIMARY_CATALOGS, *extra):
        po_file = directory / name
        if not po_file.is_file():
            continue
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=folder)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        loaded = Translations(fp=buffer)
        merged = loaded if merged is None else merged.merge(loaded)
    return merged if merged is not None else Translations()


def translate(message: str, locale: str, **params: object) -> str:
    """Translate `message` and fill its placeholders (times and `Text` values localised too)."""
    text = translations(locale).gettext(message)
    if not params:
        return text
    return text.format(**{key: _localise(value, locale) for key, value in params.items()})


def normalise_locale(value: str | None) -> str:
    """Map any spelling (zh, zh_CN, zh-Hans-CN, en-US, EN) onto a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    lowered = value.strip().replace("_", "-").lower()
    if lowered.startswith("zh"):
        return "zh-CN"
    if lowered.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def is_supported(value: str | None) -> bool:
    if not value:
        return False
    lowered = value.strip().replace("_", "-").lower()
    return lowered.startswith(("zh", "en"))


def from_accept_language(header: str | None) -> str | None:
    """The best supported locale in an Accept-Language header, or None if none is supported."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        quality = 1.0
        for parameter in pieces[1:]:
            key, _, value = parameter.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0 and is_supported(tag):
            ranked.append((-quality, position, tag))
    if not ranked:
        return None
    ranked.sort()
    return normalise_locale(ranked[0][2])


def negotiate(*candidates: str | None) -> str:
    """The first supported candidate (explicit choice, profile, Accept-Language), else zh-CN."""
    for candidate in candidates:
        if is_supported(candidate):
            return normalise_locale(candidate)
    return DEFAULT_LOCALE
