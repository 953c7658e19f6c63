"""The ordering side of seed_demo: shipping zones of the demo sellers, orders placed through the cart
and the checkout and moved to each state by their parties, an open request for quotation with two
quotes, messages on an order; and nothing added by a second run."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Company, VerificationStatus
from demo import orders as demo
from demo.marketplace import CATALOGUE, demo_listings
from notifications.models import Event
from orders.models import (
    CartLine,
    Message,
    Order,
    OrderEvent,
    OrderLine,
    OrderRole,
    OrderStatus,
    Payment,
    PurchaseGroup,
    Quote,
    QuoteStatus,
    Rfq,
    RfqStatus,
    SellerPaymentTerm,
    TrustedBuyer,
)
from orders.selectors.checkout import checkout_preview
from orders.services.cart import cart_line_add
from payments.models import BankAccount
from payments.references import rf_reference_for_order
from reviews.models import Review, SellerRating
from trade.models import ShippingRate, ShippingZone, ShippingZoneCountry
from trust.models import SellerPerformance
from trade.selectors import shipping_quote

pytestmark = pytest.mark.django_db

S = OrderStatus
STATES = [S.PLACED, S.ACCEPTED, S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.DISPUTED]
BUYER_COUNTRIES = ["BR", "CN", "KE", "TR"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module, on the empty test database, in a transaction rolled back at the
    end; each test runs in a savepoint inside it, so what a test writes is undone after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def snapshot() -> dict:
    return {
        "zones": list(ShippingZone.objects.order_by("pk").values_list("pk", "seller_id", "name")),
        "zone_countries": ShippingZoneCountry.objects.count(),
        "rates": ShippingRate.objects.count(),
        "groups": list(PurchaseGroup.objects.order_by("pk").values_list("pk", "buyer_id", "idempotency_key")),
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "invoice_total", "amount_paid")),
        "lines": OrderLine.objects.count(),
        "events": OrderEvent.objects.count(),
        "payments": Payment.objects.count(),
        "bank_accounts": list(BankAccount.objects.order_by("pk").values_list("pk", "company_id", "iban",
                                                                             "account_number")),
        "terms": list(SellerPaymentTerm.objects.order_by("pk").values_list("pk", "seller_id", "kind")),
        "trusted": list(TrustedBuyer.objects.order_by("pk").values_list("seller_id", "buyer_id")),
        "rfqs": list(Rfq.objects.order_by("pk").values_list("pk", "status")),
        "quotes": list(Quote.objects.order_by("pk").values_list("pk", "seller_id", "unit_price")),
        "messages": Message.objects.count(),
        "reviews": list(Review.objects.order_by("pk").values_list("pk", "order_id", "reply")),
        "cart_lines": CartLine.objects.count(),
        "notifications": Event.objects.count(),
    }


def test_orders_in_each_state_through_the_services(seeded):
    orders = {order.status: order for order in Order.objects.select_related("buyer", "seller", "purchase_group")}

    assert Order.objects.count() == len(demo.PURCHASES) == 7
    assert sorted(orders) == sorted(STATES)
    assert "7 orders (1 accepted, 1 completed, 1 delivered, 1 disputed, 1 paid, 1 placed, 1 shipped)" in seeded
    assert "not added" not in seeded
    for purchase in demo.PURCHASES:
        order = orders[purchase.target]
        assert order.purchase_group.idempotency_key == purchase.key
        assert order.buyer.registration_number == purchase.buyer
        assert order.seller.registration_number == purchase.seller
        assert order.buyer.verification_status == VerificationStatus.VERIFIED
        assert order.buyer_id != order.seller_id
        assert order.incoterm == purchase.incoterm
        # The whole path is recorded, each move by the party the table names.
        moves = list(order.events.order_by("pk").values_list("from_status", "to_status", "role"))
        path = ["", S.PLACED, *demo.PATHS[purchase.target]]
        assert [(frm, to) for frm, to, _role in moves] == list(zip(path, path[1:]))
        buyer_moves = {S.PLACED, S.DELIVERED, S.COMPLETED, S.DISPUTED}
        assert [role for _frm, _to, role in moves] == [
            OrderRole.BUYER if to in buyer_moves else OrderRole.SELLER for _frm, to, _role in moves]
        # A landed cost: the shipping of the seller's zone band for the weight, duty and VAT of the destination.
        assert order.destination_country == order.buyer.country
        assert order.shipping == shipping_quote(seller=order.seller, destination_country=str(order.buyer.country),
                                                weight_kg=order.total_weight_kg) > 0
        assert order.duty > 0 and order.vat > 0
        assert order.total == order.goods_total + order.shipping + order.insurance + order.duty + order.vat

    assert len({order.buyer_id for order in orders.values()}) == 2
    assert len({order.seller_id for order in orders.values()}) == 6
    paid = [orders[s] for s in (S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.DISPUTED)]
    assert sorted(Payment.objects.values_list("order_id", "amount")) == sorted((o.pk, o.invoice_total) for o in paid)
    assert orders[S.SHIPPED].carrier == "DHL Global Forwarding"
    assert orders[S.SHIPPED].tracking_number == "DGF-4471902518"
    dispute = orders[S.DISPUTED].events.get(to_status=S.DISPUTED)
    assert dispute.reason == demo.PURCHASES[-1].dispute
    assert list(Message.objects.order_by("pk").values_list("order_id", "company_id")) == [
        (orders[S.SHIPPED].pk, orders[S.SHIPPED].buyer_id), (orders[S.SHIPPED].pk, orders[S.SHIPPED].seller_id)]


def test_the_orders_took_their_stock(seeded):
    companies = {c.registration_number: c for c in Company.objects.filter(registration_number__in=list(CATALOGUE))}
    initial = {(companies[item.seller_key].pk, item.data["title"]): item.data["stock"]
               for item in demo_listings({key: c.default_currency for key, c in companies.items()})}

    for line in OrderLine.objects.select_related("listing", "order"):
        assert line.listing.stock == initial[(line.order.seller_id, line.title)] - line.quantity
        assert line.quantity == line.listing.moq + next(
            p.multiples for p in demo.PURCHASES if p.key == line.order.purchase_group.idempotency_key
        ) * line.listing.order_multiple


def test_an_open_rfq_with_two_quotes(seeded):
    rfq = Rfq.objects.select_related("buyer").get()
    quotes = list(rfq.quotes.select_related("seller").order_by("seller__registration_number"))

    assert rfq.status == RfqStatus.OPEN
    assert rfq.deadline > timezone.now()
    assert rfq.buyer.registration_number == demo.RFQ_BUYER
    assert rfq.buyer.verification_status == VerificationStatus.VERIFIED
    assert rfq.quantity == demo.RFQ_QUANTITY
    assert [q.seller.registration_number for q in quotes] == sorted(key for key, *_rest in demo.RFQ_QUOTES)
    assert all(q.status == QuoteStatus.SUBMITTED and q.seller_id != rfq.buyer_id for q in quotes)
    assert all(q.currency == q.seller.default_currency and q.unit_price > 0 for q in quotes)
    assert all(q.listing.seller_id == q.seller_id and q.valid_until > timezone.localdate() for q in quotes)


def test_every_demo_seller_ships_to_the_demo_buyers_countries(seeded):
    sellers = Company.objects.filter(registration_number__in=list(CATALOGUE))

    assert sellers.count() == len(CATALOGUE)
    assert ShippingZone.objects.values("seller").annotate(n=Count("pk")).filter(n=5).count() == len(CATALOGUE)
    for seller in sellers:
        for country in BUYER_COUNTRIES:
            assert shipping_quote(seller=seller, destination_country=country, weight_kg=Decimal("25")) > 0
        domestic = ShippingZone.objects.get(seller=seller, name=demo.DOMESTIC)
        assert list(domestic.countries.values_list("country", flat=True)) == [seller.country.code]
        assert list(domestic.rates.values_list("max_weight_kg", flat=True)) == [
            Decimal(weight) for weight, _price in demo.BANDS_EUR]


def test_a_demo_buyer_sees_a_landed_cost_at_checkout(seeded):
    buyer = Company.objects.get(registration_number=demo.RECIFE)
    actor = buyer.memberships.get().user
    listing = demo._find_listing(Company.objects.get(registration_number=demo.RHEIN), "Spur gear, {v}")
    cart_line_add(actor=actor, buyer=buyer, listing_id=listing.pk, quantity=listing.moq, incoterm="FCA")

    preview = checkout_preview(actor=actor, buyer=buyer)

    assert preview.can_place is True
    [order] = preview.orders
    assert order.currency == "EUR" and preview.buyer_currency == "BRL"
    assert order.estimate.shipping == Decimal("60.00")  # up to 30 kg, from DE to the Americas: 20 EUR x 3
    assert order.estimate.duty > 0 and order.estimate.vat > 0
    assert preview.invoice_total_in_buyer_currency > order.estimate.invoice_total
    # FCA: the buyer pays the carriage to the carrier and duty and VAT to customs, none of it to the seller.
    assert order.estimate.invoice_total == order.estimate.goods
    assert order.estimate.buyer_other_costs == order.estimate.shipping + order.estimate.duty + order.estimate.vat


def test_the_completed_order_is_reviewed_and_every_seller_measured(seeded):
    review = Review.objects.select_related("order", "seller").get()
    assert review.order.status == OrderStatus.COMPLETED
    assert review.order.purchase_group.idempotency_key == "demo-purchase-6"
    assert (review.product, review.communication, review.shipping) == (5, 4, 5)
    assert review.reply.startswith("Thank you!")
    rating = SellerRating.objects.get(seller=review.seller)
    assert (rating.review_count, rating.average) == (1, Decimal("4.667"))
    sellers_with_orders = set(Order.objects.values_list("seller_id", flat=True))
    measured = SellerPerformance.objects.filter(seller_id__in=sellers_with_orders)
    assert measured.count() == len(sellers_with_orders)
    assert all(p.figures["all"]["orders"] >= 1 and p.computed_at is not None for p in measured)


def test_a_second_run_adds_nothing(seeded):
    first = snapshot()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert snapshot() == first
    assert ("Also added now: 0 shipping zones, 0 orders (none), 0 requests for quotation, 0 quotes, "
            "0 messages, 0 reviews; performance measured for 7 sellers.") in out.getvalue()
    assert "not added" not in out.getvalue()
    assert len(first["orders"]) == 7 and len(first["quotes"]) == 2 and len(first["zones"]) == 5 * len(CATALOGUE)


def test_demo_sellers_have_accounts_terms_and_orders_say_where_to_pay(seeded):
    sellers = {c.registration_number: c for c in Company.objects.filter(
        registration_number__in=[demo.ANATOLIA, demo.SHENZHEN, demo.RHEIN, demo.NAIROBI])}
    accounts = {a.company.registration_number: a for a in BankAccount.objects.select_related("company")}
    # Türkiye and Germany use IBANs; China and Kenya an account number with the bank's SWIFT/BIC.
    assert accounts[demo.ANATOLIA].iban.startswith("TR") and accounts[demo.ANATOLIA].bic == "TCZBTR2A"
    assert accounts[demo.RHEIN].iban.startswith("DE") and accounts[demo.RHEIN].bic == "COBADEFFXXX"
    assert (accounts[demo.SHENZHEN].iban, accounts[demo.SHENZHEN].bic) == ("", "BKCHCNBJ")
    assert accounts[demo.NAIROBI].account_number != ""
    assert sorted(SellerPaymentTerm.objects.filter(seller=sellers[demo.ANATOLIA]).values_list(
        "kind", flat=True)) == ["advance", "deposit", "net"]
    assert TrustedBuyer.objects.filter(seller=sellers[demo.ANATOLIA],
                                       buyer__registration_number=demo.RECIFE).exists()
    orders = list(Order.objects.select_related("seller"))
    assert orders
    for order in orders:
        assert order.payment_reference == rf_reference_for_order(order.pk)
        account = accounts.get(order.seller.registration_number)
        if account is not None:
            assert (order.pay_to["bic"], order.pay_to["iban"]) == (account.bic, account.iban)
