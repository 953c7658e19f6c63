"""Writes for notifications: notify(), read state, preferences and company webhooks."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MODERATORS_GROUP, Company, Membership, MembershipRole, User
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.inputs import field_error
from core.queue import publishing_paused

from . import events, relay
from .events import COMPANY_MEMBERS, MODERATORS
from .models import (
    OPEN_STATUSES,
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    NotificationPreference,
    WebhookEndpoint,
    email_key,
    endpoint_key,
    user_key,
)
from .webhooks import (
    WEBHOOK_TEST,
    AddressRefused,
    actor_data,
    host_and_port,
    resolve_checked,
    secret_generate,
    url_problem,
)

MAX_ENDPOINTS_PER_COMPANY = 10
# Test events of one endpoint that may wait in the outbox at once (a receiver that is down keeps
# them there while they are retried).
MAX_OPEN_TEST_EVENTS = 3


# --- notify ---------------------------------------------------------------------------------------

def _audience(event_type: events.EventType, company: Company | None) -> QuerySet[User]:
    if event_type.audience == COMPANY_MEMBERS:
        if company is None:
            raise ValueError(f"{event_type.name} goes to a company's members: pass company=")
        return User.objects.filter(memberships__company=company)
    if event_type.audience == MODERATORS:
        moderators = Group.objects.filter(name=MODERATORS_GROUP)
        return User.objects.filter(Q(is_superuser=True) | Q(is_staff=True, groups__in=moderators)).distinct()
    return User.objects.none()


def _enabled_channels(event_type: events.EventType, users: list[User]) -> dict[int, list[str]]:
    """The channels each user gets the event on: their choices, else the event's defaults."""
    chosen: dict[tuple[int, str], bool] = {}
    if not event_type.mandatory and users:
        rows = NotificationPreference.objects.filter(user__in=users, event=event_type.name).values_list(
            "user_id", "channel", "enabled")
        chosen = {(user_id, channel): enabled for user_id, channel, enabled in rows}
    return {user.pk: [channel for channel in event_type.user_channels
                      if event_type.mandatory or chosen.get((user.pk, channel), event_type.is_default(channel))]
            for user in users}


def relay_nudge() -> None:
    """Once the transaction commits, has the relay publish what it wrote (robust: a broker that is
    down is logged and the rows wait for beat's next relay run)."""
    transaction.on_commit(relay.relay_soon, robust=True)


def _publish_on_commit(delivery_ids: list[int], *, queued_at) -> None:
    """Once the transaction commits, publishes one message per row it wrote as queued, straight from
    this process: no relay run between the commit and the worker. A broker that is down or hangs
    costs the caller at most the publish bound (core/queue.py); the rows it refused go back to
    pending and beat's relay publishes them (robust: nothing here turns the commit into an error)."""

    def deliveries_publish() -> None:
        relay.deliveries_publish(delivery_ids, queued_at=queued_at)

    transaction.on_commit(deliveries_publish, robust=True)


def notify(*, event: str, context: dict[str, Any], recipients: Iterable[User] | None = None,
           company: Company | None = None, emails: Iterable[str] = ()) -> Event:
    """Records `event` and one outbox row per recipient and channel, in the caller's transaction.

    Call it inside the transaction that makes the change, so that a change that rolls back tells
    no one and a change that commits cannot lose its notifications, whatever the broker does.

    - `recipients`: the users to tell. None: the event's audience (for most events the active
      members of `company`). Inactive users are skipped; each person's preferences are applied,
      except for mandatory events.
    - `emails`: bare addresses for events that go to people without an account (company.invite).
    - `context`: JSON-serialisable ids and strings. It is shown to the recipients and sent to the
      company's webhooks as the event's data, so it carries no secrets.
    - `company`: the company the event is about; its webhook endpoints subscribed to the event
      receive it too (for events that allow webhooks).

    E-mail and webhook rows are published from this process once the transaction commits (the
    relay publishes those the broker refused, or whose message was lost); in-app rows are the
    notification itself."""
    event_type = events.get(event)
    try:
        context = json.loads(json.dumps(context))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"notify(event={event!r}) needs a JSON-serialisable context: {exc}") from exc
    if recipients is None:
        users = list(_audience(event_type, company).filter(is_active=True).order_by("pk"))
    else:
        users = [user for user in recipients if user.is_active]
    now = timezone.now()
    # E-mail and webhook rows are written queued and published once the transaction commits; while
    # publishing pauses (the broker failed a moment ago) they are written pending for beat's relay.
    publish_now = not publishing_paused()
    outgoing = (relay.queued_fields(now) if publish_now
                else {"status": DeliveryStatus.PENDING, "next_attempt_at": now})
    with transaction.atomic():
        record = Event.objects.create(name=event, company=company, context=context, created_at=now)
        rows: dict[tuple[str, str], Delivery] = {}

        def add(channel: str, key: str, **fields) -> None:
            if channel == Channel.IN_APP:  # the row is the notification: delivered by the commit
                state = {"status": DeliveryStatus.SENT, "sent_at": now, "next_attempt_at": now}
            else:
                state = outgoing
            rows.setdefault((channel, key), Delivery(
                event=record, channel=channel, recipient_key=key, created_at=now, **state, **fields))

        enabled = _enabled_channels(event_type, users)
        for user in users:
            for channel in enabled[user.pk]:
                add(channel, user_key(user.pk), recipient=user)
        if Channel.EMAIL in event_type.channels:
            for address in emails:
                address = User.objects.normalize_email(address).strip().lower()
                if address:
                    add(Channel.EMAIL, email_key(address), recipient_email=address)
        if event_type.webhook and company is not None:
            for endpoint in WebhookEndpoint.objects.filter(company=company, is_active=True).order_by("pk"):
                if event in endpoint.events:
                    add(Channel.WEBHOOK, endpoint_key(endpoint.pk), endpoint=endpoint)
        Delivery.objects.bulk_create(rows.values())
        to_publish = [row.pk for (channel, _key), row in rows.items() if channel != Channel.IN_APP]
        if to_publish and publish_now:
            _publish_on_commit(to_publish, queued_at=now)
    return record


