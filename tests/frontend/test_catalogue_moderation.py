"""The listing moderation page: the queue and its filters, every decision, bulk approval, reports,
access, and the whole path from a seller's draft to a listing buyers find."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import CompanyKind, VerificationStatus
from marketplace import services
from marketplace.models import Listing, ListingDecision, ListingReport, ListingStatus
from tests.factories.accounts import AdminFactory, CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _state() -> dict:
    return {
        "listings": list(Listing.objects.order_by("pk").values()),
        "decisions": list(ListingDecision.objects.order_by("pk").values()),
        "reports": list(ListingReport.objects.order_by("pk").values()),
    }


def _wait(listing: Listing, *, days: int) -> None:
    Listing.objects.filter(pk=listing.pk).update(status_changed_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def seller():
    return CompanyFactory(legal_name="Anatolia Textiles", country="TR", default_currency="TRY",
                          verification_status=VerificationStatus.VERIFIED)


@pytest.fixture
def owner(seller):
    return MembershipFactory(company=seller).user


@pytest.fixture
def buyer():
    company = CompanyFactory(kind=CompanyKind.BUYER, country="DE", verification_status=VerificationStatus.VERIFIED)
    return MembershipFactory(company=company).user


@pytest.fixture
def moderator_client(client_as, moderator):
    return client_as(moderator)


@pytest.fixture
def submitted(seller, owner):
    listing = ListingFactory(seller=seller, actor=owner, title="Cotton bath towel")
    services.listing_submit(listing=listing, actor=owner)
    listing.refresh_from_db()
    return listing


@pytest.fixture
def published(seller, owner):
    return PublishedListingFactory(seller=seller, actor=owner, title="Linen tablecloth")


def test_queue_oldest_first_with_what_to_review(moderator_client, seller, owner, buyer, submitted, published):
    _wait(submitted, days=1)
    services.listing_update(listing=published, actor=owner, data={"title": "Linen tablecloth XL", "hs_code": "630251",
                                                                  "incoterms": ["DAP"]})
    Listing.objects.filter(pk=published.pk).update(pending_changes_at=timezone.now() - timedelta(days=3))
    reported = PublishedListingFactory(seller=seller, actor=owner, title="Silk scarf")
    _wait(reported, days=2)
    services.listing_report(listing=reported, reporter=buyer, reason="Counterfeit.")
    ListingFactory(seller=seller, actor=owner, title="Quiet draft")

    response = moderator_client.get("/moderation/listings/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.listing for row in rows] == [published, reported, submitted]
    assert [(row.is_submission, row.changed_fields, row.can_suspend, row.can_approve) for row in rows] == [
        (False, ["Title", "HS code", "Incoterms"], True, True),
        (False, [], True, False),
        (True, [], False, True)]
    assert [row.listing.open_reports for row in rows] == [0, 1, 0]
    assertNotContains(response, "Quiet draft")
    assertContains(response, '<span class="changed-fields">Title, HS code, Incoterms</span>', html=True)
    assertContains(response, f'action="/moderation/listings/{submitted.pk}/approve/"')
    assertContains(response, f'action="/moderation/listings/{submitted.pk}/reject/"')
    assertNotContains(response, f'action="/moderation/listings/{submitted.pk}/suspend/"')
    assertContains(response, f'action="/moderation/listings/{reported.pk}/suspend/"')
    assertNotContains(response, f'action="/moderation/listings/{reported.pk}/approve/"')
    assertContains(response, f'<input type="checkbox" id="select-{submitted.pk}" name="ids" value="{submitted.pk}" '
                             'form="bulk-approve-form">', html=True)
    assertNotContains(response, f'id="select-{reported.pk}"')
    assertContains(response, "1 open report")


@pytest.mark.parametrize(("query", "expected"), [
    ("kind=submitted", ["towel"]),
    ("kind=changes", ["cloth"]),
    ("kind=reported", ["pcb"]),
    ("category=electronics", ["pcb"]),
    ("category=textiles/home-textiles", ["cloth", "towel"]),
    ("seller_country=CN", ["pcb"]),
    ("kind=bogus", ["cloth", "pcb", "towel"]),
])
def test_queue_filters(moderator_client, seller, owner, buyer, submitted, published, query, expected):
    services.listing_update(listing=published, actor=owner, data={"title": "Linen tablecloth XL"})
    Listing.objects.filter(pk=published.pk).update(pending_changes_at=timezone.now() - timedelta(days=3))
    shenzhen = CompanyFactory(country="CN", default_currency="CNY", verification_status=VerificationStatus.VERIFIED)
    pcb = PublishedListingFactory(seller=shenzhen, title="PCB", category="electronics/pcb")
    _wait(pcb, days=2)
    services.listing_report(listing=pcb, reporter=buyer, reason="Wrong photos.")
    names = {submitted.pk: "towel", published.pk: "cloth", pcb.pk: "pcb"}

    response = moderator_client.get(f"/moderation/listings/?{query}")

    assert [names[row.listing.pk] for row in response.context["rows"]] == expected


def test_empty_queue(moderator_client):
    response = moderator_client.get("/moderation/listings/")

    assertContains(response, 'id="listing-queue-empty"')
    assertContains(response, 'id="no-reports"')
    assertNotContains(response, 'id="bulk-approve-form"')


def test_from_draft_to_the_catalogue_through_the_pages(client_as, seller, owner, moderator, buyer):
    draft = ListingFactory(seller=seller, actor=owner, title="Cotton bath towel")
    assert client_as(buyer).get("/listings/").context["page"].paginator.count == 0

    submitted = client_as(owner).post(f"/seller/listings/{draft.pk}/submit/", follow=True)
    # The seller has no shipping zone yet: submitting works and warns that buyers cannot order.
    assert _messages(submitted) == [
        "Cotton bath towel is submitted. A moderator will review it.",
        "Cotton bath towel: Your company has no shipping rates yet, so buyers see that this listing ships nowhere "
        "and cannot order it. Add a shipping zone with rates."]
    response = client_as(moderator).post(f"/moderation/listings/{draft.pk}/approve/", {"reason": ""})

    assertRedirects(response, "/moderation/listings/", fetch_redirect_response=False)
    assert _messages(client_as(moderator).get("/moderation/listings/")) == ["Cotton bath towel is approved."]
    draft.refresh_from_db()
    assert draft.status == ListingStatus.PUBLISHED and draft.published_at is not None
    assert list(ListingDecision.objects.order_by("pk").values_list("actor", "from_status", "to_status")) == [
        (owner.pk, "draft", "pending_review"), (moderator.pk, "pending_review", "published")]
    found = client_as(buyer).get("/listings/?q=towel")
    assert [listing.pk for listing in found.context["page"].object_list] == [draft.pk]
    assertContains(found, f'<a href="/listings/{draft.pk}/">Cotton bath towel</a>', html=True)


def test_request_changes_with_a_reason(moderator_client, submitted):
    response = moderator_client.post(f"/moderation/listings/{submitted.pk}/request-changes/",
                                     {"reason": "  Add the weight per m². ",
                                      "next": "/moderation/listings/?kind=submitted"})

    assertRedirects(response, "/moderation/listings/?kind=submitted", fetch_redirect_response=False)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.status_reason) == ("changes_requested", "Add the weight per m².")


@pytest.mark.parametrize(("action", "reason"), [("request-changes", ""), ("reject", "   ")])
def test_decisions_that_need_a_reason_change_nothing_without_one(moderator_client, submitted, action, reason):
    before = _state()

    response = moderator_client.post(f"/moderation/listings/{submitted.pk}/{action}/", {"reason": reason},
                                     follow=True)

    assert _messages(response) == ["Cotton bath towel: A reason is required for this decision."]
    assert _state() == before


def test_reject(moderator_client, submitted):
    response = moderator_client.post(f"/moderation/listings/{submitted.pk}/reject/", {"reason": "Counterfeit."},
                                     follow=True)

    assert _messages(response) == ["Cotton bath towel was rejected."]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.status_reason) == ("rejected", "Counterfeit.")


def test_suspend_a_published_listing(moderator_client, published):
    response = moderator_client.post(f"/moderation/listings/{published.pk}/suspend/", {"reason": "Reported twice."},
                                     follow=True)

    assert _messages(response) == ["Linen tablecloth is suspended."]
    published.refresh_from_db()
    assert (published.status, published.status_reason) == ("suspended", "Reported twice.")


def test_approving_changes_applies_them_and_declining_keeps_the_live_version(moderator_client, owner, published):
    services.listing_update(listing=published, actor=owner, data={"title": "Linen tablecloth XL"})
    response = moderator_client.post(f"/moderation/listings/{published.pk}/request-changes/",
                                     {"reason": "Keep the old title."}, follow=True)
    assert _messages(response) == ["Linen tablecloth is sent back to the seller for changes."]
    published.refresh_from_db()
    assert (published.title, published.status, published.pending_changes) == ("Linen tablecloth", "published", None)

    services.listing_update(listing=published, actor=owner, data={"title": "Linen tablecloth 160 cm"})
    moderator_client.post(f"/moderation/listings/{published.pk}/approve/")

    published.refresh_from_db()
    assert (published.title, published.status, published.pending_changes) == (
        "Linen tablecloth 160 cm", "published", None)


def test_approving_twice_changes_nothing_the_second_time(moderator_client, submitted):
    moderator_client.post(f"/moderation/listings/{submitted.pk}/approve/", follow=True)
    before = _state()

    response = moderator_client.post(f"/moderation/listings/{submitted.pk}/approve/", follow=True)

    assert _messages(response) == ["Cotton bath towel: A listing cannot go from published to published."]
    assert _state() == before


def test_a_moderator_cannot_decide_on_their_own_companys_listing(moderator_client, moderator, seller, submitted):
    MembershipFactory(company=seller, user=moderator, role="staff")
    before = _state()

    response = moderator_client.post(f"/moderation/listings/{submitted.pk}/approve/", follow=True)

    assert _messages(response) == ["Cotton bath towel: A moderator cannot moderate their own company's listings."]
    assert _state() == before


def test_action_on_an_unknown_listing_is_404(moderator_client):
    assert moderator_client.post("/moderation/listings/999999/approve/").status_code == 404


def test_bulk_approve_reports_every_listing(moderator_client, seller, owner, submitted, published):
    second = ListingFactory(seller=seller, actor=owner, title="Silk scarf")
    services.listing_submit(listing=second, actor=owner)
    draft = ListingFactory(seller=seller, actor=owner, title="Quiet draft")

    response = moderator_client.post("/moderation/listings/approve-selected/",
                                     {"ids": [str(second.pk), str(submitted.pk), str(draft.pk), "999999"],
                                      "next": "/moderation/listings/?kind=submitted"})

    assertRedirects(response, "/moderation/listings/?kind=submitted", fetch_redirect_response=False)
    assert _messages(moderator_client.get("/moderation/listings/")) == [
        "Cotton bath towel is approved.",
        "Silk scarf is approved.",
        f"Listing {draft.pk}: A listing cannot go from draft to published.",
        "Listing 999999: Not found.",
    ]
    assert dict(Listing.objects.values_list("pk", "status")) == {
        submitted.pk: "published", published.pk: "published", second.pk: "published", draft.pk: "draft"}


@pytest.mark.parametrize("data", [{}, {"ids": ["abc"]}, {"ids": ["1", "-2"]}])
def test_bulk_approve_without_a_valid_choice_changes_nothing(moderator_client, submitted, data):
    before = _state()

    response = moderator_client.post("/moderation/listings/approve-selected/", data, follow=True)

    assert _messages(response) == ["Choose at least one listing to approve."]
    assert _state() == before


def test_open_reports_are_listed_and_resolved(moderator_client, moderator, published, buyer):
    report = services.listing_report(listing=published, reporter=buyer, reason="Fake photos & prices < 5")

    page = moderator_client.get("/moderation/listings/")
    assert list(page.context["reports"].object_list) == [report]
    assertContains(page, "<td>Fake photos &amp; prices &lt; 5</td>", html=True)
    assertContains(page, f'action="/moderation/listing-reports/{report.pk}/resolve/"')

    response = moderator_client.post(f"/moderation/listing-reports/{report.pk}/resolve/", follow=True)

    assert _messages(response) == ["The report about Linen tablecloth is resolved."]
    report.refresh_from_db()
    assert report.resolved_by == moderator and report.resolved_at is not None
    assert list(response.context["reports"].object_list) == []

    before = _state()
    again = moderator_client.post(f"/moderation/listing-reports/{report.pk}/resolve/", follow=True)
    assert _messages(again) == ["This report is already resolved."]
    assert _state() == before


def test_moderation_page_for_moderator_and_admin_only(client, client_as, moderator, owner, buyer):
    assert client_as(moderator).get("/moderation/listings/").status_code == 200
    assert client_as(AdminFactory()).get("/moderation/listings/").status_code == 200
    for user in (owner, buyer):
        response = client_as(user).get("/moderation/listings/")
        assert response.status_code == 403
        assertContains(response, "Access denied", status_code=403)
    client.logout()
    assertRedirects(client.get("/moderation/listings/"), "/login/?next=/moderation/listings/",
                    fetch_redirect_response=False)


@pytest.mark.parametrize("action", ["approve", "request-changes", "reject", "suspend"])
def test_decisions_refuse_non_moderators(client, client_as, owner, buyer, submitted, action):
    before = _state()
    url = f"/moderation/listings/{submitted.pk}/{action}/"

    for user in (owner, buyer):
        assert client_as(user).post(url, {"reason": "No."}).status_code == 403
    client.logout()
    # A form sent without a session returns, after signing in, to a page (the queue it came from), not
    # to the address of the form (tests/frontend/test_session_expiry.py).
    assert client.post(url, {"reason": "No."}, HTTP_REFERER="http://testserver/moderation/listings/")[
        "Location"] == "/login/?next=%2Fmoderation%2Flistings%2F"
    assert _state() == before


def test_bulk_approve_and_resolve_refuse_non_moderators(client_as, buyer, submitted, published):
    report = services.listing_report(listing=published, reporter=buyer, reason="Fake.")
    before = _state()
    client = client_as(buyer)

    assert client.post("/moderation/listings/approve-selected/", {"ids": [submitted.pk]}).status_code == 403
    assert client.post(f"/moderation/listing-reports/{report.pk}/resolve/").status_code == 403
    assert _state() == before


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/moderation/listings/")
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_queue(moderator_client, seller, owner, buyer):
    def one_of_each():
        listing = ListingFactory(seller=seller, actor=owner)
        services.listing_submit(listing=listing, actor=owner)
        services.listing_report(listing=PublishedListingFactory(seller=seller, actor=owner), reporter=buyer,
                                reason="Fake.")

    one_of_each()
    _page_queries(moderator_client)
    with_one = _page_queries(moderator_client)
    for _ in range(9):
        one_of_each()
    with_ten = _page_queries(moderator_client)

    response = moderator_client.get("/moderation/listings/")
    assert (len(response.context["rows"]), len(response.context["reports"].object_list)) == (20, 10)
    assert with_ten == with_one
