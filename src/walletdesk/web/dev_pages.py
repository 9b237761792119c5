"""Developer pages (dev mode only; the routes answer 404 in prod): what the SMS and email
simulators sent, and the current authenticator codes of the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from walletdesk.api.access import DevOnly
from walletdesk.api.deps import RuntimeDep
from walletdesk.demo import DEMO_PASSWORD, DEMO_STAFF, DEMO_USERS
from walletdesk.identity import totp
from walletdesk.notify.inbox import simulated_outbox
from walletdesk.web.rendering import render
from walletdesk.web.session import current_page_user

router = APIRouter(prefix="/dev", include_in_schema=False)


@dataclass(frozen=True)
class DemoCode:
    name: str
    login: str
    role: str
    code: str


@router.get("/outbox/page", dependencies=[DevOnly])
def outbox_page(request: Request, rt: RuntimeDep) -> Response:
    current_page_user(rt, request)  # for the header menu only; the page is for anyone in dev
    now = rt.clock.now()
    codes = [
        DemoCode(
            member.display_name, member.email, member.role, totp.code_at(member.totp_secret, now)
        )
        for member in DEMO_STAFF
    ]
    codes += [
        DemoCode(
            person.display_name,
            person.phone or person.email or "",
            "user",
            totp.code_at(person.totp_secret, now),
        )
        for person in DEMO_USERS
        if person.totp_secret
    ]
    return render(
        request,
        "dev_outbox.html",
        {
            "messages": simulated_outbox(rt),
            "codes": codes,
            "seconds_left": totp.STEP_SECONDS - int(now.timestamp()) % totp.STEP_SECONDS,
            "demo_password": DEMO_PASSWORD,
        },
    )
