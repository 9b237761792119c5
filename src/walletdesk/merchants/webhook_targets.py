"""Where merchant webhooks may go: public internet addresses only (no SSRF).

A merchant chooses its webhook URL, and our server then POSTs to it. Without a check, a URL
such as ``http://169.254.169.254/latest/meta-data/`` or ``http://10.0.0.5:6379/`` would make
walletdesk reach into its own network on a stranger's behalf. So the destination must be a
public address: not private, loopback, link-local, multicast, reserved, shared (CGNAT) or
unspecified, nor an IPv6 address that embeds such an IPv4 address (mapped, 6to4, Teredo,
NAT64).

It is checked twice:

- when a merchant is created or changes its URL: an IP literal is judged at once, ``localhost``
  names are refused, and a host name that resolves now must resolve only to public addresses
  (one that does not resolve yet is accepted: it is judged again at every delivery);
- at every delivery, because a DNS answer can change after registration (DNS rebinding): the
  name is resolved, every answer must be public, and the request is sent to the address that was
  checked (the Host header and TLS SNI keep the name), so a second lookup cannot swap it.

`Settings.webhook_allow_private` turns the check off for development and tests, where the
merchant's receiver runs on 127.0.0.1; `Settings.check_safe` refuses it outside dev mode.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]
"""(host, port) → the IP addresses the host name resolves to; OSError when it does not."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def system_resolve(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), each address once, in its order."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


class WebhookUrlNotAllowed(ValidationFailed):
    default_code = "webhook_url_not_allowed"
    default_message = N_(
        "The webhook URL must point to a public internet address. Private, loopback, "
        "link-local, multicast and reserved addresses are not allowed."
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [address.ipv4_mapped, address.sixtofour]
    if address.teredo is not None:
        found += list(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in found if a is not None]


def _plainly_public(address: IPAddress) -> bool:
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def is_public(address: IPAddress) -> bool:
    """True only for an address on the public internet, including any IPv4 it embeds."""
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else []
    return all(_plainly_public(a) for a in [address, *embedded])


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return None


def _port_of(url: str) -> int:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return port or (443 if parts.scheme == "https" else 80)


def _is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name in _LOCAL_NAMES or name.endswith(".localhost")


def check_registered_url(url: str, *, resolve: Resolve = system_resolve) -> None:
    """Refuse a webhook URL (already syntactically checked) whose host is not public."""
    host = urlsplit(url).hostname or ""
    literal = _literal(host)
    if literal is not None:
        if not is_public(literal):
            raise WebhookUrlNotAllowed(field="webhook_url")
        return
    if _is_local_name(host):
        raise WebhookUrlNotAllowed(field="webhook_url")
    try:
        answers = resolve(host, _port_of(url))
    except OSError:
        return  # not in DNS yet: every delivery resolves and checks it again
    if any(not _answer_is_public(answer) for answer in answers):
        raise WebhookUrlNotAllowed(field="webhook_url")


def _answer_is_public(answer: str) -> bool:
    address = _literal(answer)
    return address is not None and is_public(address)


class DestinationRefused(Exception):
    """The webhook's host is not (or no longer) a public address; nothing was sent."""


@dataclass(frozen=True)
class Destination:
    """Where to send: `url` with its host replaced by the checked address, and the name the
    merchant's server expects in the Host header and, over TLS, in SNI and its certificate."""

    url: str
    host_header: str | None
    sni_hostname: str | None


def pinned_destination(url: str, *, resolve: Resolve = system_resolve) -> Destination:
    """Resolve the URL's host now and pin the request to a checked public address.

    Raises `DestinationRefused` when the host is or resolves to anything not public, and
    OSError when it does not resolve (the outbox retries later)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = _literal(host)
    if literal is not None:
        if not is_public(literal):
            raise DestinationRefused(f"{literal} is not a public address")
        return Destination(url=url, host_header=None, sni_hostname=None)
    if _is_local_name(host):
        raise DestinationRefused("a localhost name")
    answers = resolve(host, _port_of(url))
    refused = [a for a in answers if not _answer_is_public(a)]
    if refused or not answers:
        raise DestinationRefused(f"{host} resolves to a non-public address")
    address = answers[0]
    userinfo, at, host_port = parts.netloc.rpartition("@")
    netloc = userinfo + at + (f"[{address}]" if ":" in address else address)
    if parts.port is not None:
        netloc += f":{parts.port}"
    return Destination(
        url=parts._replace(netloc=netloc).geturl(),
        host_header=host_port,
        sni_hostname=host if parts.scheme == "https" else None,
    )
