"""The parties of an order are told of it through the notifications outbox: one event per company
told, written in the transaction of the move, mandatory, in each recipient's language, and sent to
the companies' webhooks that subscribed."""
from __future__ import annotations

import json
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from core.exceptions import ApplicationError, Conflict, Forbidden
from marketplace.models import Listing
from notifications.channels.webhook import payload
from notifications.models import Channel, Delivery, DeliveryStatus, Event, NotificationPreference, WebhookEndpoint
from notifications.selectors import notification_link, notification_text
from notifications.services import preference_set, webhook_endpoint_create
from notifications.tasks import delivery_send
from notifications.webhooks import EVENT_HEADER
from orders import services, tasks
from orders.events.orders import ORDER_PLACED, ORDER_STATUS_CHANGED
from orders.models import OrderEvent, OrderStatus
from tests.core.helpers import assert_error
from tests.factories.accounts import MembershipFactory
from tests.notifications.helpers import Receiver
from tests.orders.helpers import new_key, order_in, place, place_order

pytestmark = pytest.mark.django_db
S = OrderStatus
PREFERENCES = "/api/v1/notifications/preferences/"


def told(name: str, **filters) -> list[tuple[int, list[tuple[str, int]]]]:
    """(company told, sorted (channel, user) of its deliveries) for each event of that name, oldest first."""
    return [(event.company_id, sorted((d.channel, d.recipient_id) for d in event.deliveries.all()))
            for event in Event.objects.filter(name=name, **filters).order_by("pk").prefetch_related("deliveries")]


def members(*users) -> list[tuple[str, int]]:
    return sorted([(Channel.EMAIL, u.pk) for u in users] + [(Channel.IN_APP, u.pk) for u in users])


def outbox_rows() -> tuple[int, int]:
    return Event.objects.count(), Delivery.objects.count()


def send_emails(**filters) -> dict[str, object]:
    """Sends the pending e-mail deliveries matching `filters`; the messages by address."""
    for pk in Delivery.objects.filter(channel=Channel.EMAIL, **filters).order_by("pk").values_list("pk", flat=True):
        assert delivery_send(pk) == "sent"
    return {message.to[0]: message for message in mail.outbox}


# --- who is told -------------------------------------------------------------------------------------

def test_placing_an_order_writes_one_event_for_the_sellers_members(world):
    staff = MembershipFactory(company=world.seller_t, role="staff").user

    order = place_order(world)

    move = OrderEvent.objects.get(order=order)
    assert told(ORDER_PLACED) == [(world.seller_t.pk, members(world.seller_t_owner, staff))]
    assert Event.objects.get(name=ORDER_PLACED).context == {
        "order_id": order.pk, "order_event_id": move.pk, "from_status": "", "to_status": "placed",
        "role": "buyer", "reason": "", "at": move.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "party": "seller", "buyer_id": world.buyer.pk, "buyer_name": "Gamma Handel GmbH",
        "seller_id": world.seller_t.pk, "seller_name": "Tekstil A.S.",
        "actor": {"company_id": world.buyer.pk, "company_name": "Gamma Handel GmbH", "user_id": world.buyer_owner.pk,
                  "user_name": world.buyer_owner.full_name, "role": "buyer"}}
    assert told(ORDER_STATUS_CHANGED) == []


def test_a_checkout_with_two_sellers_tells_each_seller_of_its_own_order(world):
    group = place(world, lines=[(world.towel, 20), (world.cable, 300)])

    towel_order, cable_order = group.orders.order_by("pk")
    assert told(ORDER_PLACED) == [(world.seller_t.pk, members(world.seller_t_owner)),
                                  (world.seller_c.pk, members(world.seller_c_owner))]
    assert [e.context["order_id"] for e in Event.objects.filter(name=ORDER_PLACED).order_by("pk")] == [
        towel_order.pk, cable_order.pk]


def test_a_sellers_move_is_told_to_the_buyer(world):
    order = order_in(world, S.PLACED)

    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)

    assert told(ORDER_STATUS_CHANGED) == [(world.buyer.pk, members(world.buyer_owner, world.buyer_staff))]
    context = Event.objects.get(name=ORDER_STATUS_CHANGED).context
    assert (context["from_status"], context["to_status"], context["role"], context["party"]) == (
        "placed", "accepted", "seller", "buyer")


