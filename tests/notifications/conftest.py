from __future__ import annotations

import pytest
from django.core.cache import cache

from notifications import events
from notifications.events import COMPANY_MEMBERS, EventType
from notifications.models import Channel, WebhookEndpoint
from notifications.relay import nudge_key
from notifications.webhooks import secret_generate
from tests.factories.accounts import MembershipFactory
from tests.notifications.helpers import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def endpoint(company_a, receiver):
    return WebhookEndpoint.objects.create(company=company_a, url=receiver.url, secret=secret_generate(),
                                          events=["company.verification_decided", "listing.decided"])


@pytest.fixture
def tr_member_a(company_a):
    return MembershipFactory(company=company_a, role="staff", user__preferred_language="tr").user


@pytest.fixture
def mandatory_event():
    """An order-like event that nobody can switch off, registered for the test only."""
    event_type = events.register(EventType(
        name="test.order_placed", label="An order was placed", summary=lambda context: f"Order {context['order']}",
        channels=frozenset({Channel.EMAIL, Channel.IN_APP}), mandatory=True, audience=COMPANY_MEMBERS,
        webhook=True, email_template="notifications/email/listing_decided",
        email_context=lambda context: {"summary": f"Order {context['order']}", "title": "", "reason": "",
                                       "path": ""}))
    yield event_type
    events.EVENTS.pop(event_type.name)


@pytest.fixture(autouse=True)
def _no_waiting_relay_run():
    """Each test starts with no relay run recorded as queued."""
    cache.delete(nudge_key())
