"""Every page route and mount says who may use it (see walletdesk.api.access)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import Mount

from walletdesk.api.access import ACCESS_ATTRIBUTE


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _rules(route: APIRoute) -> set[str]:
    return {
        getattr(call, ACCESS_ATTRIBUTE)
        for call in _calls(route.dependant)
        if hasattr(call, ACCESS_ATTRIBUTE)
    }


def test_every_route_and_mount_declares_an_access_rule(app: FastAPI) -> None:
    missing = []
    for route in app.routes:
        if isinstance(route, APIRoute) and not _rules(route):
            missing.append(route.path)
        if isinstance(route, Mount) and not hasattr(route.app, ACCESS_ATTRIBUTE):
            missing.append(route.path)
    assert not missing, missing


def test_signed_in_pages_use_the_page_rule(app: FastAPI) -> None:
    pages = {
        route.path: _rules(route)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith(("/security", "/notif"))
    }
    assert pages
    assert all(rules == {"authenticated_page"} for rules in pages.values()), pages


def test_the_dev_page_is_dev_only(app: FastAPI) -> None:
    rules = next(
        _rules(route)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path == "/dev/outbox/page"
    )
    assert rules == {"dev_only"}
