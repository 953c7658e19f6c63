"""Sign-in protection: one throttle for every way of signing in (API token and login endpoints, the
login page, the admin) and the sliding-window rate limits of password reset and registration.

- Per account: the first LOGIN_ACCOUNT_FREE_FAILURES failures are free; after that each failure
  makes the next attempt wait, twice as long per failure up to LOGIN_ACCOUNT_MAX_DELAY_SECONDS.
  Nobody is locked out for good: the delay runs out, a password reset clears it, and a browser that
  signed in to the account before (a signed device cookie) is not held by it at all.
- Per known device: the same delay on its own failures, so a stolen cookie buys no free guesses.
- Per client address: failures on at most LOGIN_ADDRESS_MAX_ACCOUNTS distinct accounts within a
  sliding window (the failures' timestamps are kept). Repeated typos on one account count once, so
  an office behind one address is not refused because of a few mistakes.

Every attempt is counted as a failure before the password is checked (the row is locked while
deciding, so parallel attempts cannot all pass a free slot) and given back when it was right.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

from .models import LoginThrottle, ThrottleHit

DEVICE_SALT = "accounts.signin.device"


class Throttled(ApplicationError):
    """429 with the number of seconds after which trying again makes sense (Retry-After)."""

    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


def account_key(email: str) -> str:
    """The throttle key of an account: its e-mail address, or the address's SHA-256 when it is too long
    for the key columns (200 characters), as an attacker's made-up address can be."""
    email = (email or "").strip().lower()
    if len(email) > 150:
        email = "sha256:" + hashlib.sha256(email.encode()).hexdigest()
    return f"account:{email}"


def _seconds_until(moment: datetime, now: datetime) -> int:
    return math.ceil((moment - now).total_seconds())


def account_delay_seconds(failures: int) -> int:
    """How long the next attempt waits after this many failures in a row."""
    free = settings.LOGIN_ACCOUNT_FREE_FAILURES
    if failures < free:
        return 0
    exponent = min(failures - free, 32)
    return min(settings.LOGIN_ACCOUNT_DELAY_SECONDS * 2 ** exponent, settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS)


def _delay_reserve(key: str) -> int | None:
    """Counts an attempt on the key; None when it may go ahead, else the seconds to wait."""
    with transaction.atomic():
        LoginThrottle.objects.get_or_create(key=key)
        row = LoginThrottle.objects.select_for_update().get(key=key)
        now = timezone.now()  # read under the lock, so the rows' times only move forward
        forget = timedelta(seconds=settings.LOGIN_ACCOUNT_FORGET_SECONDS)
        if row.last_failure_at is not None and now - row.last_failure_at > forget:
            row.failures = 0
            row.next_allowed_at = None
        if row.next_allowed_at is not None and row.next_allowed_at > now:
            return _seconds_until(row.next_allowed_at, now)
        row.failures += 1
        row.last_failure_at = now
        delay = account_delay_seconds(row.failures)
        row.next_allowed_at = now + timedelta(seconds=delay) if delay else None
        row.save(update_fields=["failures", "last_failure_at", "next_allowed_at"])
    return None


def _delay_clear(key: str) -> None:
    LoginThrottle.objects.filter(key=key).update(failures=0, last_failure_at=None, next_allowed_at=None)


def _window_start(now: datetime, seconds: int) -> datetime:
    return now - timedelta(seconds=seconds)


def _address_reserve(address: str, subject: str) -> tuple[int | None, int | None]:
    """Counts a failed try of `subject` from the address. Returns (seconds to wait or None, hit id)."""
    key = f"ip:{address}"
    window = settings.LOGIN_ADDRESS_WINDOW_SECONDS
    with transaction.atomic():
        LoginThrottle.objects.get_or_create(key=key)
        LoginThrottle.objects.select_for_update().get(key=key)
        now = timezone.now()
        ThrottleHit.objects.filter(key=key, at__lte=_window_start(now, window)).delete()
        hits = ThrottleHit.objects.filter(key=key)
        if not hits.filter(subject=subject).exists():
            per_subject = hits.values("subject").annotate(last=Max("at")).order_by("last")
            if len(per_subject) >= settings.LOGIN_ADDRESS_MAX_ACCOUNTS:
                return _seconds_until(per_subject[0]["last"] + timedelta(seconds=window), now), None
        hit = ThrottleHit.objects.create(key=key, subject=subject, at=now)
    return None, hit.pk


