"""Verification documents: typed by their content, kept privately, fetched only by the company's
members and the moderators, recorded by the decisions that rested on them."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services
from accounts.models import DecisionDocument, VerificationDecision, VerificationDocument
from accounts.models import VerificationStatus as S
from core.exceptions import ApplicationError
from tests.accounts.helpers import assert_unchanged, give_evidence, pdf_bytes, png_bytes, set_status
from tests.core.helpers import assert_error
from tests.factories.accounts import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOT_A_DOCUMENT = "Upload a PDF document or a PNG, JPEG, WebP or GIF image."


def _docs_url(company, suffix: str = "") -> str:
    return f"/api/v1/companies/{company.pk}/documents/{suffix}"


def _upload(client, company, name: str, content: bytes, kind: str = "registration_certificate",
            content_type: str = "application/octet-stream"):
    return client.post(_docs_url(company), {"kind": kind, "file": SimpleUploadedFile(name, content, content_type)},
                       format="multipart")


def _stored_files() -> list[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- typed by content -----------------------------------------------------------------------------

def test_a_pdf_named_jpg_is_stored_as_a_pdf_in_the_private_storage(world, as_user):
    content = pdf_bytes(b"a registry extract")

    response = _upload(as_user(world.staff_a), world.a, "scan.jpg", content, content_type="image/jpeg")

    assert response.status_code == 201, response.content
    document = VerificationDocument.objects.get(pk=response.json()["id"])
    assert (document.content_type, document.size, document.sha256, document.original_name, document.uploaded_by) == (
        "application/pdf", len(content), hashlib.sha256(content).hexdigest(), "scan.jpg", world.staff_a)
    assert document.file.name.startswith(f"verification/{world.a.pk}/") and document.file.name.endswith(".pdf")
    assert Path(document.file.path).read_bytes() == content
    assert str(Path(document.file.path)).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not str(Path(document.file.path)).startswith(str(settings.MEDIA_ROOT))
    assert response.json()["download_url"] == f"/api/v1/companies/{world.a.pk}/documents/{document.pk}/download/"


def test_an_image_named_pdf_is_stored_as_an_image_written_again(world, as_user):
    response = _upload(as_user(world.owner_a), world.a, "certificate.pdf", png_bytes(), kind="tax_certificate",
                       content_type="application/pdf")

    assert response.status_code == 201, response.content
    document = VerificationDocument.objects.get(pk=response.json()["id"])
    assert (document.kind, document.content_type, document.file.name.endswith(".png")) == (
        "tax_certificate", "image/png", True)
    assert Path(document.file.path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("name", "content"), [
    ("certificate.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),  # a Windows executable
    ("certificate.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),  # a Linux executable
    ("certificate.pdf", b"%PDF-1.7\n no trailer, cut off"),  # a PDF without its %%EOF trailer
    ("certificate.png", b"<html><script>alert(1)</script></html>"),
])
def test_what_is_neither_a_pdf_nor_an_image_is_refused(world, as_user, name, content):
    before_files = _stored_files()

    with assert_unchanged():
        response = _upload(as_user(world.owner_a), world.a, name, content)

    assert_error(response, 400, "validation_error", message=NOT_A_DOCUMENT, fields={"file": [NOT_A_DOCUMENT]})
    assert _stored_files() == before_files


def test_an_oversized_file_is_refused(world, as_user, settings):
    settings.VERIFICATION_DOCUMENT_MAX_BYTES = 1024 * 1024
    content = pdf_bytes(b"x" * (1024 * 1024))

    with assert_unchanged():
        response = _upload(as_user(world.owner_a), world.a, "big.pdf", content)

    assert_error(response, 400, "validation_error", fields={"file": ["The file is larger than 1 MB."]})


def test_more_documents_than_allowed_are_refused(world, as_user, settings):
    settings.VERIFICATION_DOCUMENTS_MAX = 2  # world.a holds one already
    client = as_user(world.owner_a)
    assert _upload(client, world.a, "second.pdf", pdf_bytes()).status_code == 201

    with assert_unchanged():
        response = _upload(client, world.a, "third.pdf", pdf_bytes())

    message = "A company keeps at most 2 documents. Delete one first."
    assert_error(response, 409, "too_many_documents", message=message, fields={"file": [message]})
    assert VerificationDocument.objects.filter(company=world.a).count() == 2


def test_an_unknown_kind_is_refused(world, as_user):
    with assert_unchanged():
        response = _upload(as_user(world.owner_a), world.a, "a.pdf", pdf_bytes(), kind="passport")

    assert_error(response, 400, "validation_error", fields={"kind": ['"passport" is not a valid choice.']})


def test_the_upload_endpoint_takes_multipart_only(world, as_user):
    with assert_unchanged():
        response = as_user(world.owner_a).post(_docs_url(world.a), {"kind": "other", "file": "JVBERi0="},
                                               format="json")

    assert response.status_code == 415


def test_the_original_name_is_kept_for_display_only_and_sanitised(world, as_user):
    response = _upload(as_user(world.owner_a), world.a, "..\\..\\evil\u202e\x00name\u200b.pdf", pdf_bytes())

    document = VerificationDocument.objects.get(pk=response.json()["id"])
    assert document.original_name == "evilname.pdf"
    assert "evil" not in document.file.name


def test_another_company_cannot_upload_to_a(world, as_user):
    set_status(world.a, S.VERIFIED)  # visible to everyone, still private documents

    with assert_unchanged():
        response = _upload(as_user(world.owner_b), world.a, "a.pdf", pdf_bytes())

    assert_error(response, 404, "not_found")


# --- access by role -------------------------------------------------------------------------------

ACCESS = [
    # role          API list  API download  page download
    ("owner_a",     200,      200,          200),
    ("staff_a",     200,      200,          200),
    ("moderator",   200,      200,          200),
    ("admin",       200,      200,          200),
    ("owner_b",     404,      404,          404),
    ("anonymous",   404,      404,          404),
]


@pytest.mark.parametrize(("role", "api_list", "api_download", "page_download"), ACCESS)
@pytest.mark.parametrize("a_status", [S.UNVERIFIED, S.VERIFIED])
def test_document_access_by_role(world, as_user, client, role, api_list, api_download, page_download, a_status):
    set_status(world.a, a_status)
    document = VerificationDocument.objects.get(company=world.a)
    actor = None if role == "anonymous" else getattr(world, role)
    api = as_user(actor)
    if actor is not None:
        client.force_login(actor)

    listed = api.get(_docs_url(world.a))
    downloaded = api.get(_docs_url(world.a, f"{document.pk}/download/"))
    page = client.get(f"/verification-documents/{document.pk}/")

    assert (listed.status_code, downloaded.status_code, page.status_code) == (api_list, api_download, page_download)
    for response in (downloaded, page):
        if response.status_code == 200:
            assert (response["Content-Type"], response["Content-Disposition"], response["X-Content-Type-Options"],
                    response["Cache-Control"]) == (
                "application/pdf", f'attachment; filename="registration-certificate-{document.pk}.pdf"', "nosniff",
                "private, no-store")
            assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_document_is_not_reached_through_another_company_s_path(world, as_user):
    """The company in the path must be the document's: B's owner asking through B's path gets 404."""
    document = VerificationDocument.objects.get(company=world.a)
    set_status(world.b, S.VERIFIED)

    response = as_user(world.owner_b).get(f"/api/v1/companies/{world.b.pk}/documents/{document.pk}/download/")

    assert_error(response, 404, "not_found")


