"""Builders and snapshots shared by the order tests (unit and integration).

The world: buyer company "Gamma Handel GmbH" (DE, EUR, verified) with two members; seller T
"Tekstil A.S." (TR, TRY) selling a towel; seller C "Cable Works Ltd" (CN, CNY) selling a cable; a
second buyer "Other Buyer BV" (NL, EUR); a moderator. Exchange rates of 2026-01-05: 40 TRY, 8 CNY and
1.25 USD per euro, so TRY->EUR is 0.025 and CNY->EUR 0.125 exactly. Import into DE: duty 4 % (HS
chapter 63: 12 %), VAT 19 %. North Korea is restricted as a whole; Iran for HS 8544.

    towel (T): MOQ 10, multiple 5, stock 1000, 0.5 kg, HS 630260, EXW/FOB/DAP,
               tiers 10: 100.00, 50: 90.00, 200: 80.00 TRY; ships everywhere except US
    cable (C): MOQ 100, multiple 100, stock 5000, 0.2 kg, HS 854442, FOB/CIF,
               tiers 100: 12.50, 1000: 11.00 CNY; ships only to DE, NL and IR
Shipping to DE and NL: T 300.00 TRY up to 50 kg, 900.00 up to 500 kg; C 400.00 CNY up to 100 kg,
1000.00 up to 2000 kg. C also ships to IR and KP (which the restrictions forbid).
"""
from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from accounts.models import CompanyKind, MembershipRole, VerificationStatus
from fx.models import FxRate, FxSource
from marketplace.models import Listing, ShipsToMode
from orders import services
from orders.models import (
    Cart,
    CartLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderRole,
    OrderStatus,
    Payment,
    PurchaseGroup,
)
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.factories.marketplace import PublishedListingFactory
from trade.models import DutyRate, RestrictedDestination, ShippingRate, ShippingZone, ShippingZoneCountry, VatRate

RATE_DATE = date(2026, 1, 5)
_keys = itertools.count(1)


def new_key() -> str:
    return f"key-{next(_keys)}"


def make_zone(seller, name: str, countries: list[str], rates: list[tuple[str, str]]) -> ShippingZone:
    zone = ShippingZone.objects.create(seller=seller, name=name)
    ShippingZoneCountry.objects.bulk_create(ShippingZoneCountry(zone=zone, seller=seller, country=c) for c in countries)
    ShippingRate.objects.bulk_create(ShippingRate(zone=zone, max_weight_kg=Decimal(w), price=Decimal(p))
                                     for w, p in rates)
    return zone


def reference_tables() -> None:
    """Exchange rates and import tables the tests compute with, replacing the shipped examples."""
    FxRate.objects.all().delete()
    FxRate.objects.bulk_create([
        FxRate(date=RATE_DATE, currency="TRY", rate=Decimal("40"), source=FxSource.ECB),
        FxRate(date=RATE_DATE, currency="CNY", rate=Decimal("8"), source=FxSource.ECB),
        FxRate(date=RATE_DATE, currency="USD", rate=Decimal("1.25"), source=FxSource.ECB),
    ])
    DutyRate.objects.all().delete()
    VatRate.objects.all().delete()
    RestrictedDestination.objects.all().delete()
    DutyRate.objects.bulk_create([DutyRate(destination_country="DE", hs_chapter="", rate_percent=Decimal("4")),
                                  DutyRate(destination_country="DE", hs_chapter="63", rate_percent=Decimal("12"))])
    VatRate.objects.create(country="DE", rate_percent=Decimal("19"))
    RestrictedDestination.objects.bulk_create([
        RestrictedDestination(country="KP", hs_prefix="", reason="UN sanctions restrict trade with North Korea."),
        RestrictedDestination(country="IR", hs_prefix="8544", reason="Cables are under an export embargo."),
    ])


