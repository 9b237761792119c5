from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.ledger.posting import EVENT_ENTRY_POSTED
from walletdesk.runtime import Runtime


def test_every_entry_is_announced_once_by_the_worker(client: TestClient, rt: Runtime) -> None:
    seen: list[tuple[str, str]] = []
    rt.events.subscribe(
        EVENT_ENTRY_POSTED, lambda event_id, p: seen.append((event_id, str(p["entry_id"])))
    )
    zhang = sign_up_and_in(client, ZHANG_MING)
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "100.00")
    response = client.post(
        "/api/v1/transfers",
        headers=zhang | {"Idempotency-Key": "e1"},
        json={"to": LI_NA.phone, "amount": "10.00"},
    )
    entry_id = response.json()["id"]
    assert seen == []  # events wait for the worker; nobody waits for them in the request
    rt.dispatcher.deliver()
    rt.dispatcher.deliver()
    with rt.db.uow(read_only=True) as uow:
        entries = uow.journal.count()
    assert len(seen) == entries == 2
    assert entry_id in {entry for _, entry in seen}
    assert len({event_id for event_id, _ in seen}) == 2
