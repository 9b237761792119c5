"""Admins in the console's admin pages: a signed-in staff browser, posting a page's form, and
the audit entries a change wrote."""

from __future__ import annotations

import httpx2
from fastapi.testclient import TestClient

from tests.web.pages import csrf_token
from walletdesk.audit.services import recent_entries
from walletdesk.runtime import Runtime


def post_page(
    browser: TestClient,
    page: str,
    action: str,
    data: dict[str, str | list[str]],
    *,
    follow_redirects: bool = True,
) -> httpx2.Response:
    """Open `page`, take its CSRF field, post `data` to `action`."""
    shown = browser.get(page)
    assert shown.status_code == 200, shown.text
    return browser.post(
        action,
        data={**data, "csrf_token": csrf_token(shown.text)},
        follow_redirects=follow_redirects,
    )


def audit_actions(rt: Runtime, subject_id: str) -> list[tuple[str, str | None]]:
    """(action, actor id) of the audit entries about `subject_id`, oldest first."""
    entries = recent_entries(rt.db, subject_id=subject_id, limit=100)
    return [(e.action, e.actor_id) for e in sorted(entries, key=lambda e: e.seq)]
