"""System checks for the notification settings."""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


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
