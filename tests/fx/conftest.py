"""Round illustrative rates for the FX tests: customers buy USD at 7.236 and sell at 7.164
(mid 7.2, 50 bps), buy JPY at 0.0505 and sell at 0.0495 (mid 0.05, 100 bps)."""

import pytest

from walletdesk.audit.services import Actor
from walletdesk.ledger.fx_rates import set_rate
from walletdesk.runtime import Runtime


@pytest.fixture
def priced(rt: Runtime) -> None:
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=50)
    set_rate(rt, Actor.system(), base="JPY", quote="CNY", mid="0.05", spread_bps=100)