def test_an_unknown_document_is_404_for_a_moderator(world, as_user):
    response = as_user(world.moderator).get(_docs_url(world.a, "999999999999999999999/download/"))

    assert_error(response, 404, "not_found")


def test_documents_are_never_under_media(world, client):
    document = VerificationDocument.objects.get(company=world.a)
    client.force_login(world.owner_a)

    assert client.get(f"/media/{document.file.name}").status_code == 404


# --- decisions rest on documents ------------------------------------------------------------------

def test_a_decision_records_the_documents_it_rested_on(world, as_user):
    extra = _upload(as_user(world.owner_a), world.a, "tax.png", png_bytes(), kind="tax_certificate").json()["id"]
    services.company_verification_submit(company=world.a, actor=world.owner_a)

    response = as_user(world.moderator).post(f"/api/v1/companies/{world.a.pk}/verify/", {}, format="json")

    assert response.status_code == 200
    decision = VerificationDecision.objects.get(to_status=S.VERIFIED)
    documents = sorted(VerificationDocument.objects.filter(company=world.a).values_list("pk", flat=True))
    assert sorted(decision.documents.values_list("pk", flat=True)) == documents
    assert extra in documents
    member_request = VerificationDecision.objects.get(to_status=S.PENDING)
    assert list(member_request.documents.all()) == []
    history = as_user(world.owner_a).get(f"/api/v1/companies/{world.a.pk}/verification-history/").json()
    assert [(row["to_status"], row["documents"]) for row in history["results"]] == [
        ("verified", documents), ("pending", [])]


