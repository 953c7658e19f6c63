"""The listing page: what buyers see, what the seller's members and moderators see, reporting, and
a query count that does not grow with the price tiers and certificates."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import CompanyKind, VerificationStatus
from marketplace import services
from marketplace.models import Listing, ListingReport, ListingStatus, ShipsToMode
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory
from tests.marketplace.conftest import ship_to

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seller():
    return CompanyFactory(legal_name="Anatolia Textiles", country="TR", default_currency="TRY",
                          verification_status=VerificationStatus.VERIFIED)


@pytest.fixture
def seller_member(seller):
    return MembershipFactory(company=seller).user


@pytest.fixture
def buyer():
    company = CompanyFactory(legal_name="Gamma Hotels", country="DE", kind=CompanyKind.BUYER,
                             verification_status=VerificationStatus.VERIFIED)
    return MembershipFactory(company=company).user


@pytest.fixture
def towel(seller, seller_member):
    return PublishedListingFactory(
        seller=seller, actor=seller_member, title="Cotton bath towel", description="Soft **terry** loops.",
        category="textiles/home-textiles", unit="piece", stock=5000, moq=100, order_multiple=50,
        lead_time_days=21, origin_country="TR", hs_code="630260", weight_kg=Decimal("0.550"),
        length_cm=Decimal("140"), width_cm=Decimal("70"), incoterms=["FOB", "EXW"],
        ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=["RU", "BY"],
        price_tiers=[{"min_quantity": 100, "unit_price": "4.20"}, {"min_quantity": 500, "unit_price": "3.90"},
                     {"min_quantity": 2000, "unit_price": "3.55"}],
        certificates=[{"name": "OEKO-TEX Standard 100", "issuer": "Hohenstein", "number": "21.HTR.45210",
                       "valid_until": "2027-12-31"}])


def test_buyers_see_every_detail_of_a_published_listing(client, towel, seller):
    ship_to(seller, ["DE", "RU", "FR"])

    response = client.get(f"/listings/{towel.pk}/")

    assert response.status_code == 200
    assertContains(response, "<h1>Cotton bath towel</h1>", html=True)
    assertContains(response, "<p>Soft <strong>terry</strong> loops.</p>", html=True)
    assertContains(response, '<p class="price price-large">from <strong>3.55 TRY</strong> per piece</p>', html=True)
    tiers = _section(response, "price-tiers")
    rows = re.findall(r'<tr>\s*<td class="num">(.*?)</td>\s*<td class="num">(.*?)</td>\s*<td class="num">(.*?)</td>',
                      tiers)
    assert rows == [("100", "499", "4.20 TRY"), ("500", "1999", "3.90 TRY"), ("2000", "and more", "3.55 TRY")]
    specifications = _section(response, "specifications")
    for term, value in [("Minimum order quantity", "100 piece"), ("Order multiple", "50 piece"),
                        ("Available quantity", "5000 piece"), ("Country of origin", "Türkiye"),
                        ("HS code", "630260"), ("Lead time", "21 days"), ("Weight per unit", "0.550 kg"),
                        ("Dimensions (length × width × height)", "140.0 × 70.0 × – cm")]:
        assert f"<dt>{term}</dt><dd>{value}</dd>" in specifications.replace("\n          ", "").replace(
            "\n        ", "")
    assert "<li>EXW – Ex Works</li><li>FOB – Free on Board</li>" in specifications
    # All countries except Russia and Belarus, of the seller's zones (Germany, Russia, France).
    assert re.sub(r"\s+", " ", _section(response, "ships-to")) == '<dd id="ships-to"> France, Germany </dd>'
    certificates = _section(response, "certificates")
    assert "<td>OEKO-TEX Standard 100</td><td>Hohenstein</td><td>21.HTR.45210</td>" in certificates
    assert "<td>12/31/2027</td>" in certificates
    card = _section(response, "seller-card")
    assert f'<a href="/companies/{seller.pk}/">Anatolia Textiles</a>' in card
    assert '<span class="badge badge-verified">Verified</span>' in card
    assert "Türkiye" in card
    assertNotContains(response, 'id="status-banner"')
    assertNotContains(response, 'id="edit-listing-link"')
    assertContains(response, f'<a href="/login/?next=/listings/{towel.pk}/">Log in to report this listing</a>',
                   html=True)


@pytest.mark.parametrize(("mode", "countries", "zone", "expected"), [
    (ShipsToMode.ONLY, ["FR", "DE", "NL"], ["DE", "FR", "US"], "France, Germany"),
    (ShipsToMode.ALL_EXCEPT, [], ["US", "DE"], "Germany, United States of America"),
    (ShipsToMode.ALL_EXCEPT, ["DE"], ["DE"], "No destination has a shipping rate yet."),
    (ShipsToMode.ALL_EXCEPT, [], [],
     "The seller has not set shipping rates yet, so this listing cannot be ordered for now."),
])
def test_ships_to_summary_is_the_effective_set(client, seller, mode, countries, zone, expected):
    if zone:
        ship_to(seller, zone)
    listing = PublishedListingFactory(seller=seller, ships_to_mode=mode, ships_to_countries=countries)

    response = client.get(f"/listings/{listing.pk}/")

    assert re.sub(r"\s+", " ", _section(response, "ships-to")) == f'<dd id="ships-to"> {expected} </dd>'


def test_images_are_shown(client, towel, seller_member):
    Listing.objects.filter(pk=towel.pk).update(status=ListingStatus.DRAFT)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buffer, format="PNG")
    image = services.listing_image_add(listing=towel, actor=seller_member,
                                       image=SimpleUploadedFile("towel.png", buffer.getvalue()))
    Listing.objects.filter(pk=towel.pk).update(status=ListingStatus.PUBLISHED)

    response = client.get(f"/listings/{towel.pk}/")

    assertContains(response, f'<img src="{image.image.url}" alt="Cotton bath towel, picture 1">', html=True)


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.PENDING_REVIEW, ListingStatus.REJECTED,
                                    ListingStatus.SUSPENDED, ListingStatus.ARCHIVED])
def test_a_listing_that_is_not_published_is_hidden_from_outsiders(client, client_as, buyer, seller, status):
    listing = ListingFactory(seller=seller, status=status)

    assert client.get(f"/listings/{listing.pk}/").status_code == 404
    assert client_as(buyer).get(f"/listings/{listing.pk}/").status_code == 404


def test_unknown_listing_is_404(client):
    assert client.get("/listings/999999/").status_code == 404


def test_members_see_a_status_banner_and_an_edit_link(client_as, seller, seller_member):
    listing = ListingFactory(seller=seller, status=ListingStatus.CHANGES_REQUESTED)
    Listing.objects.filter(pk=listing.pk).update(status_reason="Add the fabric weight.")

    response = client_as(seller_member).get(f"/listings/{listing.pk}/")

    assert response.status_code == 200
    banner = _section(response, "status-banner")
    assert "This listing is not published: its status is “Changes requested”. Buyers cannot see it." in banner
    assert "<strong>Reason of the last decision:</strong> Add the fabric weight." in banner
    assertContains(response, '<span class="badge badge-changes_requested">Changes requested</span>', html=True)
    assertContains(response, f'href="/seller/listings/{listing.pk}/edit/"')
    assertNotContains(response, 'id="report-form"')


def test_moderators_see_the_status_banner_without_an_edit_link(client_as, seller, moderator):
    listing = ListingFactory(seller=seller, status=ListingStatus.PENDING_REVIEW)

    response = client_as(moderator).get(f"/listings/{listing.pk}/")

    assert response.status_code == 200
    assert "its status is “Pending review”" in _section(response, "status-banner")
    assertNotContains(response, 'id="edit-listing-link"')


def test_pending_changes_banner_is_for_members_only(client, client_as, towel, seller_member):
    services.listing_update(listing=towel, actor=seller_member, data={"title": "Cotton bath towel XL"})

    member_view = client_as(seller_member).get(f"/listings/{towel.pk}/")
    assert "Changes to this listing wait for a moderator's review." in _section(member_view, "status-banner")
    assertContains(member_view, "<h1>Cotton bath towel</h1>", html=True)

    client.logout()
    public = client.get(f"/listings/{towel.pk}/")
    assertNotContains(public, 'id="status-banner"')
    assertContains(public, "<h1>Cotton bath towel</h1>", html=True)


def test_a_buyer_reports_a_listing(client_as, towel, buyer):
    client = client_as(buyer)
    assertContains(client.get(f"/listings/{towel.pk}/"), 'id="report-form"')

    response = client.post(f"/listings/{towel.pk}/report/", {"reason": "  The photos show another product. "})

    assertRedirects(response, f"/listings/{towel.pk}/", fetch_redirect_response=False)
    assert list(ListingReport.objects.values_list("listing", "reporter", "reason", "resolved_at")) == [
        (towel.pk, buyer.pk, "The photos show another product.", None)]
    assert _messages(client.get(f"/listings/{towel.pk}/")) == ["Thank you. A moderator will look at this listing."]


@pytest.mark.parametrize(("reason", "error"), [
    ("", "This field is required."),
    ("<b>fake</b>", "HTML tags and scripts are not allowed in this field."),
    ("x" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
])
def test_a_bad_report_changes_nothing(client_as, towel, buyer, reason, error):
    response = client_as(buyer).post(f"/listings/{towel.pk}/report/", {"reason": reason})

    assert response.status_code == 200
    assert response.context["report_form"].errors == {"reason": [error]}
    assert ListingReport.objects.count() == 0


def test_a_second_report_by_the_same_user_changes_nothing(client_as, towel, buyer):
    client = client_as(buyer)
    client.post(f"/listings/{towel.pk}/report/", {"reason": "Fake."})
    before = list(ListingReport.objects.values())

    response = client.post(f"/listings/{towel.pk}/report/", {"reason": "Still fake."})

    assert response.context["report_form"].non_field_errors() == ["You have already reported this listing."]
    assert list(ListingReport.objects.values()) == before


def test_the_sellers_members_cannot_report_their_listing(client_as, towel, seller_member):
    response = client_as(seller_member).post(f"/listings/{towel.pk}/report/", {"reason": "Mine."})

    assert response.status_code == 200
    assert response.context["report_form"].non_field_errors() == ["You cannot report your own company's listing."]
    assert ListingReport.objects.count() == 0


def test_reporting_needs_a_signed_in_user(client, towel):
    response = client.post(f"/listings/{towel.pk}/report/", {"reason": "Fake."})

    # Signing in returns to the listing's page, not to the address of the form (test_session_expiry.py).
    assertRedirects(response, f"/login/?next=%2Flistings%2F{towel.pk}%2F", fetch_redirect_response=False)
    assert ListingReport.objects.count() == 0


def test_a_hidden_listing_cannot_be_reported(client_as, seller, buyer):
    listing = ListingFactory(seller=seller, status=ListingStatus.PENDING_REVIEW)

    assert client_as(buyer).post(f"/listings/{listing.pk}/report/", {"reason": "x"}).status_code == 404
    assert ListingReport.objects.count() == 0


def _page_queries(client, listing) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/listings/{listing.pk}/")
    assert response.status_code == 200
    return len(queries)


def _rich_listing(seller, count: int):
    return PublishedListingFactory(
        seller=seller, moq=10, ships_to_mode=ShipsToMode.ONLY, ships_to_countries=["DE", "FR", "NL"][:count],
        price_tiers=[{"min_quantity": 10 * (n + 1), "unit_price": f"{20 - n}.00"} for n in range(count)],
        certificates=[{"name": f"Certificate {n}", "issuer": "TÜV", "number": str(n), "valid_until": "2030-01-01"}
                      for n in range(count)])


def test_query_count_does_not_grow_with_tiers_and_certificates(client, seller):
    one = _rich_listing(seller, 1)
    ten = _rich_listing(seller, 10)

    assert one.price_tiers.count() == 1 and ten.price_tiers.count() == 10
    assert ten.certificates.count() == 10
    # listing (with its seller, checked in memory), price tiers, Incoterms, certificates, images, ships-to
    # countries, the seller's rated shipping countries
    assert _page_queries(client, one) == _page_queries(client, ten) == 7


def test_query_count_for_a_signed_in_buyer_does_not_grow_either(client_as, seller, buyer):
    client = client_as(buyer)
    one = _rich_listing(seller, 1)
    ten = _rich_listing(seller, 10)
    _page_queries(client, one)

    assert _page_queries(client, one) == _page_queries(client, ten)
