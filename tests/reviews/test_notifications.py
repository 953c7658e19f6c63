"""Review events go through the notifications outbox in the transaction of the change: a posted
review to the seller's members, a reply to the buyer's, a hidden review to both companies with the
moderator's reason, a report to the moderators; subscribed webhooks get them with the actor."""
from __future__ import annotations

import json

import pytest
from django.core import mail

from core.exceptions import Conflict
from notifications.channels.webhook import payload
from notifications.models import Channel, Delivery, Event, WebhookEndpoint
from notifications.selectors import notification_link, notification_text
from notifications.services import webhook_endpoint_create
from notifications.tasks import delivery_send
from orders.models import OrderStatus
from reviews import services
from reviews.events import REVIEW_HIDDEN, REVIEW_POSTED, REVIEW_REPLIED, REVIEW_REPORTED
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import order_in
from tests.reviews.helpers import post

pytestmark = pytest.mark.django_db


def told(name: str) -> list[tuple[int | None, list[tuple[str, int | None]]]]:
    return [(event.company_id, sorted((d.channel, d.recipient_id or d.endpoint_id) for d in event.deliveries.all()))
            for event in Event.objects.filter(name=name).order_by("pk").prefetch_related("deliveries")]


def people(*users) -> list[tuple[str, int]]:
    return sorted([(Channel.EMAIL, u.pk) for u in users] + [(Channel.IN_APP, u.pk) for u in users])


def test_a_posted_review_tells_the_sellers_members_by_email_and_in_the_app(world, completed):
    staff = MembershipFactory(company=world.seller_t, role="staff").user
    review = post(world, completed, product=5, communication=4, shipping=3)

    assert told(REVIEW_POSTED) == [(world.seller_t.pk, people(world.seller_t_owner, staff))]
    note = Delivery.objects.filter(channel=Channel.IN_APP, recipient=staff).get()
    assert notification_text(note) == (
        f"Gamma Handel GmbH reviewed order {completed.pk}: product 5, communication 4, shipping 3 out of 5.")
    assert notification_link(note) == f"/orders/{completed.pk}/"

    delivery = Delivery.objects.get(channel=Channel.EMAIL, recipient=staff)
    assert delivery_send(delivery.pk) == "sent"
    message = mail.outbox[-1]
    assert message.subject == f"New review of order {completed.pk}"
    assert "Good towels." in message.body and "Product as described: 5/5" in message.body
    assert review.pk == Event.objects.get(name=REVIEW_POSTED).context["review_id"]


def test_the_review_event_reaches_subscribed_webhooks_with_the_actor(world, completed):
    seller_hook = webhook_endpoint_create(actor=world.seller_t_owner, url="https://erp.tekstil.example/hooks",
                                          events=[REVIEW_POSTED, REVIEW_HIDDEN])
    buyer_hook = WebhookEndpoint.objects.create(company=world.buyer, url="https://erp.gamma.example/h",
                                                secret="whsec_b", events=[REVIEW_POSTED])

    review = post(world, completed)

    seller_delivery = Delivery.objects.get(channel=Channel.WEBHOOK, endpoint=seller_hook)
    body = json.loads(payload(seller_delivery.event))
    assert (body["type"], body["company_id"]) == (REVIEW_POSTED, world.seller_t.pk)
    review.refresh_from_db()
    assert body["data"] == {
        "review_id": review.pk, "order_id": completed.pk, "buyer_id": world.buyer.pk,
        "buyer_name": "Gamma Handel GmbH", "seller_id": world.seller_t.pk, "seller_name": "Tekstil A.S.",
        "product": 5, "communication": 4, "shipping": 3, "comment": "Good towels.", "reply": "",
        "created_at": review.created_at.isoformat().replace("+00:00", "Z"), "replied_at": "", "hidden": False,
        "hidden_reason": "", "party": "seller",
        "actor": {"company_id": world.buyer.pk, "company_name": "Gamma Handel GmbH",
                  "user_id": world.buyer_owner.pk, "user_name": world.buyer_owner.full_name, "role": "buyer"}}
    # The buyer's own systems follow its move through its webhook; its people are not told.
    own = Delivery.objects.get(channel=Channel.WEBHOOK, endpoint=buyer_hook)
    assert own.event.context["party"] == "buyer"
    assert Delivery.objects.filter(event=own.event).count() == 1