def test_a_buyers_move_is_told_to_the_seller(world):
    order = order_in(world, S.PLACED)

    services.order_cancel(order_id=order.pk, actor=world.buyer_staff, reason="Ordered twice.")

    assert told(ORDER_STATUS_CHANGED) == [(world.seller_t.pk, members(world.seller_t_owner))]
    context = Event.objects.get(name=ORDER_STATUS_CHANGED).context
    assert (context["to_status"], context["role"], context["reason"], context["party"]) == (
        "cancelled", "buyer", "Ordered twice.", "seller")


def test_a_moderators_decision_is_told_to_both_companies_once_each(world):
    order = order_in(world, S.DISPUTED)

    services.order_resolve(order_id=order.pk, actor=world.moderator, reason="Partial refund agreed.",
                           refund_amount=Decimal("100.00"))

    move = order.events.get(to_status=S.RESOLVED)
    assert told(ORDER_STATUS_CHANGED, context__order_event_id=move.pk) == [
        (world.buyer.pk, members(world.buyer_owner, world.buyer_staff)),
        (world.seller_t.pk, members(world.seller_t_owner))]
    assert [e.context["party"] for e in Event.objects.filter(context__order_event_id=move.pk).order_by("pk")] == [
        "buyer", "seller"]


def test_a_system_move_is_told_to_both_companies(world):
    order = order_in(world, S.PLACED)

    with time_machine.travel(order.placed_at + timedelta(hours=73), tick=False):
        tasks.order_timed_moves_run()

    move = order.events.get(to_status=S.REFUSED)
    assert move.role == "system"
    assert told(ORDER_STATUS_CHANGED) == [(world.buyer.pk, members(world.buyer_owner, world.buyer_staff)),
                                          (world.seller_t.pk, members(world.seller_t_owner))]


def test_each_move_of_the_whole_life_is_told_to_the_other_party(world):
    order = order_in(world, S.COMPLETED)

    by_move = {event.context["to_status"]: (event.context["role"], event.company_id)
               for event in Event.objects.filter(name=ORDER_STATUS_CHANGED)}
    assert by_move == {"accepted": ("seller", world.buyer.pk), "paid": ("seller", world.buyer.pk),
                       "shipped": ("seller", world.buyer.pk), "delivered": ("buyer", world.seller_t.pk),
                       "completed": ("buyer", world.seller_t.pk)}
    assert Event.objects.filter(name=ORDER_STATUS_CHANGED).count() == order.events.count() - 1 == 5


def test_inactive_members_are_not_told(world):
    world.seller_t_owner.is_active = False
    world.seller_t_owner.save()
    staff = MembershipFactory(company=world.seller_t, role="staff").user

    place_order(world)

    assert told(ORDER_PLACED) == [(world.seller_t.pk, members(staff))]


# --- nothing is told of what did not happen ------------------------------------------------------------

def test_a_move_rolled_back_after_it_was_made_writes_nothing(world):
    order = order_in(world, S.PLACED)
    before = outbox_rows()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
        assert outbox_rows() == (before[0] + 1, before[1] + 4)
        raise RuntimeError("the caller failed after the move")

    assert outbox_rows() == before
    order.refresh_from_db()
    assert order.status == S.PLACED


@pytest.mark.parametrize(("move", "error"), [
    (lambda w, o: services.order_confirm_delivery(order_id=o.pk, actor=w.buyer_owner), Conflict),
    (lambda w, o: services.order_accept(order_id=o.pk, actor=w.other_owner), Forbidden),
    (lambda w, o: services.order_mark_paid(order_id=o.pk, actor=w.seller_t_owner, reference="TT-1",
                                           amount="1.00", method="card"), Conflict),
], ids=["not-allowed", "not-a-party", "paid-before-acceptance"])
def test_a_failing_move_writes_nothing(world, move, error):
    order = order_in(world, S.PLACED)
    before = outbox_rows()

    with pytest.raises(error):
        move(world, order)

    assert outbox_rows() == before
    assert order.events.count() == 1


