"""An admin puts a newer official channels registry in effect by uploading a document signed
offline, on SQLite and PostgreSQL: it is verified as the packaged file is, must carry a newer
version, is stored and audited, and "Is this really walletdesk?" answers from it at once. A
document with a bad signature, an unknown key, an older version or no registry in it is
refused beside the field with its code, and nothing changes."""

from __future__ import annotations

import base64
import copy
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.admin_config_helpers import admin_browser, audited, error_beside, submit
from tests.web.console_helpers import console_staff
from walletdesk.audit.services import Actor
from walletdesk.errors import ValidationFailed
from walletdesk.runtime import Runtime
from walletdesk.support import official_channels as registry_module
from walletdesk.support import official_channels_store as store
from walletdesk.support.official_channels import sign

PAGE = "/console/admin/channels"
SHIPPED = Path(registry_module.__file__).parent / "data" / "official_channels.json"
SCAM_FREE_NUMBER = "400-123-4567"
"""A number the packaged registry does not list: the new document adds it."""
KEY_ID = "wd-channels-test"


def _public(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


@pytest.fixture
def offline_key(monkeypatch: pytest.MonkeyPatch) -> Ed25519PrivateKey:
    """A throwaway key the app trusts for this test, as the real offline key is trusted."""
    key = Ed25519PrivateKey.generate()
    trusted = {**registry_module.TRUSTED_KEYS, KEY_ID: _public(key)}
    monkeypatch.setattr(registry_module, "TRUSTED_KEYS", trusted)
    return key


def _payload(version: int) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(
        json.loads(SHIPPED.read_text(encoding="utf-8"))["payload"]
    )
    payload["version"] = version
    payload["issued_at"] = f"2026-12-0{version}"
    payload["entries"].append(
        {
            "kind": "phone",
            "value": SCAM_FREE_NUMBER,
            "display": SCAM_FREE_NUMBER,
            "name": {"zh-CN": "walletdesk 企业服务热线", "en": "walletdesk business line"},
            "about": {"zh-CN": "商户和企业客户专线。", "en": "For merchants and businesses."},
        }
    )
    return payload


def _document(key: Ed25519PrivateKey, version: int, key_id: str = KEY_ID) -> str:
    return sign(_payload(version), key, key_id).decode("utf-8")


def _genuine(client: TestClient, value: str) -> bool:
    answer = client.post("/api/v1/verify-contact", json={"value": value})
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["genuine"])


def _upload(browser: TestClient, document: str, lang: str = "en") -> Any:
    return submit(browser, f"{PAGE}?lang={lang}", PAGE, {"document": document})


def test_a_document_signed_offline_adds_a_number_people_can_verify_and_is_audited(
    app: FastAPI, rt: Runtime, client: TestClient, offline_key: Ed25519PrivateKey
) -> None:
    browser, admin_id = admin_browser(app, rt)
    assert not _genuine(client, SCAM_FREE_NUMBER)  # also fills this process's cache

    uploaded = _upload(browser, _document(offline_key, 2))

    assert uploaded.status_code == 303, uploaded.text
    assert _genuine(client, SCAM_FREE_NUMBER)
    assert _genuine(client, "400-000-8888")  # the packaged entries came along
    assert client.get("/api/v1/official-channels").json()["version"] == 2
    [(actor, subject, details)] = audited(rt, "support.official_channels_uploaded")
    assert actor == admin_id and subject is not None
    assert details["version"] == 2 and details["previous_version"] == 1
    assert details["key_id"] == KEY_ID and details["previous_source"] == "packaged"
    [stored] = store.upload_history(rt)
    assert (stored.version, stored.key_id, stored.uploaded_by) == (2, KEY_ID, admin_id)
    page = browser.get(f"{PAGE}?lang=en").text
    assert "The signed registry was verified and is now in effect." in page
    assert 'data-registry-source="uploaded"' in page and admin_id in page
    assert "<dd data-version>2</dd>" in page and SCAM_FREE_NUMBER in page
    assert "已上传的版本" in browser.get(f"{PAGE}?lang=zh-CN").text


def _tampered(key: Ed25519PrivateKey) -> str:
    document = json.loads(_document(key, 2))
    document["payload"]["entries"][-1]["value"] = "17012345678"
    return json.dumps(document)


