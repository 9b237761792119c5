"""Currency exchange (换汇): the form with today's rates, a quote that holds for 30 seconds
(the page counts down; the service refuses an expired quote), then the conversion."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger import fx, fx_rates, wallets
from walletdesk.ledger.fx_pricing import exact_text
from walletdesk.ledger.money import SUPPORTED_CURRENCIES
from walletdesk.runtime import Runtime
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_once import new_form_key, run_once
from walletdesk.web.wallet_view import blank_form, form_failure, seconds_left, wallet_render

router = APIRouter(
    prefix="/wallet/convert", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_FIELDS: Final = ("sell_currency", "buy_currency", "sell_amount", "buy_amount")


def _values(
    sell_currency: str, buy_currency: str, sell_amount: str, buy_amount: str
) -> dict[str, str]:
    return {
        "sell_currency": text(sell_currency, 3).strip().upper() or "CNY",
        "buy_currency": text(buy_currency, 3).strip().upper() or "USD",
        "sell_amount": text(sell_amount, 32).strip(),
        "buy_amount": text(buy_amount, 32).strip(),
    }


def _form(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    form: FormState,
    exc: DomainError | None = None,
) -> Response:
    rates = [
        {
            "pair": f"{rate.base}/{rate.quote}",
            "buy": exact_text(rate.customer_buys_at()),
            "sell": exact_text(rate.customer_sells_at()),
        }
        for rate in fx_rates.rates_now(rt)
    ]
    context = {
        "currencies": SUPPORTED_CURRENCIES,
        "rates": rates,
        "balances": wallets.balances(rt, actor),
    }
    if exc is None:
        return wallet_render(request, "wallet/convert.html", {**context, "form": form})
    return form_failure(
        request, exc, "wallet/convert.html", context, fields=_FIELDS, values=form.values
    )


@router.get("")
def convert_page(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    sell_currency: str = "",
    buy_currency: str = "",
    sell_amount: str = "",
    buy_amount: str = "",
) -> Response:
    values = _values(sell_currency, buy_currency, sell_amount, buy_amount)
    return _form(request, rt, actor, blank_form(values))


@router.post("/quote")
def get_quote(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    sell_currency: FormText = "",
    buy_currency: FormText = "",
    sell_amount: FormText = "",
    buy_amount: FormText = "",
) -> Response:
    values = _values(sell_currency, buy_currency, sell_amount, buy_amount)
    try:
        quote = fx.create_quote(
            rt,
            actor,
            sell_currency=values["sell_currency"],
            buy_currency=values["buy_currency"],
            sell_amount=values["sell_amount"] or None,
            buy_amount=values["buy_amount"] or None,
        )
    except DomainError as exc:
        return _form(request, rt, actor, blank_form(values), exc)
    return wallet_render(
        request,
        "wallet/convert_quote.html",
        {
            "quote": quote,
            "values": values,
            "seconds_left": seconds_left(quote.expires_at, rt.clock.now()),
            "form_key": new_form_key(rt),
        },
    )


@router.post("/confirm")
def confirm_conversion(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    quote_id: FormText = "",
    form_key: FormText = "",
    sell_currency: FormText = "",
    buy_currency: FormText = "",
    sell_amount: FormText = "",
    buy_amount: FormText = "",
) -> Response:
    """Carry out the quote; the form's other fields only refill the form if it is refused."""
    values = _values(sell_currency, buy_currency, sell_amount, buy_amount)
    locale = page_locale(request)
    chosen = text(quote_id, 64).strip()
    try:
        url = run_once(
            rt,
            request,
            actor,
            key=form_key,
            values={"quote_id": chosen},
            locale=locale,
            operation=lambda record: fx.convert(
                rt, actor, quote_id=chosen, locale=locale, record=record
            ),
            result_url=lambda conversion: f"/wallet/transactions/{conversion.id}",
        )
    except DomainError as exc:
        return _form(request, rt, actor, blank_form(values), exc)
    return redirect(request, url, flash="converted")