def test_a_payment_with_the_wrong_amount_writes_nothing(world):
    order = order_in(world, S.ACCEPTED)
    before = outbox_rows()

    with pytest.raises(ApplicationError) as excinfo:
        services.order_mark_paid(order_id=order.pk, actor=world.seller_t_owner, reference="TT-1", amount="2000.01",
                                 method="card")

    assert excinfo.value.code == "amount_over_due"
    assert outbox_rows() == before


def test_a_partial_payment_tells_no_one_and_the_paid_move_tells_the_buyer(world):
    order = order_in(world, S.ACCEPTED)
    before = outbox_rows()

    services.order_mark_paid(order_id=order.pk, actor=world.seller_t_owner, reference="TT-1", amount="500.00",
                             method="card")
    assert outbox_rows() == before
    services.order_mark_paid(order_id=order.pk, actor=world.seller_t_owner, reference="TT-2", amount="1500.00",
                             method="card")
    assert Event.objects.filter(name=ORDER_STATUS_CHANGED, context__to_status="paid").count() == 1


def test_a_checkout_that_fails_tells_no_one(world):
    services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=world.towel.pk, quantity=20)
    Listing.objects.filter(pk=world.towel.pk).update(stock=5)

    with pytest.raises(Conflict):
        services.checkout_place(actor=world.buyer_owner, buyer=world.buyer, idempotency_key=new_key())

    assert outbox_rows() == (0, 0)


# --- order e-mails cannot be switched off -------------------------------------------------------------

@pytest.mark.parametrize("event", [ORDER_PLACED, ORDER_STATUS_CHANGED])
def test_the_service_refuses_to_switch_an_order_email_off(world, event):
    with pytest.raises(ApplicationError) as excinfo:
        preference_set(user=world.seller_t_owner, event=event, channel="email", enabled=False)

    assert excinfo.value.fields == {"enabled": ["This notification is mandatory and cannot be switched off."]}
    assert NotificationPreference.objects.count() == 0


@pytest.mark.parametrize("channel", ["email", "in_app"])
def test_the_api_refuses_to_switch_an_order_notification_off(world, as_user, channel):
    response = as_user(world.buyer_owner).patch(PREFERENCES, {"event": ORDER_STATUS_CHANGED, "channel": channel,
                                                              "enabled": False}, format="json")

    assert_error(response, 400, "validation_error",
                 fields={"enabled": ["This notification is mandatory and cannot be switched off."]})
    assert NotificationPreference.objects.count() == 0


def test_the_api_lists_order_notifications_as_mandatory(world, as_user):
    rows = as_user(world.buyer_owner).get(PREFERENCES).json()

    assert [row for row in rows if row["event"].startswith("order.")] == [
        {"event": "order.instalment_overdue", "label": "A payment of an order of my company is overdue",
         "channel": "email", "enabled": True, "mandatory": True},
        {"event": "order.instalment_overdue", "label": "A payment of an order of my company is overdue",
         "channel": "in_app", "enabled": True, "mandatory": True},
        {"event": "order.placed", "label": "A buyer placed an order with my company", "channel": "email",
         "enabled": True, "mandatory": True},
        {"event": "order.placed", "label": "A buyer placed an order with my company", "channel": "in_app",
         "enabled": True, "mandatory": True},
        {"event": "order.status_changed", "label": "An order of my company changed status", "channel": "email",
         "enabled": True, "mandatory": True},
        {"event": "order.status_changed", "label": "An order of my company changed status", "channel": "in_app",
         "enabled": True, "mandatory": True},
    ]


def test_a_stored_choice_to_switch_order_emails_off_is_ignored(world):
    NotificationPreference.objects.create(user=world.seller_t_owner, event=ORDER_PLACED, channel="email",
                                          enabled=False)
    NotificationPreference.objects.create(user=world.seller_t_owner, event=ORDER_PLACED, channel="in_app",
                                          enabled=False)

    order = place_order(world)

    assert told(ORDER_PLACED) == [(world.seller_t.pk, members(world.seller_t_owner))]
    sent = send_emails()
    assert list(sent) == [world.seller_t_owner.email]
    assert sent[world.seller_t_owner.email].subject == f"New order {order.pk} from Gamma Handel GmbH"


