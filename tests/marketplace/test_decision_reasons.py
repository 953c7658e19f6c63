"""A moderator's reason reaches the seller in every channel: the in-app line, the e-mail and the
webhook payload, for listing decisions and for company verification decisions."""
from __future__ import annotations

import json

import pytest
from django.core import mail

from accounts import services as accounts_services
from accounts.models import VerificationStatus
from marketplace import services
from marketplace.models import ListingStatus
from notifications.channels.webhook import payload
from notifications.models import Delivery, Event, WebhookEndpoint
from notifications.selectors import notification_text
from notifications.tasks import delivery_send
from notifications.webhooks import secret_generate
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    company = CompanyFactory(legal_name="Bursa Towels", verification_status=VerificationStatus.VERIFIED)
    owner = MembershipFactory(company=company).user
    WebhookEndpoint.objects.create(company=company, url="https://hooks.example.com/sme", secret=secret_generate(),
                                   events=["company.verification_decided", "listing.decided"])
    return company, owner


def _channels(owner):
    in_app = Delivery.objects.get(channel="in_app", recipient=owner)
    webhook = Delivery.objects.get(channel="webhook")
    return in_app, json.loads(payload(webhook.event))


def test_rejection_reason_in_app_email_and_webhook(seller, moderator):
    company, owner = seller
    listing = ListingFactory(seller=company, title="Cotton towel", status=ListingStatus.PENDING_REVIEW)

    services.listing_reject(listing=listing, actor=moderator, reason="Counterfeit brand")

    in_app, body = _channels(owner)
    assert notification_text(in_app) == "A moderator moved Cotton towel to: Rejected. Reason: Counterfeit brand"
    assert (body["type"], body["data"]["to_status"], body["data"]["reason"]) == (
        "listing.decided", "rejected", "Counterfeit brand")
    assert delivery_send(Delivery.objects.get(channel="email", recipient=owner).pk) == "sent"
    [message] = mail.outbox
    assert message.body.splitlines()[:3] == ["A moderator moved Cotton towel to: Rejected.", "",
                                             "Reason: Counterfeit brand"]
    assert message.body.count("Counterfeit brand") == 1


def test_changes_requested_reason_in_app_and_webhook(seller, moderator):
    company, owner = seller
    listing = ListingFactory(seller=company, title="Cotton towel", status=ListingStatus.PENDING_REVIEW)

    services.listing_request_changes(listing=listing, actor=moderator, reason="Add a photo of the label")

    in_app, body = _channels(owner)
    assert notification_text(in_app) == ("A moderator moved Cotton towel to: Changes requested. "
                                          "Reason: Add a photo of the label")
    assert body["data"]["reason"] == "Add a photo of the label"


def test_declined_changes_reason_in_app(seller, moderator):
    company, owner = seller
    listing = ListingFactory(seller=company, status=ListingStatus.PUBLISHED, title="Cotton towel")
    services.listing_update(listing=listing, actor=owner, data={"title": "Organic cotton towel"})

    services.listing_request_changes(listing=listing, actor=moderator, reason="Prove the organic claim")

    in_app, body = _channels(owner)
    assert notification_text(in_app) == ("Your changes to Cotton towel were turned down. "
                                          "Reason: Prove the organic claim")
    assert (body["data"]["changes_reviewed"], body["data"]["reason"]) == (True, "Prove the organic claim")


def test_approval_without_reason_has_no_reason_line(seller, moderator):
    company, owner = seller
    listing = ListingFactory(seller=company, title="Cotton towel", status=ListingStatus.PENDING_REVIEW)

    services.listing_approve(listing=listing, actor=moderator)

    in_app, body = _channels(owner)
    assert notification_text(in_app) == "A moderator moved Cotton towel to: Published."
    assert body["data"]["reason"] == ""


def test_company_verification_rejection_reason_everywhere(seller, moderator):
    company, owner = seller
    company.verification_status = VerificationStatus.PENDING
    company.save()

    accounts_services.company_reject(company=company, actor=moderator, reason="The registry number does not match")

    in_app, body = _channels(owner)
    assert notification_text(in_app) == ("The verification status of Bursa Towels is now: Rejected. "
                                          "Reason: The registry number does not match")
    assert (body["type"], body["data"]["reason"]) == ("company.verification_decided",
                                                      "The registry number does not match")
    assert delivery_send(Delivery.objects.get(channel="email", recipient=owner).pk) == "sent"
    [message] = mail.outbox
    assert "Reason: The registry number does not match" in message.body
    assert Event.objects.count() == 1