def _unsigned(key: Ed25519PrivateKey) -> str:
    return json.dumps({"payload": _payload(2)})


def _no_entries(key: Ed25519PrivateKey) -> str:
    payload = _payload(2)
    del payload["entries"]
    return sign(payload, key, KEY_ID).decode("utf-8")


@pytest.mark.parametrize(
    ("label", "make", "code", "words"),
    [
        ("bad signature", _tampered, "registry_bad_signature", "changed after signing"),
        (
            "unknown key",
            lambda key: _document(Ed25519PrivateKey.generate(), 2, "wd-channels-evil"),
            "registry_unknown_key",
            "does not trust (wd-channels-evil)",
        ),
        ("same version again", lambda key: _document(key, 1), "registry_not_newer", "version 1"),
        ("garbage", lambda key: "call 170 1234 5678 now", "registry_not_json", "not JSON"),
        ("unsigned", _unsigned, "registry_unsigned", "no key id and signature"),
        ("no entries", _no_entries, "registry_malformed", "not a valid registry"),
        ("empty", lambda key: "   ", "registry_empty", "Paste the signed registry"),
    ],
)
def test_a_wrong_document_is_refused_with_its_code_and_nothing_changes(
    app: FastAPI,
    rt: Runtime,
    client: TestClient,
    offline_key: Ed25519PrivateKey,
    label: str,
    make: Any,
    code: str,
    words: str,
) -> None:
    document = make(offline_key)
    with pytest.raises(ValidationFailed) as refused:
        store.check_upload_registry(rt, Actor.staff("usr_someone"), document)
    assert (refused.value.code, refused.value.field) == (code, "document"), label

    browser, _ = admin_browser(app, rt)
    page = _upload(browser, document)
    assert page.status_code == 422, label
    assert words in error_beside(page.text, "document"), label
    shown = re.search(r'<textarea id="document"[^>]*>([^<]*)</textarea>', page.text)
    assert shown is not None and html.unescape(shown.group(1)) == document, label
    assert store.upload_history(rt) == []
    assert store.registry_in_effect(rt).stored is None
    assert audited(rt, "support.official_channels_uploaded") == []
    assert not _genuine(client, SCAM_FREE_NUMBER) and not _genuine(client, "17012345678")


def test_an_older_document_cannot_be_replayed_after_a_newer_one(
    app: FastAPI, rt: Runtime, client: TestClient, offline_key: Ed25519PrivateKey
) -> None:
    browser, _ = admin_browser(app, rt)
    older, newer = _document(offline_key, 2), _document(offline_key, 3)
    assert _upload(browser, older).status_code == 303
    assert _upload(browser, newer).status_code == 303

    replay = _upload(browser, older, lang="zh-CN")

    assert replay.status_code == 422
    assert "第 2 版" in error_beside(replay.text, "document")
    assert [u.version for u in store.upload_history(rt)] == [3, 2]
    assert store.official_channels_now(rt).version == 3


def test_a_document_written_into_the_database_without_the_key_is_never_believed(
    rt: Runtime, client: TestClient, offline_key: Ed25519PrivateKey
) -> None:
    forged = json.loads(_document(offline_key, 2))
    forged["payload"]["version"] = 9  # the signature no longer covers the payload
    with rt.db.uow() as uow:
        store._repository(uow).add(
            version=9,
            key_id=KEY_ID,
            document=json.dumps(forged),
            uploaded_by=None,
            at=rt.clock.now(),
        )
        uow.commit()

    in_effect = store.registry_in_effect(rt)

    assert in_effect.stored is None and in_effect.registry.version == 1
    assert not _genuine(client, SCAM_FREE_NUMBER)


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_staff_without_config_manage_cannot_upload(
    app: FastAPI, rt: Runtime, offline_key: Ed25519PrivateKey, role: str
) -> None:
    browser, _ = console_staff(app, rt, f"not-admin-{role}", "小王", role)
    token = browser.cookies.get("wd_csrf") or ""
    answer = browser.post(PAGE, data={"document": _document(offline_key, 2), "csrf_token": token})
    assert answer.status_code == 403
    assert store.upload_history(rt) == []
    assert audited(rt, "support.official_channels_uploaded") == []
