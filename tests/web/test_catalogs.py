"""The page catalogs parse, and every text in the templates and web code is translated."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

WEB = Path(str(resources.files("walletdesk") / "web"))
LOCALE = Path(str(resources.files("walletdesk") / "locale"))
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalog(folder: str) -> Catalog:
    """pages.po with the per-area page catalogs (pages_<area>.po) merged in."""
    directory = LOCALE / folder / "LC_MESSAGES"
    with (directory / "pages.po").open("rb") as handle:
        catalog = read_po(handle, locale=folder)
    for extra in sorted(directory.glob("pages_*.po")):
        with extra.open("rb") as handle:
            for message in read_po(handle, locale=folder):
                if message.id:
                    catalog[message.id] = message
    return catalog


def _page_messages() -> set[str | tuple[str, ...]]:
    method_map = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found: set[str | tuple[str, ...]] = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, options, keywords):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


@pytest.mark.parametrize("folder", ["zh_CN", "en"])
def test_the_page_catalog_parses_with_a_proper_header(folder: str) -> None:
    catalog = _catalog(folder)
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == folder
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Plural-Forms" in headers
    assert catalog.project == "walletdesk"
    assert len(catalog) > 100


@pytest.mark.parametrize("folder", ["zh_CN", "en"])
def test_every_page_text_is_in_the_catalog(folder: str) -> None:
    catalog = _catalog(folder)
    missing = sorted(
        str(message)
        for message in _page_messages()
        if catalog.get(message if isinstance(message, str) else message[0]) is None
    )
    assert not missing, f"add these msgids to {folder}/pages.po: {missing}"


def test_every_page_text_has_a_chinese_translation_with_the_same_placeholders() -> None:
    catalog = _catalog("zh_CN")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = (
            [message.string] if isinstance(message.string, str) else list(message.string or ())
        )
        if not all(strings):
            problems.append(f"untranslated: {ids[0]}")
            continue
        wanted = set(_PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if set(_PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {ids[0]}")
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]}")
    assert not problems, problems
