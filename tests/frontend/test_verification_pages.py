"""The pages of verification with evidence: documents and number checks on my company and in the
moderators' queue, uploads typed by content, renewal, and query counts that do not grow."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts import services
from accounts.models import Company, VerificationDocument, VerificationStatus
from tests.accounts.helpers import give_evidence, pdf_bytes, png_bytes
from tests.factories.accounts import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def moderator_client(client_as, moderator):
    return client_as(moderator)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- my company -----------------------------------------------------------------------------------

def test_a_member_uploads_a_pdf_named_jpg_and_sees_it_listed(client_as, company_a, staff_a):
    client = client_as(staff_a)

    response = client.post("/my-company/documents/", {
        "kind": "registration_certificate",
        "file": SimpleUploadedFile("registry.jpg", pdf_bytes(), content_type="image/jpeg")})

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    document = VerificationDocument.objects.get(company=company_a)
    assert (document.content_type, document.original_name) == ("application/pdf", "registry.jpg")
    page = client.get("/my-company/")
    assert _messages(page) == [
        "The document is uploaded. Only your company's members and the moderators can open it."]
    assertContains(page, f'<a href="/verification-documents/{document.pk}/">Registration certificate</a>',
                   html=True)
    assertContains(page, f'action="/my-company/documents/{document.pk}/delete/"')


def test_an_executable_is_refused_with_a_form_error_and_nothing_stored(client_as, company_a, member_a):
    response = client_as(member_a).post("/my-company/documents/", {
        "kind": "registration_certificate",
        "file": SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")})

    assert response.status_code == 400
    assert response.context["document_form"].errors == {
        "file": ["Upload a PDF document or a PNG, JPEG, WebP or GIF image."]}
    assert VerificationDocument.objects.count() == 0


def test_a_request_without_evidence_says_what_is_missing(client_as, company_a, member_a):
    response = client_as(member_a).post("/my-company/verification/", follow=True)

    assert _messages(response) == ["Enter the company's tax number before asking for verification.",
                                   "Upload the company's registration certificate before asking for verification."]
    assert Company.objects.get(pk=company_a.pk).verification_status == VerificationStatus.UNVERIFIED


def test_a_bad_tax_number_on_the_profile_form_is_a_form_error(client_as, company_a, member_a):
    data = {"legal_name": company_a.legal_name, "country": "TR", "registration_number": company_a.registration_number,
            "tax_number": "12345", "address": company_a.address, "website": "", "description": "",
            "default_currency": "TRY", "preferred_language": "en", "kind": company_a.kind}

    response = client_as(member_a).post("/my-company/edit/", data)

    assert response.status_code == 200
    assert response.context["company_form"].errors == {"tax_number": [
        "A Turkish tax number (VKN) has 10 digits, the last one a check digit, for example 1234567890."]}
    assert Company.objects.get(pk=company_a.pk).tax_number == ""


def test_a_verified_member_asks_to_renew_and_stays_verified(client_as, company_a, member_a, moderator):
    give_evidence(company_a)
    services.company_verification_submit(company=company_a, actor=member_a)
    services.company_verify(company=company_a, actor=moderator)
    client = client_as(member_a)
    page = client.get("/my-company/")
    assertContains(page, 'id="renewal-form"')
    assertContains(page, "Verified until")

    response = client.post("/my-company/verification/", follow=True)

    assert _messages(response) == ["Renewal requested. Your company stays verified while a moderator reviews it."]
    assertContains(response, 'id="renewal-waiting"')
    assertNotContains(response, 'id="renewal-form"')
    assert Company.objects.get(pk=company_a.pk).verification_status == VerificationStatus.VERIFIED


def test_my_company_query_count_does_not_grow_with_documents(client_as, company_a, member_a, moderator):
    give_evidence(company_a)
    services.company_verification_submit(company=company_a, actor=member_a)
    services.company_verify(company=company_a, actor=moderator)
    client = client_as(member_a)
    _queries(client, "/my-company/")
    with_one = _queries(client, "/my-company/")

    give_evidence(company_a, kinds=["tax_certificate", "other"] * 5)
    with_eleven = _queries(client, "/my-company/")

    assert VerificationDocument.objects.filter(company=company_a).count() == 11
    assert with_eleven == with_one


# --- the moderators ---------------------------------------------------------------------------------

def _asking(n: int, *, documents: int = 1) -> Company:
    company = CompanyFactory(legal_name=f"Asking {n}")
    give_evidence(company, kinds=["registration_certificate"] * documents)
    services.company_verification_submit(company=company, actor=MembershipFactory(company=company).user)
    return company


def test_queue_shows_documents_and_number_checks_beside_each_request(moderator_client):
    company = _asking(1, documents=2)
    documents = list(VerificationDocument.objects.filter(company=company).order_by("pk"))

    response = moderator_client.get("/moderation/companies/")

    assert response.context["pending"] == [company]
    row = response.content.decode().split(f'id="pending-{company.pk}"')[1].split("</tr>")[0]
    for document in documents:
        assert f'<a href="/verification-documents/{document.pk}/">Registration certificate</a>' in row
    assert "format not checked" in row and "VKN valid" in row


def test_queue_shows_renewals_in_their_own_list(moderator_client, moderator):
    company = _asking(1)
    services.company_verify(company=company, actor=moderator)
    services.company_verification_submit(company=company, actor=company.memberships.get().user)

    response = moderator_client.get("/moderation/companies/")

    assert (response.context["pending"], response.context["renewals"], response.context["identity_queue"]) == (
        [], [company], [])
    assertContains(response, f'id="renewal-{company.pk}"')


def test_queue_query_count_does_not_grow_with_requests_or_documents(moderator_client):
    _asking(0)
    _queries(moderator_client, "/moderation/companies/")
    with_one = _queries(moderator_client, "/moderation/companies/")

    for n in range(1, 10):
        _asking(n, documents=3)
    with_ten = _queries(moderator_client, "/moderation/companies/")

    assert with_ten == with_one


def test_moderation_company_page_shows_the_evidence(moderator_client, moderator):
    company = _asking(1)
    document = VerificationDocument.objects.get(company=company)
    services.company_verify(company=company, actor=moderator)

    response = moderator_client.get(f"/moderation/companies/{company.pk}/")

    evidence = response.content.decode().split('id="evidence"')[1].split("</section>")[0]
    assert f'href="/verification-documents/{document.pk}/"' in evidence
    assert "VKN valid" in evidence
    history = response.content.decode().split('id="history"')[1]
    assert f'Rested on: <a href="/verification-documents/{document.pk}/">Registration certificate #{document.pk}</a>' \
        in history
    assert response.context["company"].verified_until.date() == (timezone.now() + timedelta(days=365)).date()


def test_pages_render_in_turkish_and_chinese(client_as, company_a, member_a, settings):
    give_evidence(company_a)
    client = client_as(member_a)

    for language in ("tr", "zh-hans"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get("/my-company/")
        assert (response.status_code, response.context["LANGUAGE_CODE"]) == (200, language)


def test_an_image_upload_through_the_page_is_written_again_as_an_image(client_as, company_a, member_a):
    response = client_as(member_a).post("/my-company/documents/", {
        "kind": "tax_certificate", "file": SimpleUploadedFile("tax.pdf", png_bytes(), content_type="application/pdf")})

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    assert list(VerificationDocument.objects.values_list("kind", "content_type")) == [("tax_certificate", "image/png")]


def test_the_public_profile_says_until_when_the_company_is_verified(client, company_a, member_a, moderator):
    give_evidence(company_a)
    services.company_verification_submit(company=company_a, actor=member_a)
    company = services.company_verify(company=company_a, actor=moderator)

    response = client.get(f"/companies/{company.pk}/")

    until = date_format(company.verified_until, "DATE_FORMAT")
    assertContains(response, f'<span class="muted" id="verified-until">Verified until {until}.</span>', html=True)


def test_a_moderator_renews_from_the_queue(client_as, moderator, time_machine):
    time_machine.move_to("2026-01-10 09:00:00+00:00", tick=False)
    company = _asking(1)
    services.company_verify(company=company, actor=moderator)
    time_machine.move_to("2026-12-20 09:00:00+00:00", tick=False)
    services.company_verification_submit(company=company, actor=company.memberships.get().user)
    moderator_client = client_as(moderator)
    queue = moderator_client.get("/moderation/companies/")
    row = queue.content.decode().split(f'id="renewal-{company.pk}"')[1].split("</tr>")[0]
    assert "Renew</button>" in row and "Refuse the renewal</button>" in row

    response = moderator_client.post(f"/moderation/companies/{company.pk}/verify/")

    assertRedirects(response, "/moderation/companies/", fetch_redirect_response=False)
    company.refresh_from_db()
    assert (company.verification_status, company.renewal_requested_at, company.verified_until.isoformat()) == (
        VerificationStatus.VERIFIED, None, "2027-12-20T09:00:00+00:00")