# --- the e-mails -----------------------------------------------------------------------------------

def test_the_placed_order_email(world):
    order = place_order(world)

    sent = send_emails()

    message = sent[world.seller_t_owner.email]
    assert message.subject == f"New order {order.pk} from Gamma Handel GmbH"
    assert f"Gamma Handel GmbH placed order {order.pk}." in message.body
    assert "Invoice total, payable by the buyer to the seller: 2000.00 TRY" in message.body
    assert "Estimated costs the buyer pays to others (carrier, insurer, customs): 1065.44 TRY" in message.body
    assert f"Payment reference: {order.payment_reference}" in message.body
    assert message.extra_headers["X-SME-Event"] == "order.placed"
    assert f"http://127.0.0.1:8000/orders/{order.pk}/" in message.body
    html = message.alternatives[0][0]
    assert f"Gamma Handel GmbH placed order {order.pk}." in html
    assert f'<a href="http://127.0.0.1:8000/orders/{order.pk}/">' in html
    assert OrderEvent.objects.get(order=order).sent_at is not None


def test_a_refusal_email_carries_the_reason(world):
    order = order_in(world, S.REFUSED)

    sent = send_emails(event__name=ORDER_STATUS_CHANGED)

    assert set(sent) == {world.buyer_owner.email, world.buyer_staff.email}
    message = sent[world.buyer_owner.email]
    assert message.subject == f"Order {order.pk}: Refused"
    assert "Reason: Out of capacity." in message.body
    assert (f"Order {order.pk} (Gamma Handel GmbH buying from Tekstil A.S.) is now: <strong>Refused</strong>."
            in message.alternatives[0][0])


def test_a_resolution_email_carries_the_refund(world):
    order = order_in(world, S.RESOLVED)
    move = order.events.get(to_status=S.RESOLVED)

    sent = send_emails(event__context__order_event_id=move.pk)

    assert set(sent) == {world.buyer_owner.email, world.buyer_staff.email, world.seller_t_owner.email}
    assert "Refund: 100.00 TRY" in sent[world.seller_t_owner.email].body


def test_an_email_is_sent_once_however_often_its_delivery_runs(world):
    place_order(world)
    delivery = Delivery.objects.get(channel=Channel.EMAIL)

    assert delivery_send(delivery.pk) == "sent"
    assert delivery_send(delivery.pk) == "already_sent"

    assert len(mail.outbox) == 1


def test_emails_are_in_each_recipients_language(world):
    world.buyer_owner.preferred_language = "tr"
    world.buyer_owner.save()
    world.seller_t_owner.preferred_language = "tr"
    world.seller_t_owner.save()
    order = order_in(world, S.ACCEPTED)

    sent = send_emails()

    assert sent[world.seller_t_owner.email].subject == f"Gamma Handel GmbH firmasından {order.pk} numaralı yeni sipariş"
    assert sent[world.buyer_owner.email].subject == f"{order.pk} numaralı sipariş: Kabul edildi"
    assert "Alıcının satıcıya ödeyeceği fatura toplamı: 2000,00 TRY" in sent[world.buyer_owner.email].body
    assert sent[world.buyer_staff.email].subject == f"Order {order.pk}: Accepted"


def test_in_app_summaries(world):
    order = order_in(world, S.ACCEPTED)

    placed = Delivery.objects.get(channel=Channel.IN_APP, event__name=ORDER_PLACED)
    accepted = Delivery.objects.get(channel=Channel.IN_APP, event__name=ORDER_STATUS_CHANGED,
                                    recipient=world.buyer_owner)
    assert notification_text(placed) == f"Gamma Handel GmbH placed order {order.pk}."
    assert notification_text(accepted) == (
        f"Order {order.pk} (Gamma Handel GmbH buying from Tekstil A.S.) is now: Accepted.")
    assert placed.status == accepted.status == DeliveryStatus.SENT
    assert notification_link(placed) == notification_link(accepted) == f"/orders/{order.pk}/"


