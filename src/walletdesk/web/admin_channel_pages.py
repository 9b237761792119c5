"""The official channels registry (/console/admin/channels): the registry in effect and the
upload of a newer signed document.

"Is this really walletdesk?" answers from an Ed25519-signed registry, verified against the
public keys the code trusts (`support/official_channels.py`). The page cannot edit entries,
on purpose: an admin account taken over must not be able to make a scammer's number
"genuine". What it can do is carry a change the holder of the offline key signed: an admin
pastes the signed document, and `official_channels_store` verifies it as the packaged file
is verified, requires a newer version, stores and audits it.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import official_channels_store as store
from walletdesk.support.official_channels import TRUSTED_KEYS, RegistryRefused
from walletdesk.web.admin_config_view import ConfigAdmin, admin_render, failed, staff_actor
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import FLASHES, redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console/admin/channels",
    dependencies=[Depends(csrf_protected)],
    include_in_schema=False,
)

KIND_NAMES: Final = {
    "phone": N_("Phone number"),
    "email_domain": N_("Email domain"),
    "web_domain": N_("Web address"),
    "wechat": N_("WeChat official account"),
}
OUTBOUND_NAMES: Final = {
    "call": N_("Calls"),
    "sms": N_("SMS"),
    "email": N_("Email (channel)"),
    "wechat": N_("WeChat"),
    "chat": N_("In-app chat"),
}


FLASHES.update(
    {
        "admin_channels_uploaded": (
            "success",
            N_("The signed registry was verified and is now in effect."),
        ),
    }
)
PAGE: Final = "/console/admin/channels"


def _page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    form: FormState | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    in_effect: store.RegistryInEffect | None = None
    refusal: str | None = None
    try:
        in_effect = store.registry_in_effect(rt)
    except RegistryRefused as exc:
        refusal = str(exc)  # the maintainers' own words, in English: a deployment fault
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/channel_registry.html",
        "channels",
        {
            "registry": in_effect.registry if in_effect else None,
            "stored": in_effect.stored if in_effect else None,
            "uploads": store.upload_history(rt),
            "refusal": refusal,
            "trusted_keys": sorted(TRUSTED_KEYS),
            "kind_names": KIND_NAMES,
            "outbound_names": OUTBOUND_NAMES,
            "form": form or FormState(),
            "document_max": store.DOCUMENT_MAX_CHARS,
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def channels_registry(request: Request, auth: ConfigAdmin, rt: RuntimeDep) -> Response:
    return _page(request, rt, auth)


@router.post("")
def upload_registry(
    request: Request, auth: ConfigAdmin, rt: RuntimeDep, document: FormText = ""
) -> Response:
    # One character over the limit is kept, so the service refuses it as too large.
    typed = text(document, store.DOCUMENT_MAX_CHARS + 1)
    try:
        store.check_upload_registry(rt, staff_actor(request, auth), typed)
    except DomainError as exc:
        form, status, headers = failed(request, exc, {"document": typed}, ("document",))
        return _page(request, rt, auth, form, status_code=status, headers=headers)
    return redirect(request, PAGE, flash="admin_channels_uploaded")