def test_a_reply_tells_the_buyers_members(world, completed):
    review = post(world, completed)
    services.review_reply(actor=world.seller_t_owner, review_id=review.pk, text="Thank you.")

    assert told(REVIEW_REPLIED) == [(world.buyer.pk, people(world.buyer_owner, world.buyer_staff))]
    event = Event.objects.get(name=REVIEW_REPLIED)
    assert event.context["reply"] == "Thank you."
    assert event.context["actor"]["role"] == "seller"
    delivery = Delivery.objects.get(event=event, channel=Channel.EMAIL, recipient=world.buyer_staff)
    assert delivery_send(delivery.pk) == "sent"
    assert mail.outbox[-1].subject == f"Reply to your review of order {completed.pk}"
    assert "Thank you." in mail.outbox[-1].body


def test_hiding_tells_both_companies_with_the_reason_and_a_report_tells_the_moderators(world, completed):
    review = post(world, completed)
    services.review_report(actor=world.other_owner, review=review, reason="Not about the goods.")

    assert told(REVIEW_REPORTED) == [(None, people(world.moderator))]
    note = Delivery.objects.get(event__name=REVIEW_REPORTED, channel=Channel.IN_APP)
    assert notification_text(note) == (
        f"A review of Tekstil A.S. (order {completed.pk}) was reported: Not about the goods.")
    assert notification_link(note) == "/moderation/reviews/"

    services.review_hide(actor=world.moderator, review_id=review.pk, reason="Off topic.")

    assert told(REVIEW_HIDDEN) == [(world.buyer.pk, people(world.buyer_owner, world.buyer_staff)),
                                   (world.seller_t.pk, people(world.seller_t_owner))]
    for event in Event.objects.filter(name=REVIEW_HIDDEN):
        assert (event.context["hidden_reason"], event.context["actor"]["role"],
                event.context["actor"]["user_id"]) == ("Off topic.", "moderator", world.moderator.pk)
    note = Delivery.objects.get(event__name=REVIEW_HIDDEN, channel=Channel.IN_APP, recipient=world.seller_t_owner)
    assert notification_text(note) == (
        f"A moderator hid the review of order {completed.pk} (Gamma Handel GmbH about Tekstil A.S.): Off topic.")
    # The report was resolved by the decision: its e-mail to the moderators is no longer sent.
    report_mail = Delivery.objects.get(event__name=REVIEW_REPORTED, channel=Channel.EMAIL)
    assert delivery_send(report_mail.pk) != "sent"


def test_a_refused_review_tells_no_one(world, completed):
    post(world, completed)
    before = (Event.objects.count(), Delivery.objects.count())
    with pytest.raises(Conflict):
        post(world, completed, actor=world.buyer_staff)
    assert (Event.objects.count(), Delivery.objects.count()) == before
    placed = order_in(world, OrderStatus.PLACED)
    before = (Event.objects.count(), Delivery.objects.count())
    with pytest.raises(Conflict):
        post(world, placed)
    assert (Event.objects.count(), Delivery.objects.count()) == before


def test_the_hidden_and_reported_emails(world, completed):
    review = post(world, completed)
    services.review_report(actor=world.other_owner, review=review, reason="Rude words.")
    report_mail = Delivery.objects.get(event__name=REVIEW_REPORTED, channel=Channel.EMAIL)
    assert delivery_send(report_mail.pk) == "sent"
    assert mail.outbox[-1].subject == "A review was reported"
    assert f"A review of Tekstil A.S. (order {completed.pk}) was reported: Rude words." in mail.outbox[-1].body
    assert "/moderation/reviews/" in mail.outbox[-1].body

    services.review_hide(actor=world.moderator, review_id=review.pk, reason="Rude words.")
    hidden_mail = Delivery.objects.get(event__name=REVIEW_HIDDEN, channel=Channel.EMAIL, recipient=world.buyer_staff)
    assert delivery_send(hidden_mail.pk) == "sent"
    assert mail.outbox[-1].subject == f"A review of order {completed.pk} was hidden"
    assert mail.outbox[-1].body.startswith(
        f"A moderator hid the review of order {completed.pk} (Gamma Handel GmbH about Tekstil A.S.): Rude words.")
