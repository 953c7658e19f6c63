"""Plain-text e-mail bodies and subjects are not HTML-escaped; HTML bodies are. Both ways e-mail is
sent are covered: the notification channel and core.emails.email_send."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail

from accounts.models import VerificationStatus
from core.emails import email_render, email_send
from marketplace import services
from marketplace.models import Listing, ListingStatus
from notifications.models import Delivery
from notifications.tasks import delivery_send
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory

pytestmark = pytest.mark.django_db

NAME = 'Seller <img src=x> & "Co"'
ESCAPED = "Seller &lt;img src=x&gt; &amp; &quot;Co&quot;"


def test_a_notification_email_keeps_the_title_as_written_in_text_and_escapes_it_in_html(moderator):
    company = CompanyFactory(legal_name="Bursa Towels", verification_status=VerificationStatus.VERIFIED)
    owner = MembershipFactory(company=company).user
    listing = ListingFactory(seller=company, status=ListingStatus.PENDING_REVIEW)
    Listing.objects.filter(pk=listing.pk).update(title=NAME)  # as if it had slipped past the validation
    listing.refresh_from_db()
    services.listing_reject(listing=listing, actor=moderator, reason="Photos <b>copied</b>")

    assert delivery_send(Delivery.objects.get(channel="email", recipient=owner).pk) == "sent"

    [message] = mail.outbox
    assert message.subject == f"Your listing {NAME} was reviewed"
    assert message.body.splitlines()[:3] == [f"A moderator moved {NAME} to: Rejected.", "",
                                             "Reason: Photos <b>copied</b>"]
    html = message.alternatives[0][0]
    assert f"<p>A moderator moved {ESCAPED} to: Rejected.</p>" in html
    assert "<p>Reason: Photos &lt;b&gt;copied&lt;/b&gt;</p>" in html
    assert "<img" not in html


def test_email_send_renders_subject_and_text_unescaped(db):
    context = {"company": SimpleNamespace(legal_name=NAME),
               "decision": SimpleNamespace(get_to_status_display="Verified", reason="")}

    email_send(template="accounts/email/verification_decision", to=["owner@example.com"], context=context)

    [message] = mail.outbox
    assert message.subject == f"{NAME}: verification Verified"
    assert message.body.startswith(f"The verification status of {NAME} is now: Verified.\n")
    html = message.alternatives[0][0]
    assert f"The verification status of {ESCAPED} is now: <strong>Verified</strong>." in html


def test_email_render_is_the_one_renderer():
    rendered = email_render(template="notifications/email/listing_decided",
                            context={"summary": NAME, "title": NAME, "reason": "", "path": ""})

    assert rendered.subject == f"Your listing {NAME} was reviewed"
    assert rendered.text.strip() == NAME
    assert f"<p>{ESCAPED}</p>" in rendered.html