def test_an_email_for_an_order_that_is_gone_is_cancelled(world):
    order = place_order(world)
    event = Event.objects.get(name=ORDER_PLACED)
    context = {**event.context, "order_event_id": order.events.get().pk + 1000}
    Event.objects.filter(pk=event.pk).update(context=context)

    assert delivery_send(Delivery.objects.get(channel=Channel.EMAIL).pk) == DeliveryStatus.CANCELLED
    assert mail.outbox == []


# --- webhooks --------------------------------------------------------------------------------------

@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def test_an_owner_subscribes_a_webhook_to_order_events(world):
    endpoint = webhook_endpoint_create(actor=world.buyer_owner, url="https://erp.gamma.example/hooks",
                                       events=[ORDER_STATUS_CHANGED, ORDER_PLACED])

    assert endpoint.events == [ORDER_PLACED, ORDER_STATUS_CHANGED]


def test_subscribed_webhooks_get_a_delivery_and_the_payload_carries_no_secret(world, receiver):
    order = order_in(world, S.PLACED)
    subscribed = WebhookEndpoint.objects.create(company=world.buyer, url=receiver.url, secret="whsec_buyer",
                                                events=[ORDER_STATUS_CHANGED])
    WebhookEndpoint.objects.create(company=world.buyer, url=receiver.url, secret="whsec_other",
                                   events=[ORDER_PLACED])
    WebhookEndpoint.objects.create(company=world.seller_t, url=receiver.url, secret="whsec_seller",
                                   events=[ORDER_STATUS_CHANGED])

    services.order_refuse(order_id=order.pk, actor=world.seller_t_owner, reason="Out of capacity.")

    move = order.events.get(to_status=S.REFUSED)
    # The buyer's subscribed endpoint, and the seller's for its own move.
    delivery, own = Delivery.objects.filter(channel=Channel.WEBHOOK).order_by("event__company_id")
    assert (delivery.endpoint, delivery.event.name, delivery.event.company_id) == (
        subscribed, ORDER_STATUS_CHANGED, world.buyer.pk)
    assert (own.endpoint.company_id, own.event.name, own.event.context["party"]) == (
        world.seller_t.pk, ORDER_STATUS_CHANGED, "seller")
    assert Delivery.objects.filter(event=own.event).count() == 1  # the seller's people are not told again
    body = json.loads(payload(delivery.event))
    assert body["type"] == ORDER_STATUS_CHANGED
    assert body["company_id"] == world.buyer.pk
    assert body["data"] == {
        "order_id": order.pk, "order_event_id": move.pk, "from_status": "placed", "to_status": "refused",
        "role": "seller", "reason": "Out of capacity.",
        "at": move.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"), "party": "buyer",
        "buyer_id": world.buyer.pk, "buyer_name": "Gamma Handel GmbH", "seller_id": world.seller_t.pk,
        "seller_name": "Tekstil A.S.",
        "actor": {"company_id": world.seller_t.pk, "company_name": "Tekstil A.S.",
                  "user_id": world.seller_t_owner.pk, "user_name": world.seller_t_owner.full_name, "role": "seller"}}
    assert "whsec_" not in json.dumps(body)

    assert delivery_send(delivery.pk) == "sent"
    [received] = receiver.accepted()
    assert received.json["data"]["to_status"] == "refused"
    assert received.headers[EVENT_HEADER] == ORDER_STATUS_CHANGED


def test_a_placed_order_goes_to_the_sellers_people_and_to_both_companies_webhooks(world):
    seller_hook = WebhookEndpoint.objects.create(company=world.seller_t, url="https://t.example/h", secret="s1",
                                                 events=[ORDER_PLACED])
    buyer_hook = WebhookEndpoint.objects.create(company=world.buyer, url="https://g.example/h", secret="s2",
                                                events=[ORDER_PLACED])

    place_order(world)

    hooks = Delivery.objects.filter(channel=Channel.WEBHOOK).order_by("endpoint_id")
    assert [(d.endpoint_id, d.event.context["party"]) for d in hooks] == [(seller_hook.pk, "seller"),
                                                                          (buyer_hook.pk, "buyer")]
    # The buyer placed it: its people get no e-mail or in-app notification of their own move.
    assert not Delivery.objects.filter(event__company=world.buyer).exclude(channel=Channel.WEBHOOK).exists()

