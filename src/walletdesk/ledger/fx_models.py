"""FX quotes and conversions as domain objects. No framework imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from walletdesk.ledger.money import Money

QUOTE_TTL = timedelta(seconds=30)


@dataclass
class FxQuote:
    """A price promised to one user for QUOTE_TTL: both amounts are fixed when it is made."""

    id: str
    user_id: str
    sell_currency: str
    buy_currency: str
    sell_amount: int
    buy_amount: int
    rate: str
    """Units of the buy currency per unit sold, as shown to the customer."""
    pricing: str
    """JSON: the rates (id, mid, spread) the price was made from, for audit and support."""
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    entry_id: str | None = None

    @property
    def sell(self) -> Money:
        return Money(self.sell_amount, self.sell_currency)

    @property
    def buy(self) -> Money:
        return Money(self.buy_amount, self.buy_currency)

    def is_expired(self, now: datetime) -> bool:
        """Expired from the 30th second on: `expires_at` itself is already too late."""
        return now >= self.expires_at


@dataclass(frozen=True)
class FxConversion:
    id: str
    """The journal entry's id: the conversion shows in history under it."""
    quote_id: str | None
    sell: Money
    buy: Money
    rate: str
    created_at: datetime
