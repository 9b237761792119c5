"""Pages declare the right access rule (tests/api/test_route_access.py checks that every
route has one; these check which one the pages use)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from walletdesk.api.access import ACCESS_ATTRIBUTE


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _route_rules(app: FastAPI) -> dict[str, set[str]]:
    """`"METHOD /path"` → the access rules in its dependency tree (with those of the routers
    that include it: this FastAPI keeps included routers as branches of `app.routes`)."""
    found: dict[str, set[str]] = {}
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        rules = {
            getattr(call, ACCESS_ATTRIBUTE)
            for call in _calls(context.dependant)
            if hasattr(call, ACCESS_ATTRIBUTE)
        }
        for method in sorted(context.methods or ()):
            found[f"{method} {context.path}"] = rules
    return found


def test_signed_in_pages_use_the_page_rule(app: FastAPI) -> None:
    pages = {
        route: found
        for route, found in _route_rules(app).items()
        if route.split(" ")[1].startswith(("/security", "/notifications", "/logout"))
    }
    assert len(pages) >= 14
    assert all(found == {"authenticated_page"} for found in pages.values()), pages


def test_public_pages_and_the_dev_page_say_so(app: FastAPI) -> None:
    rules = _route_rules(app)
    for route in ("GET /", "GET /login", "POST /login", "POST /register", "POST /forgot"):
        assert rules[route] == {"public"}, route
    assert rules["GET /dev/outbox/page"] == {"dev_only"}
    static = [
        context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, Mount) and context.path == "/static"
    ]
    assert [getattr(mount.app, ACCESS_ATTRIBUTE) for mount in static] == ["public"]
