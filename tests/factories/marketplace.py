"""Listings made through marketplace.services.listing_create, so every row a real listing has
(price tiers, Incoterms, ships-to countries, price_from, search_document) is there and consistent.

    ListingFactory()                                   # a draft of a verified seller
    ListingFactory(status=ListingStatus.PUBLISHED)     # or PublishedListingFactory()
    PublishedListingFactory(title="Cotton towel", category="textiles/home-textiles", unit_price="4.20",
                            incoterms=["FOB"], ships_to_mode="only", ships_to_countries=["DE"])

`category` takes a Category or its path (categories are seeded by migration 0002). `unit_price`
sets a single price tier starting at the MOQ; pass `price_tiers` for several. A status other than
draft is written directly, without the moderation workflow; `published_at` orders "newest".
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Company, Membership, User, VerificationStatus
from marketplace import services
from marketplace.models import Category, Listing, ListingStatus, ShipsToMode
from tests.factories.accounts import CompanyFactory, MembershipFactory

DEFAULT_CATEGORY = "textiles/home-textiles"


def category(path: str) -> Category:
    return Category.objects.get(path=path)


def seller_member(company: Company) -> User:
    """A member of the company, created when it has none."""
    membership = Membership.objects.filter(company=company).select_related("user").order_by("pk").first()
    return membership.user if membership else MembershipFactory(company=company).user


class ListingFactory(factory.Factory):
    class Meta:
        model = Listing

    class Params:
        unit_price = Decimal("5.00")

    seller = factory.LazyFunction(lambda: CompanyFactory(verification_status=VerificationStatus.VERIFIED))
    actor = None
    title = factory.Sequence(lambda n: f"Product {n}")
    description = "Made to order."
    category = DEFAULT_CATEGORY
    unit = "piece"
    stock = 1000
    moq = 10
    order_multiple = 1
    lead_time_days = 14
    origin_country = "TR"
    hs_code = "630260"
    weight_kg = Decimal("0.500")
    incoterms = factory.LazyFunction(lambda: ["EXW", "FOB"])
    price_tiers = factory.LazyAttribute(lambda o: [{"min_quantity": o.moq, "unit_price": o.unit_price}])
    ships_to_mode = ShipsToMode.ALL_EXCEPT
    ships_to_countries = factory.LazyFunction(list)
    certificates = None
    status = ListingStatus.DRAFT
    published_at = None

    @classmethod
    def _create(cls, model_class, *, seller: Company, actor: User | None, status: str,
                published_at: datetime | None, **data: Any) -> Listing:
        if isinstance(data["category"], str):
            data["category"] = category(data["category"])
        if data["certificates"] is None:
            del data["certificates"]
        listing = services.listing_create(seller=seller, actor=actor or seller_member(seller), data=data)
        if status != ListingStatus.DRAFT or published_at is not None:
            now = timezone.now()
            if status == ListingStatus.PUBLISHED:
                published_at = published_at or now
            Listing.objects.filter(pk=listing.pk).update(status=status, status_changed_at=now,
                                                         published_at=published_at)
            listing.refresh_from_db()
        return listing

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("ListingFactory only creates listings, through listing_create.")


class PublishedListingFactory(ListingFactory):
    status = ListingStatus.PUBLISHED
