"""Recognising devices: the client's stable id if it sends one, else its user agent."""

from __future__ import annotations

import re

from walletdesk.fieldcrypt import FieldCipher
from walletdesk.identity.context import RequestContext

DEVICE_PURPOSE = "device"

_PLATFORMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("HarmonyOS", "HarmonyOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)
_BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("Edg/", "Edge"),
    ("Chrome/", "Chrome"),
    ("Firefox/", "Firefox"),
    ("Safari/", "Safari"),
    ("python-httpx", "API client"),
    ("curl/", "curl"),
)


def device_fingerprint(cipher: FieldCipher, request: RequestContext) -> str:
    basis = f"id:{request.device_id}" if request.device_id else f"ua:{request.user_agent or ''}"
    return cipher.blind_index(basis, DEVICE_PURPOSE)


def describe_device(user_agent: str | None) -> str:
    """A short human name such as "Chrome on Android" for the devices list."""
    if not user_agent:
        return "Unknown device"
    platform = next((name for key, name in _PLATFORMS if key in user_agent), None)
    browser = next((name for key, name in _BROWSERS if key in user_agent), None)
    if platform and browser:
        return f"{browser} on {platform}"
    if platform or browser:
        return str(platform or browser)
    return re.sub(r"[^\w ./-]", "", user_agent)[:40] or "Unknown device"
