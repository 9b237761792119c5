"""The official channels registry in effect, and signed documents uploaded by admins.

The packaged file (`official_channels.py`) is the starting point. An admin with
`config.manage` may upload a newer registry document from the console, but only one signed
offline by the holder of a key in `TRUSTED_KEYS`: the upload is verified by the same
`parse_registry` that verifies the packaged file, so the console can carry a change the key
holder made and can never make one of its own. An admin account taken over can at most
re-upload a genuine document, and replaying an older one is refused (`version` must rise).

The registry in effect is the stored document with the highest version that still verifies
(each is verified again whenever it is read: a row written straight into the database, or one
signed by a key since dropped from `TRUSTED_KEYS`, is skipped), unless the packaged file
carries a higher version (a release that ships a newer file wins over an older upload);
with no stored document it is the packaged file.

Caching: the registry in effect is kept per database for `REGISTRY_FRESH_SECONDS`. An upload
drops this process's copy once it commits; other processes (more API workers) see it within
`REGISTRY_FRESH_SECONDS`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.fresh import FreshCache
from walletdesk.i18n import N_
from walletdesk.support import official_channels as signed
from walletdesk.support.official_channels import OfficialChannels, RegistryRefused
from walletdesk.support.verification_models import ContactChannel

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.official_channels import OfficialChannelsRepository
    from walletdesk.storage.uow import UnitOfWork

REGISTRY_FRESH_SECONDS: Final = 10.0
"""How long a process keeps the registry in effect before reading the database again: the
longest another API process goes on answering from the previous registry after an upload."""
DOCUMENT_MAX_CHARS: Final = 256 * 1024
"""Far above a real registry (the packaged one is about 4 KB)."""
STORED_TRIED: Final = 20
"""Stored documents tried, newest first, before falling back to the packaged file."""

HISTORY_MAX: Final = 50

REFUSALS: Final = {
    "registry_not_json": N_("The document is not a registry document (it is not JSON)."),
    "registry_unsigned": N_("The document carries no key id and signature."),
    "registry_unknown_key": N_(
        "The document is signed by a key walletdesk does not trust ({key_id})."
    ),
    "registry_bad_signature": N_(
        "The signature does not match the document: it was changed after signing."
    ),
    "registry_malformed": N_(
        "The document is signed, but its content is not a valid registry (entries, version"
        " and issue date are needed)."
    ),
}


@dataclass(frozen=True)
class StoredRegistry:
    """One uploaded document, as stored: verified when uploaded and again when read."""

    id: int
    version: int
    key_id: str
    document: str
    uploaded_by: str | None
    uploaded_at: datetime


@dataclass(frozen=True)
class RegistryInEffect:
    registry: OfficialChannels
    stored: StoredRegistry | None
    """The upload it comes from; None when it is the packaged file."""


def _repository(uow: UnitOfWork) -> OfficialChannelsRepository:
    # Imported here so this domain module does not pull SQLAlchemy in at import time.
    from walletdesk.storage.repositories.official_channels import OfficialChannelsRepository

    return OfficialChannelsRepository(uow.connection)


def _verify(data: bytes) -> OfficialChannels:
    # The module attribute is read at each call, so a key added to (or removed from)
    # TRUSTED_KEYS counts at once, as it does for the packaged file.
    return signed.parse_registry(data, signed.TRUSTED_KEYS)


def read_in_effect(uow: UnitOfWork) -> RegistryInEffect:
    """The registry in effect, read from the database now (no cache); `RegistryRefused` when
    no stored document verifies and the packaged file does not either."""
    packaged: OfficialChannels | None = None
    refusal: RegistryRefused | None = None
    try:
        packaged = signed.official_channels()
    except RegistryRefused as exc:
        refusal = exc
    for stored in _repository(uow).newest(limit=STORED_TRIED):
        try:
            registry = _verify(stored.document.encode("utf-8"))
        except RegistryRefused:
            continue
        if packaged is not None and packaged.version > registry.version:
            break
        return RegistryInEffect(registry, stored)
    if packaged is None:
        assert refusal is not None
        raise refusal
    return RegistryInEffect(packaged, None)


_CACHE: FreshCache[RegistryInEffect] = FreshCache(REGISTRY_FRESH_SECONDS)


def registry_in_effect(rt: Runtime, uow: UnitOfWork | None = None) -> RegistryInEffect:
    """The registry in effect and where it comes from, reused for up to
    `REGISTRY_FRESH_SECONDS` within this process. A caller already in a unit of work passes
    it, so a cache miss reads through it instead of opening a second connection."""

    def read() -> RegistryInEffect:
        if uow is not None:
            return read_in_effect(uow)
        with rt.db.uow(read_only=True) as own:
            return read_in_effect(own)

    return _CACHE.get(rt.db.engine, read)


def official_channels_now(rt: Runtime, uow: UnitOfWork | None = None) -> OfficialChannels:
    """What "Is this really walletdesk?", the official channels pages and staff contacts'
    source numbers answer from."""
    return registry_in_effect(rt, uow).registry


def hotline(rt: Runtime, uow: UnitOfWork | None = None) -> str:
    """Our hotline as the registry in effect lists it ("" when it lists none)."""
    entry = official_channels_now(rt, uow).outbound_source(ContactChannel.CALL.value)
    return entry.display if entry else ""


def upload_history(rt: Runtime, *, limit: int = HISTORY_MAX) -> list[StoredRegistry]:
    """The stored documents, highest version first (as uploaded; not verified again here)."""
    with rt.db.uow(read_only=True) as uow:
        return _repository(uow).newest(limit=min(limit, HISTORY_MAX))


def _refused(code: str, **params: object) -> ValidationFailed:
    return ValidationFailed(code, REFUSALS[code], field="document", **params)


def check_upload_registry(rt: Runtime, actor: Actor, document: str) -> StoredRegistry:
    """Verify an uploaded registry document as the packaged file is verified, require a
    version above the one in effect, store it and audit it. `ValidationFailed` (field
    "document") with the reason's code otherwise, storing nothing."""
    text = document.strip()
    if not text:
        raise ValidationFailed(
            "registry_empty", N_("Paste the signed registry document."), field="document"
        )
    if len(text) > DOCUMENT_MAX_CHARS:
        raise ValidationFailed(
            "registry_too_large",
            N_("The document is too large to be a registry."),
            field="document",
        )
    data = text.encode("utf-8")
    try:
        registry = _verify(data)
    except RegistryRefused as exc:
        # Only an unknown key's refusal names the key: the document is then a JSON object.
        key_id = json.loads(data).get("key_id") if exc.code == "registry_unknown_key" else ""
        code = exc.code if exc.code in REFUSALS else "registry_malformed"
        raise _refused(code, key_id=str(key_id)[:64]) from None
    now = rt.clock.now()
    with rt.db.uow() as uow:
        current = read_in_effect(uow)  # uncached: judged against what is committed now
        if registry.version <= current.registry.version:
            raise ValidationFailed(
                "registry_not_newer",
                N_(
                    "This document is version {version}, but version {current} is already in"
                    " effect. Only a newer version can be uploaded."
                ),
                field="document",
                version=registry.version,
                current=current.registry.version,
            )
        stored = _repository(uow).add(
            version=registry.version,
            key_id=registry.key_id,
            document=text,
            uploaded_by=actor.id,
            at=now,
        )
        record(
            uow,
            at=now,
            actor=actor,
            action="support.official_channels_uploaded",
            subject_kind="official_channels",
            subject_id=str(stored.id),
            details={
                "version": registry.version,
                "issued_at": registry.issued_at,
                "key_id": registry.key_id,
                "entries": len(registry.entries),
                "sha256": hashlib.sha256(data).hexdigest(),
                "previous_version": current.registry.version,
                "previous_source": (
                    f"upload {current.stored.id}" if current.stored else "packaged"
                ),
            },
        )
        uow.commit()
    _CACHE.forget()  # after commit: a rollback leaves the cached registry true
    return stored
