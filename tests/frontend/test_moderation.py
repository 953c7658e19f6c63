"""The moderators' page: the queue, verify / reject, suspend / reinstate, and its query count."""
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import Company, VerificationDecision, VerificationStatus
from tests.factories.accounts import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _state(company: Company) -> tuple:
    company.refresh_from_db()
    return company.verification_status, company.verification_reason, company.verification_changed_at


@pytest.fixture
def moderator_client(client_as, moderator):
    return client_as(moderator)


@pytest.fixture
def queued(pending_company):
    """A pending company with an owner, named Alpha Textiles."""
    company = pending_company(legal_name="Alpha Textiles", country="TR")
    owner = MembershipFactory(company=company).user
    return company, owner


def test_queue_lists_pending_companies_oldest_first(moderator_client, pending_company):
    now = timezone.now()
    newest = pending_company(legal_name="Newest", verification_changed_at=now)
    oldest = pending_company(legal_name="Oldest", verification_changed_at=now - timedelta(days=2))
    middle = pending_company(legal_name="Middle", verification_changed_at=now - timedelta(days=1))
    CompanyFactory(legal_name="Not asking", verification_status=VerificationStatus.UNVERIFIED)

    response = moderator_client.get("/moderation/companies/")

    assert list(response.context["pending"]) == [oldest, middle, newest]
    assertContains(response, f'action="/moderation/companies/{oldest.pk}/verify/"')
    assertContains(response, f'action="/moderation/companies/{oldest.pk}/reject/"')
    assertNotContains(response, "Not asking")


def test_empty_queue(moderator_client):
    response = moderator_client.get("/moderation/companies/")

    assertContains(response, 'id="queue-empty"')


def test_moderator_verifies_a_company(moderator_client, moderator, queued, django_capture_on_commit_callbacks):
    company, owner = queued

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(f"/moderation/companies/{company.pk}/verify/", {"reason": ""})

    assertRedirects(response, "/moderation/companies/", fetch_redirect_response=False)
    assert _state(company)[:2] == ("verified", "")
    decision = VerificationDecision.objects.get()
    assert (decision.company, decision.actor, decision.from_status, decision.to_status, decision.reason) == (
        company, moderator, "pending", "verified", "")
    assert decision.email_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert mail.outbox[0].subject == "Alpha Textiles: verification Verified"
    page = moderator_client.get("/moderation/companies/")
    assert _messages(page) == ["Alpha Textiles is now verified."]
    assert list(page.context["pending"]) == []


def test_moderator_rejects_with_a_reason(moderator_client, queued, django_capture_on_commit_callbacks):
    company, owner = queued

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(f"/moderation/companies/{company.pk}/reject/",
                                         {"reason": "  The registration number is not in the registry. "},
                                         follow=True)

    assert _messages(response) == ["Alpha Textiles was rejected."]
    assert _state(company)[:2] == ("rejected", "The registration number is not in the registry.")
    assert list(VerificationDecision.objects.values_list("from_status", "to_status", "reason")) == [
        ("pending", "rejected", "The registration number is not in the registry.")]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Alpha Textiles: verification Rejected"
    assert "Reason: The registration number is not in the registry." in mail.outbox[0].body


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_a_reason_changes_nothing(moderator_client, queued, reason, django_capture_on_commit_callbacks):
    company, _owner = queued
    before = _state(company)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = moderator_client.post(f"/moderation/companies/{company.pk}/reject/", {"reason": reason},
                                         follow=True)

    assert _messages(response) == ["Alpha Textiles: A reason is required for this decision."]
    assert _state(company) == before
    assert VerificationDecision.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_reject_form_marks_the_reason_as_required(moderator_client, queued):
    company, _owner = queued

    response = moderator_client.get("/moderation/companies/")

    assertContains(response, f'<textarea id="reject-reason-{company.pk}" name="reason" rows="2" maxlength="2000" '
                             f'required></textarea>', html=True)


def test_too_long_reason_changes_nothing(moderator_client, queued):
    company, _owner = queued
    before = _state(company)

    response = moderator_client.post(f"/moderation/companies/{company.pk}/reject/", {"reason": "x" * 2001},
                                     follow=True)

    assert _messages(response) == ["Ensure this value has at most 2000 characters (it has 2001)."]
    assert _state(company) == before


