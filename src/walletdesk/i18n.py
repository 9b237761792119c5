"""Translations and locale negotiation.

Message ids are English source strings; the zh-CN catalog translates them and the en catalog
may refine them. Catalogs live as `.po` files in `walletdesk/locale/` and are loaded through
Babel at start-up (no compile step to forget). `N_()` marks a string for extraction without
translating it: domain code raises errors with marked ids, and the edge (API, pages, outbox)
translates them into the reader's language.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DEFAULT_LOCALE: Final = "zh-CN"
SUPPORTED_LOCALES: Final = ("zh-CN", "en")
_CATALOG_DIRS: Final = {"zh-CN": "zh_CN", "en": "en"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark `message` for extraction; it is translated later, where the reader is known."""
    return message


CATALOG_FILES: Final = ("messages.po", "pages.po")
"""messages.po: domain, errors and notifications; pages.po: the templates."""


@cache
def translations(locale: str) -> Translations:
    folder = _CATALOG_DIRS[normalise_locale(locale)]
    directory = resources.files("walletdesk") / "locale" / folder / "LC_MESSAGES"
    merged: Translations | None = None
    for name in CATALOG_FILES:
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
    text = translations(locale).gettext(message)
    return text.format(**params) if params else text


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
