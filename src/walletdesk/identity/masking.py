"""How sensitive values look to anyone but their owner."""

from __future__ import annotations


def mask_phone(e164: str) -> str:
    """``+8613812341234`` -> ``138****1234``."""
    national = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if len(national) < 7:
        return "*" * len(national)
    return f"{national[:3]}****{national[-4:]}"


def format_phone(e164: str) -> str:
    """``+8613812341234`` -> ``+86 138 1234 1234``, the way people read mobile numbers."""
    if e164.startswith("+86") and len(e164) == 14:
        national = e164[3:]
        return f"+86 {national[:3]} {national[3:7]} {national[7:]}"
    return e164


def mask_email(email: str) -> str:
    """``zhang.wei@example.com`` -> ``z***@example.com``."""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_id_number(id_number: str) -> str:
    """Resident ID ``110101199003074578`` -> ``1101**********4578``."""
    if len(id_number) < 8:
        return "*" * len(id_number)
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"


def mask_name(name: str) -> str:
    """Show only the last character, as wallets do before a transfer: ``张明`` -> ``*明``."""
    if len(name) <= 1:
        return name
    return "*" * min(len(name) - 1, 2) + name[-1]
