"""The home page (a landing page, or the signed-in account summary) and the in-app inbox."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.identity.profile import own_profile
from walletdesk.notify.inbox import list_inbox, mark_all_read
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.rendering import render
from walletdesk.web.session import MaybePageUser, PageUser

router = APIRouter(dependencies=[Depends(csrf_protected)], include_in_schema=False)


@router.get("/")
def home(request: Request, user: MaybePageUser, rt: RuntimeDep) -> Response:
    if user is None:
        return render(request, "landing.html")
    return render(request, "home.html", {"profile": own_profile(rt, user)})


@router.get("/notifications")
def notifications(request: Request, user: PageUser, rt: RuntimeDep) -> Response:
    """Opening the inbox reads it: the list shows what was new, then everything is marked read
    (so the unread badge clears)."""
    items = list_inbox(rt, user.user.id)
    if any(item.read_at is None for item in items):
        mark_all_read(rt, user.user.id)
    return render(request, "notifications.html", {"items": items})