def test_verifying_a_company_that_did_not_ask_changes_nothing(moderator_client):
    company = CompanyFactory(legal_name="Quiet Ltd", verification_status=VerificationStatus.UNVERIFIED)
    before = _state(company)

    response = moderator_client.post(f"/moderation/companies/{company.pk}/verify/", follow=True)

    assert _messages(response) == ["Quiet Ltd: A company cannot go from unverified to verified."]
    assert _state(company) == before
    assert VerificationDecision.objects.count() == 0


def test_moderator_cannot_decide_on_their_own_company(moderator_client, moderator, queued):
    company, _owner = queued
    MembershipFactory(company=company, user=moderator, role="staff")
    before = _state(company)

    response = moderator_client.post(f"/moderation/companies/{company.pk}/verify/", follow=True)

    assert _messages(response) == ["Alpha Textiles: A moderator cannot decide on their own company."]
    assert _state(company) == before
    assert VerificationDecision.objects.count() == 0


def test_action_on_an_unknown_company_is_404(moderator_client):
    assert moderator_client.post("/moderation/companies/999999/verify/").status_code == 404


def test_verified_list_with_suspend_and_suspended_list_with_reinstate(moderator_client):
    verified = CompanyFactory(legal_name="Shown Verified", verification_status=VerificationStatus.VERIFIED)
    suspended = CompanyFactory(legal_name="Shown Suspended", verification_status=VerificationStatus.SUSPENDED)

    default = moderator_client.get("/moderation/companies/")
    assert list(default.context["page"].object_list) == [verified]
    assertContains(default, f'action="/moderation/companies/{verified.pk}/suspend/"')
    assertNotContains(default, "Shown Suspended")

    only_suspended = moderator_client.get("/moderation/companies/?status=suspended")
    assert list(only_suspended.context["page"].object_list) == [suspended]
    assertContains(only_suspended, f'action="/moderation/companies/{suspended.pk}/reinstate/"')
    assertNotContains(only_suspended, "Shown Verified")


def test_country_filter(moderator_client):
    turkish = CompanyFactory(country="TR", verification_status=VerificationStatus.VERIFIED)
    CompanyFactory(country="CN", verification_status=VerificationStatus.VERIFIED)

    response = moderator_client.get("/moderation/companies/?status=verified&country=TR")

    assert list(response.context["page"].object_list) == [turkish]


def test_suspend_then_reinstate(moderator_client, django_capture_on_commit_callbacks):
    company = CompanyFactory(legal_name="Gamma Foods", verification_status=VerificationStatus.VERIFIED)
    MembershipFactory(company=company)

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(f"/moderation/companies/{company.pk}/suspend/",
                                         {"reason": "Complaints about fake invoices.",
                                          "next": "/moderation/companies/?status=verified"})
    assertRedirects(response, "/moderation/companies/?status=verified", fetch_redirect_response=False)
    assert _state(company)[:2] == ("suspended", "Complaints about fake invoices.")
    assert _messages(moderator_client.get("/moderation/companies/?status=suspended")) == ["Gamma Foods is suspended."]

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(f"/moderation/companies/{company.pk}/reinstate/", follow=True)
    assert _messages(response) == ["Gamma Foods is verified again."]
    assert _state(company)[:2] == ("verified", "")
    assert [m.subject for m in mail.outbox] == ["Gamma Foods: verification Suspended",
                                                "Gamma Foods: verification Verified"]


def test_suspend_without_a_reason_changes_nothing(moderator_client):
    company = CompanyFactory(legal_name="Gamma Foods", verification_status=VerificationStatus.VERIFIED)
    before = _state(company)

    response = moderator_client.post(f"/moderation/companies/{company.pk}/suspend/", {"reason": ""}, follow=True)

    assert _messages(response) == ["Gamma Foods: A reason is required for this decision."]
    assert _state(company) == before


def test_action_ignores_a_foreign_next(moderator_client, queued):
    company, _owner = queued

    response = moderator_client.post(f"/moderation/companies/{company.pk}/verify/",
                                     {"next": "https://evil.example/"})

    assertRedirects(response, "/moderation/companies/", fetch_redirect_response=False)


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/moderation/companies/")
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_queue(moderator_client, pending_company):
    pending_company()
    CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    _page_queries(moderator_client)
    with_one = _page_queries(moderator_client)

    for _ in range(19):
        pending_company()
        CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    with_twenty = _page_queries(moderator_client)

    assert Company.objects.filter(verification_status=VerificationStatus.PENDING).count() == 20
    # ... and one for the documents shown beside each request (tests/frontend/test_verification_pages.py)
    # ... and one for the unread messages of the "Messages" link in the navigation
    assert with_twenty == with_one == 10
