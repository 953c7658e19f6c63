"""System checks for the notification settings."""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register  # noqa: A004 - the checks framework's Warning

from .encryption import configured_keys, key_problems


@register(Tags.security, deploy=True)
def insecure_webhooks_check(app_configs, **kwargs) -> list[Error]:
    if getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False):
        return [Error("WEBHOOKS_ALLOW_LOOPBACK is on: webhooks could be sent in clear text to this host.",
                      hint="It is meant for local development and tests only; unset it.",
                      id="notifications.E001")]
    return []


@register()
def claim_outlives_task_check(app_configs, **kwargs) -> list[Error]:
    stale = settings.NOTIFICATIONS_CLAIM_STALE_SECONDS
    limit = settings.NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS
    if stale <= limit:
        return [Error(f"NOTIFICATIONS_CLAIM_STALE_SECONDS ({stale}) must be longer than "
                      f"NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS ({limit}).",
                      hint="Otherwise a delivery that is still being sent could be sent a second time.",
                      id="notifications.E002")]
    return []


@register()
def webhook_secret_keys_check(app_configs, **kwargs) -> list[Error]:
    problems = key_problems(configured_keys())
    if problems:
        return [Error("WEBHOOK_SECRET_KEYS: " + "; ".join(problems) + ".",
                      hint='Make a key with: python -c "from cryptography.fernet import Fernet; '
                           'print(Fernet.generate_key().decode())"',
                      id="notifications.E003")]
    return []


@register(Tags.security, deploy=True)
def webhook_secret_keys_set_check(app_configs, **kwargs) -> list[Warning]:
    if not configured_keys():
        return [Warning("WEBHOOK_SECRET_KEYS is not set: webhook secrets are encrypted with a key derived from "
                        "SECRET_KEY, so changing SECRET_KEY makes every stored webhook secret unreadable.",
                        hint="Set WEBHOOK_SECRET_KEYS to one or more Fernet keys (README, Webhooks).",
                        id="notifications.W001")]
    return []