@dataclass
class Attempt:
    """What one sign-in attempt reserved, to be given back when the password was right."""

    email: str
    address: str | None
    device_id: str | None
    hit_ids: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def _refused(seconds: int) -> Throttled:
    return Throttled(_("Too many failed sign-in attempts. Try again later."), retry_after=seconds)


def attempt_begin(*, email: str, address: str | None, device_id: str | None = None) -> Attempt:
    """Counts the attempt before the password is checked, or raises Throttled (nothing counted)."""
    attempt = Attempt(email=(email or "").strip().lower(), address=address, device_id=device_id)
    if device_id:
        # A browser that signed in to this account before: only its own failures hold it back.
        key = f"device:{device_id}"
        wait = _delay_reserve(key)
        if wait is not None:
            raise _refused(wait)
        attempt.keys.append(key)
        return attempt
    if address:
        wait, hit_id = _address_reserve(address, account_key(attempt.email))
        if wait is not None:
            raise _refused(wait)
        attempt.hit_ids.append(hit_id)
    key = account_key(attempt.email)
    wait = _delay_reserve(key)
    if wait is not None:
        ThrottleHit.objects.filter(pk__in=attempt.hit_ids).delete()
        raise _refused(wait)
    attempt.keys.append(key)
    return attempt


def attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: the account's (or device's) failures and the address's count of
    this account are cleared."""
    for key in attempt.keys:
        _delay_clear(key)
    if attempt.address:
        ThrottleHit.objects.filter(key=f"ip:{attempt.address}", subject=account_key(attempt.email)).delete()


def account_clear(email: str) -> None:
    """A password reset or change lifts the account's delay."""
    _delay_clear(account_key(email))


# --- known devices -----------------------------------------------------------------------------------

def device_id_from_cookie(value: str | None, *, email: str) -> str | None:
    """The device id of a valid cookie issued to this account, else None."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_SALT, max_age=timedelta(days=settings.LOGIN_DEVICE_COOKIE_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != (email or "").strip().lower():
        return None
    device_id = data.get("d")
    return device_id if isinstance(device_id, str) and device_id else None


def device_cookie_value(*, email: str, device_id: str | None = None) -> str:
    return signing.dumps({"e": (email or "").strip().lower(), "d": device_id or secrets.token_urlsafe(16)},
                         salt=DEVICE_SALT)


def request_device_id(request, email: str) -> str | None:
    if request is None:
        return None
    return device_id_from_cookie(request.COOKIES.get(settings.LOGIN_DEVICE_COOKIE_NAME), email=email)


def remember_device(request, *, email: str, device_id: str | None) -> None:
    """Asks DeviceCookieMiddleware to (re)issue the device cookie with the response."""
    if request is not None:
        http_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
        http_request._sme_device_cookie = device_cookie_value(email=email, device_id=device_id)


class DeviceCookieMiddleware:
    """Sets the known-device cookie after a successful sign-in, on whichever path it happened."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = getattr(request, "_sme_device_cookie", None)
        if value:
            response.set_cookie(settings.LOGIN_DEVICE_COOKIE_NAME, value,
                                max_age=settings.LOGIN_DEVICE_COOKIE_DAYS * 24 * 60 * 60,
                                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        return response


# --- rate limits of password reset and registration ------------------------------------------------

def rate_limit_take(key: str, *, limit: int, window_seconds: int | None = None) -> int | None:
    """Counts one event on the key in a sliding window; None when within the limit, else the
    seconds until the oldest counted event leaves the window (nothing is counted then)."""
    window = window_seconds or settings.RATE_LIMIT_WINDOW_SECONDS
    with transaction.atomic():
        LoginThrottle.objects.get_or_create(key=key)
        LoginThrottle.objects.select_for_update().get(key=key)
        now = timezone.now()
        ThrottleHit.objects.filter(key=key, at__lte=_window_start(now, window)).delete()
        recent = list(ThrottleHit.objects.filter(key=key).order_by("at").values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            return _seconds_until(recent[0] + timedelta(seconds=window), now)
        ThrottleHit.objects.create(key=key, at=now)
    return None


def throttle_hits_purge(*, older_than_seconds: int) -> int:
    deleted, _ = ThrottleHit.objects.filter(at__lt=timezone.now() - timedelta(seconds=older_than_seconds)).delete()
    return deleted
