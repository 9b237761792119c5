"""The staff services behind the admin pages, on a real database: the staff list with masked
logins, setting a member's roles exactly, and deactivating (roles gone, sessions ended, off
routing), each audited; nobody deactivates themselves or drops their own admin role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.test_staff import make_staff, staff_login
from tests.support import ZHANG_MING, sign_up_and_in
from walletdesk.audit.services import Actor, recent_entries
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.identity import staff
from walletdesk.runtime import Runtime
from walletdesk.support import agents
from walletdesk.support.routing_model import AgentStatus


def _actions(rt: Runtime, user_id: str) -> list[str]:
    entries = recent_entries(rt.db, subject_id=user_id, limit=50)
    return [e.action for e in sorted(entries, key=lambda e: e.seq)]


def test_the_staff_list_masks_logins_and_leaves_customers_out(
    client: TestClient, rt: Runtime
) -> None:
    sign_up_and_in(client, ZHANG_MING)
    agent = make_staff(rt, "xiaochen@walletdesk.example", "agent")
    admin = make_staff(rt, "boss@walletdesk.example", "admin")
    members = {m.user_id: m for m in staff.staff_members(rt)}
    assert set(members) == {agent.user_id, admin.user_id}
    assert members[agent.user_id].login == "x***@walletdesk.example"
    assert members[agent.user_id].roles == ("agent",)
    assert members[admin.user_id].two_factor is True
    with pytest.raises(NotFound):
        staff.staff_member(rt, "usr_nobody")


def test_set_roles_grants_and_revokes_the_difference_with_an_audit_entry_each(
    rt: Runtime,
) -> None:
    agent = make_staff(rt, "xiaochen@walletdesk.example", "agent")
    admin = make_staff(rt, "boss@walletdesk.example", "admin")
    by = Actor.staff(admin.user_id)
    assert staff.set_roles(
        rt, user_id=agent.user_id, roles=["supervisor", "senior_agent"], actor=by
    ) == ("senior_agent", "supervisor")
    assert staff.staff_member(rt, agent.user_id).roles == ("senior_agent", "supervisor")
    assert _actions(rt, agent.user_id)[-3:] == ["role.granted", "role.granted", "role.revoked"]
    with pytest.raises(ValidationFailed) as empty:
        staff.set_roles(rt, user_id=agent.user_id, roles=[], actor=by)
    assert empty.value.code == "staff_roles_required"
    with pytest.raises(ValidationFailed):
        staff.set_roles(rt, user_id=agent.user_id, roles=["wizard"], actor=by)
    with pytest.raises(Conflict) as own:
        staff.set_roles(rt, user_id=admin.user_id, roles=["supervisor"], actor=by)
    assert own.value.code == "own_admin_role"
    assert staff.staff_member(rt, admin.user_id).roles == ("admin",)


def test_deactivating_ends_sessions_takes_the_agent_offline_and_keeps_the_account(
    client: TestClient, rt: Runtime
) -> None:
    agent = make_staff(rt, "xiaochen@walletdesk.example", "agent")
    admin = make_staff(rt, "boss@walletdesk.example", "admin")
    headers = staff_login(client, rt, "xiaochen@walletdesk.example", agent.totp_secret)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with rt.db.uow() as uow:
        agents.change_status(rt, uow, agent.user_id, AgentStatus.ONLINE, rt.clock.now())
        uow.commit()

    with pytest.raises(Conflict):
        staff.deactivate_staff(rt, user_id=admin.user_id, actor=Actor.staff(admin.user_id))
    ended = staff.deactivate_staff(rt, user_id=agent.user_id, actor=Actor.staff(admin.user_id))

    assert ended == 1
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert agents.agent_profile(rt, agent.user_id).status == "offline"
    assert agent.user_id not in {m.user_id for m in staff.staff_members(rt)}
    assert _actions(rt, agent.user_id)[-2:] == ["role.revoked", "staff.deactivated"]
    with rt.db.uow(read_only=True) as uow:
        assert uow.users.get(agent.user_id) is not None
    with pytest.raises(NotFound):
        staff.deactivate_staff(rt, user_id=agent.user_id, actor=Actor.staff(admin.user_id))
