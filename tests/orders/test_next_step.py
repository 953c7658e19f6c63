"""What happens next on an order: the steps, who must act, by when (the timed-move settings) and what the
system does when nobody acts, for each state and for the payment terms that want nothing before shipment."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from orders import services
from orders.models import OrderStatus
from orders.selectors import order_get
from orders.selectors.next_step import NextStep, order_next_step, order_progress, order_steps
from orders.services.payments import payment_record, payment_term_add, trusted_buyer_set
from orders.services.timed import order_timed_moves_run, timed_move_of, timed_moves
from tests.orders.helpers import PATHS, place

pytestmark = pytest.mark.django_db
S = OrderStatus
T0 = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)  # every order is placed at this moment
DAY = timedelta(days=1)


def _order_at(world, status, *, terms=None, step=DAY):
    """An order placed at T0 and moved to `status` through the services, one move a day."""
    checkout = {"payment_terms": {str(world.seller_t.pk): terms}} if terms else {}
    with time_machine.travel(T0, tick=False):
        order = place(world, lines=[(world.towel, 20)], **checkout).orders.get()
    moment = T0
    moves = PATHS[status]
    if terms and terms != "deposit_30":
        moves = [move for move in moves if move.__name__ != "_pay"]
    for move in moves:
        moment += step
        with time_machine.travel(moment, tick=False):
            move(world, order)
    return order_get(actor=world.buyer_owner, pk=order.pk)


def _steps(order):
    return [(step.status, step.state, step.at) for step in order_steps(order, events=order.events.all())]


def _net_terms(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="net_30")
    trusted_buyer_set(actor=world.seller_t_owner, seller=world.seller_t, buyer_id=world.buyer.pk, trusted=True)


def test_a_placed_order_waits_for_the_seller_who_has_72_hours(world):
    order = _order_at(world, S.PLACED)
    assert order_next_step(order) == NextStep(status=S.ACCEPTED, actor="seller", action="accept",
                                              deadline=datetime(2026, 12, 8, 14, 0, tzinfo=UTC),
                                              on_timeout=S.REFUSED)
    assert _steps(order) == [("placed", "current", T0), ("accepted", "next", None), ("paid", "upcoming", None),
                             ("shipped", "upcoming", None), ("delivered", "upcoming", None),
                             ("completed", "upcoming", None)]
    progress = order_progress(order=order, roles={"seller"})
    assert progress.sentence == ("You must accept or refuse the order by 12/08/2026 2 p.m., or it is refused "
                                 "automatically.")
    assert order_progress(order=order, roles={"buyer"}).sentence == (
        "Waiting for the seller to accept the order by 12/08/2026 2 p.m., or it is refused automatically.")
    assert order_progress(order=order, roles={"moderator"}).sentence == (
        "Waiting for the seller to accept the order by 12/08/2026 2 p.m., or it is refused automatically.")


def test_the_deadline_is_the_one_the_scan_obeys(world):
    """The page's deadline and the beat task's move agree to the second."""
    order = _order_at(world, S.PLACED)
    deadline = order_next_step(order).deadline
    with time_machine.travel(deadline, tick=False):
        assert order_timed_moves_run()["accept_timeout"] == 0
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        assert order_timed_moves_run()["accept_timeout"] == 1
    order = order_get(actor=world.buyer_owner, pk=order.pk)
    assert (order.status, order_next_step(order)) == (S.REFUSED, None)


def test_the_deadlines_follow_the_settings(world, settings):
    settings.ORDER_ACCEPT_TIMEOUT_HOURS = 5
    order = _order_at(world, S.PLACED)
    assert order_next_step(order).deadline == T0 + timedelta(hours=5)


def test_an_accepted_advance_order_waits_for_the_buyer_to_pay_within_7_days(world):
    order = _order_at(world, S.ACCEPTED)
    assert order_next_step(order) == NextStep(status=S.PAID, actor="buyer", action="pay",
                                              deadline=T0 + DAY + 7 * DAY, on_timeout=S.CANCELLED)
    assert _steps(order) == [("placed", "done", T0), ("accepted", "current", T0 + DAY), ("paid", "next", None),
                             ("shipped", "upcoming", None), ("delivered", "upcoming", None),
                             ("completed", "upcoming", None)]
    assert order_progress(order=order, roles={"buyer"}).sentence == (
        "You must pay what is due before shipment by 12/13/2026 2 p.m., or the order is cancelled automatically.")
    assert order_progress(order=order, roles={"seller"}).sentence == (
        "Waiting for the buyer to pay what is due before shipment by 12/13/2026 2 p.m., or the order is cancelled "
        "automatically.")


def test_a_part_payment_stops_the_clock_and_the_buyer_still_owes_the_rest(world):
    order = _order_at(world, S.ACCEPTED)
    payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="10.00", reference="PART")
    order = order_get(actor=world.buyer_owner, pk=order.pk)
    assert order_next_step(order) == NextStep(status=S.PAID, actor="buyer", action="pay")
    assert timed_move_of(order) is None
    assert order_progress(order=order, roles={"buyer"}).sentence == (
        "You must pay the rest of what is due before shipment; the seller ships once it is paid.")
    assert order_progress(order=order, roles={"seller"}).sentence == (
        "Waiting for the buyer to pay the rest of what is due before shipment.")


@pytest.mark.parametrize("code", ["net_30", "letter_of_credit"])
def test_with_nothing_due_before_shipment_there_is_no_paid_step_and_the_seller_ships(world, code):
    if code == "net_30":
        _net_terms(world)
    else:
        payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code=code)
    order = _order_at(world, S.ACCEPTED, terms=code)
    assert order.due_before_shipment == 0
    assert order_next_step(order) == NextStep(status=S.SHIPPED, actor="seller", action="ship")
    assert _steps(order) == [("placed", "done", T0), ("accepted", "current", T0 + DAY), ("shipped", "next", None),
                             ("delivered", "upcoming", None), ("completed", "upcoming", None)]
    assert order_progress(order=order, roles={"seller"}).sentence == "You must ship the order."
    assert order_progress(order=order, roles={"buyer"}).sentence == "Waiting for the seller to ship the order."


def test_a_placed_order_under_net_terms_shows_no_paid_step_ahead(world):
    _net_terms(world)
    order = _order_at(world, S.PLACED, terms="net_30")
    assert [step.status for step in order_steps(order)] == ["placed", "accepted", "shipped", "delivered", "completed"]


def test_a_deposit_order_has_a_paid_step(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    order = _order_at(world, S.ACCEPTED, terms="deposit_30")
    assert order.due_before_shipment == order.invoice_total
    assert order_next_step(order).action == "pay"
    assert [step.status for step in order_steps(order)][2] == "paid"


def test_a_paid_order_waits_for_the_seller_to_ship_with_no_clock(world):
    order = _order_at(world, S.PAID)
    assert order_next_step(order) == NextStep(status=S.SHIPPED, actor="seller", action="ship")
    assert [state for _status, state, _at in _steps(order)] == ["done", "done", "current", "next", "upcoming",
                                                                "upcoming"]


def test_a_shipped_order_waits_for_the_buyer_to_confirm_within_30_days(world):
    order = _order_at(world, S.SHIPPED)
    shipped = T0 + 3 * DAY
    assert order_next_step(order) == NextStep(status=S.DELIVERED, actor="buyer", action="confirm_delivery",
                                              deadline=shipped + 30 * DAY, on_timeout=S.DELIVERED)
    assert order_progress(order=order, roles={"buyer"}).sentence == (
        "You must confirm the delivery by 01/07/2027 2 p.m., or it is taken as confirmed automatically.")
    assert order_progress(order=order, roles={"seller"}).sentence == (
        "Waiting for the buyer to confirm the delivery by 01/07/2027 2 p.m., or it is taken as confirmed "
        "automatically.")


def test_a_delivered_order_completes_by_itself_after_14_days(world):
    order = _order_at(world, S.DELIVERED)
    assert order_next_step(order) == NextStep(status=S.COMPLETED, actor="system", action="complete",
                                              deadline=T0 + 4 * DAY + 14 * DAY, on_timeout=S.COMPLETED)
    assert order_progress(order=order, roles={"buyer"}).sentence == (
        "The order completes automatically on 12/23/2026 2 p.m.; until then you may complete it or open a dispute.")
    assert order_progress(order=order, roles={"seller"}).sentence == (
        "The order completes automatically on 12/23/2026 2 p.m. unless the buyer opens a dispute first.")


def test_a_disputed_order_waits_for_a_moderator_with_no_clock(world):
    order = _order_at(world, S.DISPUTED)
    assert order_next_step(order) == NextStep(status=S.RESOLVED, actor="moderator", action="resolve")
    assert _steps(order) == [("placed", "done", T0), ("accepted", "done", T0 + DAY), ("paid", "done", T0 + 2 * DAY),
                             ("shipped", "done", T0 + 3 * DAY), ("delivered", "done", T0 + 4 * DAY),
                             ("disputed", "current", T0 + 5 * DAY), ("resolved", "next", None),
                             ("completed", "upcoming", None)]
    assert order_progress(order=order, roles={"moderator"}).sentence == "You must resolve the dispute."
    assert order_progress(order=order, roles={"buyer"}).sentence == "Waiting for a moderator to resolve the dispute."


def test_a_resolved_order_closes_after_7_days(world):
    order = _order_at(world, S.RESOLVED)
    assert order_next_step(order) == NextStep(status=S.COMPLETED, actor="system", action="close",
                                              deadline=T0 + 6 * DAY + 7 * DAY, on_timeout=S.COMPLETED)
    assert order_progress(order=order, roles={"buyer"}).sentence == (
        "The order closes automatically on 12/18/2026 2 p.m.; you may complete it sooner.")
    assert order_progress(order=order, roles={"seller"}).sentence == (
        "On 12/18/2026 2 p.m. the order closes automatically.")


@pytest.mark.parametrize(("status", "path"), [
    (S.COMPLETED, ["placed", "accepted", "paid", "shipped", "delivered", "completed"]),
    (S.REFUSED, ["placed", "refused"]),
    (S.CANCELLED, ["placed", "cancelled"]),
])
def test_an_ended_order_has_no_next_step_and_shows_the_way_it_went(world, status, path):
    order = _order_at(world, status)
    assert order_next_step(order) is None
    steps = _steps(order)
    assert [s for s, _state, _at in steps] == path
    assert [state for _s, state, _at in steps] == ["done"] * (len(path) - 1) + ["current"]
    assert steps[-1][2] == T0 + (len(path) - 1) * DAY
    assert order_progress(order=order, roles={"buyer"}).sentence == ""


def test_an_accepted_order_cancelled_keeps_its_acceptance_in_the_path(world):
    order = _order_at(world, S.ACCEPTED)
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        services.order_cancel(order_id=order.pk, actor=world.buyer_owner, reason="Found it elsewhere.")
    order = order_get(actor=world.buyer_owner, pk=order.pk)
    assert _steps(order) == [("placed", "done", T0), ("accepted", "done", T0 + DAY),
                             ("cancelled", "current", T0 + 2 * DAY)]


def test_without_events_the_timestamps_give_the_path(world):
    order = _order_at(world, S.SHIPPED)
    assert [(s.status, s.state, s.at) for s in order_steps(order)] == _steps(order)


def test_the_deadline_is_shown_in_the_active_language(world):
    order = _order_at(world, S.PLACED)
    with translation.override("tr"):
        sentence = order_progress(order=order, roles={"seller"}).sentence
    assert "08 Ara 2026 14:00" in sentence
    assert "12/08/2026" not in sentence


def test_progress_makes_no_query_on_an_order_from_order_get(world):
    order = _order_at(world, S.DELIVERED)
    with CaptureQueriesContext(connection) as queries:
        order_progress(order=order, roles={"buyer"})
    assert len(queries) == 0


def test_every_timed_move_has_a_next_step_that_names_its_outcome(world):
    """Each rule of the scan is met by the next step of the state it starts from."""
    outcomes = {rule.from_status: rule.to_status for rule in timed_moves()}
    assert outcomes == {S.PLACED: S.REFUSED, S.ACCEPTED: S.CANCELLED, S.SHIPPED: S.DELIVERED,
                        S.DELIVERED: S.COMPLETED, S.RESOLVED: S.COMPLETED}
    for status, outcome in outcomes.items():
        order = _order_at(world, status)
        assert order_next_step(order).on_timeout == outcome


# --- the API: the order detail carries its next step and its document links ------------------------------

def test_the_api_detail_gives_the_next_step_with_its_deadline(as_user, world):
    order = _order_at(world, S.SHIPPED)

    body = as_user(world.seller_t_owner).get(f"/api/v1/orders/{order.pk}/").json()

    assert body["next_step"] == {"status": "delivered", "actor": "buyer", "action": "confirm_delivery",
                                 "deadline": "2027-01-07T14:00:00Z", "on_timeout": "delivered"}


def test_the_api_next_step_has_no_deadline_when_no_clock_runs_and_is_null_at_the_end(as_user, world):
    paid = _order_at(world, S.PAID)
    completed = _order_at(world, S.COMPLETED)
    client = as_user(world.buyer_owner)

    assert client.get(f"/api/v1/orders/{paid.pk}/").json()["next_step"] == {
        "status": "shipped", "actor": "seller", "action": "ship", "deadline": None, "on_timeout": ""}
    assert client.get(f"/api/v1/orders/{completed.pk}/").json()["next_step"] is None


@pytest.mark.parametrize(("status", "kinds"), [
    (S.PLACED, []),
    (S.ACCEPTED, ["proforma"]),
    (S.SHIPPED, ["proforma", "commercial-invoice", "packing-list"]),
])
def test_the_api_detail_links_each_issued_document_as_html_and_pdf(as_user, world, status, kinds):
    order = _order_at(world, status)
    titles = {"proforma": "Proforma invoice", "commercial-invoice": "Commercial invoice",
              "packing-list": "Packing list"}

    body = as_user(world.buyer_owner).get(f"/api/v1/orders/{order.pk}/").json()

    base = f"/api/v1/orders/{order.pk}/documents"
    assert body["documents"] == [{"kind": kind, "title": titles[kind], "html": f"{base}/{kind}/",
                                  "pdf": f"{base}/{kind}/?format=pdf"} for kind in kinds]


def test_the_api_pdf_link_answers_the_pdf(as_user, world):
    order = _order_at(world, S.ACCEPTED)
    client = as_user(world.seller_t_owner)
    link = client.get(f"/api/v1/orders/{order.pk}/").json()["documents"][0]["pdf"]

    response = client.get(link)

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
