"""The official channels registry is one Ed25519-signed file: the shipped one verifies, and
a file edited by hand, signed by an unknown key or stripped of its signature is refused."""

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient

from walletdesk.support import official_channels as registry_module
from walletdesk.support.official_channels import (
    RegistryRefused,
    canonical,
    load_registry,
    parse_registry,
    phone_key,
    sign,
)

SHIPPED = Path(registry_module.__file__).parent / "data" / "official_channels.json"


def shipped_document() -> dict:
    document: dict = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return document


def test_the_shipped_registry_verifies_and_lists_the_hotline() -> None:
    registry = load_registry(SHIPPED)
    hotline = registry.match_phone("400-000-8888")
    assert hotline is not None and "call" in hotline.outbound
    assert registry.outbound_source("call") == hotline


def test_a_registry_with_a_scammers_number_slipped_in_is_refused(tmp_path: Path) -> None:
    document = shipped_document()
    document["payload"]["entries"][0]["value"] = "17012345678"
    tampered = tmp_path / "official_channels.json"
    tampered.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RegistryRefused, match="does not match"):
        load_registry(tampered)


def test_a_registry_signed_by_an_unknown_key_is_refused() -> None:
    payload = shipped_document()["payload"]
    forged = sign(payload, Ed25519PrivateKey.generate(), "wd-channels-2026")
    with pytest.raises(RegistryRefused, match="does not match"):
        parse_registry(forged)
    with pytest.raises(RegistryRefused, match="unknown key"):
        parse_registry(sign(payload, Ed25519PrivateKey.generate(), "someone-else"))


def test_a_registry_without_a_signature_is_refused() -> None:
    unsigned = json.dumps({"payload": shipped_document()["payload"]}).encode()
    with pytest.raises(RegistryRefused, match="no signature"):
        parse_registry(unsigned)


def test_a_registry_signed_by_a_trusted_key_is_read() -> None:
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    payload = shipped_document()["payload"] | {"version": 2}
    registry = parse_registry(sign(payload, key, "next"), {"next": public.decode()})
    assert registry.version == 2 and registry.key_id == "next"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("400-000-8888", "4000008888"),
        ("+86 400 000 8888", "4000008888"),
        ("0086 4000008888", "4000008888"),
        ("+86 21 6000 0000", "02160000000"),
        ("(021) 6000-0000", "02160000000"),
        ("not a number", None),
    ],
)
def test_phone_numbers_are_compared_by_their_national_digits(typed: str, key: str | None) -> None:
    assert phone_key(typed) == key


def test_the_api_publishes_the_signed_registry(client: TestClient) -> None:
    response = client.get("/api/v1/official-channels", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    body = response.json()
    hotline = next(e for e in body["entries"] if e["value"] == "4000008888")
    assert hotline["name"] == "walletdesk 官方客服热线"
    # Anyone can check the signature with the published key.
    public = registry_module.TRUSTED_KEYS[body["key_id"]]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(
        base64.b64decode(body["signature"]), canonical(body["payload"])
    )
