"""Every route declares who may call it, with one of these dependencies.

`tests/api/test_route_access.py` walks all routes and fails on any without a rule. The rule
sits on the dependency function as `access_rule`, so it shows wherever the route uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from walletdesk.api.deps import RuntimeDep, bearer_actor, client_ip
from walletdesk.errors import Forbidden, NotFound
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission

ACCESS_ATTRIBUTE = "access_rule"


def access_rule(rule: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        setattr(function, ACCESS_ATTRIBUTE, rule)
        return function

    return mark


@access_rule("public")
def public_access() -> None:
    """Anyone, signed in or not."""


@access_rule("dev_only")
def dev_only_access(rt: RuntimeDep) -> None:
    """Only in dev mode; the route does not exist in prod."""
    if not rt.settings.is_dev:
        raise NotFound()


@access_rule("authenticated")
def authenticated_access(rt: RuntimeDep, request: Request) -> Authenticated:
    return bearer_actor(rt, request, ip=client_ip(request))


def requires(permission: Permission) -> Callable[..., Authenticated]:
    @access_rule(f"permission:{permission.value}")
    def check(rt: RuntimeDep, request: Request) -> Authenticated:
        actor = bearer_actor(rt, request, ip=client_ip(request))
        if not has_permission(actor.roles, permission):
            raise Forbidden()
        return actor

    check.__name__ = f"requires_{permission.name.lower()}"
    return check


Public = Depends(public_access)
DevOnly = Depends(dev_only_access)
CurrentUser = Annotated[Authenticated, Depends(authenticated_access)]
