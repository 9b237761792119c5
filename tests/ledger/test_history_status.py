"""The history's status filter narrows before paging: a user with many settled movements and
one declined top-up asks for the failed ones and gets that top-up on the first page, not a
page of nothing with a link to older ones (issue 7 audit G7)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import top_up
from tests.ledger.funding import fund, user_id_of
from tests.support import ZHANG_MING, sign_up_and_in
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.ledger.wallets import HistoryFilter, user_history_page
from walletdesk.runtime import Runtime

SETTLED = 25


def declined_then_settled(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> tuple[dict[str, str], str]:
    """张明's ¥60 top-up is declined by the bank, then 25 settled top-ups (¥1…¥25) follow."""
    zhang = sign_up_and_in(client, ZHANG_MING)
    card_id = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.DAILY_LIMIT_EXCEEDED])
    status, body = top_up(client, zhang, card_id, "60.00", "declined")
    assert status == 201 and body["status"] == "failed"
    user_id = user_id_of(rt, ZHANG_MING.display_name)
    for yuan in range(1, SETTLED + 1):
        clock.advance(timedelta(minutes=1))
        fund(rt, user_id, f"{yuan}.00")
    return zhang, user_id


def test_the_failed_top_up_is_on_the_first_page_behind_many_settled_ones(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    _, user_id = declined_then_settled(client, rt, clock)
    failed = user_history_page(
        rt, user_id, cursor=None, limit=20, filters=HistoryFilter(statuses=["failed"])
    )
    assert [(i.kind, i.status, i.amount.to_string()) for i in failed.items] == [
        ("topup", "failed", "60.00")
    ]
    assert failed.next_cursor is None, "nothing older can match: no link to an empty page"


def test_the_settled_filter_pages_through_postings_and_leaves_out_the_failed_top_up(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    _, user_id = declined_then_settled(client, rt, clock)
    settled = HistoryFilter(statuses=["succeeded"])
    first = user_history_page(rt, user_id, cursor=None, limit=20, filters=settled)
    assert len(first.items) == 20 and first.next_cursor is not None
    rest = user_history_page(rt, user_id, cursor=first.next_cursor, limit=20, filters=settled)
    assert [i.amount.to_string() for i in rest.items] == ["5.00", "4.00", "3.00", "2.00", "1.00"]
    assert {i.status for i in first.items + rest.items} == {"succeeded"}
    both = HistoryFilter(statuses=["succeeded", "failed"])
    last = user_history_page(rt, user_id, cursor=first.next_cursor, limit=20, filters=both)
    assert [i.status for i in last.items] == ["succeeded"] * 5 + ["failed"]


def test_the_api_filters_transactions_by_status_before_paging(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, _ = declined_then_settled(client, rt, clock)
    failed = client.get(
        "/api/v1/transactions", headers=zhang, params={"status": "failed", "limit": 10}
    ).json()
    assert [(i["kind"], i["status"]) for i in failed["items"]] == [("topup", "failed")]
    assert failed["next_cursor"] is None
    settled = client.get(
        "/api/v1/transactions", headers=zhang, params={"status": "succeeded", "limit": 10}
    ).json()
    assert len(settled["items"]) == 10 and settled["next_cursor"] is not None
    assert {i["status"] for i in settled["items"]} == {"succeeded"}
    everything = client.get("/api/v1/transactions", headers=zhang, params={"limit": 30}).json()
    assert len(everything["items"]) == SETTLED + 1
    unknown = client.get("/api/v1/transactions", headers=zhang, params={"status": "lost"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "invalid_status"