def buyer_company(name: str, country: str = "DE", currency: str = "EUR", **extra):
    company = CompanyFactory(legal_name=name, country=country, default_currency=currency, kind=CompanyKind.BUYER,
                             verification_status=VerificationStatus.VERIFIED, address=f"1 Hauptstrasse, {name}",
                             **extra)
    return company


def seller_company(name: str, country: str, currency: str, **extra):
    return CompanyFactory(legal_name=name, country=country, default_currency=currency, kind=CompanyKind.SELLER,
                          verification_status=VerificationStatus.VERIFIED, **extra)


def towel(seller, **overrides) -> Listing:
    data = {"title": "Bath towel", "moq": 10, "order_multiple": 5, "stock": 1000, "weight_kg": Decimal("0.500"),
            "hs_code": "630260", "incoterms": ["EXW", "FOB", "DAP"], "ships_to_mode": ShipsToMode.ALL_EXCEPT,
            "ships_to_countries": ["US"],
            "price_tiers": [{"min_quantity": 10, "unit_price": "100.00"}, {"min_quantity": 50, "unit_price": "90.00"},
                            {"min_quantity": 200, "unit_price": "80.00"}]}
    return PublishedListingFactory(seller=seller, **{**data, **overrides})


def cable(seller, **overrides) -> Listing:
    data = {"title": "Copper cable", "moq": 100, "order_multiple": 100, "stock": 5000, "weight_kg": Decimal("0.200"),
            "hs_code": "854442", "origin_country": "CN", "incoterms": ["FOB", "CIF"],
            "ships_to_mode": ShipsToMode.ONLY, "ships_to_countries": ["DE", "NL", "IR"],
            "price_tiers": [{"min_quantity": 100, "unit_price": "12.50"},
                            {"min_quantity": 1000, "unit_price": "11.00"}]}
    return PublishedListingFactory(seller=seller, category="electronics/components", **{**data, **overrides})


def build_world() -> SimpleNamespace:
    reference_tables()
    buyer = buyer_company("Gamma Handel GmbH")
    buyer_owner = MembershipFactory(company=buyer).user
    buyer_staff = MembershipFactory(company=buyer, role=MembershipRole.STAFF).user
    other = buyer_company("Other Buyer BV", country="NL")
    other_owner = MembershipFactory(company=other).user
    seller_t = seller_company("Tekstil A.S.", "TR", "TRY")
    seller_t_owner = MembershipFactory(company=seller_t).user
    seller_c = seller_company("Cable Works Ltd", "CN", "CNY")
    seller_c_owner = MembershipFactory(company=seller_c).user
    make_zone(seller_t, "Europe", ["DE", "NL"], [("50", "300.00"), ("500", "900.00")])
    make_zone(seller_c, "Europe", ["DE", "NL"], [("100", "400.00"), ("2000", "1000.00")])
    make_zone(seller_c, "Embargoed", ["IR", "KP"], [("2000", "700.00")])
    return SimpleNamespace(
        buyer=buyer, buyer_owner=buyer_owner, buyer_staff=buyer_staff, other=other, other_owner=other_owner,
        seller_t=seller_t, seller_t_owner=seller_t_owner, seller_c=seller_c, seller_c_owner=seller_c_owner,
        towel=towel(seller_t), cable=cable(seller_c), moderator=ModeratorFactory())


def snapshot() -> dict:
    """Every row the orders app writes, and the stock of every listing, in a comparable form."""
    return {
        "stock": list(Listing.objects.order_by("pk").values_list("pk", "stock")),
        "carts": list(Cart.objects.order_by("pk").values_list("pk", "buyer_id")),
        "cart_lines": list(CartLine.objects.order_by("pk").values_list("pk", "cart_id", "listing_id", "quantity",
                                                                       "incoterm", "updated_at")),
        "groups": list(PurchaseGroup.objects.order_by("pk").values_list("pk", "buyer_id", "idempotency_key")),
        "orders": list(Order.objects.order_by("pk").values_list(
            "pk", "status", "updated_at", "carrier", "tracking_number", "refund_amount", "accepted_at", "refused_at",
            "cancelled_at", "paid_at", "shipped_at", "delivered_at", "disputed_at", "resolved_at", "completed_at")),
        "lines": list(OrderLine.objects.order_by("pk").values_list("pk", "order_id", "quantity", "line_total")),
        "events": list(OrderEvent.objects.order_by("pk").values_list("pk", "order_id", "from_status", "to_status")),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "order_id", "amount")),
    }


