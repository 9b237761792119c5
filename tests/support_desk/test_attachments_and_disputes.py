"""Attachments are checked by their bytes and kept encrypted; disputes link only the
customer's own transactions, with evidence and a police report number."""

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import PDF, PNG, attachment, hand_off, staff_member, start_chat
from walletdesk.runtime import Runtime


def test_a_screenshot_travels_encrypted_and_comes_back_byte_for_byte(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(
        client, zhang, "付款截图", attachments=[attachment("../../付款截图.png", PNG)]
    )
    sent = started["message"]["attachments"][0]
    assert sent["media_type"] == "image/png" and sent["filename"] == "付款截图.png"
    assert sent["size"] == len(PNG)
    mine = client.get(sent["url"], headers=zhang)
    assert mine.status_code == 200 and mine.content == PNG
    assert mine.headers["content-type"] == "image/png"
    assert mine.headers["content-disposition"].startswith("attachment;")
    staff_url = f"/api/v1/staff/cases/{started['case']['id']}/attachments/{sent['id']}"
    assert client.get(staff_url, headers=agent.headers).content == PNG
    with rt.db.engine.connect() as connection:
        stored = connection.execute(text("SELECT content_enc FROM support_attachments")).scalar()
    assert "iVBORw0KGgo" not in str(stored) and str(stored).startswith("k1:")


def test_a_web_page_renamed_to_png_is_refused(client: TestClient) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    page = b"<html><script>alert(1)</script></html>"
    response = client.post(
        "/api/v1/conversations",
        headers=zhang,
        json={"text": "看图", "attachments": [attachment("receipt.png", page)]},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "attachment_refused"
    assert client.get("/api/v1/cases", headers=zhang).json() == [], "nothing half-written"


def test_a_file_over_the_size_limit_is_refused(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    limit = rt.settings.support_attachment_max_bytes
    at_limit = PNG + b"\0" * (limit - len(PNG))
    fits = client.post(
        "/api/v1/conversations",
        headers=zhang,
        json={"text": "大图", "attachments": [attachment("big.png", at_limit)]},
    )
    assert fits.status_code == 201, fits.text
    over = client.post(
        f"/api/v1/conversations/{fits.json()['conversation_id']}/messages",
        headers=zhang,
        json={"text": "更大", "attachments": [attachment("bigger.png", at_limit + b"\0")]},
    )
    assert over.status_code == 422
    assert "5 MB" in over.json()["error"]["message"]


def test_an_internal_attachment_is_not_the_customers(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "查一下")
    hand_off(client, zhang, started["conversation_id"])
    case_id = started["case"]["id"]
    note = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers,
        json={
            "text": "银行回单",
            "visibility": "internal",
            "attachments": [attachment("回单.pdf", PDF)],
        },
    ).json()
    attachment_id = note["message"]["attachments"][0]["id"]
    assert note["message"]["attachments"][0]["media_type"] == "application/pdf"
    hidden = client.get(f"/api/v1/cases/{case_id}/attachments/{attachment_id}", headers=zhang)
    assert hidden.status_code == 404


def test_a_dispute_links_the_customers_own_transactions_with_evidence(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    entry = fund(rt, user_id_of(rt, "张明"), "888.00")
    started = start_chat(
        client,
        zhang,
        "这笔不是我操作的",
        type="dispute",
        transaction_ids=[entry],
        police_report_number="JJ-4403-2026-0815",
        attachments=[attachment("报警回执.pdf", PDF)],
    )
    assert started["case"]["type"] == "dispute"
    mine = client.get(f"/api/v1/cases/{started['case']['id']}", headers=zhang).json()
    assert mine["dispute"] == {
        "transaction_ids": [entry],
        "police_report_number": "JJ-4403-2026-0815",
    }
    assert mine["messages"][0]["attachments"][0]["filename"] == "报警回执.pdf"
    staff = client.get(f"/api/v1/staff/cases/{started['case']['id']}", headers=agent.headers).json()
    assert staff["priority"] == "high" and staff["disputed_transactions"] == [entry]


def test_a_dispute_about_someone_elses_transaction_is_refused_as_unknown(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    sign_up_and_in(client, LI_NA)
    li_entry = fund(rt, user_id_of(rt, "李娜"), "50.00")
    response = client.post(
        "/api/v1/conversations",
        headers=zhang,
        json={"text": "这笔不是我的", "type": "dispute", "transaction_ids": [li_entry]},
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "transaction_not_found"
    no_ids = client.post(
        "/api/v1/conversations", headers=zhang, json={"text": "被盗刷", "type": "dispute"}
    )
    assert no_ids.json()["error"]["code"] == "dispute_needs_transactions"
    not_dispute = client.post(
        "/api/v1/conversations",
        headers=zhang,
        json={"text": "问个问题", "police_report_number": "JJ-1234"},
    )
    assert not_dispute.json()["error"]["code"] == "not_a_dispute"
