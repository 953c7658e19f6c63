"""notify(): the event and its outbox rows are written in the caller's transaction, once per
recipient and channel, and nothing leaves before the transaction commits."""
from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services
from accounts.models import VerificationStatus
from notifications import channels, relay, tasks
from notifications.models import Channel, Delivery, DeliveryStatus, Event
from notifications.services import notify, preference_set
from tests.factories.accounts import MembershipFactory, ModeratorFactory, UserFactory

CONTEXT = {"company_id": 1, "company_name": "Alpha Textiles", "decision_id": 0, "from_status": "pending",
           "to_status": "verified", "reason": ""}


def _rows() -> list[tuple[str, str, str]]:
    return sorted(Delivery.objects.values_list("channel", "recipient_key", "status"))


@pytest.mark.django_db
def test_one_row_per_recipient_and_channel(company_a, member_a, staff_a, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        event = notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    assert (event.name, event.company, event.context) == ("company.verification_decided", company_a, CONTEXT)
    assert _rows() == sorted([
        ("email", f"user:{member_a.pk}", "queued"), ("email", f"user:{staff_a.pk}", "queued"),
        ("in_app", f"user:{member_a.pk}", "sent"), ("in_app", f"user:{staff_a.pk}", "sent"),
        ("webhook", f"endpoint:{endpoint.pk}", "queued"),
    ])
    assert set(Delivery.objects.values_list("event_id", flat=True)) == {event.pk}
    assert len(callbacks) == 1  # one publish of the rows it wrote, after the commit
    assert mail.outbox == []


@pytest.mark.django_db
def test_named_recipients_are_deduplicated_and_inactive_ones_skipped(company_a, member_a, staff_a):
    inactive = UserFactory(is_active=False)

    notify(event="company.verification_decided", company=company_a, context=CONTEXT,
           recipients=[member_a, member_a, inactive])

    assert _rows() == [("email", f"user:{member_a.pk}", "queued"), ("in_app", f"user:{member_a.pk}", "sent")]


@pytest.mark.django_db
def test_the_unique_key_refuses_a_second_row_for_the_same_message(company_a, member_a):
    event = notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(event=event, channel=Channel.EMAIL, recipient_key=f"user:{member_a.pk}",
                                recipient=member_a)
    assert Delivery.objects.filter(event=event, channel=Channel.EMAIL).count() == 1


@pytest.mark.django_db
def test_email_only_recipient_for_an_invite(company_a):
    notify(event="company.invite", company=company_a, emails=["Nia@Example.com"],
           context={"invite_id": 1, "company_id": company_a.pk, "company_name": "Alpha Textiles", "language": "tr"})

    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.recipient_key, delivery.recipient, delivery.recipient_email) == (
        "email", "email:nia@example.com", None, "nia@example.com")


@pytest.mark.django_db
def test_listing_report_goes_to_the_active_moderators(company_a, member_a, admin_user):
    moderator = ModeratorFactory()
    ModeratorFactory(is_active=False)
    UserFactory(is_staff=True)  # staff but not a moderator

    notify(event="listing.reported", context={"listing_id": 3, "listing_title": "Towel", "report_id": 9})

    assert _rows() == sorted([
        ("email", f"user:{moderator.pk}", "queued"), ("in_app", f"user:{moderator.pk}", "sent"),
        ("email", f"user:{admin_user.pk}", "queued"), ("in_app", f"user:{admin_user.pk}", "sent")])


@pytest.mark.django_db
def test_only_in_app_rows_need_no_relay(django_capture_on_commit_callbacks):
    moderator = ModeratorFactory()
    preference_set(user=moderator, event="listing.reported", channel="email", enabled=False)

    with django_capture_on_commit_callbacks() as callbacks:
        notify(event="listing.reported", context={"listing_id": 3, "listing_title": "Towel", "report_id": 9})

    assert callbacks == []
    assert _rows() == [("in_app", f"user:{moderator.pk}", "sent")]


