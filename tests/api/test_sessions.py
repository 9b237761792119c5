from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, bearer, login, register, remember, sign_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def test_a_user_lists_their_sessions_and_signs_one_out(client: TestClient) -> None:
    phone = sign_up_and_in(client, ZHANG_MING)
    client.headers["User-Agent"] = "Mozilla/5.0 (iPhone) Safari/604.1"
    laptop = bearer(login(client, ZHANG_MING))
    sessions = client.get("/api/v1/me/sessions", headers=laptop).json()
    assert len(sessions) == 2
    current = [s for s in sessions if s["current"]]
    other = [s for s in sessions if not s["current"]]
    assert current[0]["device_name"] == "Safari on iPhone"
    assert other[0]["ip"] == "testclient"
    response = client.delete(f"/api/v1/me/sessions/{other[0]['id']}", headers=laptop)
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=phone).status_code == 401
    assert len(client.get("/api/v1/me/sessions", headers=laptop).json()) == 1


def test_user_a_cannot_read_or_revoke_user_b_sessions(client: TestClient) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    li_session = client.get("/api/v1/me/sessions", headers=li).json()[0]["id"]
    zhang_sees = client.get("/api/v1/me/sessions", headers=zhang).json()
    assert li_session not in {s["id"] for s in zhang_sees}
    response = client.delete(f"/api/v1/me/sessions/{li_session}", headers=zhang)
    assert response.status_code == 404
    missing = client.delete("/api/v1/me/sessions/ses_doesnotexist000", headers=zhang)
    assert missing.status_code == 404
    assert response.json()["error"]["code"] == missing.json()["error"]["code"]
    assert client.get("/api/v1/me", headers=li).status_code == 200


def test_requests_without_a_token_are_refused(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer("forged-token")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_sessions_slide_while_used_and_expire_after_thirty_idle_days(
    client: TestClient, clock: FrozenClock
) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    clock.advance(timedelta(days=29))
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # slides the expiry
    clock.advance(timedelta(days=29))
    sessions = client.get("/api/v1/me/sessions", headers=headers).json()
    assert sessions[0]["last_seen_at"].startswith("2027-01-20")
    clock.advance(timedelta(days=30))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_browser_session_token_is_not_accepted_as_a_bearer_token(
    client: TestClient, rt: Runtime
) -> None:
    from walletdesk.identity import authentication
    from walletdesk.identity.context import RequestContext
    from walletdesk.identity.models import SessionKind

    register(client, ZHANG_MING)
    signed_in = authentication.login(
        rt,
        login_text=ZHANG_MING.login,
        password=ZHANG_MING.password,
        kind=SessionKind.WEB,
        request=RequestContext(),
    )
    assert isinstance(signed_in, authentication.SignedIn)
    remember(signed_in.token)
    assert client.get("/api/v1/me", headers=bearer(signed_in.token)).status_code == 401
