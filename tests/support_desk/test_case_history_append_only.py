"""The case history is append-only in the database itself (as the audit log is): a trigger
refuses every UPDATE and DELETE of a stored event, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import start_chat
from walletdesk.runtime import Runtime
from walletdesk.storage.tables_support import support_case_events as events


@pytest.mark.parametrize(
    "rewrite",
    [
        pytest.param(
            lambda case_id: (
                update(events).where(events.c.case_id == case_id).values(after_json="{}")
            ),
            id="update",
        ),
        pytest.param(
            lambda case_id: delete(events).where(events.c.case_id == case_id), id="delete"
        ),
    ],
)
def test_a_stored_case_event_cannot_be_rewritten_or_removed(
    client: TestClient, rt: Runtime, rewrite: object
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    case_id = start_chat(client, zhang, "有人冒充客服给我打电话")["case"]["id"]
    with rt.db.uow(read_only=True) as uow:
        before = uow.support.events.for_case(case_id)
    assert before

    with pytest.raises(DatabaseError, match="support_case_events is append-only"):
        with rt.db.uow() as uow:
            uow.connection.execute(rewrite(case_id))  # type: ignore[operator]
            uow.commit()

    with rt.db.uow(read_only=True) as uow:
        assert uow.support.events.for_case(case_id) == before
        count = uow.connection.execute(
            select(func.count()).select_from(events).where(events.c.case_id == case_id)
        ).scalar_one()
    assert count == len(before)
