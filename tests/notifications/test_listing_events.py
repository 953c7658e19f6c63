"""Moderators' listing decisions notify the seller's members, and buyers' reports the moderators, in the
transaction of the decision or the report."""
from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import VerificationStatus
from core.exceptions import ApplicationError
from marketplace import services
from marketplace.models import Listing, ListingDecision, ListingReport, ListingStatus
from notifications import events
from notifications.models import Delivery, Event, WebhookEndpoint
from notifications.selectors import notification_text
from notifications.services import preference_set
from notifications.tasks import delivery_send
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory

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
    assert notification_text(in_app) == "Your changes to Cotton towel were turned down. Reason: Prove the organic claim"


def test_a_refused_decision_notifies_no_one(seller, moderator):
    company, _owner, _staff = seller
    listing = ListingFactory(seller=company)  # a draft cannot be approved

    with pytest.raises(ApplicationError), transaction.atomic():
        services.listing_approve(listing=listing, actor=moderator)

    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


# --- listing.reported: a buyer's report reaches the moderators ---------------------------------------

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def reported(seller):
    """A published listing of the seller and a buyer who may report it."""
    company, _owner, _staff = seller
    listing = PublishedListingFactory(seller=company, title="Cotton towel")
    buyer = MembershipFactory(company=CompanyFactory(legal_name="Gamma Handel GmbH")).user
    return listing, buyer


def test_a_report_tells_every_active_moderator_in_the_app_and_by_email(seller, reported, moderator, admin_user):
    listing, buyer = reported
    ModeratorFactory(is_active=False)

    report = services.listing_report(listing=listing, reporter=buyer, reason="Copied photos")

    event = Event.objects.get()
    assert (event.name, event.company, event.context) == ("listing.reported", None, {
        "listing_id": listing.pk, "listing_title": "Cotton towel", "report_id": report.pk,
        "reason": "Copied photos"})
    assert sorted(Delivery.objects.values_list("channel", "recipient_id", "endpoint_id")) == sorted([
        ("email", moderator.pk, None), ("in_app", moderator.pk, None),
        ("email", admin_user.pk, None), ("in_app", admin_user.pk, None)])


def test_a_report_goes_to_no_webhook_of_the_seller(seller, reported, moderator):
    company, _owner, _staff = seller
    listing, buyer = reported
    WebhookEndpoint.objects.create(company=company, url="https://seller.example/h", secret="s",
                                   events=["listing.decided"])

    services.listing_report(listing=listing, reporter=buyer, reason="Copied photos")

    assert not Delivery.objects.filter(channel="webhook").exists()
    assert events.get("listing.reported").webhook is False


@pytest.mark.parametrize("case", ["duplicate", "own_listing", "not_published", "markup_in_reason"])
def test_a_refused_report_tells_no_one(seller, reported, moderator, case):
    company, owner, _staff = seller
    listing, buyer = reported
    reporter, reason = buyer, "Copied photos"
    if case == "duplicate":
        services.listing_report(listing=listing, reporter=buyer, reason="First report")
    elif case == "own_listing":
        reporter = owner
    elif case == "not_published":
        listing = ListingFactory(seller=company)
    else:
        reason = "<b>bold</b>"
    before = (ListingReport.objects.count(), Event.objects.count(), Delivery.objects.count())

    with pytest.raises(ApplicationError):
        services.listing_report(listing=listing, reporter=reporter, reason=reason)

    assert (ListingReport.objects.count(), Event.objects.count(), Delivery.objects.count()) == before


def test_the_report_email_and_the_in_app_page_escape_the_title_and_the_reason(seller, reported, moderator, client):
    listing, buyer = reported
    Listing.objects.filter(pk=listing.pk).update(title=HOSTILE)  # as if it had slipped past the validation
    listing.refresh_from_db()
    services.listing_report(listing=listing, reporter=buyer, reason='It says "> and <3 & more')

    assert delivery_send(Delivery.objects.get(channel="email", recipient=moderator).pk) == "sent"

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; was reported by a buyer.</p>" in html
    assert "<p>Reason: It says &quot;&gt; and &lt;3 &amp; more</p>" in html
    assert '<a href="http://127.0.0.1:8000/moderation/listings/">Open reports</a>' in html
    assert message.subject == "<script>alert(1)</script> was reported by a buyer."
    assert 'Reason: It says "> and <3 & more' in message.body

    client.force_login(moderator)
    page = client.get("/notifications/").content.decode()
    assert "<script>alert" not in page
    assert ('<span class="notification-text">&lt;script&gt;alert(1)&lt;/script&gt; was reported by a buyer.</span>'
            in page)


def test_the_report_email_is_in_the_moderators_language(seller, reported):
    listing, buyer = reported
    moderator = ModeratorFactory(preferred_language="tr")

    services.listing_report(listing=listing, reporter=buyer, reason="Copied photos")

    assert delivery_send(Delivery.objects.get(channel="email", recipient=moderator).pk) == "sent"
    [message] = mail.outbox
    assert message.subject == "Cotton towel bir alıcı tarafından şikâyet edildi."
    assert "Gerekçe: Copied photos" in message.body


def test_a_report_resolved_before_the_email_goes_out_is_not_mailed(seller, reported, moderator, admin_user):
    listing, buyer = reported
    report = services.listing_report(listing=listing, reporter=buyer, reason="Copied photos")
    services.listing_report_resolve(report=report, actor=admin_user)

    assert delivery_send(Delivery.objects.get(channel="email", recipient=moderator).pk) == "cancelled"
    assert mail.outbox == []


def test_a_moderator_may_switch_the_report_email_off(seller, reported, moderator):
    listing, buyer = reported
    preference_set(user=moderator, event="listing.reported", channel="email", enabled=False)

    services.listing_report(listing=listing, reporter=buyer, reason="Copied photos")

    assert list(Delivery.objects.values_list("channel", "recipient_id")) == [("in_app", moderator.pk)]
