"""Paying an order in a currency the payer may not hold (USD, HKD, EUR, JPY).

The payer's own wallet in the order currency pays as far as it goes; the rest is bought with
CNY at the current rate with its spread (`ledger.fx.convert_within`), in the same transaction
as the payment. So the conversion and the payment commit together or not at all, and the
merchant always receives exactly the order amount.

`plan` is both the preview shown on the order before paying and the recipe the payment
follows; the payer may send the previewed CNY amount back as `max_cny`, and a payment that
would now need more CNY (the rate moved) is refused instead of taking it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_UP, Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING

from walletdesk.ledger.accounts import wallet_code
from walletdesk.ledger.fx import convert_within, current_price
from walletdesk.ledger.fx_models import FxConversion
from walletdesk.ledger.fx_pricing import PIVOT, RATE_PLACES, exact_text
from walletdesk.ledger.money import Money
from walletdesk.merchants.errors import CnyAmountChanged

if TYPE_CHECKING:
    from walletdesk.identity.models import User
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


@dataclass(frozen=True)
class ForeignPlan:
    """How an amount in a foreign currency gets paid, at the rate in effect now."""

    from_wallet: Money
    """Taken from the payer's own wallet in the order currency."""
    bought: Money
    """The rest, bought with CNY (zero when the wallet covers everything)."""
    cny: Money
    """The CNY sold for `bought`: what the payer is shown before paying."""
    rate: str | None
    """Units of the order currency per CNY (the FX quotes' convention); None if none bought."""
    cny_per_unit: str | None
    """CNY per one unit of the order currency, for people; None if nothing is bought."""


def _cny_per_unit(per_unit: Fraction) -> str:
    with localcontext() as context:
        context.prec = 40
        inverse = Fraction(1) / per_unit
        exact = Decimal(inverse.numerator) / Decimal(inverse.denominator)
        return exact_text(exact.quantize(Decimal(1).scaleb(-RATE_PLACES), ROUND_UP))


def plan(rt: Runtime, uow: UnitOfWork, user_id: str, amount: Money) -> ForeignPlan:
    """The payer's wallet in `amount`'s currency first, the rest bought with CNY now.

    Raises `fx_rate_unavailable` when CNY is needed and no rate is set."""
    assert amount.currency != PIVOT
    wallet = uow.accounts.get_by_code(wallet_code(user_id, amount.currency))
    held = max(wallet.available, 0) if wallet is not None else 0
    from_wallet = Money(min(held, amount.minor), amount.currency)
    missing = amount - from_wallet
    if missing.minor == 0:
        return ForeignPlan(from_wallet, missing, Money.zero(PIVOT), None, None)
    price = current_price(rt, uow, PIVOT, amount.currency)
    return ForeignPlan(
        from_wallet=from_wallet,
        bought=missing,
        cny=price.sell_for(missing),
        rate=price.rate_text(),
        cny_per_unit=_cny_per_unit(price.per_unit),
    )


def buy_what_is_missing(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    payer: User,
    amount: Money,
    max_cny: Money | None,
    locale: str,
) -> tuple[ForeignPlan, FxConversion | None]:
    """Inside the payment's transaction (the caller holds `lock_payer`): post the conversion
    the plan needs, if any. Leaves the order-currency wallet holding at least `amount`."""
    chosen = plan(rt, uow, payer.id, amount)
    if not chosen.bought.minor:
        return chosen, None
    if max_cny is not None and chosen.cny.minor > max_cny.minor:
        raise CnyAmountChanged(cny=chosen.cny.format(locale), max_cny=max_cny.format(locale))
    conversion = convert_within(
        rt, uow, payer=payer, sell_currency=PIVOT, buy=chosen.bought, locale=locale
    )
    # Same rates, same transaction: the conversion costs exactly what the plan showed.
    assert conversion.sell == chosen.cny, (conversion.sell, chosen.cny)
    return chosen, conversion
