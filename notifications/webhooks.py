"""Webhook helpers with no database access: secrets, signatures, address checks and retry delays.

A receiver checks a delivery like this (`signature_verify` does exactly that):

    t, v1 = the values of X-SME-Signature: t=<unix seconds>,v1=<hex>
    expected = HMAC-SHA256(key=secret, message=f"{t}.{raw request body}") as hex
    accept when expected == v1 (constant-time compare) and |now - t| <= 5 minutes

The same event may arrive more than once (a retry after a timeout that the receiver had in fact
handled); X-SME-Event-Id is the same on every copy, so a receiver that remembers it handles each
event once."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import secrets
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-SME-Signature"
EVENT_ID_HEADER = "X-SME-Event-Id"
EVENT_HEADER = "X-SME-Event"
SIGNATURE_TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"
# Sent to one endpoint on its owner's request (services.webhook_endpoint_test); no one subscribes to it.
WEBHOOK_TEST = "webhook.test"
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def actor_data(*, company=None, user=None, role: str = "") -> dict:
    """Who made a move, as events carry it: the acting company and person (None for the system), and
    the role they acted in. The same shape in every event that names its actor."""
    return {
        "company_id": company.pk if company is not None else None,
        "company_name": company.legal_name if company is not None else "",
        "user_id": user.pk if user is not None else None,
        "user_name": (user.full_name or user.email) if user is not None else "",
        "role": role,
    }


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(*, secret: str, header: str, body: bytes, tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
                     now: float | None = None) -> bool:
    """True when `header` (the X-SME-Signature value) signs `body` with `secret` and is recent enough."""
    timestamp = None
    candidates = []
    for part in (header or "").split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


def loopback_allowed() -> bool:
    """WEBHOOKS_ALLOW_LOOPBACK: receivers on this machine (http://127.0.0.1, http://localhost) for
    local development and tests. Off by default, forced off in production."""
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook endpoint, or None, from the URL alone (its addresses are
    checked by `resolve_checked`). HTTPS only; plain HTTP to 127.0.0.1, [::1] or localhost only
    where WEBHOOKS_ALLOW_LOOPBACK is on."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError:
        return _("Enter a valid URL.")
    if parts.username or parts.password:
        return _("The URL may not contain a user name or password.")
    if not parts.hostname:
        return _("Enter a valid URL.")
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and loopback_allowed():
        return None
    return _("The URL must start with https://.")


# IPv6 ranges whose addresses carry an IPv4 address; such an address is judged by the IPv4 one.
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
    (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::) and Teredo (server and client)."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):  # :: and ::1 are themselves
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    return []


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip.is_unspecified:
        return _("unspecified")
    if ip.is_loopback:
        return None if loopback_allowed() else _("loopback")
    if ip.is_link_local:
        return _("link-local")
    if ip.is_multicast:
        return _("multicast")
    if ip.version == 4 and ip in SHARED_ADDRESS_SPACE:
        return _("shared (carrier-grade NAT)")
    if ip.is_private:
        return _("private")
    if ip.is_reserved:
        return _("reserved")
    if not ip.is_global:
        return _("non-public")
    return None


def address_problem(address: str) -> str | None:
    """Why webhooks may not connect to `address`, or None when it is public (or loopback with
    WEBHOOKS_ALLOW_LOOPBACK on). An IPv6 address that carries an IPv4 address is judged by the IPv4
    address, so ::127.0.0.1 or 64:ff9b::a9fe:a9fe cannot reach what 127.0.0.1 or
    169.254.169.254 could not."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])
    except ValueError:
        return _("not an IP address")
    judged = (embedded_ipv4(ip) if ip.version == 6 else []) or [ip]
    for candidate in judged:
        kind = _kind(candidate)
        if kind is not None:
            return kind if candidate == ip else _("%(kind)s, %(ipv4)s inside %(ipv6)s") % {
                "kind": kind, "ipv4": candidate, "ipv6": ip}
    return None


def address_allowed(address: str) -> bool:
    return address_problem(address) is None


class AddressRefused(Exception):
    """The host of a webhook URL does not resolve, or resolves to an address webhooks may not reach.
    `resolves` tells the two apart: a name that does not resolve may resolve later."""

    def __init__(self, message: str, *, resolves: bool) -> None:
        super().__init__(message)
        self.resolves = resolves


def host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def _getaddrinfo(host: str, port: int) -> list:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def resolve_checked(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, all of them allowed, in resolver order; raises
    AddressRefused otherwise. One rule for registering an endpoint and for every send: the sender
    connects to an address returned here, so a name that resolves differently a second later
    (DNS rebinding) changes nothing."""
    try:
        infos = _getaddrinfo(host, port)
    except (OSError, UnicodeError):
        infos = []
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise AddressRefused(_("The host name %(host)s does not resolve.") % {"host": host}, resolves=False)
    for address in addresses:
        kind = address_problem(address)
        if kind is not None:
            raise AddressRefused(
                _("%(host)s resolves to %(address)s, which is not a public address (%(kind)s); webhooks are "
                  "sent to public addresses only.") % {"host": host, "address": address, "kind": kind},
                resolves=True)
    return addresses


def retry_delay(attempt: int, *, base: float, maximum: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempt`-th failed attempt: exponential, capped, with jitter.

    The ceiling doubles with each attempt (base, 2*base, 4*base ... up to `maximum`) and the delay
    is drawn between half the ceiling and the ceiling, so receivers that failed together do not
    all come back at the same second."""
    ceiling = min(float(maximum), float(base) * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
