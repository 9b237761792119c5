import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.support import LI_NA, ZHANG_MING, login, register, sign_up_and_in
from walletdesk.audit.services import verify_database
from walletdesk.runtime import Runtime


def fill_audit_log(client: TestClient) -> None:
    sign_up_and_in(client, ZHANG_MING)
    register(client, LI_NA)
    client.post("/api/v1/auth/login", json={"login": LI_NA.login, "password": "wrong guess 1"})
    login(client, LI_NA)


def actions(rt: Runtime) -> list[str]:
    with rt.db.engine.connect() as connection:
        return [
            row.action
            for row in connection.execute(text("SELECT action FROM audit_log ORDER BY seq"))
        ]


def without_append_only_guard(rt: Runtime, statement: str) -> None:
    """What an attacker with raw database access would do: drop the guard, then edit."""
    with rt.db.engine.begin() as connection:
        if rt.db.dialect == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            connection.execute(text(statement))
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
            connection.execute(text(statement))


def test_security_events_are_chained_and_verify(client: TestClient, rt: Runtime) -> None:
    fill_audit_log(client)
    assert actions(rt)[:2] == ["user.registered", "login.succeeded"]
    assert "login.failed" in actions(rt)
    result = verify_database(rt.db)
    assert result.broken is None and result.checked == len(actions(rt))


def test_the_database_refuses_to_update_or_delete_audit_rows(
    client: TestClient, rt: Runtime
) -> None:
    fill_audit_log(client)
    for statement in (
        "UPDATE audit_log SET action = 'nothing' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
    ):
        with pytest.raises(DatabaseError), rt.db.engine.begin() as connection:
            connection.execute(text(statement))
    assert verify_database(rt.db).broken is None


@pytest.mark.parametrize(
    ("label", "statement", "reason"),
    [
        ("details edited", "UPDATE audit_log SET details = '{}' WHERE seq = 3", "hash"),
        (
            "actor rewritten",
            "UPDATE audit_log SET actor_id = 'usr_innocent00000' WHERE seq = 3",
            "hash",
        ),
        ("row removed", "DELETE FROM audit_log WHERE seq = 3", "missing"),
    ],
)
def test_tampering_with_one_row_is_detected_at_that_row(
    client: TestClient, rt: Runtime, label: str, statement: str, reason: str
) -> None:
    fill_audit_log(client)
    without_append_only_guard(rt, statement)
    broken = verify_database(rt.db).broken
    assert broken is not None
    assert broken.seq == 3
    assert reason in broken.reason


def test_a_rehashed_row_still_breaks_the_link_to_the_next_one(
    client: TestClient, rt: Runtime
) -> None:
    fill_audit_log(client)
    without_append_only_guard(rt, "UPDATE audit_log SET hash = prev_hash WHERE seq = 2")
    broken = verify_database(rt.db).broken
    assert broken is not None and broken.seq == 2


def test_removing_the_newest_rows_is_detected(client: TestClient, rt: Runtime) -> None:
    fill_audit_log(client)
    last = len(actions(rt))
    without_append_only_guard(rt, f"DELETE FROM audit_log WHERE seq = {last}")  # noqa: S608
    broken = verify_database(rt.db).broken
    assert broken is not None and broken.seq == last


def test_every_kind_of_security_event_is_audited(client: TestClient, rt: Runtime) -> None:
    from datetime import timedelta

    from tests.support import current_totp, enable_totp, last_code, remember, start_login
    from walletdesk.clock import FrozenClock

    clock = rt.clock
    assert isinstance(clock, FrozenClock)
    zhang = sign_up_and_in(client, ZHANG_MING)
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": "no no no"})
    clock.advance(timedelta(minutes=30))
    client.post("/api/v1/auth/password-reset/request", json={"login": ZHANG_MING.login})
    remember("autumn lotus pond 88")
    client.post(
        "/api/v1/auth/password-reset/confirm",
        json={
            "login": ZHANG_MING.login,
            "code": last_code(rt, ZHANG_MING.phone or ""),
            "new_password": "autumn lotus pond 88",
        },
    )
    li = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, li)
    client.post("/api/v1/me/freeze", headers=li, json={"reason": "lost_phone"})
    clock.advance(timedelta(seconds=30))
    client.post("/api/v1/me/unfreeze", headers=li, json={"totp_code": current_totp(rt, secret)})
    other = client.get("/api/v1/me/sessions", headers=li).json()[0]["id"]
    challenge = start_login(client, LI_NA)
    clock.advance(timedelta(seconds=30))
    verified = client.post(
        "/api/v1/auth/2fa/verify",
        json={"challenge_token": challenge, "code": current_totp(rt, secret)},
    )
    remember(verified.json()["access_token"])
    client.delete(
        f"/api/v1/me/sessions/{other}",
        headers={"Authorization": f"Bearer {verified.json()['access_token']}"},
    )
    clock.advance(timedelta(seconds=30))
    client.post("/api/v1/me/2fa/totp/disable", headers=li, json={"code": "000000"})
    assert client.get("/api/v1/me", headers=zhang).status_code == 401  # reset signed it out
    recorded = set(actions(rt))
    expected = {
        "user.registered",
        "login.succeeded",
        "login.failed",
        "account.locked",
        "password_reset.requested",
        "password_reset.completed",
        "2fa.enabled",
        "wallet.frozen",
        "wallet.unfrozen",
        "login.password_ok_awaiting_2fa",
        "session.revoked",
        "code.sent",
    }
    assert expected <= recorded, expected - recorded
    assert verify_database(rt.db).broken is None
