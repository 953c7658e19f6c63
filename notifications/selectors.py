"""Reads for notifications. Each takes the acting user, so nobody reads another person's inbox or
another company's webhooks."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import MembershipRole, User

from . import events
from .events import MODERATORS
from .models import Channel, Delivery, DeliveryStatus, NotificationPreference, WebhookEndpoint


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Delivery]:
    """The user's in-app notifications, newest first."""
    if not user.is_authenticated:
        return Delivery.objects.none()
    qs = Delivery.objects.filter(recipient=user, channel=Channel.IN_APP).select_related("event")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    """One query: how many of the user's in-app notifications are unread."""
    if not user.is_authenticated:
        return 0
    return Delivery.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()


def notification_text(notification: Delivery) -> str:
    """The one-line summary of an in-app notification, in the active language."""
    event_type = events.EVENTS.get(notification.event.name)
    if event_type is None:
        return notification.event.name
    try:
        return event_type.summary(notification.event.context)
    except (KeyError, ValueError):
        return str(event_type.label)


def notification_link(notification: Delivery) -> str:
    event_type = events.EVENTS.get(notification.event.name)
    if event_type is None or event_type.link is None:
        return ""
    return event_type.link(notification.event.context)


@dataclass(frozen=True)
class PreferenceRow:
    event: str
    label: str
    channel: str
    enabled: bool
    mandatory: bool


def preference_list(*, user: User) -> list[PreferenceRow]:
    """Every event the user may receive, on each channel they may choose, with their choice or the
    default. Mandatory events are listed as enabled."""
    chosen = {(event, channel): enabled for event, channel, enabled in
              NotificationPreference.objects.filter(user=user).values_list("event", "channel", "enabled")}
    rows = []
    for name, event_type in sorted(events.EVENTS.items()):
        if not event_type.configurable or (event_type.audience == MODERATORS and not user.is_moderator):
            continue
        for channel in event_type.user_channels:
            enabled = True if event_type.mandatory else chosen.get((name, channel), event_type.is_default(channel))
            rows.append(PreferenceRow(event=name, label=str(event_type.label), channel=channel, enabled=enabled,
                                      mandatory=event_type.mandatory))
    return rows


def webhook_event_choices() -> list[tuple[str, str]]:
    return [(name, str(event_type.label)) for name, event_type in sorted(events.EVENTS.items()) if event_type.webhook]


def webhook_endpoint_list(*, actor: User) -> QuerySet[WebhookEndpoint]:
    """The endpoints of the companies the actor owns."""
    return WebhookEndpoint.objects.filter(
        company__memberships__user=actor, company__memberships__role=MembershipRole.OWNER).order_by("pk")


def webhook_endpoint_get(*, actor: User, pk: int) -> WebhookEndpoint | None:
    return webhook_endpoint_list(actor=actor).filter(pk=pk).first()


def webhook_dead_letter_list(*, actor: User) -> QuerySet[Delivery]:
    """Webhook deliveries of the actor's companies that failed for good, newest failure first."""
    return (Delivery.objects.filter(channel=Channel.WEBHOOK, status=DeliveryStatus.DEAD,
                                    endpoint__company__memberships__user=actor,
                                    endpoint__company__memberships__role=MembershipRole.OWNER)
            .select_related("event", "endpoint").order_by("-failed_at", "-pk"))


def webhook_endpoint_list_for_company(*, actor: User, company_id: int) -> QuerySet[WebhookEndpoint]:
    """The endpoints of one company as any of its members sees them (only owners change them);
    the secret is not read."""
    return (WebhookEndpoint.objects.filter(company_id=company_id, company__memberships__user=actor)
            .defer("secret").order_by("pk"))


def webhook_dead_letter_list_for_company(*, actor: User, company_id: int) -> QuerySet[Delivery]:
    """The failed webhook deliveries of one company, for any of its members, newest failure first."""
    return (Delivery.objects.filter(channel=Channel.WEBHOOK, status=DeliveryStatus.DEAD,
                                    endpoint__company_id=company_id, endpoint__company__memberships__user=actor)
            .select_related("event", "endpoint").defer("endpoint__secret").order_by("-failed_at", "-pk"))


def channel_label(channel: str) -> str:
    return str(Channel(channel).label) if channel in Channel.values else _("Unknown")
