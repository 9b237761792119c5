"""The escalation ladder on the SLA policies page (/console/admin/sla): an admin sets it one
step per line, sees it in the table and in the edit form, a later save with the box left empty
keeps it, and a wrong ladder is refused beside its box in both languages with what was typed
kept and nothing stored."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from tests.web.admin_config_helpers import admin_browser, audited, error_beside, submit
from walletdesk.runtime import Runtime
from walletdesk.support import sla_admin
from walletdesk.support.sla import EscalationAction, EscalationStep

SLA = "/console/admin/sla"


def _form(**changes: str) -> dict[str, str]:
    return {
        "priority": "any",
        "case_type": "complaint",
        "first_response": "20",
        "next_response": "60",
        "resolution": "8100",
        "calendar": "business",
        "ladder": "",
    } | changes


def _complaint_ladder(rt: Runtime) -> tuple[EscalationStep, ...]:
    (shown,) = [
        s
        for s in sla_admin.effective_policies(rt)
        if (s.policy.priority, s.policy.case_type) == (None, "complaint") and not s.replaced
    ]
    return shown.policy.ladder


def _textarea(html: str) -> str:
    found = re.search(r'<textarea id="ladder" name="ladder"[^>]*>([^<]*)</textarea>', html)
    assert found, "no ladder box on the page"
    return found.group(1)


def test_an_admin_sets_the_ladder_sees_it_and_a_later_save_without_one_keeps_it(
    app: FastAPI, rt: Runtime
) -> None:
    browser, _ = admin_browser(app, rt)
    saved = submit(browser, SLA, SLA, _form(ladder="0 notify\r\n45 supervisor\r\n"))
    assert saved.status_code == 303, saved.text
    wanted = (
        EscalationStep(0, EscalationAction.NOTIFY),
        EscalationStep(45, EscalationAction.SUPERVISOR),
    )
    assert _complaint_ladder(rt) == wanted
    ((_, _, details),) = audited(rt, "support.sla_policy_set")
    assert details["ladder"] == [[0, "notify"], [45, "supervisor"]]

    page = browser.get(SLA + "?lang=en")
    assert 'data-ladder="0 notify;45 supervisor"' in page.text
    assert "after 45 min: alert every supervisor" in page.text
    assert "45 分钟后：提醒所有主管" in browser.get(SLA + "?lang=zh-CN").text
    edit = browser.get(SLA + "?priority=&case_type=complaint")
    assert _textarea(edit.text) == "0 notify\n45 supervisor"

    kept = submit(browser, SLA, SLA, _form(resolution="9000"))
    assert kept.status_code == 303, kept.text
    assert _complaint_ladder(rt) == wanted
    assert len(audited(rt, "support.sla_policy_set")) == 2


@pytest.mark.parametrize(
    ("label", "ladder", "zh", "en"),
    [
        ("unknown action", "30 shout", "每行写一步", "on its own line as minutes and an action"),
        ("minutes missing", "supervisor", "每行写一步", "on its own line as minutes and an action"),
        ("out of order", "60 notify\n30 supervisor", "每一步都晚于前一步", "later than the one"),
        (
            "six steps",
            "\n".join(f"{m} notify" for m in (0, 10, 20, 30, 40, 50)),
            "1 到 5 步",
            "1 to 5 steps",
        ),
    ],
)
def test_a_wrong_ladder_is_refused_beside_its_box_keeping_what_was_typed(
    app: FastAPI, rt: Runtime, label: str, ladder: str, zh: str, en: str
) -> None:
    browser, _ = admin_browser(app, rt)
    for lang, words in (("zh-CN", zh), ("en", en)):
        refused = submit(browser, f"{SLA}?lang={lang}", SLA, _form(ladder=ladder))
        assert refused.status_code == 422, (label, refused.text[:300])
        assert words in error_beside(refused.text, "ladder"), (label, lang)
        assert _textarea(refused.text) == ladder
    assert audited(rt, "support.sla_policy_set") == []
