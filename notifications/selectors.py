"""Reads for notifications. Each takes the acting user, so nobody reads another person's inbox or
another company's webhooks."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
class NotificationLine:
    """One line of the list or the bell: one notification, or several consecutive unread ones of the
    same kind shown together ("12 listings approved"). `items` are (notification, text, link),
    newest first."""

    text: str
    link: str
    items: tuple[tuple[Delivery, str, str], ...]

    @property
    def notification(self) -> Delivery:
        return self.items[0][0]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def is_group(self) -> bool:
        return len(self.items) > 1

    @property
    def unread(self) -> bool:
        return any(item[0].read_at is None for item in self.items)


def _group_key(notification: Delivery) -> tuple[str, str] | None:
    """What an unread notification groups by, or None when it stands alone."""
    if notification.read_at is not None:
        return None
    event_type = events.EVENTS.get(notification.event.name)
    if event_type is None or event_type.group_summary is None:
        return None  # an event groups only when it says how a group reads
    try:
        key = event_type.group_key(notification.event.context) if event_type.group_key else ""
    except (KeyError, ValueError):
        return None
    return notification.event.name, key


def _group_text(notifications: list[Delivery]) -> str:
    count, newest = len(notifications), notifications[0]
    event_type = events.EVENTS[newest.event.name]
    try:
        return event_type.group_summary(count, newest.event.context)
    except (KeyError, ValueError):
        return ngettext("%(count)d notification: %(label)s", "%(count)d notifications: %(label)s", count) % {
            "count": count, "label": event_type.label}


def notification_lines(notifications: Iterable[Delivery]) -> list[NotificationLine]:
    """The notifications (newest first, as notification_list gives them) as lines: consecutive
    unread ones of the same event and group key become one line with a plural text (for the events
    that declare a group_summary); the rest stay one line each. No query beyond the notifications themselves."""
    runs: list[tuple[tuple[str, str] | None, list[Delivery]]] = []
    for notification in notifications:
        key = _group_key(notification)
        if key is not None and runs and runs[-1][0] == key:
            runs[-1][1].append(notification)
        else:
            runs.append((key, [notification]))
    lines = []
    for _key, run in runs:
        items = tuple((n, notification_text(n), notification_link(n)) for n in run)
        if len(run) == 1:
            lines.append(NotificationLine(text=items[0][1], link=items[0][2], items=items))
        else:
            links = {item[2] for item in items}
            lines.append(NotificationLine(text=_group_text(run), link=links.pop() if len(links) == 1 else "",
                                          items=items))
    return lines


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
