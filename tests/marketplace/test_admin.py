"""The catalogue in the Django admin: pages load, content is read-only, decisions go through the
services (one by one or in bulk, with a reason where one is needed) and the moderation queue."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.models import MODERATORS_GROUP
from marketplace import services
from marketplace.models import Category, Listing, ListingDecision, ListingReport, ListingStatus
from tests.factories.accounts import CompanyFactory, MembershipFactory, UserFactory
from tests.marketplace.conftest import assert_unchanged, category

pytestmark = pytest.mark.django_db

LISTINGS = "/admin/marketplace/listing/"
REPORTS = "/admin/marketplace/listingreport/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def pks(response) -> list[int]:
    return [obj.pk for obj in response.context["cl"].result_list]


# --- categories -----------------------------------------------------------------------------------

def test_category_changelist_is_in_tree_order(admin_client):
    response = admin_client.get("/admin/marketplace/category/", {"all": ""})

    assert response.status_code == 200
    paths = [c.path for c in response.context["cl"].result_list]
    assert paths == sorted(Category.objects.values_list("path", flat=True))
    assert paths[:2] == ["automotive", "chemicals"]
    assert "\u2014 Fabrics" in response.content.decode()


def test_categories_are_read_only_in_the_admin(admin_client):
    fabrics = category("textiles/fabrics")

    assert admin_client.get("/admin/marketplace/category/add/").status_code == 403
    assert admin_client.get(f"/admin/marketplace/category/{fabrics.pk}/change/").status_code == 200
    response = admin_client.post(f"/admin/marketplace/category/{fabrics.pk}/change/", {"name": "Cloth"})
    assert response.status_code == 403
    assert Category.objects.get(pk=fabrics.pk).name == "Fabrics"


# --- listings -------------------------------------------------------------------------------------

def test_listing_changelist_filters_and_search(admin_client, make_listing, other_seller):
    towel = make_listing(ListingStatus.PUBLISHED, title="Cotton towel")
    draft = make_listing(title="Linen sheet", category="textiles/fabrics")
    pcb = make_listing(ListingStatus.PENDING_REVIEW, seller=other_seller, title="PCB", category="electronics/pcb",
                       origin_country="CN", hs_code="853400")

    assert admin_client.get(LISTINGS).status_code == 200
    assert pks(admin_client.get(LISTINGS, {"status__exact": "published"})) == [towel.pk]
    assert pks(admin_client.get(LISTINGS, {"category__id__exact": category("textiles/fabrics").pk})) == [draft.pk]
    assert pks(admin_client.get(LISTINGS, {"origin_country": "CN"})) == [pcb.pk]
    assert pks(admin_client.get(LISTINGS, {"q": "853400"})) == [pcb.pk]
    assert pks(admin_client.get(LISTINGS, {"q": "Beta Circuits"})) == [pcb.pk]
    assert set(pks(admin_client.get(LISTINGS, {"q": "towel"}))) == {towel.pk}


def test_listing_change_page_is_read_only_with_every_inline(admin_client, published, owner, moderator, buyer):
    services.listing_report(listing=published, reporter=buyer, reason="Looks copied")
    services.listing_suspend(listing=published, actor=moderator, reason="Checking the report")

    response = admin_client.get(f"{LISTINGS}{published.pk}/change/")

    assert response.status_code == 200
    inlines = [formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]]
    assert inlines == ["PriceTier", "ListingIncoterm", "ShipsToCountry", "Certificate", "ListingImage",
                       "ListingDecision", "ListingReport"]
    page = response.content.decode()
    assert "Looks copied" in page and "Checking the report" in page
    assert 'name="title"' not in page and 'name="status"' not in page
    with assert_unchanged():
        assert admin_client.post(f"{LISTINGS}{published.pk}/change/", {"title": "x",
                                                                        "status": "published"}).status_code == 403
        assert admin_client.get(f"{LISTINGS}add/").status_code == 403
        assert admin_client.post(f"{LISTINGS}{published.pk}/delete/", {"post": "yes"}).status_code == 403


def test_moderation_queue_filter_lists_waiting_listings_oldest_first(admin_client, make_listing, owner, buyer):
    now = timezone.now()
    newest = make_listing(ListingStatus.PENDING_REVIEW, title="Newest")
    changed = make_listing(ListingStatus.PUBLISHED, title="Changed")
    reported = make_listing(ListingStatus.PUBLISHED, title="Reported")
    make_listing(ListingStatus.PUBLISHED, title="Quiet")
    make_listing(title="Draft")
    services.listing_update(listing=changed, actor=owner, data={"title": "Changed again"})
    services.listing_report(listing=reported, reporter=buyer, reason="Fake")
    Listing.objects.filter(pk=newest.pk).update(status_changed_at=now - timedelta(hours=1))
    Listing.objects.filter(pk=changed.pk).update(pending_changes_at=now - timedelta(days=2))
    Listing.objects.filter(pk=reported.pk).update(status_changed_at=now - timedelta(days=3))

    assert pks(admin_client.get(LISTINGS, {"queue": "all"})) == [reported.pk, changed.pk, newest.pk]
    assert pks(admin_client.get(LISTINGS, {"queue": "submitted"})) == [newest.pk]
    assert pks(admin_client.get(LISTINGS, {"queue": "changes"})) == [changed.pk]
    response = admin_client.get(LISTINGS, {"queue": "reported"})
    assert pks(response) == [reported.pk]
    assert response.context["cl"].result_list[0].open_report_count == 1


def test_approve_action_publishes_in_bulk_and_reports_refusals(admin_client, admin_user, make_listing, owner):
    first = make_listing(ListingStatus.PENDING_REVIEW, title="First")
    second = make_listing(ListingStatus.PENDING_REVIEW, title="Second")
    draft = make_listing(title="Draft one")
    changed = make_listing(ListingStatus.PUBLISHED, title="Changed")
    services.listing_update(listing=changed, actor=owner, data={"title": "Changed, approved"})

    response = admin_client.post(LISTINGS, {"action": "approve",
                                            "_selected_action": [first.pk, second.pk, draft.pk, changed.pk]})

    assert response.status_code == 302
    assert dict(Listing.objects.values_list("title", "status")) == {
        "First": "published", "Second": "published", "Draft one": "draft", "Changed, approved": "published"}
    assert list(ListingDecision.objects.order_by("listing_id").values_list(
        "listing_id", "actor_id", "from_status", "to_status", "applied_changes")) == [
        (first.pk, admin_user.pk, "pending_review", "published", False),
        (second.pk, admin_user.pk, "pending_review", "published", False),
        (changed.pk, admin_user.pk, "published", "published", True)]
    assert messages_of(response) == ["Draft one: A listing cannot go from draft to published.",
                                     "3 listings updated."]


@pytest.mark.parametrize(("action", "frm", "to"), [
    ("request_changes", ListingStatus.PENDING_REVIEW, ListingStatus.CHANGES_REQUESTED),
    ("reject", ListingStatus.PENDING_REVIEW, ListingStatus.REJECTED),
    ("suspend", ListingStatus.PUBLISHED, ListingStatus.SUSPENDED),
])
def test_reasoned_actions_ask_for_a_reason_then_decide(admin_client, admin_user, make_listing, action, frm, to):
    listing = make_listing(frm, title="Towel")
    untouched = make_listing(frm, title="Other towel")

    with assert_unchanged():
        form_page = admin_client.post(LISTINGS, {"action": action, "_selected_action": [listing.pk]})
        assert form_page.status_code == 200
        assert [t.name for t in form_page.templates][0] == "admin/reason_action.html"
        html = form_page.content.decode()
        assert 'name="reason"' in html and f'name="_selected_action" value="{listing.pk}"' in html
        assert "These listings will be updated:" in html

        empty = admin_client.post(LISTINGS, {"action": action, "_selected_action": [listing.pk], "apply": "1",
                                             "reason": ""})
        assert empty.status_code == 200
        assert empty.context["form"].errors == {"reason": ["This field is required."]}

    response = admin_client.post(LISTINGS, {"action": action, "_selected_action": [listing.pk], "apply": "1",
                                            "reason": "Photos are of another product"})

    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.status, listing.status_reason) == (to, "Photos are of another product")
    decision = ListingDecision.objects.get()
    assert (decision.listing, decision.actor, decision.from_status, decision.to_status, decision.reason) == (
        listing, admin_user, frm, to, "Photos are of another product")
    assert Listing.objects.get(pk=untouched.pk).status == frm
    assert messages_of(response) == ["1 listing updated."]


def test_reasoned_action_reports_a_refused_move(admin_client, make_listing):
    draft = make_listing(title="Draft towel")

    with assert_unchanged():
        response = admin_client.post(LISTINGS, {"action": "suspend", "_selected_action": [draft.pk], "apply": "1",
                                                "reason": "Complaint"})

    assert response.status_code == 302
    assert messages_of(response) == ["Draft towel: A listing cannot go from draft to suspended."]


def test_moderator_member_of_the_seller_is_refused_in_the_admin(client, make_listing, moderator_of_seller):
    listing = make_listing(ListingStatus.PENDING_REVIEW, title="Own towel")
    group = Group.objects.get(name=MODERATORS_GROUP)
    group.permissions.add(Permission.objects.get(codename="view_listing"))
    client.force_login(moderator_of_seller)

    with assert_unchanged():
        response = client.post(LISTINGS, {"action": "approve", "_selected_action": [listing.pk]})

    assert messages_of(response) == ["Own towel: A moderator cannot moderate their own company's listings."]


def test_staff_without_permissions_cannot_open_or_act(client, make_listing):
    listing = make_listing(ListingStatus.PENDING_REVIEW)
    client.force_login(UserFactory(is_staff=True))

    with assert_unchanged():
        assert client.get(LISTINGS).status_code == 403
        assert client.post(LISTINGS, {"action": "approve", "_selected_action": [listing.pk]}).status_code == 403


def test_staff_who_may_view_but_is_no_moderator_gets_no_actions(client, make_listing):
    listing = make_listing(ListingStatus.PENDING_REVIEW)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_listing"))
    client.force_login(staff)

    page = client.get(LISTINGS)
    assert page.status_code == 200
    assert page.context["action_form"] is None

    with assert_unchanged():
        response = client.post(LISTINGS, {"action": "approve", "_selected_action": [listing.pk]})

    assert response.status_code == 200
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.PENDING_REVIEW


def test_moderator_with_view_permission_decides(client, make_listing, moderator):
    listing = make_listing(ListingStatus.PENDING_REVIEW, title="Towel")
    Group.objects.get(name=MODERATORS_GROUP).permissions.add(Permission.objects.get(codename="view_listing"))
    client.force_login(moderator)

    response = client.post(LISTINGS, {"action": "approve", "_selected_action": [listing.pk]})

    assert (response.status_code, Listing.objects.get(pk=listing.pk).status) == (302, ListingStatus.PUBLISHED)
    assert ListingDecision.objects.get().actor == moderator


# --- reports and decisions ------------------------------------------------------------------------

def test_resolve_action_resolves_open_reports(admin_client, admin_user, published, buyer):
    other = MembershipFactory(company=CompanyFactory(kind="buyer")).user
    first = services.listing_report(listing=published, reporter=buyer, reason="Fake")
    second = services.listing_report(listing=published, reporter=other, reason="Copied photos")
    services.listing_report_resolve(report=second, actor=admin_user)

    assert [r.pk for r in admin_client.get(REPORTS, {"state": "open"}).context["cl"].result_list] == [first.pk]

    response = admin_client.post(REPORTS, {"action": "resolve", "_selected_action": [first.pk, second.pk]})

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.resolved_by, first.resolved_at is not None) == (admin_user, True)
    assert ListingReport.objects.filter(resolved_at__isnull=True).count() == 0
    assert messages_of(response) == [f"{second}: This report is already resolved.", "1 report resolved."]


def test_reports_and_decisions_are_read_only(admin_client, published, buyer, moderator):
    report = services.listing_report(listing=published, reporter=buyer, reason="Fake")
    services.listing_suspend(listing=published, actor=moderator, reason="Checking")
    decision = ListingDecision.objects.get()

    with assert_unchanged():
        assert admin_client.get(f"{REPORTS}add/").status_code == 403
        assert admin_client.post(f"{REPORTS}{report.pk}/change/", {"reason": "x"}).status_code == 403
        assert admin_client.post(f"{REPORTS}{report.pk}/delete/", {"post": "yes"}).status_code == 403
        assert admin_client.get(f"/admin/marketplace/listingdecision/{decision.pk}/change/").status_code == 200
        assert admin_client.post(f"/admin/marketplace/listingdecision/{decision.pk}/delete/",
                                 {"post": "yes"}).status_code == 403


def test_import_admin_lists_uploads(admin_client):
    assert admin_client.get("/admin/marketplace/listingimport/").status_code == 200
    assert admin_client.get("/admin/marketplace/listingimport/add/").status_code == 403
