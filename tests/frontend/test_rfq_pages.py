"""The request-for-quotation pages: the board of a buyer and of a seller, posting a request, quoting,
the buyer's side-by-side comparison and acceptance, the message threads, who may see which page,
and the number of queries of the board and the comparison with 1 and with 20 rows."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from orders.models import Message, Order, Quote, QuoteStatus, Rfq, RfqAudience, RfqRecipient, RfqStatus
from orders.services import rfq as rfq_services
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.orders.helpers import seller_company
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, quote_terms, submit_quote

pytestmark = pytest.mark.django_db

BOARD = "/rfqs/"


@pytest.fixture
def world(db):
    return build_rfq_world()


def detail(rfq) -> str:
    return f"/rfqs/{rfq.pk}/"


def rfq_form(**overrides) -> dict:
    data = {"title": "Kitchen towels", "description": "Cotton, 40x60 cm.", "category": "textiles/home-textiles",
            "quantity": "500", "unit": "piece", "target_price": "20.00", "target_currency": "TRY",
            "destination_country": "DE", "destination_address": "", "incoterm": "FOB",
            "deadline": (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return data


def quote_form(**overrides) -> dict:
    data = {"unit_price": "18.50", "moq": "100", "lead_time_days": "30", "incoterm": "FOB",
            "valid_until": (timezone.localdate() + timedelta(days=20)).isoformat(), "listing": "",
            "hs_code": "630291", "origin_country": "TR", "unit_weight_kg": "0.150", "note": "Sample on request."}
    data.update(overrides)
    return data


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- the board ----------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_nav_links_to_the_board(client_as, world):
    response = client_as(world.buyer_owner).get("/")
    assertContains(response, '<a id="nav-rfqs" href="/rfqs/">RFQs</a>', html=True)


def test_a_buyer_posts_a_request_from_the_board(client_as, world):
    client = client_as(world.buyer_owner)
    page = client.get(BOARD)
    assertContains(page, 'id="rfq-form"')
    assertContains(page, 'id="no-rfqs"')
    assertNotContains(page, 'id="open-rfqs"')

    response = client.post(BOARD, rfq_form())

    rfq = Rfq.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(rfq)
    assert (rfq.title, rfq.quantity, rfq.incoterm, rfq.target_price, rfq.buyer_id, rfq.created_by_id) == (
        "Kitchen towels", 500, "FOB", Decimal("20.00"), world.buyer.pk, world.buyer_owner.pk)
    assertContains(client.get(BOARD), f'<a href="/rfqs/{rfq.pk}/">Kitchen towels</a>', html=True)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"deadline": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}, "deadline"),
    ({"quantity": "0"}, "quantity"),
    ({"title": "<b>towels</b>"}, "title"),
    ({"destination_country": "KP"}, "destination_country"),
    ({"target_currency": ""}, "target_currency"),
])
def test_invalid_requests_show_form_errors(client_as, world, overrides, field):
    response = client_as(world.buyer_owner).post(BOARD, rfq_form(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Rfq.objects.count() == 0


def test_an_unverified_buyer_sees_no_form(client_as, world):
    world.other.verification_status = "pending"
    world.other.save(update_fields=["verification_status"])
    client = client_as(world.other_owner)
    page = client.get(BOARD)
    assertContains(page, 'id="buyer-not-verified"')
    assertNotContains(page, 'id="rfq-form"')
    assert client.post(BOARD, rfq_form()).status_code == 403
    assert Rfq.objects.count() == 0


def test_a_seller_sees_the_requests_it_may_quote_on(client_as, world):
    mine = post_rfq(world)
    cables = post_rfq(world, title="Cables", category="electronics/components")
    invited_elsewhere = post_rfq(world, title="Invited", recipients=[world.seller_h.pk])

    page = client_as(world.seller_t_owner).get(BOARD)

    assertContains(page, f'id="open-rfq-{mine.pk}"')
    assertNotContains(page, f'id="open-rfq-{cables.pk}"')
    assertNotContains(page, f'id="open-rfq-{invited_elsewhere.pk}"')
    assertNotContains(page, 'id="rfq-form"')


def test_board_queries_do_not_grow_with_the_rows(client_as, world):
    post_rfq(world)
    buyer = client_as(world.buyer_owner)
    with_one = queries(buyer, BOARD)
    for number in range(19):
        post_rfq(world, title=f"Request {number}")
    assert len(buyer.get(BOARD).context["buyer_page"].object_list) == 20
    assert queries(buyer, BOARD) == with_one

    seller = client_as(world.seller_t_owner)
    Rfq.objects.exclude(pk=Rfq.objects.order_by("pk").first().pk).delete()
    seller_one = queries(seller, BOARD)
    for number in range(19):
        post_rfq(world, title=f"Again {number}")
    assert len(seller.get(BOARD).context["seller_page"].object_list) == 20
    assert queries(seller, BOARD) == seller_one


# --- choosing the sellers ----------------------------------------------------------------------

def _recipient_options(response) -> list[tuple[str, str]]:
    match = re.search(r'<select name="recipients"[^>]*>(.*?)</select>', response.content.decode(), re.S)
    assert match, "no recipients select"
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', match.group(1))


def test_the_form_offers_the_verified_sellers_but_the_buyer_itself(client_as, world):
    CompanyFactory(legal_name="Pending Mills", country="TR", kind="seller", verification_status="pending")
    both = CompanyFactory(legal_name="Both Ways GmbH", country="DE", kind="both", verification_status="verified")

    page = client_as(world.buyer_owner).get(BOARD)

    # Verified sellers (and companies that buy and sell) by name; neither buyers nor unverified sellers.
    assert _recipient_options(page) == [
        (str(both.pk), "Both Ways GmbH (DE)"), (str(world.seller_c.pk), "Cable Works Ltd (CN)"),
        (str(world.seller_h.pk), "Havlu Ltd (TR)"), (str(world.seller_t.pk), "Tekstil A.S. (TR)")]


def test_a_request_sent_to_chosen_sellers_only_reaches_them(client_as, world):
    client = client_as(world.buyer_owner)

    response = client.post(BOARD, rfq_form(recipients=[str(world.seller_h.pk)]))

    rfq = Rfq.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(rfq)
    assert rfq.audience == RfqAudience.INVITED
    assert list(RfqRecipient.objects.filter(rfq=rfq).values_list("seller_id", flat=True)) == [world.seller_h.pk]
    assertContains(client_as(world.seller_h_owner).get(BOARD), f'id="open-rfq-{rfq.pk}"')
    # Tekstil sells towels too, but was not chosen.
    assertNotContains(client_as(world.seller_t_owner).get(BOARD), f'id="open-rfq-{rfq.pk}"')


def test_without_chosen_sellers_the_request_goes_to_the_category(client_as, world):
    client_as(world.buyer_owner).post(BOARD, rfq_form())

    rfq = Rfq.objects.get()
    assert (rfq.audience, RfqRecipient.objects.count()) == (RfqAudience.CATEGORY, 0)


def test_sellers_that_cannot_be_asked_are_form_errors(client_as, world):
    pending = CompanyFactory(legal_name="Pending Mills", country="TR", kind="seller", verification_status="pending")
    client = client_as(world.buyer_owner)

    for chosen in ([pending.pk], [world.other.pk], [world.buyer.pk], ["abc"]):
        response = client.post(BOARD, rfq_form(recipients=[str(value) for value in chosen]))
        assert response.status_code == 400
        assert response.context["form"].errors == {
            "recipients": [f"Select a valid choice. {chosen[0]} is not one of the available choices."]}

    many = [seller_company(f"Seller {number:02d}", "TR", "TRY") for number in range(20)]
    response = client.post(BOARD, rfq_form(recipients=[str(company.pk) for company in [*many, world.seller_t]]))
    assert response.status_code == 400
    assert response.context["form"].errors == {"recipients": ["Send the request to at most 20 sellers."]}
    assertContains(response, "Send the request to at most 20 sellers.", status_code=400)
    assert (Rfq.objects.count(), RfqRecipient.objects.count()) == (0, 0)


def test_board_queries_do_not_grow_with_the_sellers_offered(client_as, world):
    buyer = client_as(world.buyer_owner)
    with_three = queries(buyer, BOARD)
    for number in range(20):
        seller_company(f"Seller {number:02d}", "TR", "TRY")
    assert len(_recipient_options(buyer.get(BOARD))) == 23
    assert queries(buyer, BOARD) == with_three


# --- quoting ------------------------------------------------------------------------------------

def test_a_seller_quotes_revises_and_withdraws(client_as, world):
    rfq = post_rfq(world)
    client = client_as(world.seller_t_owner)
    page = client.get(detail(rfq))
    assertContains(page, 'id="quote-form"')
    assertNotContains(page, 'id="quote-comparison"')

    sent = client.post(f"/rfqs/{rfq.pk}/quote/", quote_form())
    quote = Quote.objects.get()
    assert sent.status_code == 302
    assert (quote.seller_id, quote.unit_price, quote.moq, quote.currency, quote.hs_code, quote.revision) == (
        world.seller_t.pk, Decimal("18.50"), 100, "TRY", "630291", 1)

    client.post(f"/rfqs/{rfq.pk}/quote/", quote_form(unit_price="17.90"))
    quote.refresh_from_db()
    assert (quote.unit_price, quote.revision, Quote.objects.count()) == (Decimal("17.90"), 2, 1)
    assertContains(client.get(detail(rfq)), "Revise the quote")

    client.post(f"/rfqs/{rfq.pk}/quote/withdraw/")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.WITHDRAWN


def test_a_quote_on_a_listing(client_as, world):
    rfq = post_rfq(world)
    client = client_as(world.seller_t_owner)
    client.post(f"/rfqs/{rfq.pk}/quote/", quote_form(listing=str(world.towel.pk), hs_code="", origin_country=""))
    quote = Quote.objects.get()
    assert (quote.listing_id, quote.hs_code) == (world.towel.pk, "630260")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"unit_price": "0"}, "unit_price"),
    ({"moq": "101"}, "moq"),
    ({"hs_code": "12"}, "hs_code"),
    ({"note": "<script>x</script>"}, "note"),
    ({"valid_until": "2001-01-01"}, "valid_until"),
])
def test_invalid_quotes_show_form_errors(client_as, world, overrides, field):
    rfq = post_rfq(world)
    response = client_as(world.seller_t_owner).post(f"/rfqs/{rfq.pk}/quote/", quote_form(**overrides))
    assert response.status_code == 400
    assert response.context["quote_form"].errors[field]
    assert Quote.objects.count() == 0


def test_a_seller_never_sees_a_competitors_quote_on_the_page(client_as, world):
    rfq = post_rfq(world)
    submit_quote(world, rfq, unit_price=Decimal("77.77"))
    submit_quote(world, rfq, seller=world.seller_h, unit_price=Decimal("66.66"))

    page = client_as(world.seller_t_owner).get(detail(rfq))

    assertContains(page, "77.77")
    assertNotContains(page, "66.66")
    assertNotContains(page, "Havlu Ltd")


def test_pages_of_a_request_are_hidden_from_other_companies(client_as, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    for user in (world.other_owner, world.seller_c_owner):
        client = client_as(user)
        assert client.get(detail(rfq)).status_code == 404
        assert client.post(f"/rfqs/{rfq.pk}/accept/", {"quote": quote.pk}).status_code == 404
        assert client.post(f"/rfqs/{rfq.pk}/messages/", {"body": "Hi"}).status_code == 404
        assert client.post(f"/rfqs/{rfq.pk}/cancel/").status_code == 404
    assert (Order.objects.count(), Message.objects.count(), Rfq.objects.get().status) == (0, 0, RfqStatus.OPEN)


def test_the_seller_cannot_accept_from_the_page(client_as, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    response = client_as(world.seller_t_owner).post(f"/rfqs/{rfq.pk}/accept/", {"quote": quote.pk})
    assert response.status_code == 404
    assert Order.objects.count() == 0
    assert Quote.objects.get().status == QuoteStatus.SUBMITTED


# --- the comparison -----------------------------------------------------------------------------

def test_the_buyer_compares_and_accepts(client_as, world):
    rfq = post_rfq(world)
    quote_t = submit_quote(world, rfq)
    quote_h = submit_quote(world, rfq, seller=world.seller_h, unit_price=Decimal("88.00"),
                           valid_until=timezone.localdate())
    client = client_as(world.buyer_owner)

    page = client.get(detail(rfq))
    rows = page.context["comparison"].rows
    assert [(row.quote.pk, row.unit_price_display, row.total_display) for row in rows] == [
        (quote_h.pk, Decimal("2.20"), Decimal("220.00")), (quote_t.pk, Decimal("2.25"), Decimal("225.00"))]
    assertContains(page, '<td class="num">90.00 TRY</td>', html=True)
    assertContains(page, '<td class="num">2.25 EUR</td>', html=True)
    assertContains(page, '<span class="badge badge-verified">Verified</span>', html=True)
    assertContains(page, 'name="quote" value="%d"' % quote_t.pk)

    response = client.post(f"/rfqs/{rfq.pk}/accept/", {"quote": quote_t.pk}, follow=True)

    order = Order.objects.get()
    assertContains(response, f"Order {order.pk} is placed.")
    assert (order.seller_id, order.status, order.goods_total) == (world.seller_t.pk, "placed", Decimal("9000.00"))
    assert dict(Quote.objects.values_list("pk", "status")) == {quote_t.pk: QuoteStatus.ACCEPTED,
                                                                quote_h.pk: QuoteStatus.REJECTED}
    assertNotContains(response, 'name="quote" value=')


def test_an_expired_quote_has_no_accept_button_and_is_refused(client_as, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    client = client_as(world.buyer_owner)

    page = client.get(detail(rfq))
    assertContains(page, "Expired")
    assertNotContains(page, 'name="quote" value=')
    response = client.post(f"/rfqs/{rfq.pk}/accept/", {"quote": quote.pk}, follow=True)
    assertContains(response, "This quote expired on")
    assert Order.objects.count() == 0


def test_the_buyer_cancels(client_as, world):
    rfq = post_rfq(world)
    client_as(world.buyer_owner).post(f"/rfqs/{rfq.pk}/cancel/")
    assert Rfq.objects.get().status == RfqStatus.CANCELLED


def test_comparison_queries_do_not_grow_with_the_quotes(client_as, world):
    sellers = []
    for number in range(20):
        seller = seller_company(f"Towel Maker {number}", "TR", "TRY")
        sellers.append((seller, MembershipFactory(company=seller).user))
    rfq = post_rfq(world, recipients=[seller.pk for seller, _user in sellers])
    client = client_as(world.buyer_owner)

    first, first_user = sellers[0]
    rfq_services.quote_submit(actor=first_user, seller=first, rfq_id=rfq.pk, **quote_terms())
    with_one = queries(client, detail(rfq))
    for seller, user in sellers[1:]:
        rfq_services.quote_submit(actor=user, seller=seller, rfq_id=rfq.pk,
                                  **quote_terms(unit_price=Decimal("80.00") + len(seller.legal_name)))
    assert len(client.get(detail(rfq)).context["comparison"].rows) == 20
    assert queries(client, detail(rfq)) == with_one


# --- messages -----------------------------------------------------------------------------------

def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_message_threads_on_the_page(world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    seller = signed_in(world.seller_t_owner)
    posted = seller.post(f"/rfqs/{rfq.pk}/messages/", {"body": "Which colour?"})
    assert posted.status_code == 302

    buyer = signed_in(world.buyer_owner)
    page = buyer.get(f"{detail(rfq)}?seller={world.seller_t.pk}")
    assertContains(page, "Which colour?")
    answered = buyer.post(f"/rfqs/{rfq.pk}/messages/", {"body": "White.", "seller": world.seller_t.pk})
    assert answered["Location"] == f"{detail(rfq)}?seller={world.seller_t.pk}#messages"
    assert list(Message.objects.values_list("body", "company_id", "seller_id")) == [
        ("Which colour?", world.seller_t.pk, world.seller_t.pk), ("White.", world.buyer.pk, world.seller_t.pk)]

    invalid = seller.post(f"/rfqs/{rfq.pk}/messages/", {"body": "<script>alert(1)</script>"})
    assert invalid.status_code == 400
    assert invalid.context["message_form"].errors["body"]
    assert Message.objects.count() == 2

    # The other seller's thread is its own: it does not see this conversation.
    other = signed_in(world.seller_h_owner).get(detail(rfq))
    assertNotContains(other, "Which colour?")

    # The buyer must name the seller it writes to; the error is shown and nothing is stored.
    unnamed = buyer.post(f"/rfqs/{rfq.pk}/messages/", {"body": "Hello?"})
    assertContains(unnamed, "Choose the seller you write to.", status_code=400)
    assert Message.objects.count() == 2


def test_thread_queries_do_not_grow_with_the_messages(client_as, world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    client = client_as(world.seller_t_owner)
    client.post(f"/rfqs/{rfq.pk}/messages/", {"body": "First"})
    with_one = queries(client, detail(rfq))
    for number in range(19):
        client.post(f"/rfqs/{rfq.pk}/messages/", {"body": f"Message {number}"})
    assert len(client.get(detail(rfq)).context["thread"]) == 20
    assert queries(client, detail(rfq)) == with_one


def test_the_buyer_accepts_with_payment_terms_the_seller_offers(client_as, world):
    from orders.services.payments import payment_term_add

    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="advance")
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    client = client_as(world.buyer_owner)

    page = client.get(detail(rfq))
    assert re.findall(r'<option value="([\w]+)">', re.search(
        rf'<select name="payment_terms" id="terms-{quote.pk}">.*?</select>', page.content.decode(), re.S).group(0)) == [
        "advance", "deposit_30"]
    client.post(f"/rfqs/{rfq.pk}/accept/", {"quote": quote.pk, "payment_terms": "deposit_30"})

    order = Order.objects.get()
    assert (order.payment_terms, order.deposit_percent) == ("deposit", 30)
