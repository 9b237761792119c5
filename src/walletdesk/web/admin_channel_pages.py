"""The official channels registry (/console/admin/channels), read-only.

"Is this really walletdesk?" answers from one Ed25519-signed file shipped in the package
(`support/official_channels.py`), verified against the public keys the code trusts. There is
no database copy to edit, on purpose: an admin account taken over must not be able to make a
scammer's number "genuine". The page shows the entries, the key id, whether the signature
verifies, and how the registry is changed (edit, re-sign offline, release).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.i18n import N_
from walletdesk.support.official_channels import (
    TRUSTED_KEYS,
    OfficialChannels,
    RegistryRefused,
    official_channels,
)
from walletdesk.web.admin_config_view import ConfigAdmin, admin_render
from walletdesk.web.csrf import csrf_protected

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
    "email": N_("Email"),
    "wechat": N_("WeChat"),
    "chat": N_("In-app chat"),
}


@router.get("")
def channels_registry(request: Request, auth: ConfigAdmin, rt: RuntimeDep) -> Response:
    registry: OfficialChannels | None = None
    refusal: str | None = None
    try:
        registry = official_channels()
    except RegistryRefused as exc:
        refusal = str(exc)  # the maintainers' own words, in English: a deployment fault
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/channel_registry.html",
        "channels",
        {
            "registry": registry,
            "refusal": refusal,
            "trusted_keys": sorted(TRUSTED_KEYS),
            "kind_names": KIND_NAMES,
            "outbound_names": OUTBOUND_NAMES,
        },
    )
