"""The wallet's home: balances per currency (available and held), quick actions, the latest
movements, and the first-run tour for a new user."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.banking import cards
from walletdesk.banking.models import CardStatus
from walletdesk.ledger import transfers, wallets
from walletdesk.risk import held_transfers
from walletdesk.web.cookies import runtime_of, set_cookie
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_view import wallet_render

router = APIRouter(
    prefix="/wallet", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

TOUR_COOKIE: Final = "wd_tour"
"""Holds the id of the user who closed the first-run tour in this browser."""
TOUR_MAX_AGE: Final = 400 * 24 * 3600
RECENT: Final = 5


@router.get("")
def wallet_home(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    recent = wallets.history_page(
        rt, actor, cursor=None, limit=RECENT, filters=wallets.HistoryFilter()
    ).items[:RECENT]
    active_cards = [c for c in cards.list_cards(rt, actor) if c.status == CardStatus.ACTIVE]
    tour_closed = request.cookies.get(TOUR_COOKIE) == actor.user.id
    under_review = [
        (held, transfers.preview_recipient(rt, actor, held.recipient_wallet).masked_name)
        for held in held_transfers.held_transfers_of(rt, actor)
    ]
    return wallet_render(
        request,
        "wallet/home.html",
        {
            "balances": wallets.balances(rt, actor),
            "limits": wallets.limits_left(rt, actor),
            "recent": recent,
            "has_card": bool(active_cards),
            "under_review": under_review,
            # New users (nothing in their history yet) get the tour until they close it.
            "show_tour": not recent and not under_review and not tour_closed,
        },
    )


@router.post("/tour/dismiss")
def dismiss_tour(request: Request, actor: PageUser) -> Response:
    response = redirect(request, "/wallet", flash="tour_done")
    set_cookie(response, runtime_of(request), TOUR_COOKIE, actor.user.id, max_age=TOUR_MAX_AGE)
    return response
