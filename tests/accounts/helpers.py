"""Helpers shared by the accounts tests."""
from __future__ import annotations

import io
from contextlib import contextmanager

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import (
    ApiToken,
    Company,
    DecisionDocument,
    Invite,
    Membership,
    User,
    VerificationDecision,
    VerificationDocument,
)

ROLES = ("anonymous", "owner_a", "staff_a", "owner_b", "moderator", "admin")


def db_state() -> dict:
    """Everything a request could change in the accounts tables, in a comparable form.

    Sign-in bookkeeping (last_login, throttle counters, sessions) is left out on purpose."""
    return {
        "users": list(User.objects.order_by("pk").values_list(
            "pk", "email", "password", "full_name", "preferred_language", "is_active", "is_staff", "is_superuser")),
        "companies": list(Company.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "user_id", "company_id", "role")),
        "invites": list(Invite.objects.order_by("pk").values_list(
            "pk", "company_id", "email", "role", "token", "expires_at", "accepted_at", "accepted_by_id",
            "email_sent_at")),
        "decisions": list(VerificationDecision.objects.order_by("pk").values_list(
            "pk", "company_id", "actor_id", "from_status", "to_status", "reason", "email_sent_at")),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "user_id", "key_hash", "revoked_at")),
        "documents": list(VerificationDocument.objects.order_by("pk").values_list(
            "pk", "company_id", "kind", "file", "sha256", "original_name")),
        "decision_documents": list(DecisionDocument.objects.order_by("pk").values_list(
            "decision_id", "document_id")),
    }


@contextmanager
def assert_unchanged():
    """The block leaves every accounts table exactly as it found it."""
    before = db_state()
    yield
    assert db_state() == before


def set_status(company: Company, status: str) -> Company:
    """Puts a company in a verification state without going through the workflow."""
    Company.objects.filter(pk=company.pk).update(verification_status=status)
    company.refresh_from_db()
    return company


def png_bytes(width: int = 8, height: int = 8, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def actor_for(world, role: str) -> User | None:
    return None if role == "anonymous" else getattr(world, role)


VALID_VKN = "1234567890"  # a Turkish tax number (VKN) whose check digit is right


def pdf_bytes(body: bytes = b"1 0 obj << /Type /Catalog >> endobj\n") -> bytes:
    """The smallest file our check takes for a PDF: the %PDF- header and the %%EOF trailer."""
    return b"%PDF-1.4\n" + body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def give_evidence(company: Company, *, tax_number: str = VALID_VKN, kinds=("registration_certificate",)) -> Company:
    """What a request for verification needs, without going through the upload: a tax number and
    the documents (a registration certificate by default)."""
    from django.core.files.base import ContentFile

    Company.objects.filter(pk=company.pk).update(tax_number=tax_number)
    for kind in kinds:
        document = VerificationDocument(company=company, kind=kind, content_type="application/pdf",
                                        size=len(pdf_bytes()), sha256="0" * 64, original_name=f"{kind}.pdf")
        document.file.save("document.pdf", ContentFile(pdf_bytes()), save=False)
        document.save()
    company.refresh_from_db()
    return company
