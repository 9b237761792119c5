"""Every route declares who may call it; this walks them all."""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from starlette.routing import BaseRoute, Mount

from walletdesk.api.access import ACCESS_ATTRIBUTE


def rules_in(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    call: Callable[..., Any] | None = dependant.call
    if call is not None and hasattr(call, ACCESS_ATTRIBUTE):
        found.add(getattr(call, ACCESS_ATTRIBUTE))
    for sub in dependant.dependencies:
        found |= rules_in(sub)
    return found


def all_routes(app: FastAPI) -> Iterator[tuple[BaseRoute, Dependant | None, str]]:
    """(route, effective dependant, path) for every route, through included routers."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        dependant = (
            getattr(context, "dependant", None)
            if isinstance(route, APIRoute | APIWebSocketRoute)
            else None
        )
        yield route, dependant, str(context.path)


def test_every_route_has_an_access_rule(app: FastAPI) -> None:
    missing = []
    checked = 0
    for route, dependant, path in all_routes(app):
        checked += 1
        if isinstance(route, APIRoute | APIWebSocketRoute):
            assert dependant is not None
            if not rules_in(dependant):
                missing.append(path)
        elif isinstance(route, Mount):
            if not hasattr(route.app, ACCESS_ATTRIBUTE):
                missing.append(path)
        else:
            missing.append(f"{path} ({type(route).__name__} has no rule)")
    assert checked > 20
    assert missing == [], f"routes without an access rule: {missing}"


def test_a_route_has_exactly_one_kind_of_rule(app: FastAPI) -> None:
    for route, dependant, path in all_routes(app):
        if isinstance(route, APIRoute) and dependant is not None:
            rules = rules_in(dependant)
            assert len(rules) == 1, f"{path} declares {sorted(rules)}"


def test_the_walker_catches_a_route_without_a_rule(app: FastAPI) -> None:
    @app.get("/unguarded-for-this-test")
    def unguarded() -> dict[str, str]:
        return {}

    paths = [
        path
        for route, dep, path in all_routes(app)
        if isinstance(route, APIRoute) and dep is not None and not rules_in(dep)
    ]
    assert paths == ["/unguarded-for-this-test"]
