"""Rules every page keeps (issue 7, item 9): each form post is CSRF-checked and no template
carries inline script, inline style or event-handler attributes (the CSP forbids them)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

import walletdesk.web
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.pages import page_routers

TEMPLATES = Path(walletdesk.web.__file__).parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def _depends_on(dependant: Dependant, wanted: object) -> bool:
    return any(d.call is wanted or _depends_on(d, wanted) for d in dependant.dependencies)


def test_every_page_form_post_is_csrf_checked() -> None:
    posts = [
        (router, route)
        for router in page_routers()
        for route in router.routes
        if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(posts) > 50, "the walk finds the page forms"
    unchecked = [
        route.path
        for router, route in posts
        if not any(d.dependency is csrf_protected for d in router.dependencies)
        and not _depends_on(route.dependant, csrf_protected)
    ]
    assert unchecked == []


def test_the_template_rules_catch_what_they_forbid() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert INLINE_STYLE.search('<p style="color:red">')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert not EVENT_HANDLER.search('<button data-once class="button">')


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50
    found = []
    for template in templates:
        text = re.sub(r"{#.*?#}", "", template.read_text(encoding="utf-8"), flags=re.S)
        name = template.relative_to(TEMPLATES)
        for rule in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
            found += [f"{name}: {m.group(0)}" for m in rule.finditer(text)]
    assert found == []
