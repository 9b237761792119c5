"""The regulator's CSV of the complaints received in a period: Chinese headers, Beijing times,
what happened to each complaint, supervisors only, audited, and suggestions answered."""

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import staff_member
from walletdesk.audit.services import recent_entries
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime

PERIOD = {"from": "2026-11-01T00:00:00+08:00", "to": "2026-12-01T00:00:00+08:00"}


def file_complaint(client: TestClient, headers: dict[str, str], category: str, text: str) -> dict:
    response = client.post(
        "/api/v1/complaints", headers=headers, json={"category": category, "text": text}
    )
    assert response.status_code == 201, response.text
    found: dict = response.json()
    return found


def test_the_export_lists_each_complaint_of_the_period_with_its_outcome_in_chinese(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    handled = file_complaint(client, zhang, "fees", "=提现手续费多扣")
    clock.advance(timedelta(hours=1))
    waiting = file_complaint(client, zhang, "card", "银行卡绑不上")
    clock.advance(timedelta(days=1))
    answered = client.post(
        f"/api/v1/staff/complaints/{handled['case_id']}/result",
        headers=wang.headers,
        json={"text": "已退回多扣的手续费 ¥1.00。"},
    )
    assert answered.status_code == 200, answered.text
    clock.set(clock.now().replace(month=12, day=1, hour=0))  # 08:00 Beijing, next period
    file_complaint(client, zhang, "other", "十二月的投诉")

    response = client.get("/api/v1/staff/complaints.csv", headers=sun.headers, params=PERIOD)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["投诉编号", "受理时间", "投诉类别", "受理渠道"]
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["投诉编号"] for r in table] == [handled["reference"], waiting["reference"]]
    first, second = table
    assert first["受理时间"] == "2026-11-23 17:00:00"
    assert (first["投诉类别"], first["受理渠道"]) == ("费用", "在线客服")
    assert first["投诉摘要"] == "'=提现手续费多扣", "a formula-looking cell is quoted"
    assert (first["当前进度"], first["是否按时办结"]) == ("已办结", "是")
    assert first["处理时限"] == "2026-12-08 23:59:59"
    assert first["办结时间"] == "2026-11-24 18:00:00"
    assert first["处理结果"] == "已退回多扣的手续费 ¥1.00。"
    assert (first["是否申诉"], first["承办人"]) == ("否", "Wang")
    assert (second["投诉类别"], second["当前进度"], second["是否按时办结"]) == (
        "银行卡",
        "已受理",
        "",
    )
    audit = [e for e in recent_entries(rt.db, limit=20) if e.action == "complaints.exported"]
    assert len(audit) == 1 and audit[0].actor_id == sun.user_id


def test_agents_cannot_export_and_a_backwards_period_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    refused = client.get("/api/v1/staff/complaints.csv", headers=wang.headers, params=PERIOD)
    assert refused.status_code == 403
    backwards = {"from": PERIOD["to"], "to": PERIOD["from"]}
    bad = client.get("/api/v1/staff/complaints.csv", headers=sun.headers, params=backwards)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_period"


def test_a_suggestion_is_tracked_and_the_customer_reads_the_answer(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    sent = client.post(
        "/api/v1/suggestions", headers=zhang, json={"text": "希望账单能按标签筛选", "topic": "app"}
    )
    assert sent.status_code == 201, sent.text
    suggestion = sent.json()
    assert suggestion["reference"] == "JY-20261123-0001"
    assert (suggestion["status"], suggestion["status_name"]) == ("received", "已收到")
    listed = client.get("/api/v1/staff/suggestions?status=received", headers=wang.headers).json()
    assert [s["reference"] for s in listed] == ["JY-20261123-0001"]
    answered = client.post(
        f"/api/v1/staff/suggestions/{suggestion['case_id']}/answer",
        headers=wang.headers,
        json={"status": "adopted", "answer": "谢谢，账单筛选会在下个版本上线。"},
    )
    assert answered.status_code == 200, answered.text
    seen = client.get(f"/api/v1/suggestions/{suggestion['reference']}", headers=zhang).json()
    assert (seen["status"], seen["answer"]) == ("adopted", "谢谢，账单筛选会在下个版本上线。")
    case = client.get(f"/api/v1/cases/{suggestion['case_id']}", headers=zhang).json()
    assert case["status"]["code"] == "solved"
    assert case["messages"][-1]["text"] == "谢谢，账单筛选会在下个版本上线。"
