"""Moderators' listing decisions notify the seller's members, in the decision's transaction."""
from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import VerificationStatus
from core.exceptions import ApplicationError
from marketplace import services
from marketplace.models import ListingDecision, ListingStatus
from notifications.models import Delivery, Event
from notifications.selectors import notification_text
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    company = CompanyFactory(legal_name="Bursa Towels", verification_status=VerificationStatus.VERIFIED)
    owner = MembershipFactory(company=company).user
    staff = MembershipFactory(company=company, role="staff").user
    return company, owner, staff


def test_approval_notifies_every_seller_member(seller, moderator):
    company, owner, staff = seller
    listing = ListingFactory(seller=company, title="Cotton towel", status=ListingStatus.PENDING_REVIEW)

    services.listing_approve(listing=listing, actor=moderator)

    event = Event.objects.get(name="listing.decided")
    decision = ListingDecision.objects.get(listing=listing)
    assert (event.company, event.context) == (company, {
        "listing_id": listing.pk, "listing_title": "Cotton towel", "decision_id": decision.pk,
        "from_status": "pending_review", "to_status": "published", "reason": "", "changes_reviewed": False,
        "applied_changes": False})
    assert sorted(Delivery.objects.values_list("channel", "recipient_id")) == sorted([
        ("email", owner.pk), ("in_app", owner.pk), ("email", staff.pk), ("in_app", staff.pk)])


def test_seller_moves_notify_no_one(seller):
    company, owner, _staff = seller
    listing = ListingFactory(seller=company)

    services.listing_submit(listing=listing, actor=owner)
    services.listing_archive(listing=listing, actor=owner)

    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


def test_rejection_carries_the_reason(seller, moderator):
    company, owner, _staff = seller
    listing = ListingFactory(seller=company, status=ListingStatus.PENDING_REVIEW)

    services.listing_reject(listing=listing, actor=moderator, reason="Counterfeit brand")

    context = Event.objects.get().context
    assert (context["to_status"], context["reason"]) == ("rejected", "Counterfeit brand")


def test_review_of_pending_changes_is_an_event_too(seller, moderator):
    company, owner, _staff = seller
    listing = ListingFactory(seller=company, status=ListingStatus.PUBLISHED, title="Cotton towel")
    services.listing_update(listing=listing, actor=owner, data={"title": "Organic cotton towel"})

    services.listing_request_changes(listing=listing, actor=moderator, reason="Prove the organic claim")

    context = Event.objects.get().context
    assert (context["changes_reviewed"], context["applied_changes"], context["to_status"], context["reason"]) == (
        True, False, "published", "Prove the organic claim")
    in_app = Delivery.objects.get(channel="in_app", recipient=owner)
    assert notification_text(in_app) == "Your changes to Cotton towel were turned down."


def test_a_refused_decision_notifies_no_one(seller, moderator):
    company, _owner, _staff = seller
    listing = ListingFactory(seller=company)  # a draft cannot be approved

    with pytest.raises(ApplicationError), transaction.atomic():
        services.listing_approve(listing=listing, actor=moderator)

    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)
