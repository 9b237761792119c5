"""Optimistic locking: a reply, a note, a status change or an action composed against an old
case version is refused with `case_changed` and the events the agent has not seen."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING
from tests.support_desk.agent_tools_helpers import signed_up_with_case, staff
from walletdesk.runtime import Runtime


def version_of(client: TestClient, headers: dict[str, str], case_id: str) -> int:
    return int(client.get(f"/api/v1/staff/cases/{case_id}", headers=headers).json()["version"])


def test_a_reply_written_before_the_customer_spoke_again_is_refused_with_the_new_events(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "提现三天还没到账")
    wang = staff(client, rt, "wang", "小王", "agent")
    seen = version_of(client, wang.headers, case_id)
    conversation = client.get(f"/api/v1/staff/cases/{case_id}", headers=wang.headers).json()[
        "conversations"
    ][0]["id"]
    said = client.post(
        f"/api/v1/conversations/{conversation}/messages",
        headers=zhang,
        json={"text": "已经解决了，银行刚到账"},
    )
    assert said.status_code == 201

    stale = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=wang.headers | {"Accept-Language": "en"},
        json={"text": "我们正在催银行处理", "version": seen},
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"]["code"] == "case_changed"
    assert body["error"]["message"].startswith("The case changed while you were writing")
    assert body["case"]["version"] > seen
    assert [e["version"] for e in body["events"]] == list(
        range(seen + 1, body["case"]["version"] + 1)
    )
    assert body["events"][0]["kind"] == "message.added"
    assert body["events"][0]["actor_kind"] == "contact"
    messages = client.get(f"/api/v1/staff/cases/{case_id}", headers=wang.headers).json()["messages"]
    assert [m["text"] for m in messages][-1] == "已经解决了，银行刚到账", "nothing was posted"

    fresh = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=wang.headers,
        json={"text": "好的，很高兴问题解决了", "version": body["case"]["version"]},
    )
    assert fresh.status_code == 201, fresh.text


def test_a_status_change_and_a_note_on_a_stale_version_are_refused_too(
    client: TestClient, rt: Runtime
) -> None:
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "银行卡解绑失败")
    wang = staff(client, rt, "wang", "小王", "agent")
    chen = staff(client, rt, "chen", "小陈", "agent")
    seen = version_of(client, wang.headers, case_id)
    taken = client.post(
        f"/api/v1/staff/cases/{case_id}/assign",
        headers=chen.headers,
        json={"assignee_id": chen.user_id},
    )
    assert taken.status_code == 200

    solved = client.post(
        f"/api/v1/staff/cases/{case_id}/status",
        headers=wang.headers,
        json={"status": "solved", "version": seen},
    )
    assert solved.status_code == 409 and solved.json()["error"]["code"] == "case_changed"
    assert "case.assigned" in [e["kind"] for e in solved.json()["events"]]
    note = client.post(
        f"/api/v1/staff/cases/{case_id}/notes",
        headers=wang.headers,
        json={"text": "客户换了新卡", "version": seen},
    )
    assert note.status_code == 409 and note.json()["case"]["version"] > seen
    current = version_of(client, wang.headers, case_id)
    ok = client.post(
        f"/api/v1/staff/cases/{case_id}/status",
        headers=wang.headers,
        json={"status": "pending_customer", "version": current},
    )
    assert ok.status_code == 200 and ok.json()["version"] == current + 1


def test_a_version_the_case_never_had_is_a_bad_request_and_no_version_skips_the_check(
    client: TestClient, rt: Runtime
) -> None:
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "积分没到账")
    wang = staff(client, rt, "wang", "小王", "agent")
    current = version_of(client, wang.headers, case_id)
    future = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=wang.headers,
        json={"text": "您好", "version": current + 1},
    )
    assert future.status_code == 422 and future.json()["error"]["code"] == "invalid_case_version"
    unchecked = client.post(
        f"/api/v1/staff/cases/{case_id}/messages", headers=wang.headers, json={"text": "您好"}
    )
    assert unchecked.status_code == 201
