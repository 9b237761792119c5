"""The complaints of a period as CSV for the regulator (投诉数据报送): Chinese column headers,
Beijing times, one row per complaint received in [start, end), oldest first.

The rows are streamed page by page, each page read in its own short transaction, so a year of
complaints never sits in memory. The export itself is audited before the first row is sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support.complaints_model import (
    BEIJING,
    CATEGORY_NAMES_ZH,
    STEP_NAMES_ZH,
    ComplaintRecord,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

PAGE = 500
MAX_DAYS = 366

COLUMNS = (
    "投诉编号",
    "受理时间",
    "投诉类别",
    "受理渠道",
    "客户编号",
    "投诉摘要",
    "当前进度",
    "处理时限",
    "办结时间",
    "是否按时办结",
    "处理结果",
    "是否申诉",
    "申诉时间",
    "复核时限",
    "复核办结时间",
    "复核结果",
    "客户确认时间",
    "承办人",
)

CHANNELS_ZH = {"chat": "在线客服", "call": "电话", "email": "电子邮件", "wechat": "微信"}


def _time(value: datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _safe(value: str | None) -> str:
    """Cells starting with = + - @ are quoted against spreadsheet formulas."""
    text = value or ""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def check_period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The period in UTC, times without a zone read as Beijing time; refused when it is empty
    or longer than `MAX_DAYS`."""
    start, end = (
        (t if t.tzinfo else t.replace(tzinfo=BEIJING)).astimezone(UTC) for t in (start, end)
    )
    if end <= start or end - start > timedelta(days=MAX_DAYS):
        raise ValidationFailed(
            "invalid_period",
            N_("Choose a period that ends after it starts and spans at most {days} days."),
            field="to",
            days=MAX_DAYS,
        )
    return start, end


def _row(uow: UnitOfWork, complaint: ComplaintRecord, names: dict[str, str]) -> list[str]:
    case = uow.support.cases.get(complaint.case_id)
    assert case is not None
    handler = complaint.appeal_result_by or complaint.result_by or case.assignee_id
    if handler and handler not in names:
        user = uow.users.get(handler)
        names[handler] = user.display_name if user else handler
    return [
        complaint.reference,
        _time(complaint.received_at),
        CATEGORY_NAMES_ZH.get(complaint.category, complaint.category),
        CHANNELS_ZH.get(case.channel, case.channel),
        case.contact_id,
        _safe(case.subject),
        STEP_NAMES_ZH[complaint.step.value],
        _time(complaint.due_at),
        _time(complaint.result_at),
        _yes_no(ComplaintRecord.on_time(complaint.result_at, complaint.due_at)),
        _safe(complaint.result_text),
        _yes_no(complaint.appealed_at is not None),
        _time(complaint.appealed_at),
        _time(complaint.appeal_due_at),
        _time(complaint.appeal_result_at),
        _safe(complaint.appeal_result_text),
        _time(complaint.confirmed_at),
        _safe(names.get(handler, "")) if handler else "",
    ]


def export_rows(rt: Runtime, actor: Actor, *, start: datetime, end: datetime) -> Iterator[str]:
    """The CSV text, one chunk per row. `actor` must supervise cases (the route checks it).
    Call it to validate and audit at once; iterate the result to stream."""
    start, end = check_period(start, end)
    with rt.db.uow() as uow:
        record(
            uow,
            at=rt.clock.now(),
            actor=actor,
            action="complaints.exported",
            subject_kind="complaints",
            details={"from": start.isoformat(), "to": end.isoformat()},
        )
        uow.commit()
    return _stream(rt, start, end)


def _stream(rt: Runtime, start: datetime, end: datetime) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield "\ufeff" + flush()  # a BOM so spreadsheet apps read the Chinese correctly
    after: tuple[datetime, str] | None = None
    names: dict[str, str] = {}
    while True:
        with rt.db.uow(read_only=True) as uow:
            page = uow.complaints_kb.complaints.received_between(
                start, end, after=after, limit=PAGE
            )
            rows = [_row(uow, complaint, names) for complaint in page]
        for row in rows:
            writer.writerow(row)
            yield flush()
        if len(page) < PAGE:
            return
        after = (page[-1].received_at, page[-1].case_id)