def test_a_document_a_decision_rested_on_cannot_be_deleted(world, as_user):
    services.company_verification_submit(company=world.a, actor=world.owner_a)
    services.company_reject(company=world.a, actor=world.moderator, reason="Unreadable scan")
    document = VerificationDocument.objects.get(company=world.a)
    before_files = _stored_files()

    with assert_unchanged():
        response = as_user(world.owner_a).delete(_docs_url(world.a, f"{document.pk}/"))

    assert_error(response, 409, "document_in_use", message="A verification decision rested on this document; it is kept.")
    assert _stored_files() == before_files
    listed = as_user(world.owner_a).get(_docs_url(world.a)).json()["results"]
    assert [(row["id"], row["in_use"]) for row in listed] == [(document.pk, True)]


def test_a_member_deletes_a_document_no_decision_rested_on(world, as_user, django_capture_on_commit_callbacks):
    document = VerificationDocument.objects.get(company=world.a)
    path = Path(document.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.staff_a).delete(_docs_url(world.a, f"{document.pk}/"))

    assert response.status_code == 204
    assert (VerificationDocument.objects.filter(pk=document.pk).exists(), path.exists()) == (False, False)


def test_a_moderator_may_read_but_not_delete(world, as_user):
    document = VerificationDocument.objects.get(company=world.a)

    with assert_unchanged():
        response = as_user(world.moderator).delete(_docs_url(world.a, f"{document.pk}/"))

    assert_error(response, 403, "permission_denied",
                 message="Only a member of this company can delete its documents.")


def test_service_refuses_a_non_member_upload(world):
    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.verification_document_upload(company=world.a, actor=world.owner_b, kind="other",
                                              file=SimpleUploadedFile("a.pdf", pdf_bytes()))

    assert excinfo.value.status_code == 403


def test_moderation_queue_shows_documents_and_number_checks(world, as_user):
    services.company_verification_submit(company=world.a, actor=world.owner_a)
    document = VerificationDocument.objects.get(company=world.a)
    other = give_evidence(CompanyFactory(legal_name="Gamma Foods"))
    services.company_verification_submit(company=other, actor=MembershipFactory(company=other).user)

    body = as_user(world.moderator).get("/api/v1/moderation/companies/").json()

    row = next(r for r in body["results"] if r["id"] == world.a.pk)
    assert [(d["id"], d["kind"], d["content_type"], d["in_use"]) for d in row["documents"]] == [
        (document.pk, "registration_certificate", "application/pdf", False)]
    assert [(c["kind"], c["result"], c["label"]) for c in row["number_checks"]] == [
        ("registration", "not_checked", "format not checked"), ("tax", "valid", "VKN valid")]
    assert DecisionDocument.objects.count() == 0
