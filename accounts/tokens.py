"""API tokens: created with a name and an expiry, stored as a SHA-256 hash, listed and revoked by
their owner; logout revokes the token used, a password reset revokes them all."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, Conflict

from .models import ApiToken, User

SECRET_PREFIX = "smk_"
PREFIX_LENGTH = 12  # "smk_" and the first 8 characters of the random part
LAST_USED_EVERY = timedelta(minutes=1)


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _expiry_days(expires_in_days: int | None) -> int:
    if expires_in_days is None:
        return settings.API_TOKEN_DEFAULT_DAYS
    low, high = 1, settings.API_TOKEN_MAX_DAYS
    if not low <= expires_in_days <= high:
        message = _("Choose between %(low)d and %(high)d days.") % {"low": low, "high": high}
        raise ApplicationError(message, code="validation_error", fields={"expires_in_days": [message]})
    return expires_in_days


@transaction.atomic
def token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token; returns it with its secret, which is not stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        message = _("Give the token a name.")
        raise ApplicationError(message, code="validation_error", fields={"name": [message]})
    days = _expiry_days(expires_in_days)
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per user
    now = timezone.now()
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
    if live >= settings.API_TOKEN_MAX_PER_USER:
        raise Conflict(_("You have %(count)d live tokens, the most allowed. Revoke one first.")
                       % {"count": live}, code="too_many_tokens")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:PREFIX_LENGTH], key_hash=key_hash(secret),
                     created_at=now, expires_at=now + timedelta(days=days))
    token.full_clean(exclude=["user"])
    token.save()
    return token, secret


def token_authenticate(secret: str) -> tuple[User, ApiToken] | None:
    """The user and token of a live secret, or None. Marks the token used (at most once a minute)."""
    if not secret or len(secret) > 200:
        return None
    now = timezone.now()
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=key_hash(secret), revoked_at__isnull=True, expires_at__gt=now).first())
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revokes one of the user's own tokens (404 for anyone else's). Revoking twice is harmless."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def tokens_revoke_all(*, user: User) -> int:
    """Revokes every live token of the user (a password reset or change)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
