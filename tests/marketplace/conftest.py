"""Fixtures and helpers of the catalogue tests: a verified seller with an owner, a second seller, a
buyer, listings in any state, and a snapshot of every catalogue table for "nothing changed"."""
from __future__ import annotations

import io
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Company, CompanyKind, VerificationStatus
from marketplace.models import (
    Category,
    Certificate,
    Listing,
    ListingDecision,
    ListingImage,
    ListingIncoterm,
    ListingReport,
    ListingStatus,
    PriceTier,
    ShipsToCountry,
)
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory
from trade.models import ShippingRate, ShippingZone, ShippingZoneCountry

LISTINGS = "/api/v1/listings/"


def detail_url(listing) -> str:
    return f"{LISTINGS}{getattr(listing, 'pk', listing)}/"


def category(path: str) -> Category:
    return Category.objects.get(path=path)


def valid_body() -> dict:
    """A complete, valid listing as an API client sends it."""
    return {
        "title": "Organic cotton bath towel",
        "description": "Soft **terry** loops, 500 g/m2.",
        "category": category("textiles/home-textiles").pk,
        "unit": "piece",
        "stock": 5000,
        "moq": 100,
        "order_multiple": 10,
        "lead_time_days": 21,
        "origin_country": "TR",
        "hs_code": "630260",
        "weight_kg": "0.450",
        "length_cm": "140.0",
        "width_cm": "70.0",
        "height_cm": None,
        "ships_to_mode": "all_except",
        "ships_to_countries": ["RU"],
        "incoterms": ["FOB", "EXW"],
        "price_tiers": [{"min_quantity": 100, "unit_price": "4.20"}, {"min_quantity": 500, "unit_price": "3.90"},
                        {"min_quantity": 1000, "unit_price": "3.50"}],
        "certificates": [{"name": "OEKO-TEX Standard 100", "issuer": "OEKO-TEX", "number": "21.HTR.12345",
                          "valid_until": "2027-06-30"}],
    }


def ship_to(seller: Company, countries: list[str], *, name: str = "Zone", price: str = "100.00") -> ShippingZone:
    """A shipping zone of the seller covering the countries, with one rate (up to 1000 kg)."""
    zone = ShippingZone.objects.create(seller=seller, name=name)
    ShippingZoneCountry.objects.bulk_create(ShippingZoneCountry(zone=zone, seller=seller, country=c) for c in countries)
    ShippingRate.objects.create(zone=zone, max_weight_kg=Decimal("1000"), price=Decimal(price))
    return zone


def set_status(listing: Listing, status: str) -> Listing:
    """Puts a listing in a state without going through the workflow."""
    Listing.objects.filter(pk=listing.pk).update(status=status)
    listing.refresh_from_db()
    return listing


def catalogue_state() -> dict:
    """Every catalogue table in a comparable form."""
    return {
        "listings": list(Listing.objects.order_by("pk").values()),
        "tiers": list(PriceTier.objects.order_by("pk").values_list("listing_id", "min_quantity", "unit_price")),
        "incoterms": list(ListingIncoterm.objects.order_by("pk").values_list("listing_id", "incoterm")),
        "ships_to": list(ShipsToCountry.objects.order_by("pk").values_list("listing_id", "country")),
        "certificates": list(Certificate.objects.order_by("pk").values()),
        "images": list(ListingImage.objects.order_by("pk").values()),
        "decisions": list(ListingDecision.objects.order_by("pk").values()),
        "reports": list(ListingReport.objects.order_by("pk").values()),
    }


@contextmanager
def assert_unchanged():
    """The block leaves every catalogue table exactly as it found it."""
    before = catalogue_state()
    yield
    assert catalogue_state() == before


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def image_upload(name: str = "towel.png", content: bytes | None = None,
                 content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def tiers(listing: Listing) -> list[tuple[int, Decimal]]:
    return list(listing.price_tiers.order_by("min_quantity").values_list("min_quantity", "unit_price"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seller(company_a) -> Company:
    """Alpha Textiles (TR, TRY), a verified seller."""
    Company.objects.filter(pk=company_a.pk).update(verification_status=VerificationStatus.VERIFIED)
    company_a.refresh_from_db()
    return company_a


@pytest.fixture
def owner(seller, member_a):
    return member_a


@pytest.fixture
def other_seller(company_b) -> Company:
    """Beta Circuits (CN, CNY), a verified seller."""
    Company.objects.filter(pk=company_b.pk).update(verification_status=VerificationStatus.VERIFIED)
    company_b.refresh_from_db()
    return company_b


@pytest.fixture
def other_owner(other_seller, member_b):
    return member_b


@pytest.fixture
def buyer(db):
    """A member of a verified buying company."""
    company = CompanyFactory(legal_name="Gamma Hotels", country="DE", default_currency="EUR",
                             kind=CompanyKind.BUYER, verification_status=VerificationStatus.VERIFIED)
    return MembershipFactory(company=company).user


@pytest.fixture
def moderator_of_seller(seller, moderator):
    """A moderator who is also on the seller's staff."""
    MembershipFactory(company=seller, user=moderator, role="staff")
    return moderator


@pytest.fixture
def make_listing(seller, owner):
    """Creates a listing of the seller through listing_create, then puts it in the given state."""

    def _make(status: str = ListingStatus.DRAFT, **fields) -> Listing:
        fields.setdefault("seller", seller)
        fields.setdefault("actor", owner if fields["seller"] == seller else None)
        return ListingFactory(status=status, **fields)

    return _make


@pytest.fixture
def draft(make_listing) -> Listing:
    return make_listing(title="Cotton bath towel")


@pytest.fixture
def published(make_listing) -> Listing:
    return make_listing(ListingStatus.PUBLISHED, title="Linen tablecloth", moq=50,
                        price_tiers=[{"min_quantity": 50, "unit_price": "12.00"},
                                     {"min_quantity": 200, "unit_price": "10.50"}])
