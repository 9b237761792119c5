"""Every page route and mount says who may use it (see walletdesk.api.access).

This FastAPI keeps included routers as branches in `app.routes`, so the walk goes through
`fastapi.routing.iter_route_contexts`, which yields each route with the dependencies of the
routers that include it.
"""

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
    """`"METHOD /path"` → the access rules found in its dependency tree."""
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


def test_every_route_and_mount_declares_an_access_rule(app: FastAPI) -> None:
    rules = _route_rules(app)
    assert "GET /security" in rules, "the walk reaches routes inside included routers"
    missing = [route for route, found in rules.items() if not found]
    mounts = [
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, Mount)
        and not hasattr(context.original_route.app, ACCESS_ATTRIBUTE)
    ]
    assert not missing + mounts


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
