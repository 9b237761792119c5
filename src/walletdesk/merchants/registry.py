"""Creating merchants and recognising them by API key.

The API key and the webhook secret are shown once, at creation. The key is stored only as a
SHA-256 digest (it carries 256 random bits, so a plain digest is safe and lets us look it up);
the webhook secret must be readable to sign webhooks, so it is stored encrypted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.money import check_currency
from walletdesk.merchants.accounts import open_merchant_accounts
from walletdesk.merchants.errors import InvalidApiKey, invalid_webhook_url
from walletdesk.merchants.models import Merchant
from walletdesk.merchants.store import store
from walletdesk.merchants.webhook_targets import Resolve, check_registered_url, system_resolve
from walletdesk.randomness import new_id, token_urlsafe

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

API_KEY_PREFIX = "wdk_"
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
WEBHOOK_SECRET_PURPOSE = "merchant.webhook_secret"  # noqa: S105 - a label
NAME_MAX = 100


@dataclass(frozen=True)
class NewMerchant:
    merchant: Merchant
    api_key: str
    webhook_secret: str


def api_key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8", "replace")).hexdigest()


def check_webhook_url(url: str | None) -> str | None:
    """The URL's form: a full http(s) address (where it points is `allowed_webhook_url`)."""
    if url is None or not url.strip():
        return None
    text = url.strip()
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError:
        raise invalid_webhook_url() from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(text) > 500:
        raise invalid_webhook_url()
    return text


def allowed_webhook_url(
    rt: Runtime, url: str | None, *, resolve: Resolve = system_resolve
) -> str | None:
    """check_webhook_url, then refuse a destination that is not a public address (SSRF),
    unless this deployment allows private ones (development only)."""
    checked = check_webhook_url(url)
    if checked is not None and not rt.settings.webhook_allow_private:
        check_registered_url(checked, resolve=resolve)
    return checked


def create_merchant(
    rt: Runtime,
    *,
    name: str,
    webhook_url: str | None,
    currency: str = "CNY",
    resolve: Resolve = system_resolve,
) -> NewMerchant:
    clean_name = name.strip()
    if not clean_name or len(clean_name) > NAME_MAX:
        raise ValidationFailed(
            "invalid_merchant_name",
            N_("Enter a merchant name of 1 to {max} characters."),
            field="name",
            max=NAME_MAX,
        )
    api_key = API_KEY_PREFIX + token_urlsafe(rt.random)
    secret = WEBHOOK_SECRET_PREFIX + token_urlsafe(rt.random)
    merchant = Merchant(
        id=new_id(rt.random, "mch"),
        name=clean_name,
        currency=check_currency(currency),
        api_key_hash=api_key_digest(api_key),
        webhook_url=allowed_webhook_url(rt, webhook_url, resolve=resolve),
        webhook_secret_enc=rt.cipher.encrypt(secret, WEBHOOK_SECRET_PURPOSE),
        created_at=rt.clock.now(),
    )
    with rt.db.uow() as uow:
        store(uow).merchants.add(merchant)
        open_merchant_accounts(rt, uow, merchant.id, merchant.currency)
        uow.commit()
    return NewMerchant(merchant=merchant, api_key=api_key, webhook_secret=secret)


def update_webhook_url(
    rt: Runtime, merchant: Merchant, webhook_url: str | None, *, resolve: Resolve = system_resolve
) -> Merchant:
    """Point the merchant's webhooks somewhere else (None: stop sending them). Webhooks
    already queued go to the new URL: the sender reads it at delivery time."""
    checked = allowed_webhook_url(rt, webhook_url, resolve=resolve)
    with rt.db.uow() as uow:
        merchants = store(uow).merchants
        current = merchants.get(merchant.id, for_update=True)
        if current is None:
            raise InvalidApiKey()
        current.webhook_url = checked
        merchants.save(current)
        record(
            uow,
            at=rt.clock.now(),
            actor=Actor("merchant", current.id),
            action="merchant.webhook_url_changed",
            subject_kind="merchant",
            subject_id=current.id,
            details={"webhook_url": checked},
        )
        uow.commit()
    return current


def merchant_for_key(rt: Runtime, api_key: str | None) -> Merchant:
    """The merchant whose API key this is, or 401 invalid_api_key."""
    if not api_key or not api_key.startswith(API_KEY_PREFIX):
        raise InvalidApiKey()
    with rt.db.uow(read_only=True) as uow:
        merchant = store(uow).merchants.get_by_key_hash(api_key_digest(api_key))
    if merchant is None:
        raise InvalidApiKey()
    return merchant


def webhook_secret_of(rt: Runtime, merchant: Merchant) -> str:
    return rt.cipher.decrypt(merchant.webhook_secret_enc, WEBHOOK_SECRET_PURPOSE)
