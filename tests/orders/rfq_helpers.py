"""Builders shared by the request-for-quotation tests, on top of the world of tests/orders/helpers.py.

The world adds a second towel seller "Havlu Ltd" (TR, TRY, verified) with a published towel, so two
sellers compete on a towel request; the cable seller C sells in another category and does not see
it. Towel requests go to Germany under DAP, 100 pieces."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from orders.models import Rfq
from orders.services import rfq as rfq_services
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import build_world, make_zone, seller_company, towel

TOWELS = "textiles/home-textiles"


def build_rfq_world():
    world = build_world()
    world.seller_h = seller_company("Havlu Ltd", "TR", "TRY")
    world.seller_h_owner = MembershipFactory(company=world.seller_h).user
    make_zone(world.seller_h, "Europe", ["DE", "NL"], [("500", "250.00")])
    world.towel_h = towel(world.seller_h, title="Hotel towel")
    return world


def post_rfq(world, *, actor=None, buyer=None, **overrides) -> Rfq:
    data = {"title": "Hotel bath towels", "description": "White, 500 g/m2.", "category": TOWELS, "quantity": 100,
            "incoterm": "DAP", "destination_country": "DE", "deadline": timezone.now() + timedelta(days=7),
            "target_price": Decimal("85.00"), "target_currency": "TRY"}
    data.update(overrides)
    return rfq_services.rfq_create(actor=actor or world.buyer_owner, buyer=buyer or world.buyer, **data)


def quote_terms(**overrides) -> dict:
    terms = {"unit_price": Decimal("90.00"), "moq": 50, "lead_time_days": 21, "incoterm": "DAP",
             "valid_until": timezone.localdate() + timedelta(days=14), "hs_code": "630260", "origin_country": "TR",
             "unit_weight_kg": Decimal("0.500")}
    terms.update(overrides)
    return terms


def submit_quote(world, rfq, *, seller=None, actor=None, **overrides):
    seller = seller or world.seller_t
    actor = actor or (world.seller_t_owner if seller.pk == world.seller_t.pk else world.seller_h_owner)
    return rfq_services.quote_submit(actor=actor, seller=seller, rfq_id=rfq.pk, **quote_terms(**overrides))
