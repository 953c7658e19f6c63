"""The catalogue API: public search and reading, sellers' own listings, categories, images, reports
and the moderators' queue, with the exact shape of every answer."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.fields import DateTimeField

from accounts.models import Company, CompanyKind, VerificationStatus
from marketplace import selectors, services
from marketplace.models import Category, Listing, ListingImage, ListingReport, ListingStatus
from tests.core.helpers import assert_error
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.marketplace.conftest import (
    LISTINGS,
    assert_unchanged,
    category,
    detail_url,
    image_upload,
    ship_to,
    valid_body,
)

pytestmark = pytest.mark.django_db

iso = DateTimeField().to_representation


def row_of(listing: Listing, *, public_row: bool = False) -> dict:
    """The list row of a listing, built from the database; a row of the public search also has its
    price in the display currency (EUR by default)."""
    listing = Listing.objects.select_related("seller", "category").get(pk=listing.pk)
    tiers = list(listing.price_tiers.order_by("min_quantity"))
    return {
        "id": listing.pk,
        "title": listing.title,
        "category": {"id": listing.category.pk, "name": listing.category.name, "path": listing.category.path},
        "seller": {"id": listing.seller.pk, "legal_name": listing.seller.legal_name,
                   "country": listing.seller.country.code, "verified": listing.seller.is_verified},
        "origin_country": listing.origin_country.code,
        "hs_code": listing.hs_code,
        "unit": listing.unit,
        "moq": listing.moq,
        "order_multiple": listing.order_multiple,
        "currency": listing.currency,
        "price_from": str(listing.price_from),
        "price_tiers": [{"min_quantity": t.min_quantity,
                         "max_quantity": tiers[i + 1].min_quantity - 1 if i + 1 < len(tiers) else None,
                         "unit_price": str(t.unit_price)} for i, t in enumerate(tiers)],
        "incoterms": sorted(listing.incoterm_rows.values_list("incoterm", flat=True)),
        "lead_time_days": listing.lead_time_days,
        "stock": listing.stock,
        "published_at": iso(listing.published_at) if listing.published_at else None,
        **({"display_price": {"amount": str(selectors.listing_price_in(listing, selectors.EUR_DISPLAY)),
                              "currency": "EUR", "approximate": listing.currency != "EUR"}} if public_row else {}),
    }


# --- public list ----------------------------------------------------------------------------------

def test_public_list_shows_published_listings_of_visible_sellers_only(api_client, make_listing, other_seller,
                                                                     published):
    make_listing(title="A draft")
    make_listing(ListingStatus.PENDING_REVIEW, title="Under review")
    make_listing(ListingStatus.SUSPENDED, title="Suspended")
    make_listing(ListingStatus.ARCHIVED, title="Archived")
    hidden_seller = CompanyFactory(legal_name="Gone Ltd", verification_status=VerificationStatus.SUSPENDED)
    make_listing(ListingStatus.PUBLISHED, seller=hidden_seller, title="From a suspended seller")
    newer = make_listing(ListingStatus.PUBLISHED, seller=other_seller, title="Double-sided PCB",
                         category="electronics/pcb", origin_country="CN", hs_code="853400",
                         published_at=timezone.now() + timedelta(minutes=1))

    response = api_client.get(LISTINGS)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert body["results"] == [row_of(newer, public_row=True), row_of(published, public_row=True)]


def test_public_row_has_exact_values(api_client, published):
    response = api_client.get(LISTINGS)

    row = response.json()["results"][0]
    assert row == {
        "id": published.pk,
        "title": "Linen tablecloth",
        "category": {"id": category("textiles/home-textiles").pk, "name": "Home textiles",
                     "path": "textiles/home-textiles"},
        "seller": {"id": published.seller_id, "legal_name": "Alpha Textiles", "country": "TR", "verified": True},
        "origin_country": "TR",
        "hs_code": "630260",
        "unit": "piece",
        "moq": 50,
        "order_multiple": 1,
        "currency": "TRY",
        "price_from": "10.50",
        "price_tiers": [{"min_quantity": 50, "max_quantity": 199, "unit_price": "12.00"},
                        {"min_quantity": 200, "max_quantity": None, "unit_price": "10.50"}],
        "incoterms": ["EXW", "FOB"],
        "lead_time_days": 14,
        "stock": 1000,
        "published_at": iso(Listing.objects.get(pk=published.pk).published_at),
        # 10.50 TRY at the shipped rate of 43.6932 TRY per EUR: 0.24031 EUR.
        "display_price": {"amount": "0.24", "currency": "EUR", "approximate": True},
    }


def test_search_parameters_filter_and_sort(api_client, make_listing, other_seller):
    cheap = make_listing(ListingStatus.PUBLISHED, title="Terry towel", unit_price="2.00", moq=10,
                         incoterms=["EXW"], ships_to_mode="only", ships_to_countries=["DE"])
    dear = make_listing(ListingStatus.PUBLISHED, title="Silk scarf", unit_price="30.00", moq=500,
                        category="textiles/garments", incoterms=["FOB"])
    pcb = make_listing(ListingStatus.PUBLISHED, seller=other_seller, title="PCB", unit_price="9.00", moq=100,
                       category="electronics/pcb", origin_country="CN", hs_code="853400", incoterms=["CIF"])
    ship_to(cheap.seller, ["DE", "FR"])
    ship_to(other_seller, ["DE", "FR"])
    # Prices compared in one currency: 9.00 CNY is 47.42 TRY at the shipped rates (43.6932 TRY and
    # 8.2927 CNY per EUR), so the PCB is dearer than the 30.00 TRY scarf.

    def ids(**params) -> list[int]:
        response = api_client.get(LISTINGS, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(sort="price_asc") == [cheap.pk, dear.pk, pcb.pk]
    assert ids(sort="price_desc") == [pcb.pk, dear.pk, cheap.pk]
    assert ids(category=category("textiles").pk, sort="price_asc") == [cheap.pk, dear.pk]
    assert ids(category=category("electronics/pcb").pk) == [pcb.pk]
    assert ids(origin_country="cn") == [pcb.pk]
    assert ids(seller_country="TR", sort="price_asc") == [cheap.pk, dear.pk]
    assert ids(price_min="30", price_max="47.42", currency="TRY", sort="price_asc") == [dear.pk, pcb.pk]
    assert ids(price_min="30", price_max="47.41", currency="try", sort="price_asc") == [dear.pk]
    assert ids(moq_max=100, sort="price_asc") == [cheap.pk, pcb.pk]
    assert ids(incoterm="fob") == [dear.pk]
    assert ids(ships_to="FR", sort="price_asc") == [dear.pk, pcb.pk]
    assert ids(ships_to="DE", sort="price_asc") == [cheap.pk, dear.pk, pcb.pk]
    assert ids(ships_to="US", sort="price_asc") == []  # no shipping zone covers it
    assert ids(q="scarf") == [dear.pk]
    assert ids(verified_only="true", sort="price_asc") == [cheap.pk, dear.pk, pcb.pk]
    Company.objects.filter(pk=other_seller.pk).update(verification_status=VerificationStatus.PENDING)
    assert ids(verified_only="true", sort="price_asc") == [cheap.pk, dear.pk]
    assert ids(verified_only="false", sort="price_asc") == [cheap.pk, dear.pk, pcb.pk]


def test_list_is_paginated(api_client, make_listing):
    for n in range(3):
        make_listing(ListingStatus.PUBLISHED, title=f"Towel {n}")

    response = api_client.get(LISTINGS, {"page_size": 2, "sort": "newest"})

    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"] == "http://testserver/api/v1/listings/?page=2&page_size=2&sort=newest"


# --- detail ---------------------------------------------------------------------------------------

def test_published_detail_for_anyone_with_exact_values(api_client, make_listing):
    listing = make_listing(ListingStatus.PUBLISHED, **{
        key: value for key, value in valid_body().items() if key not in ("category",)},
        category="textiles/home-textiles")
    ListingImage.objects.create(listing=listing, image="listings/1/a.png", position=0)

    response = api_client.get(detail_url(listing))

    assert response.status_code == 200
    body = response.json()
    image = ListingImage.objects.get()
    listing.refresh_from_db()
    assert body == {
        **row_of(listing),
        "status": "published",
        "status_reason": "",
        "has_pending_changes": False,
        "updated_at": iso(listing.updated_at),
        "description": "Soft **terry** loops, 500 g/m2.",
        "description_html": "<p>Soft <strong>terry</strong> loops, 500 g/m2.</p>",
        "weight_kg": "0.450",
        "length_cm": "140.0",
        "width_cm": "70.0",
        "height_cm": None,
        "ships_to_mode": "all_except",
        "ships_to_countries": ["RU"],
        "effective_ships_to": [],  # the seller has no shipping zone
        "certificates": [{"id": listing.certificates.get().pk, "name": "OEKO-TEX Standard 100",
                          "issuer": "OEKO-TEX", "number": "21.HTR.12345", "valid_until": "2027-06-30"}],
        "images": [{"id": image.pk, "image": "http://testserver/media/listings/1/a.png", "position": 0}],
        "pending_changes": None,
        "shipping_warnings": [],  # for the seller's members only
        # nothing measured yet (trust.SellerPerformance)
        "seller_performance": {"orders_90d": 0, "accept_hours_90d": None, "on_time_pct_90d": None,
                               "dispute_free_pct_90d": None},
    }
    assert body["price_tiers"] == [{"min_quantity": 100, "max_quantity": 499, "unit_price": "4.20"},
                                   {"min_quantity": 500, "max_quantity": 999, "unit_price": "3.90"},
                                   {"min_quantity": 1000, "max_quantity": None, "unit_price": "3.50"}]


@pytest.mark.parametrize("status", [s for s in ListingStatus.values if s != ListingStatus.PUBLISHED])
def test_unpublished_listing_is_hidden_from_the_public_and_other_companies(as_user, make_listing, other_owner,
                                                                          buyer, status):
    listing = make_listing(status)

    for user in (None, other_owner, buyer):
        assert_error(as_user(user).get(detail_url(listing)), 404, "not_found")


@pytest.mark.parametrize("status", ListingStatus.values)
def test_members_and_moderators_see_a_listing_in_any_state(as_user, make_listing, owner, staff_a, moderator,
                                                          status):
    listing = make_listing(status)

    for user in (owner, staff_a, moderator):
        response = as_user(user).get(detail_url(listing))
        assert (response.status_code, response.json()["status"]) == (200, status)


def test_pending_changes_are_shown_to_members_and_moderators_only(as_user, published, owner, moderator, buyer):
    services.listing_update(listing=published, actor=owner, data={"title": "Linen tablecloth, washed"})

    public = as_user(buyer).get(detail_url(published)).json()
    for user in (owner, moderator):
        private = as_user(user).get(detail_url(published)).json()
        assert (private["title"], private["has_pending_changes"]) == ("Linen tablecloth", True)
        assert private["pending_changes"] == {
            "scalars": {"title": "Linen tablecloth, washed"}, "incoterms": None, "price_tiers": None,
            "ships_to_countries": None, "certificates": None}
    assert (public["title"], public["has_pending_changes"], public["pending_changes"]) == (
        "Linen tablecloth", True, None)


def test_unknown_listing_is_404(api_client):
    assert_error(api_client.get(f"{LISTINGS}999999/"), 404, "not_found")
    assert api_client.get(f"{LISTINGS}abc/").status_code == 404


# --- create and edit ------------------------------------------------------------------------------

def test_create_makes_a_draft_for_the_actors_company(as_user, seller, owner):
    response = as_user(owner).post(LISTINGS, valid_body(), format="json")

    assert response.status_code == 201, response.content
    listing = Listing.objects.get()
    assert (listing.seller, listing.status, listing.currency, listing.price_from, listing.title,
            listing.published_at, listing.pending_changes) == (
        seller, ListingStatus.DRAFT, "TRY", Decimal("3.50"), "Organic cotton bath towel", None, None)
    assert list(listing.price_tiers.values_list("min_quantity", "unit_price")) == [
        (100, Decimal("4.20")), (500, Decimal("3.90")), (1000, Decimal("3.50"))]
    body = response.json()
    assert (body["id"], body["status"], body["currency"], body["price_from"], body["seller"]["id"]) == (
        listing.pk, "draft", "TRY", "3.50", seller.pk)


def test_create_for_a_named_company_of_the_actor(as_user, seller, owner, other_seller):
    MembershipFactory(company=other_seller, user=owner, role="staff")

    response = as_user(owner).post(LISTINGS, {**valid_body(), "seller": other_seller.pk}, format="json")

    assert response.status_code == 201
    assert (Listing.objects.get().seller, Listing.objects.get().currency) == (other_seller, "CNY")


def test_create_for_a_company_the_actor_is_not_a_member_of_is_refused(as_user, seller, owner, other_seller):
    with assert_unchanged():
        for seller_id in (other_seller.pk, 999999):
            response = as_user(owner).post(LISTINGS, {**valid_body(), "seller": seller_id}, format="json")
            assert_error(response, 403, "permission_denied",
                         message="Only members of the selling company can do that.")


def test_create_by_a_buyer_or_a_user_without_company_is_refused(as_user, buyer):
    from tests.factories.accounts import UserFactory

    with assert_unchanged():
        assert_error(as_user(buyer).post(LISTINGS, valid_body(), format="json"), 403, "permission_denied",
                     message="Only seller companies can list goods.")
        assert_error(as_user(UserFactory()).post(LISTINGS, valid_body(), format="json"), 403,
                     "permission_denied", message="Only members of the selling company can do that.")


def test_anonymous_cannot_create(api_client, seller):
    with assert_unchanged():
        assert api_client.post(LISTINGS, valid_body(), format="json").status_code == 401


def test_an_unverified_seller_may_create_drafts(as_user, company_a, member_a):
    response = as_user(member_a).post(LISTINGS, valid_body(), format="json")

    assert response.status_code == 201
    assert Listing.objects.get().status == ListingStatus.DRAFT


def test_patch_of_a_draft_edits_it_in_place(as_user, draft, owner):
    response = as_user(owner).patch(detail_url(draft), {
        "title": "Cotton bath towel, 70x140", "price_tiers": [{"min_quantity": 10, "unit_price": "6.00"}],
        "incoterms": ["CIF"], "stock": 20}, format="json")

    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.title, draft.price_from, draft.stock, draft.pending_changes) == (
        "Cotton bath towel, 70x140", Decimal("6.00"), 20, None)
    assert (response.json()["title"], response.json()["incoterms"], response.json()["price_tiers"]) == (
        "Cotton bath towel, 70x140", ["CIF"], [{"min_quantity": 10, "max_quantity": None, "unit_price": "6.00"}])


def test_put_is_not_offered(as_user, draft, owner):
    with assert_unchanged():
        assert as_user(owner).put(detail_url(draft), valid_body(), format="json").status_code == 405


# --- the seller's own list ------------------------------------------------------------------------

def test_mine_lists_every_listing_of_the_actors_companies(as_user, make_listing, owner, staff_a, other_seller):
    draft = make_listing(title="Draft")
    live = make_listing(ListingStatus.PUBLISHED, title="Live")
    make_listing(ListingStatus.PUBLISHED, seller=other_seller, title="Not ours")
    services.listing_update(listing=live, actor=owner, data={"title": "Live, renamed"})

    for user in (owner, staff_a):
        rows = as_user(user).get(f"{LISTINGS}mine/").json()["results"]
        assert [(r["id"], r["title"], r["status"], r["has_pending_changes"]) for r in rows] == [
            (live.pk, "Live", "published", True), (draft.pk, "Draft", "draft", False)]

    rows = as_user(owner).get(f"{LISTINGS}mine/", {"status": "draft"}).json()["results"]
    assert [r["id"] for r in rows] == [draft.pk]
    assert_error(as_user(owner).get(f"{LISTINGS}mine/", {"status": "gone"}), 400, "validation_error",
                 fields={"status": ['"gone" is not a valid choice.']})


def test_mine_needs_a_signed_in_user(api_client):
    assert api_client.get(f"{LISTINGS}mine/").status_code == 401


# --- categories -----------------------------------------------------------------------------------

def test_categories_are_a_flat_tree_in_path_order(api_client):
    response = api_client.get("/api/v1/categories/", {"page_size": 100})

    assert response.status_code == 200
    body = response.json()
    total = Category.objects.count()
    assert (body["count"], len(body["results"])) == (total, total)
    assert [row["path"] for row in body["results"]] == list(Category.objects.order_by("path").values_list(
        "path", flat=True))
    textiles, fabrics = category("textiles"), category("textiles/fabrics")
    rows = {row["path"]: row for row in body["results"]}
    assert rows["textiles"] == {"id": textiles.pk, "name": "Textiles and apparel", "slug": "textiles",
                                "parent": None, "path": "textiles", "depth": 0, "position": 0}
    assert rows["textiles/fabrics"] == {"id": fabrics.pk, "name": "Fabrics", "slug": "fabrics",
                                        "parent": textiles.pk, "path": "textiles/fabrics", "depth": 1,
                                        "position": 0}


def test_category_page_size_is_capped_and_detail_works(api_client):
    body = api_client.get("/api/v1/categories/", {"page_size": 1000}).json()
    assert len(body["results"]) == min(100, Category.objects.count())

    fabrics = category("textiles/fabrics")
    assert api_client.get(f"/api/v1/categories/{fabrics.pk}/").json()["path"] == "textiles/fabrics"
    assert_error(api_client.get("/api/v1/categories/999999/"), 404, "not_found")


def test_categories_are_read_only(as_user, moderator):
    response = as_user(moderator).post("/api/v1/categories/", {"name": "X"}, format="json")

    assert response.status_code == 405


# --- images ---------------------------------------------------------------------------------------

def test_member_adds_and_removes_images_of_a_draft(as_user, draft, owner, django_capture_on_commit_callbacks):
    first = as_user(owner).post(f"{detail_url(draft)}images/", {"image": image_upload("a.png")}, format="multipart")
    second = as_user(owner).post(f"{detail_url(draft)}images/", {"image": image_upload("b.png")},
                                 format="multipart")

    assert (first.status_code, second.status_code) == (201, 201)
    images = list(ListingImage.objects.order_by("pk"))
    assert [(i.listing_id, i.position) for i in images] == [(draft.pk, 0), (draft.pk, 1)]
    assert first.json()["id"] == images[0].pk and first.json()["image"].endswith(".png")
    storage, name = images[0].image.storage, images[0].image.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(owner).delete(f"{detail_url(draft)}images/{images[0].pk}/")
        assert storage.exists(name)  # the file goes only once the removal is committed

    assert (response.status_code, len(callbacks)) == (204, 1)
    assert list(ListingImage.objects.values_list("pk", flat=True)) == [images[1].pk]
    assert not storage.exists(name)


def test_images_of_a_published_listing_cannot_change(as_user, published, owner):
    image = ListingImage.objects.create(listing=published, image="listings/x.png")

    with assert_unchanged():
        assert_error(as_user(owner).post(f"{detail_url(published)}images/", {"image": image_upload()},
                                         format="multipart"), 409, "not_editable",
                     message="The images of a Published listing cannot be changed.")
        assert_error(as_user(owner).delete(f"{detail_url(published)}images/{image.pk}/"), 409, "not_editable")


def test_other_companies_cannot_touch_images(as_user, draft, published, other_owner, moderator):
    image = ListingImage.objects.create(listing=draft, image="listings/x.png")

    with assert_unchanged():
        assert_error(as_user(other_owner).post(f"{detail_url(draft)}images/", {"image": image_upload()},
                                               format="multipart"), 404, "not_found")
        assert_error(as_user(other_owner).delete(f"{detail_url(draft)}images/{image.pk}/"), 404, "not_found")
        assert_error(as_user(other_owner).post(f"{detail_url(published)}images/", {"image": image_upload()},
                                               format="multipart"), 403, "permission_denied")
        assert_error(as_user(moderator).post(f"{detail_url(draft)}images/", {"image": image_upload()},
                                             format="multipart"), 403, "permission_denied")


def test_an_image_of_another_listing_is_not_found(as_user, draft, make_listing, owner):
    other = make_listing(title="Other")
    image = ListingImage.objects.create(listing=other, image="listings/x.png")

    with assert_unchanged():
        assert_error(as_user(owner).delete(f"{detail_url(draft)}images/{image.pk}/"), 404, "not_found")


def test_at_most_ten_images(as_user, draft, owner):
    for position in range(10):
        ListingImage.objects.create(listing=draft, image=f"listings/{position}.png", position=position)

    with assert_unchanged():
        assert_error(as_user(owner).post(f"{detail_url(draft)}images/", {"image": image_upload()},
                                         format="multipart"), 400, "validation_error",
                     fields={"image": ["A listing has at most 10 images."]})


# --- reports and decisions ------------------------------------------------------------------------

def test_buyer_reports_a_published_listing(as_user, published, buyer):
    response = as_user(buyer).post(f"{detail_url(published)}report/", {"reason": "Counterfeit brand"},
                                   format="json")

    assert response.status_code == 201
    report = ListingReport.objects.get()
    assert (report.listing, report.reporter, report.reason, report.resolved_at) == (
        published, buyer, "Counterfeit brand", None)
    assert response.json() == {"id": report.pk, "listing": published.pk, "listing_title": "Linen tablecloth",
                               "reporter_email": buyer.email, "reason": "Counterfeit brand",
                               "created_at": iso(report.created_at), "resolved_at": None}


def test_report_needs_a_reason_and_a_stranger(as_user, api_client, published, owner, buyer):
    with assert_unchanged():
        assert_error(as_user(buyer).post(f"{detail_url(published)}report/", {}, format="json"), 400,
                     "validation_error", fields={"reason": ["This field cannot be blank."]})
        assert_error(as_user(owner).post(f"{detail_url(published)}report/", {"reason": "Mine"}, format="json"),
                     403, "permission_denied", message="You cannot report your own company's listing.")
        assert as_user(None).post(f"{detail_url(published)}report/", {"reason": "x"},
                                  format="json").status_code == 401


def test_decisions_are_listed_for_members_and_moderators(as_user, draft, owner, staff_a, moderator, buyer,
                                                         other_owner):
    services.listing_submit(listing=draft, actor=owner)
    services.listing_request_changes(listing=draft, actor=moderator, reason="Add the fabric weight")

    for user in (owner, staff_a, moderator):
        response = as_user(user).get(f"{detail_url(draft)}decisions/")
        assert response.status_code == 200
        assert [(d["from_status"], d["to_status"], d["reason"], d["actor_email"], d["applied_changes"])
                for d in response.json()["results"]] == [
            ("pending_review", "changes_requested", "Add the fabric weight", moderator.email, False),
            ("draft", "pending_review", "", owner.email, False)]
    for user in (buyer, other_owner):
        assert_error(as_user(user).get(f"{detail_url(draft)}decisions/"), 404, "not_found")
    assert_error(as_user(None).get(f"{detail_url(draft)}decisions/"), 401, "not_authenticated")


def test_decisions_of_a_published_listing_stay_private(as_user, published, buyer):
    assert_error(as_user(buyer).get(f"{detail_url(published)}decisions/"), 404, "not_found")


# --- moderation -----------------------------------------------------------------------------------

QUEUE = "/api/v1/moderation/listings/"
BULK = "/api/v1/moderation/listings/bulk-approve/"
REPORTS = "/api/v1/moderation/reports/"


def test_moderation_endpoints_are_for_moderators_only(as_user, owner, buyer, published):
    report = services.listing_report(listing=published, reporter=buyer, reason="Fake")
    staff = MembershipFactory(company=CompanyFactory(kind=CompanyKind.BUYER)).user
    staff.is_staff = True
    staff.save()

    with assert_unchanged():
        for user in (None, owner, buyer, staff):
            client = as_user(user)
            refused = 401 if user is None else 403  # no credentials: 401
            assert client.get(QUEUE).status_code == refused
            assert client.post(BULK, {"ids": [published.pk]}, format="json").status_code == refused
            assert client.get(REPORTS).status_code == refused
            assert client.post(f"{REPORTS}{report.pk}/resolve/").status_code == refused


def test_queue_rows_oldest_first_with_reports_and_pending_changes(as_user, make_listing, owner, buyer, moderator,
                                                                  other_seller):
    now = timezone.now()
    submitted = make_listing(ListingStatus.PENDING_REVIEW, title="New")
    changed = make_listing(ListingStatus.PUBLISHED, title="Changed")
    reported = make_listing(ListingStatus.PUBLISHED, title="Reported", seller=other_seller,
                            category="electronics/pcb")
    make_listing(ListingStatus.PUBLISHED, title="Quiet")
    make_listing(title="Draft")
    services.listing_update(listing=changed, actor=owner, data={"moq": 20})
    services.listing_report(listing=reported, reporter=buyer, reason="Fake")
    Listing.objects.filter(pk=submitted.pk).update(status_changed_at=now - timedelta(days=3))
    Listing.objects.filter(pk=changed.pk).update(pending_changes_at=now - timedelta(days=2))
    Listing.objects.filter(pk=reported.pk).update(status_changed_at=now - timedelta(days=1))

    response = as_user(moderator).get(QUEUE)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["status"], r["open_reports"], r["has_pending_changes"]) for r in rows] == [
        (submitted.pk, "pending_review", 0, False), (changed.pk, "published", 0, True),
        (reported.pk, "published", 1, False)]
    assert rows[1]["pending_changes"] == {"scalars": {"moq": 20}, "incoterms": None, "price_tiers": None,
                                          "ships_to_countries": None, "certificates": None}
    assert rows[1]["waiting_since"] == iso(Listing.objects.get(pk=changed.pk).pending_changes_at)

    def ids(**params):
        return [r["id"] for r in as_user(moderator).get(QUEUE, params).json()["results"]]

    assert ids(kind="submitted") == [submitted.pk]
    assert ids(kind="changes") == [changed.pk]
    assert ids(kind="reported") == [reported.pk]
    assert ids(category=category("electronics").pk) == [reported.pk]
    assert ids(seller_country="TR") == [submitted.pk, changed.pk]
    assert_error(as_user(moderator).get(QUEUE, {"kind": "old"}), 400, "validation_error",
                 fields={"kind": ['"old" is not a valid choice.']})
    assert_error(as_user(moderator).get(QUEUE, {"seller_country": "XX"}), 400, "validation_error",
                 fields={"seller_country": ["XX is not an ISO 3166 country code."]})


def test_bulk_approve_reports_an_outcome_per_id(as_user, make_listing, owner, moderator):
    first = make_listing(ListingStatus.PENDING_REVIEW, title="One")
    second = make_listing(ListingStatus.PENDING_REVIEW, title="Two")
    draft = make_listing(title="Draft")
    changed = make_listing(ListingStatus.PUBLISHED, title="Changed")
    services.listing_update(listing=changed, actor=owner, data={"title": "Changed again"})

    response = as_user(moderator).post(BULK, {"ids": [second.pk, first.pk, draft.pk, changed.pk, 999999]},
                                       format="json")

    assert response.status_code == 200
    assert response.json() == {"results": [
        {"id": first.pk, "outcome": "ok"}, {"id": second.pk, "outcome": "ok"},
        {"id": draft.pk, "outcome": "A listing cannot go from draft to published."},
        {"id": changed.pk, "outcome": "ok"}, {"id": 999999, "outcome": "Not found."}]}
    assert dict(Listing.objects.values_list("pk", "status")) == {
        first.pk: "published", second.pk: "published", draft.pk: "draft", changed.pk: "published"}
    assert Listing.objects.get(pk=changed.pk).title == "Changed again"


def test_bulk_approve_refuses_bad_input(as_user, moderator):
    with assert_unchanged():
        assert_error(as_user(moderator).post(BULK, {"ids": []}, format="json"), 400, "validation_error",
                     fields={"ids": ["This list may not be empty."]})
        assert_error(as_user(moderator).post(BULK, {"ids": [1], "force": True}, format="json"), 400,
                     "validation_error", fields={"force": ["This field cannot be set."]})


def test_reports_list_and_resolve(as_user, published, buyer, moderator):
    other_buyer = MembershipFactory(company=CompanyFactory(kind=CompanyKind.BUYER)).user
    first = services.listing_report(listing=published, reporter=buyer, reason="Fake")
    second = services.listing_report(listing=published, reporter=other_buyer, reason="Wrong photos")

    rows = as_user(moderator).get(REPORTS).json()["results"]
    assert [(r["id"], r["reason"], r["reporter_email"]) for r in rows] == [
        (first.pk, "Fake", buyer.email), (second.pk, "Wrong photos", other_buyer.email)]

    response = as_user(moderator).post(f"{REPORTS}{first.pk}/resolve/")

    assert response.status_code == 200
    first.refresh_from_db()
    assert (first.resolved_by, response.json()["resolved_at"]) == (moderator, iso(first.resolved_at))
    assert [r["id"] for r in as_user(moderator).get(REPORTS).json()["results"]] == [second.pk]
    with assert_unchanged():
        assert_error(as_user(moderator).post(f"{REPORTS}{first.pk}/resolve/"), 409, "conflict",
                     message="This report is already resolved.")
        assert_error(as_user(moderator).post(f"{REPORTS}999999/resolve/"), 404, "not_found")


def test_a_resolved_report_can_be_filed_again(as_user, published, buyer, moderator):
    report = services.listing_report(listing=published, reporter=buyer, reason="Fake")
    services.listing_report_resolve(report=report, actor=moderator)

    response = as_user(buyer).post(f"{detail_url(published)}report/", {"reason": "Still fake"}, format="json")

    assert response.status_code == 201
    assert ListingReport.objects.count() == 2


def test_seller_unverified_after_publishing_disappears_from_search(api_client, published):
    Company.objects.filter(pk=published.seller_id).update(verification_status=VerificationStatus.SUSPENDED)

    assert api_client.get(LISTINGS).json()["count"] == 0
    assert_error(api_client.get(detail_url(published)), 404, "not_found")