def place(world, *, lines: list[tuple[Listing, int]] | None = None, buyer=None, actor=None, key: str | None = None,
          **kwargs):
    """Fills the buyer's cart and checks it out; returns the purchase group."""
    buyer = buyer or world.buyer
    actor = actor or world.buyer_owner
    for listing, quantity in lines or [(world.towel, 20)]:
        services.cart_line_add(actor=actor, buyer=buyer, listing_id=listing.pk, quantity=quantity)
    return services.checkout_place(actor=actor, buyer=buyer, idempotency_key=key or new_key(), **kwargs).group


def place_order(world, listing=None, quantity: int | None = None) -> Order:
    listing = listing or world.towel
    quantity = quantity or (20 if listing.pk == world.towel.pk else 300)
    group = place(world, lines=[(listing, quantity)])
    return group.orders.get()


def actor_for(world, order: Order, role: str):
    """A user acting in `role` on the order (None for the system)."""
    if role == OrderRole.BUYER:
        return world.buyer_owner if order.buyer_id == world.buyer.pk else world.other_owner
    if role == OrderRole.SELLER:
        return world.seller_t_owner if order.seller_id == world.seller_t.pk else world.seller_c_owner
    if role == OrderRole.MODERATOR:
        return world.moderator
    return None


S = OrderStatus


def _accept(w, o):
    services.order_accept(order_id=o.pk, actor=actor_for(w, o, "seller"))


def _refuse(w, o):
    services.order_refuse(order_id=o.pk, actor=actor_for(w, o, "seller"), reason="Out of capacity.")


def _cancel(w, o):
    services.order_cancel(order_id=o.pk, actor=actor_for(w, o, "buyer"))


def _pay(w, o):
    o.refresh_from_db()
    services.order_mark_paid(order_id=o.pk, actor=actor_for(w, o, "seller"), reference="TT-1",
                             amount=o.invoice_total, method="bank_transfer")


def _ship(w, o):
    services.order_ship(order_id=o.pk, actor=actor_for(w, o, "seller"), carrier="Maersk", tracking_number="MSK1",
                        documents=["invoice.pdf"])


def _deliver(w, o):
    services.order_confirm_delivery(order_id=o.pk, actor=actor_for(w, o, "buyer"))


def _dispute(w, o):
    services.order_dispute(order_id=o.pk, actor=actor_for(w, o, "buyer"), reason="Two cartons were wet.")


def _resolve(w, o):
    services.order_resolve(order_id=o.pk, actor=w.moderator, reason="Partial refund agreed.",
                           refund_amount=Decimal("100.00"))


def _complete(w, o):
    services.order_complete(order_id=o.pk, actor=actor_for(w, o, "buyer"))


PATHS = {
    S.PLACED: [],
    S.ACCEPTED: [_accept],
    S.REFUSED: [_refuse],
    S.CANCELLED: [_cancel],
    S.PAID: [_accept, _pay],
    S.SHIPPED: [_accept, _pay, _ship],
    S.DELIVERED: [_accept, _pay, _ship, _deliver],
    S.DISPUTED: [_accept, _pay, _ship, _deliver, _dispute],
    S.RESOLVED: [_accept, _pay, _ship, _deliver, _dispute, _resolve],
    S.COMPLETED: [_accept, _pay, _ship, _deliver, _complete],
}


def order_in(world, status: str, listing=None) -> Order:
    """A fresh order of the buyer, taken to `status` through the services."""
    order = place_order(world, listing)
    for step in PATHS[status]:
        step(world, order)
    order.refresh_from_db()
    assert order.status == status
    return order
