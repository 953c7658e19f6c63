"""The seller's pages: the listings dashboard with its actions, the editor for new and existing
listings with the service's field errors, the decision history and pictures."""
from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import CompanyKind, VerificationStatus
from marketplace import services
from marketplace.models import (
    Category,
    Certificate,
    Listing,
    ListingDecision,
    ListingImage,
    ListingIncoterm,
    ListingStatus,
    PriceTier,
    ShipsToCountry,
)
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def catalogue_state() -> dict:
    return {
        "listings": list(Listing.objects.order_by("pk").values()),
        "tiers": list(PriceTier.objects.order_by("pk").values_list("listing_id", "min_quantity", "unit_price")),
        "incoterms": list(ListingIncoterm.objects.order_by("pk").values_list("listing_id", "incoterm")),
        "ships_to": list(ShipsToCountry.objects.order_by("pk").values_list("listing_id", "country")),
        "certificates": list(Certificate.objects.order_by("pk").values()),
        "images": list(ListingImage.objects.order_by("pk").values()),
        "decisions": list(ListingDecision.objects.order_by("pk").values()),
    }


def png_upload(name: str = "towel.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def editor_data(**changes) -> dict:
    """A complete, valid editor form as the browser posts it."""
    data = {
        "title": "Organic cotton bath towel", "description": "Soft **terry** loops.",
        "category": "textiles/home-textiles", "unit": "piece", "stock": "5000", "moq": "100",
        "order_multiple": "10", "lead_time_days": "21", "origin_country": "TR", "hs_code": "6302.60",
        "incoterms": ["FOB", "EXW"], "weight_kg": "0.450", "length_cm": "140", "width_cm": "70", "height_cm": "",
        "ships_to_mode": "all_except", "ships_to_countries": ["RU"],
        "tier_0_min_quantity": "100", "tier_0_unit_price": "4.20",
        "tier_1_min_quantity": "", "tier_1_unit_price": "",
        "tier_2_min_quantity": "500", "tier_2_unit_price": "3.90",
        "certificate_0_name": "OEKO-TEX Standard 100", "certificate_0_issuer": "OEKO-TEX",
        "certificate_0_number": "21.HTR.12345", "certificate_0_valid_until": "2027-06-30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seller():
    return CompanyFactory(legal_name="Anatolia Textiles", country="TR", default_currency="TRY",
                          verification_status=VerificationStatus.VERIFIED)


@pytest.fixture
def owner(seller):
    return MembershipFactory(company=seller).user


@pytest.fixture
def owner_client(client_as, owner):
    return client_as(owner)


@pytest.fixture
def other_seller():
    return CompanyFactory(legal_name="Shenzhen Circuits", country="CN", default_currency="CNY",
                          verification_status=VerificationStatus.VERIFIED)


@pytest.fixture
def other_owner(other_seller):
    return MembershipFactory(company=other_seller).user


@pytest.fixture
def draft(seller, owner):
    return ListingFactory(seller=seller, actor=owner, title="Cotton bath towel")


@pytest.fixture
def published(seller, owner):
    return ListingFactory(seller=seller, actor=owner, title="Linen tablecloth", status=ListingStatus.PUBLISHED,
                          moq=50, price_tiers=[{"min_quantity": 50, "unit_price": "12.00"},
                                               {"min_quantity": 200, "unit_price": "10.50"}])


# --- dashboard ------------------------------------------------------------------------------------

def test_dashboard_lists_the_companys_listings_with_their_actions(owner_client, seller, owner, other_seller):
    draft = ListingFactory(seller=seller, actor=owner, title="Draft towel")
    published = ListingFactory(seller=seller, actor=owner, title="Live towel", status=ListingStatus.PUBLISHED)
    rejected = ListingFactory(seller=seller, actor=owner, title="Rejected towel", status=ListingStatus.REJECTED)
    archived = ListingFactory(seller=seller, actor=owner, title="Old towel", status=ListingStatus.ARCHIVED)
    Listing.objects.filter(pk=rejected.pk).update(status_reason="Counterfeit brand.")
    services.listing_update(listing=published, actor=owner, data={"title": "Live towel, new"})
    ListingFactory(seller=other_seller, title="Someone else's towel")

    response = owner_client.get("/seller/listings/")

    assert response.status_code == 200
    assert [row.listing for row in response.context["rows"]] == [published, archived, rejected, draft]
    assert [(row.can_edit, row.can_submit, row.can_archive) for row in response.context["rows"]] == [
        (True, False, True), (False, False, False), (False, False, True), (True, True, True)]
    assertNotContains(response, "Someone else")
    assertContains(response, f'<span class="badge badge-changes" id="pending-{published.pk}">'
                             "Changes wait for review</span>", html=True)
    assertNotContains(response, f'id="pending-{draft.pk}"')
    assertContains(response, "<td>Counterfeit brand.</td>", html=True)
    assertContains(response, '<span class="badge badge-rejected">Rejected</span>', html=True)
    assertContains(response, f'action="/seller/listings/{draft.pk}/submit/"')
    assertNotContains(response, f'action="/seller/listings/{published.pk}/submit/"')
    assertNotContains(response, f'action="/seller/listings/{archived.pk}/archive/"')
    assertContains(response, f'href="/seller/listings/{draft.pk}/edit/"')
    assertNotContains(response, f'href="/seller/listings/{rejected.pk}/edit/"')
    assertContains(response, 'href="/seller/listings/new/"')
    assertContains(response, 'href="/seller/listings/import/"')
    assertNotContains(response, 'id="not-verified"')


def test_dashboard_status_filter(owner_client, seller, owner):
    ListingFactory(seller=seller, actor=owner, title="Draft towel")
    live = ListingFactory(seller=seller, actor=owner, title="Live towel", status=ListingStatus.PUBLISHED)

    response = owner_client.get("/seller/listings/?status=published")

    assert [row.listing for row in response.context["rows"]] == [live]
    assert len(owner_client.get("/seller/listings/?status=nonsense").context["rows"]) == 2


def test_dashboard_of_a_seller_that_is_not_verified(client_as):
    company = CompanyFactory(verification_status=VerificationStatus.PENDING)
    response = client_as(MembershipFactory(company=company).user).get("/seller/listings/")

    assert response.status_code == 200
    assertContains(response, 'id="not-verified"')
    assertContains(response, 'id="no-listings"')


@pytest.mark.parametrize("url", ["/seller/listings/", "/seller/listings/new/", "/seller/listings/import/"])
def test_seller_pages_refuse_buyers_and_moderators_without_a_selling_company(client_as, moderator, url):
    buyer = MembershipFactory(company=CompanyFactory(kind=CompanyKind.BUYER)).user

    assert client_as(buyer).get(url).status_code == 403
    assert client_as(moderator).get(url).status_code == 403


@pytest.mark.parametrize("url", ["/seller/listings/", "/seller/listings/new/", "/seller/listings/1/edit/",
                                 "/seller/listings/import/", "/seller/listings/import/1/",
                                 "/seller/listings/import/1/progress/"])
def test_seller_pages_send_anonymous_to_login(client, url):
    response = client.get(url)

    assertRedirects(response, f"/login/?next={url}", fetch_redirect_response=False)


def test_seller_submits_a_draft(owner_client, draft, owner):
    response = owner_client.post(f"/seller/listings/{draft.pk}/submit/", {"next": "/seller/listings/?status=draft"})

    assertRedirects(response, "/seller/listings/?status=draft", fetch_redirect_response=False)
    draft.refresh_from_db()
    assert draft.status == ListingStatus.PENDING_REVIEW
    assert list(ListingDecision.objects.values_list("listing", "actor", "from_status", "to_status")) == [
        (draft.pk, owner.pk, "draft", "pending_review")]
    assert _messages(owner_client.get("/seller/listings/")) == [
        "Cotton bath towel is submitted. A moderator will review it.",
        "Cotton bath towel: Your company has no shipping rates yet, so buyers see that this listing ships nowhere "
        "and cannot order it. Add a shipping zone with rates."]


def test_submit_by_a_seller_that_is_not_verified_changes_nothing(client_as):
    company = CompanyFactory(verification_status=VerificationStatus.PENDING)
    member = MembershipFactory(company=company).user
    draft = ListingFactory(seller=company, actor=member, title="Early towel")
    before = catalogue_state()

    response = client_as(member).post(f"/seller/listings/{draft.pk}/submit/", follow=True)

    assert _messages(response) == ["Early towel: Only a verified seller company can submit listings for review."]
    assert catalogue_state() == before


def test_seller_archives_a_published_listing(owner_client, published):
    response = owner_client.post(f"/seller/listings/{published.pk}/archive/", follow=True)

    assert _messages(response) == ["Linen tablecloth is archived."]
    published.refresh_from_db()
    assert published.status == ListingStatus.ARCHIVED


def test_archiving_an_archived_listing_changes_nothing(owner_client, seller, owner):
    archived = ListingFactory(seller=seller, actor=owner, title="Old towel", status=ListingStatus.ARCHIVED)
    before = catalogue_state()

    response = owner_client.post(f"/seller/listings/{archived.pk}/archive/", follow=True)

    assert _messages(response) == ["Old towel: A listing cannot go from archived to archived."]
    assert catalogue_state() == before


@pytest.mark.parametrize("action", ["submit", "archive"])
def test_actions_on_another_sellers_listing_are_404(client_as, draft, other_owner, action):
    before = catalogue_state()

    assert client_as(other_owner).post(f"/seller/listings/{draft.pk}/{action}/").status_code == 404
    assert catalogue_state() == before


def test_actions_are_post_only(owner_client, draft):
    assert owner_client.get(f"/seller/listings/{draft.pk}/submit/").status_code == 405
    assert owner_client.get(f"/seller/listings/{draft.pk}/archive/").status_code == 405


# --- the editor: new listings ---------------------------------------------------------------------

def test_new_listing_form(owner_client):
    response = owner_client.get("/seller/listings/new/")

    assert response.status_code == 200
    form = response.context["form"]
    assert (form.tier_rows, form.certificate_rows) == (5, 3)
    assertContains(response, '<input type="number" name="tier_4_unit_price" step="0.01" min="0.01" '
                             'id="id_tier_4_unit_price">', html=True)
    assertContains(response, '<input type="checkbox" name="incoterms" value="FOB" id="id_incoterms_8">', html=True)
    assertContains(response, '<option value="textiles/home-textiles">\u00a0\u00a0\u00a0Home textiles</option>',
                   html=True)
    assertContains(response, "Unit price (TRY)")
    assertNotContains(response, 'id="history"')


def test_seller_creates_a_listing(owner_client, seller):
    response = owner_client.post("/seller/listings/new/", editor_data())

    listing = Listing.objects.get()
    assertRedirects(response, f"/seller/listings/{listing.pk}/edit/", fetch_redirect_response=False)
    assert (listing.seller, listing.status, listing.title, listing.description, listing.category.path,
            listing.unit, listing.stock, listing.moq, listing.order_multiple, listing.lead_time_days,
            listing.origin_country.code, listing.hs_code, listing.weight_kg, listing.length_cm, listing.width_cm,
            listing.height_cm, listing.ships_to_mode, listing.currency, listing.price_from) == (
        seller, "draft", "Organic cotton bath towel", "Soft **terry** loops.", "textiles/home-textiles", "piece",
        5000, 100, 10, 21, "TR", "630260", Decimal("0.450"), Decimal("140.0"), Decimal("70.0"), None,
        "all_except", "TRY", Decimal("3.90"))
    assert listing.description_html == "<p>Soft <strong>terry</strong> loops.</p>"
    assert list(listing.price_tiers.values_list("min_quantity", "unit_price")) == [
        (100, Decimal("4.20")), (500, Decimal("3.90"))]
    assert sorted(listing.incoterm_rows.values_list("incoterm", flat=True)) == ["EXW", "FOB"]
    assert [str(c) for c in listing.ships_to_countries.values_list("country", flat=True)] == ["RU"]
    assert list(listing.certificates.values_list("name", "issuer", "number", "valid_until")) == [
        ("OEKO-TEX Standard 100", "OEKO-TEX", "21.HTR.12345", date(2027, 6, 30))]
    assert _messages(owner_client.get(f"/seller/listings/{listing.pk}/edit/")) == [
        "The draft is saved. Submit it for review when it is ready."]


@pytest.mark.parametrize(("changes", "errors"), [
    ({"hs_code": "63026"}, {"hs_code": ["An HS code has exactly 6 digits."]}),
    ({"tier_0_min_quantity": "", "tier_0_unit_price": "", "tier_2_min_quantity": "", "tier_2_unit_price": ""},
     {"price_tiers": ["This field is required."]}),
    ({"tier_2_unit_price": ""}, {"price_tiers": ["Give both the quantity and the unit price of each price tier."]}),
    ({"tier_2_unit_price": "abc"}, {"tier_2_unit_price": ["Enter a number."],
                                    "price_tiers": ["Correct the price tier rows marked below."]}),
    ({"tier_2_unit_price": "5.00"}, {"price_tiers": ["A larger quantity cannot have a higher unit price."]}),
    ({"tier_0_min_quantity": "200"},
     {"price_tiers": ["The first price tier must start at or below the minimum order quantity."]}),
    ({"title": "<script>alert(1)</script>"}, {"title": ["HTML tags and scripts are not allowed in this field."]}),
    ({"certificate_0_name": "<b>ISO</b>"}, {"certificates": ["HTML tags and scripts are not allowed in this field."]}),
    ({"certificate_0_issuer": ""}, {"certificates": ["Each certificate needs a name and an issuer."]}),
    ({"incoterms": None}, {"incoterms": ["This field is required."]}),
    ({"ships_to_mode": "only", "ships_to_countries": None},
     {"ships_to_countries": ["Name at least one country the listing ships to."]}),
    ({"category": "textiles/nothing"},
     {"category": ["Select a valid choice. That choice is not one of the available choices."]}),
    ({"weight_kg": "0"}, {"weight_kg": ["Enter a number greater than zero."]}),
    ({"moq": "99999999999"}, {"moq": ["Ensure this value is less than or equal to 2147483647."]}),
    ({"lead_time_days": "40000"}, {"lead_time_days": ["Ensure this value is less than or equal to 32767."]}),
])
def test_creating_with_bad_input_shows_field_errors_and_creates_nothing(owner_client, changes, errors):
    before = catalogue_state()

    response = owner_client.post("/seller/listings/new/", editor_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert catalogue_state() == before
    if "price_tiers" in errors:
        block = re.search(r'<fieldset id="price-tiers-block">.*?</fieldset>', response.content.decode(), re.S)
        assert re.search(rf'<legend>Price tiers</legend>\s*<p class="muted">[^<]*</p>\s*'
                         rf'<ul class="errorlist"[^>]*><li>{errors["price_tiers"][0]}</li></ul>', block.group(0))


def test_a_second_error_shows_once_the_first_is_fixed(owner_client):
    response = owner_client.post("/seller/listings/new/", editor_data(
        hs_code="12", tier_0_min_quantity="", tier_0_unit_price="", tier_2_min_quantity="", tier_2_unit_price=""))
    assert response.context["form"].errors == {"price_tiers": ["This field is required."]}

    response = owner_client.post("/seller/listings/new/", editor_data(hs_code="12"))
    assert response.context["form"].errors == {"hs_code": ["An HS code has exactly 6 digits."]}
    assert Listing.objects.count() == 0


# --- the editor: existing listings ----------------------------------------------------------------

def test_edit_form_is_filled_with_the_listing(owner_client, seller, owner):
    listing = services.listing_create(seller=seller, actor=owner, data={
        **{key: value for key, value in editor_data().items() if not key.startswith(("tier_", "certificate_"))},
        "category": Category.objects.get(path="textiles/home-textiles"),
        "price_tiers": [{"min_quantity": 100, "unit_price": "4.20"}, {"min_quantity": 500, "unit_price": "3.90"}],
        "certificates": [{"name": "GOTS", "issuer": "Control Union", "number": "", "valid_until": None}]})

    response = owner_client.get(f"/seller/listings/{listing.pk}/edit/")

    form = response.context["form"]
    assert {name: form[name].value() for name in ("title", "category", "hs_code", "moq", "incoterms",
                                                  "ships_to_countries", "tier_0_min_quantity",
                                                  "tier_1_unit_price", "tier_2_min_quantity",
                                                  "certificate_0_issuer", "certificate_1_name")} == {
        "title": "Organic cotton bath towel", "category": "textiles/home-textiles", "hs_code": "630260",
        "moq": 100, "incoterms": ["EXW", "FOB"], "ships_to_countries": ["RU"], "tier_0_min_quantity": 100,
        "tier_1_unit_price": Decimal("3.90"), "tier_2_min_quantity": None, "certificate_0_issuer": "Control Union",
        "certificate_1_name": None}
    assertContains(response, '<option value="textiles/home-textiles" selected>')
    assertNotContains(response, 'id="review-notice"')


def test_editing_a_draft_changes_it_in_place(owner_client, draft):
    response = owner_client.post(f"/seller/listings/{draft.pk}/edit/", editor_data(title="Cotton towel, white"))

    assertRedirects(response, f"/seller/listings/{draft.pk}/edit/", fetch_redirect_response=False)
    draft.refresh_from_db()
    assert (draft.title, draft.status, draft.pending_changes, draft.moq, draft.hs_code) == (
        "Cotton towel, white", "draft", None, 100, "630260")
    assert list(draft.price_tiers.values_list("min_quantity", "unit_price")) == [
        (100, Decimal("4.20")), (500, Decimal("3.90"))]
    assert _messages(owner_client.get(f"/seller/listings/{draft.pk}/edit/")) == ["The listing is saved."]


def test_editing_a_published_listing_waits_for_review(owner_client, published, owner):
    page = owner_client.get(f"/seller/listings/{published.pk}/edit/")
    assertContains(page, 'id="review-notice"')
    data = {key: value for key, value in page.context["form"].initial.items()
            if key not in ("price_tiers", "certificates")}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data.update(title="Linen tablecloth, 160 cm", stock="42", tier_1_unit_price="9.90")

    response = owner_client.post(f"/seller/listings/{published.pk}/edit/", data, follow=True)

    assert _messages(response) == ["Your changes are saved and wait for a moderator's review. "
                                   "Buyers see the approved version until then."]
    published.refresh_from_db()
    assert (published.title, published.stock, published.status) == ("Linen tablecloth", 42, "published")
    assert published.pending_changes == {
        "scalars": {"title": "Linen tablecloth, 160 cm"}, "incoterms": None,
        "price_tiers": [[50, "12.00"], [200, "9.90"]], "ships_to_countries": None, "certificates": None}
    assert list(published.price_tiers.values_list("min_quantity", "unit_price")) == [
        (50, Decimal("12.00")), (200, Decimal("10.50"))]
    assertContains(response, '<p class="notice notice-warn" id="pending-notice">Waiting for review: Title, '
                             "Price tiers. The form shows your changes.</p>", html=True)
    assert response.context["form"]["title"].value() == "Linen tablecloth, 160 cm"
    assert response.context["form"]["tier_1_unit_price"].value() == Decimal("9.90")


def test_saving_a_published_listing_unchanged_sends_nothing_to_review(owner_client, published):
    page = owner_client.get(f"/seller/listings/{published.pk}/edit/")
    data = {key: ("" if value is None else value) for key, value in page.context["form"].initial.items()
            if key not in ("price_tiers", "certificates")}

    response = owner_client.post(f"/seller/listings/{published.pk}/edit/", data, follow=True)

    assert _messages(response) == ["The listing is saved."]
    published.refresh_from_db()
    assert published.pending_changes is None


def test_bad_edit_changes_nothing(owner_client, draft):
    before = catalogue_state()

    response = owner_client.post(f"/seller/listings/{draft.pk}/edit/", editor_data(moq="0", hs_code="abc"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"moq": ["Ensure this value is greater than or equal to 1."]}
    response = owner_client.post(f"/seller/listings/{draft.pk}/edit/", editor_data(hs_code="abc"))
    assert response.context["form"].errors == {"hs_code": ["An HS code has exactly 6 digits."]}
    assert catalogue_state() == before


def test_a_rejected_listing_cannot_be_edited(owner_client, seller, owner):
    rejected = ListingFactory(seller=seller, actor=owner, status=ListingStatus.REJECTED)
    before = catalogue_state()

    page = owner_client.get(f"/seller/listings/{rejected.pk}/edit/")
    assertContains(page, 'id="not-editable"')
    assertNotContains(page, 'id="listing-form"')
    response = owner_client.post(f"/seller/listings/{rejected.pk}/edit/", editor_data())

    assert response.context["form"].non_field_errors() == ["A Rejected listing cannot be edited."]
    assert catalogue_state() == before


def test_a_non_member_cannot_open_or_save_another_sellers_editor(client_as, draft, other_owner, moderator):
    before = catalogue_state()

    assert client_as(other_owner).get(f"/seller/listings/{draft.pk}/edit/").status_code == 404
    assert client_as(other_owner).post(f"/seller/listings/{draft.pk}/edit/", editor_data()).status_code == 404
    assert client_as(moderator).get(f"/seller/listings/{draft.pk}/edit/").status_code == 404
    assert catalogue_state() == before


def test_edit_page_shows_the_decision_history(owner_client, seller, owner, client_as, moderator):
    listing = ListingFactory(seller=seller, actor=owner, title="Cotton bath towel")
    services.listing_submit(listing=listing, actor=owner)
    services.listing_request_changes(listing=listing, actor=moderator, reason="Add the towel's weight per m².")

    response = owner_client.get(f"/seller/listings/{listing.pk}/edit/")

    rows = [(d.from_status, d.to_status, d.reason) for d in response.context["decisions"]]
    assert rows == [("pending_review", "changes_requested", "Add the towel's weight per m²."),
                    ("draft", "pending_review", "")]
    history = re.search(r'<section class="card" id="history">.*?</section>', response.content.decode(), re.S)
    assert "<td>Add the towel&#x27;s weight per m².</td>" in history.group(0)
    assertContains(response, "<strong>Reason of the last decision:</strong> Add the towel&#x27;s weight per m².")


def test_seller_adds_and_removes_a_picture(owner_client, draft):
    response = owner_client.post(f"/seller/listings/{draft.pk}/images/", {"image": png_upload()})

    assertRedirects(response, f"/seller/listings/{draft.pk}/edit/#images", fetch_redirect_response=False)
    image = ListingImage.objects.get()
    assert (image.listing_id, image.position) == (draft.pk, 0)
    page = owner_client.get(f"/seller/listings/{draft.pk}/edit/")
    assert _messages(page) == ["The image is added."]
    assertContains(page, f'action="/seller/listings/{draft.pk}/images/{image.pk}/delete/"')

    response = owner_client.post(f"/seller/listings/{draft.pk}/images/{image.pk}/delete/", follow=True)

    assert _messages(response) == ["The image is removed."]
    assert ListingImage.objects.count() == 0


def test_a_file_that_is_not_an_image_changes_nothing(owner_client, draft):
    response = owner_client.post(f"/seller/listings/{draft.pk}/images/",
                                 {"image": SimpleUploadedFile("x.png", b"not an image")}, follow=True)

    assert _messages(response) == ["Upload a valid image. The file is not an image or is corrupted."]
    assert ListingImage.objects.count() == 0


def test_pictures_of_a_published_listing_are_locked(owner_client, published):
    page = owner_client.get(f"/seller/listings/{published.pk}/edit/")
    assertNotContains(page, 'id="image-form"')

    response = owner_client.post(f"/seller/listings/{published.pk}/images/", {"image": png_upload()}, follow=True)

    assert _messages(response) == ["The images of a Published listing cannot be changed."]
    assert ListingImage.objects.count() == 0


def test_pictures_of_another_seller_are_404(client_as, owner_client, draft, other_owner):
    owner_client.post(f"/seller/listings/{draft.pk}/images/", {"image": png_upload()})
    image = ListingImage.objects.get()

    assert client_as(other_owner).post(f"/seller/listings/{draft.pk}/images/{image.pk}/delete/").status_code == 404
    assert client_as(other_owner).post(f"/seller/listings/{draft.pk}/images/",
                                       {"image": png_upload()}).status_code == 404
    assert list(ListingImage.objects.all()) == [image]
