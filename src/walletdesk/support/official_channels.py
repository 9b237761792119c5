"""The official channels registry: our hotline and SMS numbers, email and web domains and
WeChat official account, in one signed file (`data/official_channels.json`).

"Is this really walletdesk?" answers from this file, so a forged entry would turn a scammer's
number into a "genuine" one. The file is therefore signed with Ed25519 and checked against
the public keys in `TRUSTED_KEYS` whenever it is loaded; a file whose signature does not match
(edited by hand, or signed by an unknown key) is refused with `RegistryRefused`, and nothing
answers from it. A public key, not the app secret, verifies it: the package ships the file,
and every deployment (each with its own secret) must accept the same signature.

The file is `{"key_id", "signature", "payload"}`; the signature covers the payload's
canonical JSON (sorted keys, no spaces, UTF-8). To change the registry, edit the payload and
re-sign it with the private key kept outside the repository:

    from walletdesk.support.official_channels import resign_file
    resign_file(PATH_TO_JSON, PRIVATE_KEY_PEM_BYTES)

Then release the file, or have an admin upload the signed document on the console's channels
page (`official_channels_store`): uploads are verified by `parse_registry` as this file is,
and `official_channels_store.official_channels_now(rt)` is the registry in effect.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

TRUSTED_KEYS: Mapping[str, str] = {
    "wd-channels-2026": "OXzpNYrFVrJyj4gB1ElX52VnPl1pCIMWQu0sRW/y6+0=",
}
"""key id -> raw Ed25519 public key (base64). Add the next key before rotating to it."""


class RegistryRefused(Exception):
    """The registry file is malformed, unsigned, signed by an unknown key or altered.

    `code` says which, for callers that answer a person (the admin upload): registry_not_json,
    registry_unsigned, registry_unknown_key, registry_bad_signature or registry_malformed."""

    def __init__(self, message: str, code: str = "registry_malformed") -> None:
        super().__init__(message)
        self.code = code


class EntryKind(StrEnum):
    PHONE = "phone"
    EMAIL_DOMAIN = "email_domain"
    WEB_DOMAIN = "web_domain"
    WECHAT = "wechat"


@dataclass(frozen=True)
class OfficialEntry:
    kind: EntryKind
    value: str
    """The normal form compared with what people type (`phone_key`, lower-case domains)."""
    display: str
    name: Mapping[str, str]
    """zh-CN and en names: "walletdesk 官方客服热线"."""
    about: Mapping[str, str]
    """zh-CN and en: what we use it for."""
    outbound: tuple[str, ...] = ()
    """Contact channels staff reach customers from with it (call, sms, email, wechat)."""
    address: str | None = None
    """For an email domain: the address outbound email comes from."""

    def name_in(self, locale: str) -> str:
        return self.name.get(locale) or self.name["en"]

    def about_in(self, locale: str) -> str:
        return self.about.get(locale) or self.about["en"]


@dataclass(frozen=True)
class OfficialChannels:
    version: int
    issued_at: str
    entries: tuple[OfficialEntry, ...]
    key_id: str
    signature: str
    payload: Mapping[str, Any]

    def match_phone(self, raw: str) -> OfficialEntry | None:
        key = phone_key(raw)
        return self._find(EntryKind.PHONE, key) if key else None

    def match_email(self, raw: str) -> OfficialEntry | None:
        _, at, domain = raw.strip().rpartition("@")
        host = _host_key(domain) if at else None
        return self._find_domain(EntryKind.EMAIL_DOMAIN, host) if host else None

    def match_web(self, raw: str) -> OfficialEntry | None:
        text = raw.strip()
        try:
            parts = urlsplit(text if "://" in text else f"https://{text}")
            host = parts.hostname
        except ValueError:
            return None
        if host is None or parts.username is not None:
            return None  # "https://walletdesk.example@evil.test" goes to evil.test
        key = _host_key(host)
        return self._find_domain(EntryKind.WEB_DOMAIN, key) if key else None

    def match_wechat(self, raw: str) -> OfficialEntry | None:
        return self._find(EntryKind.WECHAT, raw.strip().lower())

    def outbound_source(self, channel: str) -> OfficialEntry | None:
        """The entry staff contact customers from on `channel` (the first one listed)."""
        return next((e for e in self.entries if channel in e.outbound), None)

    def _find(self, kind: EntryKind, value: str) -> OfficialEntry | None:
        return next((e for e in self.entries if e.kind is kind and e.value == value), None)

    def _find_domain(self, kind: EntryKind, host: str) -> OfficialEntry | None:
        for entry in self.entries:
            if entry.kind is kind and (host == entry.value or host.endswith("." + entry.value)):
                return entry
        return None


_PHONE_CHARS = re.compile(r"^\+?[\d\s\-().]{3,24}$")
_NATIONAL_PREFIXES = ("1", "400", "800", "95", "96")
"""Numbers dialled without the trunk 0 inside China: mobiles, 106 SMS numbers, 400/800
service numbers, 95xxx/96xxx short codes. Everything else is a landline with an area code."""


def phone_key(raw: str) -> str | None:
    """The national digits of a phone number as people type it: "+86 400 000 8888",
    "400-000-8888" and "4000008888" all read "4000008888"; "+86 21 6000 0000" reads
    "02160000000". None when it is not a phone number."""
    text = raw.strip()
    if not _PHONE_CHARS.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    international = text.startswith("+86") or digits.startswith("0086")
    if text.startswith("+") and not text.startswith("+86"):
        return digits  # a foreign number: never one of ours, but still a phone number
    if digits.startswith("0086"):
        digits = digits[4:]
    elif text.startswith("+86"):
        digits = digits[2:]
    if international and not digits.startswith(_NATIONAL_PREFIXES):
        digits = "0" + digits
    return digits if 3 <= len(digits) <= 15 else None


def _host_key(host: str) -> str | None:
    text = host.strip().rstrip(".").lower()
    if not text or any(ch.isspace() for ch in text):
        return None
    try:
        return text.encode("idna").decode("ascii")  # a look-alike letter stays different
    except UnicodeError:
        return None


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def sign(payload: Mapping[str, Any], private_key: Ed25519PrivateKey, key_id: str) -> bytes:
    """A registry document: the payload with its key id and signature."""
    signature = base64.b64encode(private_key.sign(canonical(payload))).decode("ascii")
    document = {"key_id": key_id, "signature": signature, "payload": payload}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def resign_file(path: Path, private_key_pem: bytes, key_id: str = "wd-channels-2026") -> None:
    """Re-sign an edited registry file in place (run by a person holding the private key)."""
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RegistryRefused("the signing key is not an Ed25519 private key")
    document = json.loads(path.read_text(encoding="utf-8"))
    path.write_bytes(sign(document["payload"], key, key_id))


def _verify(document: Mapping[str, Any], trusted: Mapping[str, str]) -> Mapping[str, Any]:
    key_id, signature, payload = (
        document.get("key_id"),
        document.get("signature"),
        document.get("payload"),
    )
    if not isinstance(key_id, str) or not isinstance(signature, str):
        raise RegistryRefused("the registry carries no signature", "registry_unsigned")
    if not isinstance(payload, dict):
        raise RegistryRefused("the registry carries no payload")
    public = trusted.get(key_id)
    if public is None:
        raise RegistryRefused(
            f"the registry is signed by an unknown key {key_id!r}", "registry_unknown_key"
        )
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public))
        key.verify(base64.b64decode(signature, validate=True), canonical(payload))
    except (InvalidSignature, binascii.Error, ValueError):
        raise RegistryRefused(
            "the registry signature does not match its content", "registry_bad_signature"
        ) from None
    return payload


def _entry(raw: Mapping[str, Any]) -> OfficialEntry:
    kind = EntryKind(raw["kind"])
    value = str(raw["value"])
    if kind is EntryKind.PHONE:
        value = phone_key(value) or ""
    elif kind in (EntryKind.EMAIL_DOMAIN, EntryKind.WEB_DOMAIN):
        value = _host_key(value) or ""
    else:
        value = value.lower()
    if not value:
        raise RegistryRefused(f"an entry's value is not a {kind.value}")
    names, about = dict(raw["name"]), dict(raw["about"])
    if not {"zh-CN", "en"} <= names.keys() or not {"zh-CN", "en"} <= about.keys():
        raise RegistryRefused("every entry needs zh-CN and en names and descriptions")
    return OfficialEntry(
        kind=kind,
        value=value,
        display=str(raw.get("display") or raw["value"]),
        name=names,
        about=about,
        outbound=tuple(str(c) for c in raw.get("outbound", ())),
        address=raw.get("address"),
    )


def parse_registry(data: bytes, trusted: Mapping[str, str] = TRUSTED_KEYS) -> OfficialChannels:
    """Verify and read a registry document; `RegistryRefused` unless it is intact."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RegistryRefused("the registry is not JSON", "registry_not_json") from None
    if not isinstance(document, dict):
        raise RegistryRefused("the registry is not a JSON object", "registry_not_json")
    payload = _verify(document, trusted)
    try:
        entries = tuple(_entry(raw) for raw in payload["entries"])
        version, issued_at = int(payload["version"]), str(payload["issued_at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RegistryRefused(f"the registry payload is malformed: {exc}") from None
    return OfficialChannels(
        version=version,
        issued_at=issued_at,
        entries=entries,
        key_id=str(document["key_id"]),
        signature=str(document["signature"]),
        payload=payload,
    )


def load_registry(path: Path, trusted: Mapping[str, str] = TRUSTED_KEYS) -> OfficialChannels:
    return parse_registry(path.read_bytes(), trusted)


@cache
def official_channels() -> OfficialChannels:
    """The registry shipped in the package, verified once per process."""
    data = (resources.files("walletdesk.support") / "data" / "official_channels.json").read_bytes()
    return parse_registry(data)