def notify_webhooks(*, event: str, company: Company, context: dict[str, Any]) -> Event | None:
    """Sends `event` to `company`'s webhook endpoints subscribed to it, and tells no person: for the
    company's own moves, which its people made or see on the page but its systems follow through
    webhooks. Records nothing when no endpoint of the company wants the event."""
    endpoints = WebhookEndpoint.objects.filter(company=company, is_active=True).values_list("events", flat=True)
    if not any(event in subscribed for subscribed in endpoints):
        return None
    return notify(event=event, context=context, recipients=[], company=company)


# --- in-app read state -------------------------------------------------------------------------------

def _inbox(user: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(recipient=user, channel=Channel.IN_APP)


def notification_mark_read(*, user: User, notification_id: int) -> Delivery:
    """Marks one of the user's own notifications read; someone else's is "not found"."""
    notification = _inbox(user).select_related("event").filter(pk=notification_id).first()
    if notification is None:
        raise ApplicationError(_("Not found."), code="not_found", status_code=404)
    if notification.read_at is None:
        now = timezone.now()
        if _inbox(user).filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    return _inbox(user).filter(read_at__isnull=True).update(read_at=timezone.now())


# --- preferences ----------------------------------------------------------------------------------

def preference_set(*, user: User, event: str, channel: str, enabled: bool) -> NotificationPreference | None:
    """Switches one event on one channel for the user. Mandatory events cannot be switched off."""
    event_type = events.EVENTS.get(event)
    if event_type is None or not event_type.configurable or not _may_receive(user, event_type):
        raise field_error("event", _("Unknown event."))
    if channel not in event_type.user_channels:
        raise field_error("channel", _("This event is not sent on this channel."))
    if event_type.mandatory:
        if not enabled:
            raise field_error("enabled", _("This notification is mandatory and cannot be switched off."))
        return None
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, event=event, channel=channel, defaults={"enabled": bool(enabled)})
    return preference


def _may_receive(user: User, event_type: events.EventType) -> bool:
    if event_type.audience == MODERATORS:
        return user.is_moderator
    return True


# --- webhooks -------------------------------------------------------------------------------------

def _owned_company(actor: User, company_id: int | None) -> Company:
    owned = Membership.objects.filter(user=actor, role=MembershipRole.OWNER).select_related("company")
    membership = owned.filter(company_id=company_id).first() if company_id else owned.order_by("pk").first()
    if membership is None:
        raise Forbidden(_("Only an owner of the company can manage its webhooks."))
    return membership.company


def _clean_events(names: Any) -> list[str]:
    if not isinstance(names, list | tuple) or not names:
        raise field_error("events", _("Subscribe to at least one event."))
    allowed = {name for name, event_type in events.EVENTS.items() if event_type.webhook}
    unknown = sorted({str(name) for name in names} - allowed)
    if unknown:
        raise field_error("events", _("These events cannot be sent to webhooks: %(names)s.") % {"names": ", ".join(unknown)})
    return sorted({str(name) for name in names})


def _clean_url(url: Any) -> str:
    url = str(url or "").strip()
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        raise field_error("url", _("The URL is too long."))
    problem = url_problem(url)
    if problem:
        raise field_error("url", str(problem))
    try:
        resolve_checked(*host_and_port(url))
    except AddressRefused as exc:
        raise field_error("url", str(exc)) from None
    return url


