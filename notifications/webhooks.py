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
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-SME-Signature"
EVENT_ID_HEADER = "X-SME-Event-Id"
EVENT_HEADER = "X-SME-Event"
SIGNATURE_TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"
LOCALHOST = "127.0.0.1"


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


def insecure_localhost_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_INSECURE_LOCALHOST", False))


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook endpoint, or None. HTTPS only; plain HTTP to 127.0.0.1 only
    where WEBHOOKS_ALLOW_INSECURE_LOCALHOST is on (the test settings)."""
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
    if parts.scheme == "http" and parts.hostname == LOCALHOST and insecure_localhost_allowed():
        return None
    return _("The URL must start with https://.")


def address_allowed(address: str) -> bool:
    """Webhooks go to public addresses only, so an endpoint cannot reach into our own network."""
    ip = ipaddress.ip_address(address)
    if ip.is_loopback and address == LOCALHOST and insecure_localhost_allowed():
        return True
    return ip.is_global and not ip.is_multicast


def retry_delay(attempt: int, *, base: float, maximum: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempt`-th failed attempt: exponential, capped, with jitter.

    The ceiling doubles with each attempt (base, 2*base, 4*base ... up to `maximum`) and the delay
    is drawn between half the ceiling and the ceiling, so receivers that failed together do not
    all come back at the same second."""
    ceiling = min(float(maximum), float(base) * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
