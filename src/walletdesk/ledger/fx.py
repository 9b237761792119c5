"""Currency exchange between a user's own wallets (换汇): a quote that holds for 30 seconds,
then one journal entry of four postings through the platform's FX liquidity accounts.

`convert_within` is the reusable core: it prices and posts a conversion inside the caller's
unit of work, so a payment to a foreign-currency merchant can convert and pay in one
transaction (both commit or neither does).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.accounts import platform_account, wallet_account
from walletdesk.ledger.fx_models import QUOTE_TTL, FxConversion, FxQuote
from walletdesk.ledger.fx_pricing import Price, price
from walletdesk.ledger.fx_rates import current_rates
from walletdesk.ledger.guards import check_outgoing, lock_payer
from walletdesk.ledger.limits import cny_equivalent
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import Money, check_currency
from walletdesk.ledger.posting import post_entry
from walletdesk.randomness import new_id
from walletdesk.risk.models import MovementKind
from walletdesk.risk.screening import (
    Screened,
    check_screened,
    movement_of,
    record_posted,
    refusals,
    screen,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.identity.models import User
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.fx import FxQuoteRepository
    from walletdesk.storage.uow import UnitOfWork


def quote_repository(uow: UnitOfWork) -> FxQuoteRepository:
    # Imported here so this domain module does not pull SQLAlchemy in at import time.
    from walletdesk.storage.repositories.fx import FxQuoteRepository

    return FxQuoteRepository(uow.connection)


def current_price(rt: Runtime, uow: UnitOfWork, sell_currency: str, buy_currency: str) -> Price:
    return price(sell_currency, buy_currency, current_rates(uow, rt.clock.now()))


def _pricing_json(quoted: Price) -> str:
    return json.dumps(
        [
            {"pair": r.pair, "rate_id": r.id, "mid": r.mid, "spread_bps": r.spread_bps}
            for r in quoted.rates
        ]
    )


def amounts_for(
    quoted: Price, *, sell_amount: str | None, buy_amount: str | None
) -> tuple[Money, Money]:
    """(sell, buy) from exactly one of the two amounts; the other is computed."""
    if (sell_amount is None) == (buy_amount is None):
        raise ValidationFailed(
            "fx_amount_required",
            N_("Enter either the amount to sell or the amount to buy, not both."),
            field="sell_amount",
        )
    if sell_amount is not None:
        sell = Money.parse(sell_amount, quoted.sell_currency, field="sell_amount")
        return sell, quoted.buy_for(sell)
    assert buy_amount is not None
    buy = Money.parse(buy_amount, quoted.buy_currency, field="buy_amount")
    return quoted.sell_for(buy), buy


def create_quote(
    rt: Runtime,
    actor: Authenticated,
    *,
    sell_currency: str,
    buy_currency: str,
    sell_amount: str | None,
    buy_amount: str | None,
) -> FxQuote:
    """check_create_quote: fix a price for the actor for QUOTE_TTL. Nothing is reserved; the
    balance is checked when the quote is used."""
    sell_code = check_currency(sell_currency)
    buy_code = check_currency(buy_currency)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        quoted = current_price(rt, uow, sell_code, buy_code)
        sell, buy = amounts_for(quoted, sell_amount=sell_amount, buy_amount=buy_amount)
        quote = FxQuote(
            id=new_id(rt.random, "fxq"),
            user_id=actor.user.id,
            sell_currency=sell_code,
            buy_currency=buy_code,
            sell_amount=sell.minor,
            buy_amount=buy.minor,
            rate=quoted.rate_text(),
            pricing=_pricing_json(quoted),
            created_at=now,
            expires_at=now + QUOTE_TTL,
        )
        quote_repository(uow).add(quote)
        uow.commit()
    return quote


def _quote_not_found() -> NotFound:
    return NotFound(
        "quote_not_found",
        N_("We could not find this quote. Please get a new quote."),
        field="quote_id",
    )


def _quote_used() -> Conflict:
    return Conflict("quote_used", N_("This quote has already been used. Please get a new quote."))


def convert(
    rt: Runtime,
    actor: Authenticated,
    *,
    quote_id: str,
    locale: str,
    record: Callable[[UnitOfWork, FxConversion], None] | None = None,
) -> FxConversion:
    """check_convert: carry out the actor's quote, once, before it expires.

    Someone else's quote is "not found", like a missing one. `record` runs inside the
    transaction just before commit (the idempotency layer stores the response there).

    The risk engine assesses the conversion before it posts (`screen_conversion`)."""
    now = rt.clock.now()
    with refusals(rt), rt.db.uow() as uow:
        quotes = quote_repository(uow)
        # Row lock first, so a second conversion of this quote waits and then sees it used.
        quote = quotes.get(quote_id, for_update=True)
        if quote is None or quote.user_id != actor.user.id:
            raise _quote_not_found()
        if quote.used_at is not None:
            raise _quote_used()
        if quote.is_expired(now):
            raise Conflict(
                "quote_expired",
                N_("This quote expired at {expired_at}. Rates move, so please get a new quote."),
                expired_at=quote.expires_at,
            )
        payer = lock_payer(uow, actor.user.id)
        screened = screen_conversion(rt, uow, actor, quote_id=quote.id, sell=quote.sell)
        conversion = post_conversion(
            rt,
            uow,
            payer=payer,
            sell=quote.sell,
            buy=quote.buy,
            rate=quote.rate,
            quote_id=quote.id,
            locale=locale,
        )
        if not quotes.mark_used(quote.id, at=now, entry_id=conversion.id):
            raise _quote_used()
        if screened is not None:
            record_posted(uow, screened)
        if record is not None:
            record(uow, conversion)
        uow.commit()
    return conversion


def screen_conversion(
    rt: Runtime, uow: UnitOfWork, actor: Authenticated, *, quote_id: str, sell: Money
) -> Screened | None:
    """Assess an exchange of the user's own money (the movement id is the quote's). It is
    never held — a quote lives seconds and nothing leaves the user — so anything but an
    approval raises `RefusedByRisk` (`fx_declined`, `fx_needs_review`, step-up); a freeze
    decision freezes the wallet as it refuses. None when screening is off.

    A conversion inside a merchant payment (`convert_within`) is not assessed on its own:
    the payment it serves is."""
    if not rt.settings.risk_screen_transfers:
        return None
    movement = movement_of(
        rt,
        uow,
        kind=MovementKind.FX,
        sender_id=actor.user.id,
        receiver_id=None,
        amount=sell,
        cny_amount=cny_equivalent(uow, sell, rt.clock.now()),
        device_id=actor.session.device_id,
        ip=actor.session.ip,
        movement_id=quote_id,
    )
    return check_screened(screen(rt, uow, movement))


def convert_within(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    payer: User,
    sell_currency: str,
    buy: Money,
    locale: str,
) -> FxConversion:
    """do_convert for other services: buy exactly `buy` for the payer with their
    `sell_currency` wallet at the current rate, inside the caller's unit of work and without
    a stored quote (the caller shows the price and commits).

    Meant for paying a foreign-currency merchant: convert the missing amount, then post the
    payment in the same transaction. The caller holds `lock_payer(uow, payer.id)`."""
    quoted = current_price(rt, uow, check_currency(sell_currency), buy.currency)
    return post_conversion(
        rt,
        uow,
        payer=payer,
        sell=quoted.sell_for(buy),
        buy=buy,
        rate=quoted.rate_text(),
        quote_id=None,
        locale=locale,
    )


def post_conversion(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    payer: User,
    sell: Money,
    buy: Money,
    rate: str,
    quote_id: str | None,
    locale: str,
) -> FxConversion:
    """Post one FX entry: the payer's `sell` wallet pays the FX liquidity account of that
    currency, and the liquidity account of the `buy` currency pays the payer's `buy` wallet
    (created on first use). Frozen wallets were refused by `lock_payer`; limits count the
    amount sold, at its CNY equivalent (see ledger.limits)."""
    check_outgoing(rt, uow, payer, sell, locale=locale)
    source = wallet_account(rt, uow, payer.id, sell.currency)
    target = wallet_account(rt, uow, payer.id, buy.currency)
    liquidity_in = platform_account(rt, uow, AccountKind.FX_LIQUIDITY, sell.currency)
    liquidity_out = platform_account(rt, uow, AccountKind.FX_LIQUIDITY, buy.currency)
    # Each currency balances on its own (−S +S, −B +B), so the spread and the rounding residue
    # (buy rounded down, sell rounded up) are not a posting of their own: they stay in the
    # FX liquidity accounts, which took S but gave only B, worth a little less than S at the
    # mid rate. That difference is the house's, realised when treasury squares the liquidity
    # positions with the bank; no customer wallet ever holds a fraction of a minor unit.
    posted = post_entry(
        rt,
        uow,
        kind=EntryKind.FX,
        actor_id=payer.id,
        locale=locale,
        legs=[
            Leg(source.id, -sell.minor, sell.currency),
            Leg(liquidity_in.id, sell.minor, sell.currency),
            Leg(liquidity_out.id, -buy.minor, buy.currency),
            Leg(target.id, buy.minor, buy.currency),
        ],
        description=f"FX {sell.currency} to {buy.currency}",
        details={
            "quote_id": quote_id,
            "sell": sell.to_string(),
            "sell_currency": sell.currency,
            "buy": buy.to_string(),
            "buy_currency": buy.currency,
            "rate": rate,
        },
    )
    return FxConversion(
        id=posted.entry.id,
        quote_id=quote_id,
        sell=sell,
        buy=buy,
        rate=rate,
        created_at=posted.entry.created_at,
    )
