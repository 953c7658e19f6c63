"""Identity changes of a verified company wait for a moderator; the reviewed identity stays until then."""
from __future__ import annotations

import pytest

from accounts import services
from accounts.models import Company, CompanyKind, VerificationDecision
from accounts.models import VerificationStatus as S
from core.exceptions import ApplicationError, Forbidden
from marketplace import services as listing_services
from marketplace.models import ListingStatus
from notifications.models import Channel, Delivery
from tests.accounts.helpers import assert_unchanged, set_status
from tests.core.helpers import assert_error
from tests.factories.marketplace import ListingFactory

COMPANIES = "/api/v1/companies/"


def url(company, suffix: str = "") -> str:
    return f"{COMPANIES}{company.pk}/{suffix}"


@pytest.fixture
def verified_a(world):
    set_status(world.a, S.VERIFIED)
    return world


def test_a_new_legal_name_of_a_verified_company_waits_for_review_and_the_old_one_is_shown(
        verified_a, as_user, api_client):
    w = verified_a

    response = as_user(w.owner_a).patch(url(w.a), {"legal_name": "Alpha Textiles Holding"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["legal_name"], body["verification_status"], body["pending_changes"]) == (
        "Alpha Textiles", "verified", {"legal_name": "Alpha Textiles Holding"})
    company = Company.objects.get(pk=w.a.pk)
    assert (company.legal_name, company.verification_status) == ("Alpha Textiles", S.VERIFIED)
    as_user(None)
    public = api_client.get(url(w.a)).json()
    assert (public["legal_name"], public["pending_changes"], public["confusable_with"]) == (
        "Alpha Textiles", None, None)


def test_a_moderator_approves_the_new_identity_and_the_decision_is_recorded(verified_a, as_user):
    w = verified_a
    as_user(w.owner_a).patch(url(w.a), {"legal_name": "Alpha Textiles Holding", "registration_number": "NEW-9",
                                        "address": "New street 1"}, format="json")

    queue = as_user(w.moderator).get("/api/v1/moderation/companies/").json()["results"]
    response = as_user(w.moderator).post(url(w.a, "approve-identity/"), {"reason": "Trade register checked"},
                                         format="json")

    assert [row["id"] for row in queue] == [w.a.pk]
    assert queue[0]["pending_changes"] == {"legal_name": "Alpha Textiles Holding", "registration_number": "NEW-9"}
    assert response.status_code == 200
    body = response.json()
    assert (body["legal_name"], body["registration_number"], body["address"], body["verification_status"],
            body["pending_changes"]) == ("Alpha Textiles Holding", "NEW-9", "New street 1", "verified", None)
    decision = VerificationDecision.objects.get(company=w.a)
    assert (decision.actor, decision.from_status, decision.to_status, decision.reason, decision.identity_changes,
            decision.applied_changes) == (w.moderator, S.VERIFIED, S.VERIFIED, "Trade register checked",
                                          {"legal_name": "Alpha Textiles Holding", "registration_number": "NEW-9"},
                                          True)
    history = as_user(w.owner_a).get(url(w.a, "verification-history/")).json()["results"]
    assert [(h["actor_email"], h["identity_changes"], h["applied_changes"]) for h in history] == [
        (w.moderator.email, {"legal_name": "Alpha Textiles Holding", "registration_number": "NEW-9"}, True)]
    assert list(Delivery.objects.filter(recipient=w.owner_a, channel=Channel.IN_APP).values_list(
        "event__name", flat=True)) == ["company.identity_decided"]
    assert list(Delivery.objects.filter(recipient=w.moderator, channel=Channel.IN_APP).values_list(
        "event__name", flat=True)) == ["company.identity_changed"]


def test_a_moderator_rejects_the_new_identity_with_a_reason_and_the_old_one_stays(verified_a, as_user):
    w = verified_a
    as_user(w.owner_a).patch(url(w.a), {"country": "JP"}, format="json")  # JP: tax numbers not checked

    missing = as_user(w.moderator).post(url(w.a, "reject-identity/"), {}, format="json")
    response = as_user(w.moderator).post(url(w.a, "reject-identity/"), {"reason": "No proof of the move"},
                                         format="json")

    assert_error(missing, 400, "validation_error", message="A reason is required for this decision.",
                 fields={"reason": ["This field is required."]})
    assert response.status_code == 200
    company = Company.objects.get(pk=w.a.pk)
    assert (company.country.code, company.pending_changes, company.verification_status) == ("TR", None, S.VERIFIED)
    assert list(VerificationDecision.objects.values_list("reason", "identity_changes", "applied_changes")) == [
        ("No proof of the move", {"country": "JP"}, False)]


def test_a_verified_buyer_that_becomes_a_seller_cannot_submit_listings_before_approval(verified_a, as_user):
    w = verified_a
    Company.objects.filter(pk=w.a.pk).update(kind=CompanyKind.BUYER)

    response = as_user(w.owner_a).patch(url(w.a), {"kind": "seller"}, format="json")
    company = Company.objects.get(pk=w.a.pk)

    assert (response.json()["kind"], response.json()["pending_changes"]) == ("buyer", {"kind": "seller"})
    assert (company.kind, company.sells, company.can_publish_listings) == (CompanyKind.BUYER, False, False)
    with pytest.raises(Forbidden):
        listing_services.listing_create(seller=company, actor=w.owner_a, data={"title": "Towel"})

    services.company_identity_approve(company=company, actor=w.moderator)
    company.refresh_from_db()
    listing = ListingFactory(seller=company, actor=w.owner_a, status=ListingStatus.DRAFT)
    listing_services.listing_submit(listing=listing, actor=w.owner_a)

    assert (company.kind, listing.__class__.objects.get(pk=listing.pk).status) == (
        CompanyKind.SELLER, ListingStatus.PENDING_REVIEW)


def test_changing_back_to_the_reviewed_value_withdraws_the_change(verified_a, as_user):
    w = verified_a
    as_user(w.owner_a).patch(url(w.a), {"legal_name": "Alpha Two", "kind": "buyer"}, format="json")

    response = as_user(w.owner_a).patch(url(w.a), {"legal_name": "Alpha Textiles"}, format="json")

    assert response.json()["pending_changes"] == {"kind": "buyer"}
    response = as_user(w.owner_a).patch(url(w.a), {"kind": "seller"}, format="json")
    assert response.json()["pending_changes"] is None
    assert Company.objects.get(pk=w.a.pk).pending_changes_at is None


def test_other_fields_of_a_verified_company_apply_at_once(verified_a, as_user):
    w = verified_a

    response = as_user(w.owner_a).patch(url(w.a), {"description": "We weave.", "address": "Loom road 2"},
                                        format="json")

    assert (response.json()["description"], response.json()["pending_changes"]) == ("We weave.", None)
    assert Company.objects.get(pk=w.a.pk).address == "Loom road 2"


def test_an_unverified_company_changes_its_identity_at_once(world, as_user):
    response = as_user(world.owner_a).patch(url(world.a), {"legal_name": "Alpha Renamed"}, format="json")

    assert (response.json()["legal_name"], response.json()["pending_changes"]) == ("Alpha Renamed", None)


def test_a_pending_registration_number_taken_in_the_country_is_refused(verified_a, as_user, company_b):
    w = verified_a
    Company.objects.filter(pk=company_b.pk).update(country="TR", registration_number="TAKEN-1")

    with assert_unchanged():
        response = as_user(w.owner_a).patch(url(w.a), {"registration_number": "TAKEN-1"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["registration_number"]


@pytest.mark.parametrize("who", ["owner_a", "owner_b"])
def test_only_an_outside_moderator_decides_on_identity_changes(verified_a, as_user, moderator_member_of_a, who):
    w = verified_a
    services.company_update(company=w.a, actor=w.owner_a, data={"legal_name": "Alpha Next"})

    with assert_unchanged():
        refused = [as_user(user).post(url(w.a, "approve-identity/"), {}, format="json")
                   for user in (getattr(w, who), moderator_member_of_a)]

    assert [r.status_code for r in refused] == [403, 403]
    assert Company.objects.get(pk=w.a.pk).legal_name == "Alpha Textiles"


def test_approving_without_waiting_changes_is_a_conflict(verified_a, as_user):
    with assert_unchanged():
        response = as_user(verified_a.moderator).post(url(verified_a.a, "approve-identity/"), {}, format="json")

    assert_error(response, 409, "invalid_transition",
                 message="This company has no identity changes waiting for review.")


def test_a_change_is_held_for_a_suspended_company_too(verified_a):
    w = verified_a
    services.company_suspend(company=w.a, actor=w.moderator, reason="Unpaid fees")

    company = services.company_update(company=Company.objects.get(pk=w.a.pk), actor=w.owner_a,
                                      data={"legal_name": "Alpha Fresh Start"})

    assert (company.legal_name, company.pending_changes) == ("Alpha Textiles", {"legal_name": "Alpha Fresh Start"})
    with pytest.raises(ApplicationError):
        services.company_identity_reject(company=company, actor=w.moderator, reason="")
