"""The notifications outbox.

An Event records that something happened. Each Delivery is one message of that event to one
recipient over one channel; it is written in the same transaction as the change it reports and is
then carried to the recipient by the relay (notifications/relay.py). In-app deliveries need no
carrying: the committed row is the notification the bell counts."""
from __future__ import annotations

import re
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .encryption import decrypt, encrypt


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In the app")
    WEBHOOK = "webhook", _("Webhook")


# The channels a person chooses for themselves; webhooks are subscribed per company endpoint.
USER_CHANNELS = (Channel.EMAIL, Channel.IN_APP)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed (dead letter)")
    CANCELLED = "cancelled", _("Cancelled")


# Rows the relay still looks at, each when its next_attempt_at has passed.
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


class Event(models.Model):
    """Something that happened, with the ids and strings needed to tell people about it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("event"), max_length=100, db_index=True)
    company = models.ForeignKey("accounts.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class Delivery(models.Model):
    """One message of an event to one recipient over one channel: the outbox row.

    `recipient_key` names the recipient whatever its kind ("user:12", "email:a@b.example",
    "endpoint:3"); with the event and the channel it is the delivery's unique key, so however often
    anything is retried there is never a second row for the same message.

    `next_attempt_at` is when the relay next looks at the row: a pending row is published then; a
    queued or sending row whose time has come is presumed lost (its message or its worker) and is
    published again."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient_key = models.CharField(max_length=320)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="notification_deliveries")
    recipient_email = models.EmailField(_("e-mail address"), blank=True)
    endpoint = models.ForeignKey("WebhookEndpoint", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "recipient_key"],
                                    name="notifications_delivery_unique_key"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="notifications_delivery_channel"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values),
                                   name="notifications_delivery_status"),
            # Who receives it matches the channel: a webhook goes to an endpoint, the rest to a person
            # (a user, or for e-mail a bare address).
            models.CheckConstraint(
                condition=(Q(channel=Channel.WEBHOOK, endpoint__isnull=False, recipient__isnull=True)
                           | Q(channel=Channel.IN_APP, recipient__isnull=False, endpoint__isnull=True)
                           | (Q(channel=Channel.EMAIL, endpoint__isnull=True)
                              & (Q(recipient__isnull=False) | ~Q(recipient_email="")))),
                name="notifications_delivery_recipient_matches_channel"),
        ]
        indexes = [
            # The relay's scan.
            models.Index(fields=["next_attempt_at"], condition=Q(status__in=OPEN_STATUSES),
                         name="notif_delivery_due_idx"),
            # The bell and the list page.
            models.Index(fields=["recipient", "-created_at"], condition=Q(channel=Channel.IN_APP),
                         name="notif_delivery_inbox_idx"),
            models.Index(fields=["recipient"], condition=Q(channel=Channel.IN_APP, read_at__isnull=True),
                         name="notif_delivery_unread_idx"),
            # A company's dead letters.
            models.Index(fields=["endpoint", "-failed_at"], condition=Q(status=DeliveryStatus.DEAD),
                         name="notif_delivery_dead_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.channel}/{self.recipient_key} ({self.status})"

    @property
    def message_id(self) -> str:
        """The delivery's unique key as an RFC 5322 Message-ID, the same for every attempt, so that
        a copy sent again after a worker died mid-send can be recognised downstream."""
        key = re.sub(r"[^A-Za-z0-9.-]", lambda m: "=%02X" % ord(m.group()), self.recipient_key)
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "sme-market.local"
        return f"<notification.{self.event_id}.{self.channel}.{key}@{domain}>"


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


def email_key(address: str) -> str:
    return f"email:{address.strip().lower()}"


def endpoint_key(endpoint_id: int) -> str:
    return f"endpoint:{endpoint_id}"


class NotificationPreference(models.Model):
    """A person's choice for one event and channel. Without a row the event's default applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    event = models.CharField(_("event"), max_length=100)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "channel"], name="notifications_preference_unique"),
            models.CheckConstraint(condition=Q(channel__in=USER_CHANNELS), name="notifications_preference_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.event}/{self.channel}: {'on' if self.enabled else 'off'}"


class EncryptedSecretField(models.TextField):
    """A secret kept encrypted in the database (notifications/encryption.py) and plain in Python.
    Encryption is randomised, so the column cannot be searched."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


class WebhookEndpoint(TimeStampedModel):
    """An HTTPS address of a company that receives the events it subscribed to, signed with its secret."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedSecretField(editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["company_id", "pk"]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.url}"
