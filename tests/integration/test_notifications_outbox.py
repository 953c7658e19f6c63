"""The notifications outbox with PostgreSQL, Redis, a Celery worker and Celery beat.

A change that rolls back notifies no one; one that commits notifies each recipient once per
channel. With the broker stopped, changes still commit at once and their notifications wait in
the outbox; they all arrive, once each, after the broker is back.

The orders app does not exist yet, so the "100 orders placed during a broker outage" of the issue
are 100 committed company-verification decisions here: the same notify() and the same outbox."""
from __future__ import annotations

import time

from django.db import transaction

from accounts import services
from accounts.models import Company, MembershipRole, VerificationStatus
from notifications.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from notifications.webhooks import secret_generate, signature_verify
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.integration.conftest import wait_until
from tests.integration.notifications_support import (  # noqa: F401 - fixtures
    private_broker_stack,
    private_redis,
    shared_broker_stack,
    sleep_until,
)
from tests.notifications.helpers import Receiver

OUTAGE_SECONDS = 30
DECISIONS_DURING_OUTAGE = 100


def _pending_company(name: str, members: int = 1):
    company = CompanyFactory(legal_name=name, verification_status=VerificationStatus.PENDING)
    users = [MembershipFactory(company=company, role=MembershipRole.OWNER if i == 0 else MembershipRole.STAFF).user
             for i in range(members)]
    return company, users


def _statuses(company) -> list[tuple[str, str]]:
    return sorted(Delivery.objects.filter(event__company=company).values_list("channel", "status"))


def test_rolled_back_change_sends_nothing_committed_one_sends_once_per_recipient_and_channel(shared_broker_stack):
    stack = shared_broker_stack
    receiver = Receiver().start()
    try:
        moderator = ModeratorFactory()
        rolled_back, _ = _pending_company("Rolled Back Trading Ltd", members=2)
        committed, members = _pending_company("Committed Trading Ltd", members=2)
        endpoints = {}
        for company in (rolled_back, committed):
            endpoints[company.pk] = WebhookEndpoint.objects.create(
                company=company, url=receiver.url, secret=secret_generate(), events=["company.verification_decided"])

        with transaction.atomic():
            services.company_verify(company=rolled_back, actor=moderator)
            transaction.set_rollback(True)
        services.company_verify(company=committed, actor=moderator)

        wait_until(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 5, timeout=30,
                   message="the committed decision's five deliveries were not all sent within 30s")
        # Beat keeps the relay running: a few more runs find nothing left to send.
        stack.wait_for_relay_runs(3)

        assert _statuses(rolled_back) == []
        assert _statuses(committed) == [("email", "sent"), ("email", "sent"), ("in_app", "sent"),
                                        ("in_app", "sent"), ("webhook", "sent")]
        message_ids = stack.message_ids()
        assert sorted(message_ids.values()) == [1, 1]
        assert set(message_ids) == {d.message_id for d in Delivery.objects.filter(channel=Channel.EMAIL)}
        [request] = receiver.requests
        assert request.status == 200
        assert request.json["data"]["company_name"] == "Committed Trading Ltd"
        assert signature_verify(secret=endpoints[committed.pk].secret, header=request.headers["X-SME-Signature"],
                                body=request.body)
        assert sorted(Delivery.objects.filter(channel=Channel.IN_APP).values_list("recipient_id", flat=True)) == sorted(
            u.pk for u in members)
    finally:
        receiver.stop()


def test_broker_outage_loses_nothing_and_doubles_nothing(private_broker_stack, private_redis):
    stack = private_broker_stack
    moderator = ModeratorFactory()
    before, _ = _pending_company("Before The Outage Ltd")
    companies = [_pending_company(f"Outage Trading {n:03d} Ltd")[0] for n in range(DECISIONS_DURING_OUTAGE)]
    services.company_verify(company=before, actor=moderator)
    wait_until(lambda: len(stack.message_ids()) == 1, timeout=30, message="the first e-mail was not sent")

    private_redis.stop()
    outage_ends = time.monotonic() + OUTAGE_SECONDS
    for company in companies:
        services.company_verify(company=company, actor=moderator)  # commits; the nudge fails fast
    done = Delivery.objects.filter(event__company__in=companies)

    # Every decision committed while the broker was down, each with its outbox rows waiting.
    assert Company.objects.filter(pk__in=[c.pk for c in companies],
                                  verification_status=VerificationStatus.VERIFIED).count() == DECISIONS_DURING_OUTAGE
    assert sorted(set(done.filter(channel=Channel.EMAIL).values_list("status", flat=True))) == [
        DeliveryStatus.PENDING]
    assert done.filter(channel=Channel.EMAIL).count() == DECISIONS_DURING_OUTAGE
    assert done.filter(channel=Channel.IN_APP, status=DeliveryStatus.SENT).count() == DECISIONS_DURING_OUTAGE
    sleep_until(outage_ends)
    assert len(stack.message_ids()) == 1
    private_redis.start()

    wait_until(lambda: done.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count()
               == DECISIONS_DURING_OUTAGE, timeout=60, interval=0.5,
               message="the e-mails written during the outage were not all sent within 60s after it")
    stack.wait_for_relay_runs(3)

    message_ids = stack.message_ids()
    assert len(message_ids) == DECISIONS_DURING_OUTAGE + 1
    assert set(message_ids.values()) == {1}
    assert set(message_ids) == {d.message_id for d in Delivery.objects.filter(channel=Channel.EMAIL)}
    assert set(done.values_list("status", flat=True)) == {DeliveryStatus.SENT}
