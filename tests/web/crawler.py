"""A small same-origin crawler for the page tests: it starts at a page, follows every link a
person could click (GET only), visits each page once (one URL per path and set of query names:
see `family`) and reports what is wrong with it.

What counts as wrong:
- a server error (5xx) on any page or download a link leads to;
- a page in the wrong language (`<html lang>` is not the one asked for);
- an untranslated message showing in the text a person reads (text nodes and the attributes
  a screen reader or a tooltip shows), in one of these forms:
  * on a Chinese page, an English msgid of the catalogs that zh-CN translates, verbatim
    (only msgids of two words or more: single words such as "English" or "OK" also occur as
    names and data);
  * a placeholder that was never filled (`%(name)s`, `{name}`);
  * a bare code as the whole text of an element: a dotted event or message code
    (`csat.rated`), or a code the package defines (a value of one of its string enums, such as
    a case status `waiting_on_customer`, or an error code): what a template shows when its
    look-up of a translated name falls through. Text inside `<code>`, `<kbd>`, `<samp>` and
    `<pre>` is meant to be read as code (rule files, placeholder names) and is skipped.

English pages are not searched for Chinese: what people wrote (chat messages, notices sent in
the customer's language) is shown as written, and an untranslated message on an English page is
its English msgid anyway. The developer pages under `/dev/` show raw outbox messages and role
codes on purpose; they are checked for server errors only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

SKIP_PATHS = ("/logout", "/static/")
"""Links never followed: signing out ends the crawl's session (and is a POST anyway); static
files are no pages."""
RAW_PAGES = ("/dev/",)
"""Pages checked for server errors only (see the module's docstring)."""

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{[a-z_][a-z0-9_]*\}")
_DOTTED = re.compile(r"[a-z][a-z_]*(?:\.[a-z][a-z_]*)+")
_NOT_CODES = ("com", "cn", "org", "net", "example", "csv", "png", "json", "html")
_ERROR_CODE = re.compile(
    r"(?:Error|Failed|NotFound|Conflict|Forbidden|Required|Locked|Limited)\(\s*\"([a-z][a-z0-9_]+)\""
)
_SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_CODE_ELEMENTS = ("code", "kbd", "samp", "pre")
_SILENT_ELEMENTS = ("script", "style", "template", "textarea")
_VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source")


class _Page(HTMLParser):
    """The links, the language and the readable text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.lang: str | None = None
        self.texts: list[str] = []
        self.element_texts: list[str] = []
        self._stack: list[str] = []
        self._chunks: list[list[str]] = []
        self._foreign: list[bool] = []

    def _inside(self, names: tuple[str, ...]) -> bool:
        return any(name in names for name in self._stack)

    def _quoted(self) -> bool:
        """Inside an element marked as another language (`lang="en"` on a Chinese page: an
        English passage quoted on purpose, such as the English version in an editor)."""
        return any(self._foreign)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = found.get("lang")
        if tag == "a" and "href" in found:  # downloads too: a CSV export must not fail
            self.links.append(found["href"])
        foreign = tag != "html" and bool(found.get("lang")) and found.get("lang") != self.lang
        if not (foreign or self._quoted()):
            for name in _SHOWN_ATTRIBUTES:
                if found.get(name):
                    self.texts.append(found[name])
            if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
                self.texts.append(found["value"])
        if tag not in _VOID:
            self._stack.append(tag)
            self._chunks.append([])
            self._foreign.append(foreign)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return
        while self._stack:
            name = self._stack.pop()
            self._foreign.pop()
            chunk = " ".join(" ".join(self._chunks.pop()).split())
            if chunk and name not in _CODE_ELEMENTS:
                self.element_texts.append(chunk)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._inside(_SILENT_ELEMENTS) or self._inside(_CODE_ELEMENTS) or self._quoted():
            return
        if data.strip():
            self.texts.append(data)
            if self._chunks:
                self._chunks[-1].append(data)


def _fragments(text: str, minimum: int) -> Iterator[str]:
    for piece in _PLACEHOLDER.split(text):
        piece = " ".join(piece.split())
        if len(piece) >= minimum:
            yield piece


@cache
def english_msgids() -> tuple[str, ...]:
    """Literal fragments (placeholders cut out, two words or more) of the English msgids that
    the zh_CN catalogs translate: all of them, merged as at run time."""
    folder = resources.files("walletdesk") / "locale" / "zh_CN" / "LC_MESSAGES"
    english: set[str] = set()
    for entry in folder.iterdir():
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as handle:
            catalog = read_po(handle, locale="zh_CN")
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not any(strings) or strings[0] == msgid:
                continue
            english.update(
                piece
                for piece in _fragments(msgid, 8)
                if " " in piece and re.search("[a-z]", piece)
            )
    return tuple(sorted(english))


def _enum_values(kind: type[StrEnum]) -> Iterator[str]:
    for sub in kind.__subclasses__():
        if sub.__module__.startswith("walletdesk."):
            yield from (str(member.value) for member in sub)
        yield from _enum_values(sub)


@cache
def known_codes() -> frozenset[str]:
    """Codes of the package that have a translated name somewhere: string-enum values with an
    underscore (a single word such as "open" is also plain English) and error codes."""
    source = Path(str(resources.files("walletdesk")))
    errors = {
        code
        for path in source.rglob("*.py")
        for code in _ERROR_CODE.findall(path.read_text(encoding="utf-8"))
    }
    return frozenset(
        code
        for code in {*_enum_values(StrEnum), *errors}
        if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", code)
    )


def _bare_code(chunk: str) -> bool:
    if chunk in known_codes():
        return True
    return bool(_DOTTED.fullmatch(chunk)) and chunk.rsplit(".", 1)[1] not in _NOT_CODES


def problems_in(html: str, locale: str) -> tuple[list[str], list[str]]:
    """(what is wrong with this page, the links on it)."""
    page = _Page()
    page.feed(html)
    page.close()
    found: list[str] = []
    if page.lang != locale:
        found.append(f'<html lang="{page.lang}"> instead of {locale}')
    text = "\n".join(" ".join(chunk.split()) for chunk in page.texts)
    if locale == "zh-CN":
        found.extend(
            f"English text on a Chinese page: {msgid!r}"
            for msgid in english_msgids()
            if _whole_words_in(msgid, text)
        )
    found.extend(f"unfilled placeholder: {hole!r}" for hole in set(_PLACEHOLDER.findall(text)))
    found.extend(
        f"bare code: {chunk!r}" for chunk in sorted(set(page.element_texts)) if _bare_code(chunk)
    )
    return found, page.links


def _whole_words_in(phrase: str, text: str) -> bool:
    """`phrase` occurs in `text` and is not part of a longer word at either end."""
    start = text.find(phrase)
    while start >= 0:
        before = text[start - 1] if start else " "
        end = start + len(phrase)
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or after.isalnum()):
            return True
        start = text.find(phrase, start + 1)
    return False


def family(url: str) -> str:
    """Pages that differ only in the values of their query (the bill of another month, the
    inbox with another filter) are one page to the crawler: calendars link on forever."""
    parts = urlsplit(url)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return parts.path + ("?" + "&".join(names) if names else "")


def page_key(href: str, base: str) -> str | None:
    """The URL to visit for a link on `base` (path and query, without `lang` or the fragment),
    or None when the link leaves the site, is not HTTP, or is skipped."""
    absolute = urljoin(base, href)
    parts = urlsplit(absolute)
    origin = urlsplit(base)
    if parts.scheme not in ("http", "https") or parts.netloc != origin.netloc:
        return None
    if parts.path.startswith(SKIP_PATHS) or parts.path == "/logout":
        return None
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang")
    return parts.path + (f"?{urlencode(query)}" if query else "")


@dataclass
class Crawl:
    """What one crawl found: the pages visited (with their status) and the problems."""

    visited: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def crawl(
    client: TestClient,
    start: str,
    locale: str,
    *,
    limit: int = 400,
    base: str = "https://testserver",
) -> Crawl:
    """Visit every page reachable from `start` by links, breadth first, in `locale` (set once
    with `?lang=`, which the site remembers in a cookie; links keep no `lang`)."""
    result = Crawl()
    first = client.get(f"{start}{'&' if '?' in start else '?'}lang={locale}")
    assert first.status_code < 500, f"{start}: {first.status_code}"
    queue = [start]
    seen = {family(start)}
    while queue:
        path = queue.pop(0)
        if len(result.visited) >= limit:
            result.problems.append(f"more than {limit} pages from {start}; next: {queue[:10]}")
            break
        response = client.get(path, follow_redirects=True)
        result.visited[path] = response.status_code
        if response.status_code >= 500:
            result.problems.append(f"{path}: HTTP {response.status_code}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        if path.startswith(RAW_PAGES):
            continue
        problems, links = problems_in(response.text, locale)
        result.problems.extend(f"{path} [{locale}]: {problem}" for problem in problems)
        here = str(response.url)
        for href in links:
            key = page_key(href, here if here.startswith(base) else base + path)
            if key is not None and family(key) not in seen:
                seen.add(family(key))
                queue.append(key)
    return result
