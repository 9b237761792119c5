"""Helpers for the admin configuration pages' tests: an admin's browser, posting a page's
form, and reading what the audit log says about a change."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.console_helpers import console_staff
from tests.web.pages import csrf_token
from walletdesk.runtime import Runtime


def admin_browser(app: FastAPI, rt: Runtime) -> tuple[TestClient, str]:
    return console_staff(app, rt, "laozhou", "老周", "admin")


def submit(browser: TestClient, page: str, action: str, data: dict[str, str]) -> httpx2.Response:
    """Open `page`, post `data` to `action` with the page's CSRF field; not following the
    redirect, so a success is 303 and a refusal the page again."""
    shown = browser.get(page)
    assert shown.status_code == 200, shown.text
    return browser.post(
        action, data={**data, "csrf_token": csrf_token(shown.text)}, follow_redirects=False
    )


def audited(rt: Runtime, action: str) -> list[tuple[str | None, str | None, dict[str, Any]]]:
    """(actor id, subject id, details) of every audit entry with `action`, oldest first."""
    with rt.db.uow(read_only=True) as uow:
        return [
            (e.actor_id, e.subject_id, json.loads(e.details))
            for e in uow.audit.iterate()
            if e.action == action
        ]


def input_value(html: str, name: str, id_: str | None = None) -> str:
    """The value of the input `name` (the one with id `id_` when several share the name)."""
    pattern = (
        rf'<input id="{re.escape(id_)}" name="{name}"[^>]*value="([^"]*)"'
        if id_
        else rf'<input id="[^"]*" name="{name}"[^>]*value="([^"]*)"'
    )
    found = re.search(pattern, html)
    assert found, f"no input {name!r} on the page"
    return found.group(1)


def error_beside(html: str, id_: str) -> str:
    found = re.search(
        rf'<p class="error" id="{re.escape(id_)}-error" role="alert">([^<]*)</p>', html
    )
    assert found, f"no error beside {id_!r}"
    return found.group(1)
