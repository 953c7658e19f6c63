"""The listing life cycle: every allowed move and every refused one, through the services and the API,
who may make them, the reasons they need, the decisions they leave, and review of changes to
published listings."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from accounts.models import Company, VerificationStatus
from core.exceptions import Conflict, Forbidden
from core.statemachine import MoveNotAllowed
from marketplace import services
from marketplace.models import Listing, ListingDecision, ListingReport
from marketplace.models import ListingStatus as S
from marketplace.transitions import LIFECYCLE, MODERATOR, SELLER
from tests.core.helpers import assert_error
from tests.marketplace.conftest import LISTINGS, assert_unchanged, detail_url, tiers, valid_body

pytestmark = pytest.mark.django_db

REASON = "The photos show another product"

# The one service and API action that asks for each (target state, role).
ACTIONS = {
    (S.PENDING_REVIEW, SELLER): (services.listing_submit, "submit"),
    (S.ARCHIVED, SELLER): (services.listing_archive, "archive"),
    (S.PUBLISHED, MODERATOR): (services.listing_approve, "approve"),
    (S.CHANGES_REQUESTED, MODERATOR): (services.listing_request_changes, "request-changes"),
    (S.REJECTED, MODERATOR): (services.listing_reject, "reject"),
    (S.SUSPENDED, MODERATOR): (services.listing_suspend, "suspend"),
}
REASONED = {services.listing_request_changes, services.listing_reject, services.listing_suspend}

ALLOWED = sorted((frm, to, move.who) for (frm, to), move in LIFECYCLE.moves.items())
FORBIDDEN = sorted(triple for triple in itertools.product(S.values, S.values, (SELLER, MODERATOR))
                   if LIFECYCLE.moves.get(triple[:2]) is None or LIFECYCLE.moves[triple[:2]].who != triple[2])


def test_the_table_has_the_expected_moves():
    assert len(ALLOWED) == 13
    assert len(FORBIDDEN) == 7 * 7 * 2 - 13
    assert {(to, role) for _frm, to, role in ALLOWED} == set(ACTIONS)


def call(service, listing: Listing, actor, reason: str = REASON) -> Listing:
    kwargs = {"reason": reason} if service in REASONED or service is services.listing_approve else {}
    return service(listing=listing, actor=actor, **kwargs)


def actor_for(role: str, owner, moderator):
    return owner if role == SELLER else moderator


# --- allowed moves --------------------------------------------------------------------------------

@pytest.mark.parametrize(("frm", "to", "role"), ALLOWED)
def test_allowed_move_through_the_service(make_listing, owner, moderator, frm, to, role):
    listing = make_listing(frm)
    service, _name = ACTIONS[to, role]
    actor = actor_for(role, owner, moderator)
    reason = REASON if service in REASONED else ""

    result = call(service, listing, actor, reason)

    listing.refresh_from_db()
    assert (result.status, listing.status, listing.status_reason) == (to, to, reason)
    decision = ListingDecision.objects.get()
    assert (decision.listing, decision.actor, decision.from_status, decision.to_status, decision.reason,
            decision.applied_changes) == (listing, actor, frm, to, reason, False)
    assert listing.status_changed_at == decision.created_at
    if to == S.PUBLISHED:
        assert listing.published_at == decision.created_at


@pytest.mark.parametrize(("frm", "to", "role"), ALLOWED)
def test_allowed_move_through_the_api(as_user, make_listing, owner, moderator, frm, to, role):
    listing = make_listing(frm)
    _service, name = ACTIONS[to, role]
    actor = actor_for(role, owner, moderator)
    body = {"reason": REASON} if name in ("request-changes", "reject", "suspend") else {}

    response = as_user(actor).post(f"{detail_url(listing)}{name}/", body, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["status_reason"]) == (to, body.get("reason", ""))
    assert Listing.objects.get(pk=listing.pk).status == to
    decision = ListingDecision.objects.get()
    assert (decision.actor, decision.from_status, decision.to_status, decision.reason) == (
        actor, frm, to, body.get("reason", ""))


# --- forbidden moves ------------------------------------------------------------------------------

@pytest.mark.parametrize(("frm", "to", "role"), FORBIDDEN)
def test_forbidden_move_is_refused_by_the_table(frm, to, role):
    with pytest.raises(MoveNotAllowed):
        LIFECYCLE.check(from_status=frm, to_status=to, role=role, reason=REASON)


@pytest.mark.parametrize(("frm", "to", "role"), FORBIDDEN)
def test_forbidden_move_through_the_services_changes_nothing(make_listing, owner, moderator, frm, to, role):
    """A move nobody may make is a conflict. A move the other role makes is refused to this one.
    Nothing moves a listing back to draft."""
    listing = make_listing(frm)
    actor = actor_for(role, owner, moderator)
    if (to, role) in ACTIONS:
        service, expected = ACTIONS[to, role][0], Conflict
    elif (to, SELLER if role == MODERATOR else MODERATOR) in ACTIONS:
        service, expected = ACTIONS[to, SELLER if role == MODERATOR else MODERATOR][0], Forbidden
    else:
        assert to == S.DRAFT
        assert not any(target == S.DRAFT for target, _role in ACTIONS)
        return

    with assert_unchanged(), pytest.raises(expected) as exc:
        call(service, listing, actor)

    if expected is Conflict:
        assert (exc.value.code, exc.value.status_code) == ("invalid_transition", 409)
    assert Listing.objects.get(pk=listing.pk).status == frm


@pytest.mark.parametrize(("frm", "to", "role"), [t for t in FORBIDDEN if (t[1], t[2]) in ACTIONS])
def test_forbidden_move_through_the_api_is_409_and_changes_nothing(as_user, make_listing, owner, moderator,
                                                                  frm, to, role):
    listing = make_listing(frm)
    name = ACTIONS[to, role][1]

    body = {"reason": REASON} if role == MODERATOR else {}

    with assert_unchanged():
        response = as_user(actor_for(role, owner, moderator)).post(f"{detail_url(listing)}{name}/", body,
                                                                   format="json")

    assert_error(response, 409, "invalid_transition", message=f"A listing cannot go from {frm} to {to}.")


@pytest.mark.parametrize("name", ["approve", "request-changes", "reject", "suspend"])
def test_seller_cannot_make_a_moderators_decision_on_its_own_listing(as_user, make_listing, owner, name):
    listing = make_listing(S.PENDING_REVIEW if name != "suspend" else S.PUBLISHED)

    with assert_unchanged():
        response = as_user(owner).post(f"{detail_url(listing)}{name}/", {"reason": REASON}, format="json")

    assert_error(response, 403, "permission_denied", message="Only moderators can do that.")
    with assert_unchanged(), pytest.raises(Forbidden):
        call(ACTIONS[{"approve": S.PUBLISHED, "request-changes": S.CHANGES_REQUESTED, "reject": S.REJECTED,
                      "suspend": S.SUSPENDED}[name], MODERATOR][0], listing, owner)


@pytest.mark.parametrize("name", ["approve", "request-changes", "reject", "suspend"])
def test_moderator_who_is_a_member_of_the_seller_cannot_decide(as_user, make_listing, moderator_of_seller, name):
    listing = make_listing(S.PENDING_REVIEW if name != "suspend" else S.PUBLISHED)

    with assert_unchanged():
        response = as_user(moderator_of_seller).post(f"{detail_url(listing)}{name}/", {"reason": REASON},
                                                     format="json")

    assert_error(response, 403, "permission_denied",
                 message="A moderator cannot moderate their own company's listings.")


def test_moderator_who_is_a_member_cannot_review_changes_either(as_user, published, owner, moderator_of_seller):
    services.listing_update(listing=published, actor=owner, data={"title": "Linen tablecloth, washed"})

    with assert_unchanged():
        response = as_user(moderator_of_seller).post(f"{detail_url(published)}approve/", {}, format="json")

    assert_error(response, 403, "permission_denied",
                 message="A moderator cannot moderate their own company's listings.")


@pytest.mark.parametrize("name", ["submit", "archive"])
def test_moderator_cannot_make_a_sellers_move(as_user, make_listing, moderator, name):
    listing = make_listing(S.DRAFT)

    with assert_unchanged():
        response = as_user(moderator).post(f"{detail_url(listing)}{name}/", {}, format="json")

    assert_error(response, 403, "permission_denied", message="Only members of the selling company can do that.")


def test_another_seller_cannot_move_a_listing(as_user, make_listing, other_owner):
    draft, published = make_listing(S.DRAFT), make_listing(S.PUBLISHED)

    with assert_unchanged():
        assert_error(as_user(other_owner).post(f"{detail_url(draft)}submit/", {}, format="json"), 404, "not_found")
        assert_error(as_user(other_owner).post(f"{detail_url(published)}archive/", {}, format="json"), 403,
                     "permission_denied", message="Only members of the selling company can do that.")


NOT_VERIFIED = ("permission_denied", "Only a verified seller company can submit listings for review.")


@pytest.mark.parametrize(("verification", "refusal"), [
    (VerificationStatus.UNVERIFIED, NOT_VERIFIED), (VerificationStatus.PENDING, NOT_VERIFIED),
    (VerificationStatus.REJECTED, NOT_VERIFIED),
    (VerificationStatus.SUSPENDED, ("company_suspended", "Alpha Textiles is suspended: it can only finish what it "
                                                         "owes on orders already placed.")),
])
def test_only_a_verified_seller_may_submit(as_user, make_listing, seller, owner, verification, refusal):
    listing = make_listing(S.DRAFT)
    Company.objects.filter(pk=seller.pk).update(verification_status=verification)

    with assert_unchanged():
        response = as_user(owner).post(f"{detail_url(listing)}submit/", {}, format="json")

    assert_error(response, 403, refusal[0], message=refusal[1])


@pytest.mark.parametrize(("name", "frm"), [("request-changes", S.PENDING_REVIEW), ("reject", S.PENDING_REVIEW),
                                           ("suspend", S.PUBLISHED)])
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_reason_is_required(as_user, make_listing, moderator, name, frm, body):
    listing = make_listing(frm)

    with assert_unchanged():
        response = as_user(moderator).post(f"{detail_url(listing)}{name}/", body, format="json")

    assert_error(response, 400, "validation_error",
                 fields={"reason": ["A reason is required for this decision."]})


def test_actions_refuse_unknown_keys(as_user, make_listing, owner, moderator):
    draft, pending = make_listing(S.DRAFT), make_listing(S.PENDING_REVIEW)

    with assert_unchanged():
        assert_error(as_user(owner).post(f"{detail_url(draft)}submit/", {"status": "published"}, format="json"),
                     400, "validation_error", fields={"status": ["This field cannot be set."]})
        assert_error(as_user(moderator).post(f"{detail_url(pending)}approve/", {"published_at": "2020-01-01"},
                                             format="json"),
                     400, "validation_error", fields={"published_at": ["This field cannot be set."]})


# --- editing and the API's protected fields -------------------------------------------------------

def test_editing_another_sellers_listing(as_user, make_listing, other_owner):
    draft, published = make_listing(S.DRAFT), make_listing(S.PUBLISHED)

    with assert_unchanged():
        assert_error(as_user(other_owner).patch(detail_url(draft), {"title": "Mine now"}, format="json"), 404,
                     "not_found")
        assert_error(as_user(other_owner).patch(detail_url(published), {"title": "Mine now"}, format="json"), 403,
                     "permission_denied", message="Only members of the selling company can do that.")
        assert as_user(None).patch(detail_url(published), {"title": "Mine now"}, format="json").status_code == 401


@pytest.mark.parametrize("body", [{"status": "published"}, {"seller": 1}, {"title": "Ok", "status": "published"}])
def test_status_and_seller_cannot_be_set_through_patch(as_user, make_listing, owner, other_seller, body):
    listing = make_listing(S.DRAFT)

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), body, format="json")

    assert_error(response, 400, "validation_error", fields={
        key: ["This field cannot be set."] for key in body if key in ("status", "seller")})


def test_status_cannot_be_set_on_create(as_user, owner):
    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, {**valid_body(), "status": "published"}, format="json")

    assert_error(response, 400, "validation_error", fields={"status": ["This field cannot be set."]})


@pytest.mark.parametrize("status", [S.ARCHIVED, S.REJECTED])
def test_archived_or_rejected_listing_cannot_be_edited(as_user, make_listing, owner, status):
    listing = make_listing(status)
    label = S(status).label

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), {"title": "Back again", "stock": 5}, format="json")

    assert_error(response, 409, "not_editable", message=f"A {label} listing cannot be edited.")


@pytest.mark.parametrize("status", [S.DRAFT, S.CHANGES_REQUESTED, S.SUSPENDED])
def test_listing_not_live_is_edited_in_place(as_user, make_listing, owner, status):
    listing = make_listing(status)

    response = as_user(owner).patch(detail_url(listing), {"title": "Renamed"}, format="json")

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.title, listing.status, listing.pending_changes) == ("Renamed", status, None)


# --- review of changes to a published listing -----------------------------------------------------

def public_view(api_client, listing) -> dict:
    return api_client.get(detail_url(listing)).json()


def test_changes_to_a_published_listing_wait_for_review_then_approve_applies_them(
        as_user, api_client, published, owner, moderator):
    response = as_user(owner).patch(detail_url(published), {
        "title": "Linen tablecloth, stonewashed", "price_tiers": [{"min_quantity": 50, "unit_price": "11.00"}],
        "incoterms": ["CIF"], "stock": 42}, format="json")

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["has_pending_changes"]) == ("Linen tablecloth", True)
    listing = Listing.objects.get(pk=published.pk)
    assert (listing.title, listing.status, listing.stock, listing.price_from) == (
        "Linen tablecloth", S.PUBLISHED, 42, Decimal("10.50"))
    assert listing.pending_changes == {
        "scalars": {"title": "Linen tablecloth, stonewashed"}, "incoterms": ["CIF"],
        "price_tiers": [[50, "11.00"]], "ships_to_countries": None, "certificates": None}
    public = public_view(api_client, published)
    assert (public["title"], public["price_from"], public["incoterms"], public["stock"]) == (
        "Linen tablecloth", "10.50", ["EXW", "FOB"], 42)
    assert [row["title"] for row in api_client.get(LISTINGS).json()["results"]] == ["Linen tablecloth"]

    response = as_user(moderator).post(f"{detail_url(published)}approve/", {}, format="json")

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.title, listing.status, listing.price_from, listing.pending_changes, listing.stock) == (
        "Linen tablecloth, stonewashed", S.PUBLISHED, Decimal("11.00"), None, 42)
    assert tiers(listing) == [(50, Decimal("11.00"))]
    public = public_view(api_client, published)
    assert (public["title"], public["price_from"], public["incoterms"], public["has_pending_changes"]) == (
        "Linen tablecloth, stonewashed", "11.00", ["CIF"], False)
    decision = ListingDecision.objects.get()
    assert (decision.actor, decision.from_status, decision.to_status, decision.applied_changes) == (
        moderator, S.PUBLISHED, S.PUBLISHED, True)


def test_successive_edits_are_merged_into_one_change_set(as_user, published, owner):
    as_user(owner).patch(detail_url(published), {"title": "First"}, format="json")
    as_user(owner).patch(detail_url(published), {"moq": 60}, format="json")

    assert Listing.objects.get(pk=published.pk).pending_changes == {
        "scalars": {"title": "First", "moq": 60}, "incoterms": None, "price_tiers": None,
        "ships_to_countries": None, "certificates": None}


@pytest.mark.parametrize("name", ["reject", "request-changes"])
def test_turning_changes_down_discards_them_and_keeps_the_approved_version(as_user, api_client, published, owner,
                                                                          moderator, name):
    as_user(owner).patch(detail_url(published), {"title": "Cheapest linen ever"}, format="json")

    with assert_unchanged():
        assert_error(as_user(moderator).post(f"{detail_url(published)}{name}/", {}, format="json"), 400,
                     "validation_error", fields={"reason": ["A reason is required for this decision."]})

    response = as_user(moderator).post(f"{detail_url(published)}{name}/", {"reason": "Superlatives"},
                                       format="json")

    assert response.status_code == 200
    listing = Listing.objects.get(pk=published.pk)
    assert (listing.title, listing.status, listing.status_reason, listing.pending_changes) == (
        "Linen tablecloth", S.PUBLISHED, "Superlatives", None)
    decision = ListingDecision.objects.get()
    assert (decision.from_status, decision.to_status, decision.reason, decision.applied_changes) == (
        S.PUBLISHED, S.PUBLISHED, "Superlatives", False)
    assert public_view(api_client, published)["title"] == "Linen tablecloth"
    assert [(d["reason"], d["applied_changes"]) for d in
            as_user(owner).get(f"{detail_url(published)}decisions/").json()["results"]] == [("Superlatives", False)]


def test_stock_edits_apply_at_once_without_review(as_user, api_client, published, owner):
    response = as_user(owner).patch(detail_url(published), {"stock": 7}, format="json")

    assert response.status_code == 200
    listing = Listing.objects.get(pk=published.pk)
    assert (listing.stock, listing.pending_changes, listing.status) == (7, None, S.PUBLISHED)
    assert public_view(api_client, published)["stock"] == 7
    assert ListingDecision.objects.count() == 0


def test_an_invalid_change_to_a_published_listing_is_refused_whole(as_user, published, owner):
    with assert_unchanged():
        response = as_user(owner).patch(detail_url(published), {"stock": 9, "moq": 10}, format="json")

    assert_error(response, 400, "validation_error", fields={"price_tiers": [
        "The first price tier must start at or below the minimum order quantity."]})


def test_suspending_ends_the_waiting_changes(as_user, published, owner, moderator):
    """Changes waiting on a published listing end when it is suspended: the seller then edits the
    listing itself and submits it again, and approving it does not bring the old changes back."""
    as_user(owner).patch(detail_url(published), {"title": "Old idea"}, format="json")

    as_user(moderator).post(f"{detail_url(published)}suspend/", {"reason": "Check the origin"}, format="json")

    listing = Listing.objects.get(pk=published.pk)
    assert (listing.status, listing.pending_changes, listing.pending_changes_at) == (S.SUSPENDED, None, None)
    as_user(owner).patch(detail_url(published), {"title": "Linen tablecloth from Denizli"}, format="json")
    as_user(owner).post(f"{detail_url(published)}submit/", {}, format="json")
    as_user(moderator).post(f"{detail_url(published)}approve/", {}, format="json")
    listing.refresh_from_db()
    assert (listing.title, listing.status, listing.pending_changes) == (
        "Linen tablecloth from Denizli", S.PUBLISHED, None)
    assert as_user(moderator).get("/api/v1/moderation/listings/", {"kind": "changes"}).json()["count"] == 0


def test_archiving_discards_waiting_changes(published, owner):
    services.listing_update(listing=published, actor=owner, data={"title": "Never mind"})

    services.listing_archive(listing=published, actor=owner)

    listing = Listing.objects.get(pk=published.pk)
    assert (listing.title, listing.status, listing.pending_changes) == ("Linen tablecloth", S.ARCHIVED, None)


# --- decisions and reports ------------------------------------------------------------------------

def test_every_decision_of_a_life_is_recorded_and_shown_to_the_seller(as_user, draft, owner, moderator):
    steps = [(owner, "submit", {}), (moderator, "request-changes", {"reason": "Add dimensions"}),
             (owner, "submit", {}), (moderator, "approve", {}), (moderator, "suspend", {"reason": "Complaint"}),
             (owner, "submit", {}), (moderator, "reject", {"reason": "Still wrong"}), (owner, "archive", {})]
    for actor, name, body in steps:
        assert as_user(actor).post(f"{detail_url(draft)}{name}/", body, format="json").status_code == 200

    expected = [
        (owner.email, "draft", "pending_review", ""),
        (moderator.email, "pending_review", "changes_requested", "Add dimensions"),
        (owner.email, "changes_requested", "pending_review", ""),
        (moderator.email, "pending_review", "published", ""),
        (moderator.email, "published", "suspended", "Complaint"),
        (owner.email, "suspended", "pending_review", ""),
        (moderator.email, "pending_review", "rejected", "Still wrong"),
        (owner.email, "rejected", "archived", ""),
    ]
    assert list(ListingDecision.objects.order_by("pk").values_list(
        "actor__email", "from_status", "to_status", "reason")) == expected
    rows = as_user(owner).get(f"{detail_url(draft)}decisions/").json()["results"]
    assert [(r["actor_email"], r["from_status"], r["to_status"], r["reason"]) for r in rows] == expected[::-1]


def test_buyer_report_reaches_the_queue_and_cannot_be_filed_twice(as_user, published, buyer, moderator):
    response = as_user(buyer).post(f"{detail_url(published)}report/", {"reason": "Counterfeit"}, format="json")
    assert response.status_code == 201

    rows = as_user(moderator).get("/api/v1/moderation/listings/", {"kind": "reported"}).json()["results"]
    assert [(r["id"], r["open_reports"]) for r in rows] == [(published.pk, 1)]

    with assert_unchanged():
        response = as_user(buyer).post(f"{detail_url(published)}report/", {"reason": "Again"}, format="json")
    assert_error(response, 409, "duplicate_report", message="You have already reported this listing.")
    assert ListingReport.objects.count() == 1


def test_only_published_listings_can_be_reported(make_listing, buyer):
    listing = make_listing(S.DRAFT)

    with assert_unchanged(), pytest.raises(Conflict) as exc:
        services.listing_report(listing=listing, reporter=buyer, reason="Odd")
    assert exc.value.message == "Only published listings can be reported."

