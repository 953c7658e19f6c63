"""Thin tasks: each takes ids, is safe to run twice and sends at most one message per run.

The company verification and invite e-mails are notifications: notify() writes them to the
notifications outbox and notifications.tasks.delivery_send sends them."""
from __future__ import annotations

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.emails import email_send
from core.tasks import retry_policy

RETRY = retry_policy(ConnectionError, TimeoutError, OSError)


@shared_task(**RETRY)
def password_reset_email_send(user_id: int) -> bool:
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    email_send(template="accounts/email/password_reset", to=[user.email], language=user.preferred_language,
               context={"user": user, "reset_path": reverse("frontend:password_reset_confirm", args=[uid, token])})
    return True


@shared_task
def invite_purge_expired() -> int:
    from .models import Invite

    deleted, _ = Invite.objects.filter(accepted_at__isnull=True, expires_at__lt=timezone.now()).delete()
    return deleted


@shared_task
def throttle_hits_purge() -> int:
    """Deletes counted sign-in failures and rate-limit events older than every window."""
    from django.conf import settings

    from .signin import throttle_hits_purge as purge

    return purge(older_than_seconds=max(settings.LOGIN_ADDRESS_WINDOW_SECONDS, settings.RATE_LIMIT_WINDOW_SECONDS))


@shared_task(**RETRY)
def email_verification_send(user_id: int) -> bool:
    """Sends the link that confirms a new account's e-mail address (nothing once it is confirmed)."""
    from .models import User
    from .verification_email import email_verification_token

    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return False
    token = email_verification_token(user)
    email_send(template="accounts/email/verify_email", to=[user.email], language=user.preferred_language,
               context={"user": user, "verify_path": reverse("frontend:verify_email", args=[token])})
    return True


@shared_task(soft_time_limit=300, time_limit=360)
def verification_expiry_run() -> dict[str, int]:
    """Beat, hourly: reminders for verifications that expire within VERIFICATION_EXPIRY_REMINDER_DAYS
    (once per verification period) and the expiry of those whose verified_until has passed."""
    from .services import verification_expiry_run as run

    return run()