@pytest.mark.django_db
def test_context_must_be_json_and_the_event_registered(company_a, member_a):
    with pytest.raises(TypeError):
        notify(event="company.verification_decided", company=company_a, context={"when": object()})
    with pytest.raises(LookupError):
        notify(event="no.such.event", company=company_a, context={})

    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_webhook_endpoints_only_get_what_they_subscribed_to(company_a, member_a, endpoint):
    endpoint.events = ["listing.decided"]
    endpoint.save()

    notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    assert not Delivery.objects.filter(channel=Channel.WEBHOOK).exists()


@pytest.mark.django_db
def test_switched_off_endpoint_gets_nothing(company_a, member_a, endpoint):
    endpoint.is_active = False
    endpoint.save()

    notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    assert not Delivery.objects.filter(channel=Channel.WEBHOOK).exists()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_writes_and_sends_nothing(company_a, member_a, moderator, endpoint, receiver):
    company_a.verification_status = VerificationStatus.PENDING
    company_a.save()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.company_verify(company=company_a, actor=moderator)
        assert Delivery.objects.count() == 3
        raise RuntimeError("rolled back")

    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)
    assert mail.outbox == []
    assert receiver.requests == []


def _run_relay() -> list[str]:
    """What beat does, with the tasks called in this process (no eager Celery)."""
    outcomes = []
    relay.deliveries_relay(publish=lambda delivery_id: outcomes.append(tasks.delivery_send(delivery_id)))
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_committed_change_sends_exactly_one_per_recipient_and_channel(company_a, member_a, staff_a, moderator,
                                                                      endpoint, receiver):
    company_a.verification_status = VerificationStatus.PENDING
    company_a.save()

    with mock.patch.object(tasks.delivery_send, "delay") as publish, \
            mock.patch.object(tasks.deliveries_relay, "delay") as relay_run:
        services.company_verify(company=company_a, actor=moderator)

    # Once committed, one message per e-mail and webhook row, straight from the committing process.
    outgoing = Delivery.objects.exclude(channel=Channel.IN_APP).order_by("pk")
    assert [c.args for c in publish.call_args_list] == [(pk,) for pk in outgoing.values_list("pk", flat=True)]
    assert relay_run.call_count == 0
    assert sorted(tasks.delivery_send(*c.args) for c in publish.call_args_list) == ["sent", "sent", "sent"]
    assert _run_relay() == []
    for delivery in outgoing:  # a message delivered twice
        assert tasks.delivery_send(delivery.pk) == "already_sent"

    assert sorted(m.to[0] for m in mail.outbox) == sorted([member_a.email, staff_a.email])
    assert len(receiver.accepted()) == 1
    assert receiver.accepted()[0].json["type"] == "company.verification_decided"
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("email", "sent"), ("email", "sent"), ("in_app", "sent"), ("in_app", "sent"), ("webhook", "sent")]


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_loses_nothing(company_a, member_a, moderator, caplog):
    company_a.verification_status = VerificationStatus.PENDING
    company_a.save()

    with mock.patch.object(tasks.delivery_send, "delay", side_effect=ConnectionError("broker down")) as publish:
        services.company_verify(company=company_a, actor=moderator)  # the change itself succeeds

    email = Delivery.objects.get(channel=Channel.EMAIL)
    publish.assert_called_once_with(email.pk)
    assert "broker down" in caplog.text
    company_a.refresh_from_db()
    assert company_a.verification_status == VerificationStatus.VERIFIED
    assert mail.outbox == []
    assert (email.status, email.next_attempt_at <= timezone.now()) == (DeliveryStatus.PENDING, True)

    with mock.patch.object(channels, "send", wraps=channels.send) as send:
        assert _run_relay() == ["sent"]  # what beat runs every few seconds once the broker is back

    assert send.call_count == 1
    assert [m.to for m in mail.outbox] == [[member_a.email]]
    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_a_member_of_another_company_is_never_told(company_a, member_a, member_b):
    MembershipFactory(company=company_a, user__is_active=False)

    notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    assert set(Delivery.objects.values_list("recipient_id", flat=True)) == {member_a.pk}
