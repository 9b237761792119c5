"""Paying a merchant's order (`/pay/{order_id}`, the link or QR code the merchant shows):
the merchant, the amount, a coupon, the wallet balance or a bank card, and for an order in
another currency the CNY it takes now; then a confirmation step, then the order's status
(which follows a card charge until the bank answers)."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from walletdesk.api.deps import RuntimeDep
from walletdesk.banking import cards
from walletdesk.banking.models import Card, CardStatus
from walletdesk.banking.operations import CARD_CURRENCY
from walletdesk.banking.reasons import explain
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger.fx_pricing import PIVOT
from walletdesk.ledger.idempotency import ResponseRecord
from walletdesk.ledger.money import Money
from walletdesk.merchants import card_payments, coupons, payments
from walletdesk.merchants.models import Coupon
from walletdesk.runtime import Runtime
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_once import new_form_key, run_once
from walletdesk.web.wallet_view import blank_form, form_failure, wallet_render

router = APIRouter(prefix="/pay", dependencies=[Depends(csrf_protected)], include_in_schema=False)

BALANCE: Final = "balance"
_FIELDS: Final = ("coupon_id", "method")
_ID_MAX: Final = 40


def _coupons_for(rt: Runtime, actor: Authenticated, currency: str) -> list[Coupon]:
    now = rt.clock.now()
    return [
        coupon
        for coupon in coupons.coupons_of(rt, actor)
        if coupon.currency == currency and coupon.state_at(now) == "available"
    ]


def _cards_for(rt: Runtime, actor: Authenticated, currency: str) -> list[Card]:
    """Bound cards can pay renminbi orders (debit or credit)."""
    if currency != CARD_CURRENCY:
        return []
    return [c for c in cards.list_cards(rt, actor) if c.status == CardStatus.ACTIVE]


def _order_page(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    order_id: str,
    form: FormState,
    exc: DomainError | None = None,
) -> Response:
    view = payments.order_for_payer(rt, actor, order_id[:_ID_MAX])
    order = view.order
    charge = view.charge
    reason = None
    if charge is not None and charge.operation.reason_code:
        reason = explain(charge.operation.reason_code, page_locale(request))
    context = {
        "view": view,
        "amount": Money(order.amount, order.currency),
        "coupons": _coupons_for(rt, actor, order.currency),
        "cards": _cards_for(rt, actor, order.currency),
        "reason": reason,
        "foreign": order.currency != PIVOT,
        "poll_url": f"/pay/{order.id}/status" if view.state == "paying" else None,
    }
    if exc is None:
        return wallet_render(request, "wallet/pay.html", {**context, "form": form})
    return form_failure(
        request,
        exc,
        "wallet/pay.html",
        context,
        fields=_FIELDS,
        values=form.values,
        aliases={"card_id": "method", "coupon_not_found": "coupon_id"},
    )


@router.get("")
def find_order(request: Request, actor: PageUser, order: str = "") -> Response:
    """The home page's "pay an order" box: the order number, or the whole payment link."""
    order_id = order.strip().rstrip("/").rsplit("/", 1)[-1][:_ID_MAX]
    return redirect(request, f"/pay/{order_id}" if order_id else "/wallet")


@router.get("/{order_id}")
def order_page(
    order_id: str,
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    coupon_id: str = "",
    method: str = "",
) -> Response:
    """The order; `coupon_id` and `method` bring back what the payer chose when they come
    from the review page's "Change or cancel"."""
    chosen = _values(coupon_id, method, "")
    del chosen["max_cny"]
    return _order_page(request, rt, actor, order_id, blank_form(chosen))


def _values(coupon_id: str, method: str, max_cny: str) -> dict[str, str]:
    return {
        "coupon_id": text(coupon_id, _ID_MAX).strip(),
        "method": text(method, _ID_MAX).strip() or BALANCE,
        "max_cny": text(max_cny, 32).strip(),
    }


def _pick_card(choices: list[Card], chosen: str) -> Card:
    for card in choices:
        if card.id == chosen:
            return card
    raise ValidationFailed("card_required", N_("Choose one of your bank cards."), field="method")


def _pick_coupon(choices: list[Coupon], chosen: str) -> Coupon:
    for coupon in choices:
        if coupon.id == chosen:
            return coupon
    raise ValidationFailed(
        "coupon_required", N_("Choose one of your coupons, or none."), field="coupon_id"
    )


def _max_cny(value: str) -> Money | None:
    """The CNY the payer agreed to for a foreign-currency order (shown with the order)."""
    return Money.parse(value, PIVOT, field="max_cny") if value else None


@router.post("/{order_id}/review")
def review_payment(
    order_id: str,
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    coupon_id: FormText = "",
    method: FormText = "",
    max_cny: FormText = "",
) -> Response:
    values = _values(coupon_id, method, max_cny)
    view = payments.order_for_payer(rt, actor, order_id[:_ID_MAX])
    order = view.order
    try:
        if view.state != "pending":
            raise payments.not_payable(order, rt.clock.now())
        card = (
            _pick_card(_cards_for(rt, actor, order.currency), values["method"])
            if values["method"] != BALANCE
            else None
        )
        coupon = (
            _pick_coupon(_coupons_for(rt, actor, order.currency), values["coupon_id"])
            if values["coupon_id"]
            else None
        )
        limit = _max_cny(values["max_cny"])
    except DomainError as exc:
        return _order_page(request, rt, actor, order_id, blank_form(values), exc)
    return wallet_render(
        request,
        "wallet/pay_review.html",
        {
            "view": view,
            "amount": Money(order.amount, order.currency),
            "card": card,
            "coupon": coupon,
            "max_cny": limit,
            "values": values,
            "form_key": new_form_key(rt),
        },
    )


@router.post("/{order_id}/confirm")
def confirm_payment(
    order_id: str,
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    coupon_id: FormText = "",
    method: FormText = "",
    max_cny: FormText = "",
    form_key: FormText = "",
) -> Response:
    values = _values(coupon_id, method, max_cny)
    order_id = order_id[:_ID_MAX]
    locale = page_locale(request)
    coupon = values["coupon_id"] or None

    def operation(record: ResponseRecord[payments.OrderView]) -> payments.OrderView:
        if values["method"] != BALANCE:
            return card_payments.pay_by_card(
                rt,
                actor,
                order_id,
                card_id=values["method"],
                coupon_id=coupon,
                key=form_key,
                locale=locale,
                record=record,
            )
        limit = _max_cny(values["max_cny"])
        return payments.pay(
            rt,
            actor,
            order_id,
            coupon_id=coupon,
            max_cny=limit,
            locale=locale,
            record=record,
        )

    try:
        url = run_once(
            rt,
            request,
            actor,
            key=form_key,
            values=values,
            locale=locale,
            operation=operation,
            result_url=lambda view: f"/pay/{view.order.id}",
        )
    except DomainError as exc:
        return _order_page(request, rt, actor, order_id, blank_form(values), exc)
    return redirect(request, url)


@router.get("/{order_id}/status")
def payment_status(order_id: str, actor: PageUser, rt: RuntimeDep) -> JSONResponse:
    """What the order page polls while a card charge is with the bank."""
    view = payments.order_for_payer(rt, actor, order_id[:_ID_MAX])
    return JSONResponse({"status": view.state}, headers={"Cache-Control": "no-store"})