@transaction.atomic
def webhook_endpoint_create(*, actor: User, url: str, events: list[str], company_id: int | None = None,
                            is_active: bool = True) -> WebhookEndpoint:
    """An owner registers an endpoint for their company. The secret is made here and returned once."""
    company = _owned_company(actor, company_id)
    Company.objects.select_for_update().filter(pk=company.pk).first()  # one count at a time per company
    if WebhookEndpoint.objects.filter(company=company).count() >= MAX_ENDPOINTS_PER_COMPANY:
        raise Conflict(_("A company can register at most %(max)d webhook endpoints.")
                       % {"max": MAX_ENDPOINTS_PER_COMPANY})
    return WebhookEndpoint.objects.create(company=company, url=_clean_url(url), events=_clean_events(events),
                                          is_active=bool(is_active), secret=secret_generate(), created_by=actor)


def _lock_owned_endpoint(actor: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update(of=("self",)).filter(
        pk=endpoint_id, company__memberships__user=actor, company__memberships__role=MembershipRole.OWNER).first()
    if endpoint is None:
        raise ApplicationError(_("Not found."), code="not_found", status_code=404)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, actor: User, endpoint_id: int, data: dict[str, Any]) -> WebhookEndpoint:
    endpoint = _lock_owned_endpoint(actor, endpoint_id)
    unknown = sorted(set(data) - {"url", "events", "is_active"})
    if unknown:
        raise ApplicationError(_("These fields cannot be set."), code="validation_error",
                               fields={name: [_("This field cannot be set.")] for name in unknown})
    if "url" in data:
        endpoint.url = _clean_url(data["url"])
    if "events" in data:
        endpoint.events = _clean_events(data["events"])
    if "is_active" in data:
        endpoint.is_active = bool(data["is_active"])
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: User, endpoint_id: int) -> None:
    _lock_owned_endpoint(actor, endpoint_id).delete()


@transaction.atomic
def webhook_endpoint_rotate_secret(*, actor: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = _lock_owned_endpoint(actor, endpoint_id)
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_delivery_replay(*, actor: User, delivery_id: int) -> Delivery:
    """Puts a dead webhook delivery of the actor's company back in the outbox, with a fresh
    attempt budget. It is sent by the relay like a new one."""
    delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("endpoint", "event")
                .filter(pk=delivery_id, channel=Channel.WEBHOOK, endpoint__company__memberships__user=actor,
                        endpoint__company__memberships__role=MembershipRole.OWNER).first())
    if delivery is None:
        raise ApplicationError(_("Not found."), code="not_found", status_code=404)
    if delivery.status != DeliveryStatus.DEAD:
        raise Conflict(_("Only a failed delivery can be sent again."), code="not_dead")
    if not delivery.endpoint.is_active:
        raise Conflict(_("Switch the endpoint on before sending to it again."), code="endpoint_inactive")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.failed_at = None
    delivery.claim_token = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "failed_at", "claim_token"])
    relay_nudge()
    return delivery


@transaction.atomic
def webhook_endpoint_test(*, actor: User, endpoint_id: int) -> Delivery:
    """Queues a signed `webhook.test` event to one endpoint of the actor's company, whatever events it
    subscribed to. It travels like any other webhook (the outbox, the relay after commit, the same
    signature, address checks and retries), so a receiver sees exactly what real events look like."""
    endpoint = _lock_owned_endpoint(actor, endpoint_id)
    if not endpoint.is_active:
        raise Conflict(_("Switch the endpoint on before sending a test event to it."), code="endpoint_inactive")
    waiting = Delivery.objects.filter(endpoint=endpoint, channel=Channel.WEBHOOK, event__name=WEBHOOK_TEST,
                                      status__in=OPEN_STATUSES).count()
    if waiting >= MAX_OPEN_TEST_EVENTS:
        raise Conflict(_("%(count)d test events to this endpoint are still waiting to be delivered; try again "
                         "once they are.") % {"count": waiting}, code="test_events_waiting")
    now = timezone.now()
    event = Event.objects.create(name=WEBHOOK_TEST, company=endpoint.company, created_at=now, context={
        "endpoint_id": endpoint.pk,
        "message": "A test event sent at the request of the company's owner.",
        "actor": actor_data(company=endpoint.company, user=actor, role="owner"),
    })
    delivery = Delivery.objects.create(event=event, channel=Channel.WEBHOOK, recipient_key=endpoint_key(endpoint.pk),
                                       endpoint=endpoint, status=DeliveryStatus.PENDING, next_attempt_at=now,
                                       created_at=now)
    relay_nudge()
    return delivery
