from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, bearer, current_totp, remember, sign_up_and_in
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import StaffCreated, create_staff
from walletdesk.runtime import Runtime

STAFF_PASSWORD = "harbour crane ledger 19"


def make_staff(rt: Runtime, email: str, role: str) -> StaffCreated:
    remember(STAFF_PASSWORD)
    created = create_staff(
        rt,
        login_text=email,
        password=STAFF_PASSWORD,
        display_name=role,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    return created


def staff_login(client: TestClient, rt: Runtime, email: str, secret: str) -> dict[str, str]:
    first = client.post("/api/v1/auth/login", json={"login": email, "password": STAFF_PASSWORD})
    body = first.json()
    assert body["two_factor_required"] is True, "staff always need their authenticator"
    remember(body["challenge_token"])
    second = client.post(
        "/api/v1/auth/2fa/verify",
        json={"challenge_token": body["challenge_token"], "code": current_totp(rt, secret)},
    )
    assert second.status_code == 200, second.text
    remember(second.json()["access_token"])
    return bearer(second.json()["access_token"])


def test_an_agent_sees_a_customer_masked(client: TestClient, rt: Runtime) -> None:
    li_headers = sign_up_and_in(client, LI_NA)
    remember("310101199001011234")
    client.post(
        "/api/v1/me/real-name",
        headers=li_headers,
        json={"real_name": "李娜", "id_number": "310101199001011234"},
    )
    agent = make_staff(rt, "agent@walletdesk.example", "agent")
    headers = staff_login(client, rt, "agent@walletdesk.example", agent.totp_secret)
    with rt.db.uow(read_only=True) as uow:
        li = [u for u in uow.users.list_all() if u.display_name == "李娜"][0]
    customer = client.get(f"/api/v1/staff/customers/{li.id}", headers=headers).json()
    assert customer["phone"] == "139****4321"
    assert customer["email"] == "l***@example.com"
    assert customer["real_name"] == "*娜"
    assert customer["id_number"] == "3101**********1234"


def test_customers_cannot_use_staff_routes(client: TestClient) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    response = client.get("/api/v1/staff/customers/usr_whoever", headers=zhang)
    assert response.status_code == 403
    assert client.get("/api/v1/admin/audit", headers=zhang).status_code == 403


def test_an_agent_cannot_grant_roles_or_read_the_audit_log(client: TestClient, rt: Runtime) -> None:
    agent = make_staff(rt, "agent@walletdesk.example", "agent")
    headers = staff_login(client, rt, "agent@walletdesk.example", agent.totp_secret)
    grant = client.post(
        f"/api/v1/admin/staff/{agent.user_id}/roles", headers=headers, json={"role": "admin"}
    )
    assert grant.status_code == 403
    assert client.get("/api/v1/admin/audit", headers=headers).status_code == 403


def test_an_admin_grants_a_role_only_to_someone_with_2fa_and_it_is_audited(
    client: TestClient, rt: Runtime
) -> None:
    sign_up_and_in(client, ZHANG_MING)
    admin = make_staff(rt, "admin@walletdesk.example", "admin")
    headers = staff_login(client, rt, "admin@walletdesk.example", admin.totp_secret)
    with rt.db.uow(read_only=True) as uow:
        zhang = [u for u in uow.users.list_all() if u.display_name == "张明"][0]
    refused = client.post(
        f"/api/v1/admin/staff/{zhang.id}/roles", headers=headers, json={"role": "agent"}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "staff_totp_required"
    bad_role = client.post(
        f"/api/v1/admin/staff/{admin.user_id}/roles", headers=headers, json={"role": "emperor"}
    )
    assert bad_role.status_code == 422
    granted = client.post(
        f"/api/v1/admin/staff/{admin.user_id}/roles", headers=headers, json={"role": "supervisor"}
    )
    assert granted.status_code == 204
    entries = client.get(
        "/api/v1/admin/audit", headers=headers, params={"subject_id": admin.user_id}
    ).json()
    assert [e["action"] for e in entries if e["action"] == "role.granted"]
    verified = client.post("/api/v1/admin/audit/verify", headers=headers).json()
    assert verified["intact"] is True and verified["checked"] > 5


def test_staff_cannot_turn_their_2fa_off(client: TestClient, rt: Runtime) -> None:
    agent = make_staff(rt, "agent@walletdesk.example", "agent")
    headers = staff_login(client, rt, "agent@walletdesk.example", agent.totp_secret)
    response = client.post(
        "/api/v1/me/2fa/totp/disable", headers=headers, json={"code": agent.recovery_codes[0]}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "staff_totp_required"
