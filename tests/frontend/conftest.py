import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import VerificationStatus
from tests.factories.accounts import CompanyFactory


@pytest.fixture
def signup_data():
    return {
        "email": "Selin@Ipek-Textiles.example",
        "full_name": "Selin Demir",
        "password1": "Kilim-Loom-Bursa-2026",
        "password2": "Kilim-Loom-Bursa-2026",
        "preferred_language": "tr",
        "legal_name": "İpek Textiles A.Ş.",
        "country": "TR",
        "registration_number": "TR-771204",
        "address": "Osmangazi, Bursa",
        "website": "https://ipek-textiles.example",
        "description": "Towels and bathrobes from Bursa.",
        "default_currency": "TRY",
        "kind": "seller",
    }


@pytest.fixture
def client_as(client):
    """Returns a function that signs the test client in as the given user."""

    def _as(user):
        client.force_login(user)
        return client

    return _as


@pytest.fixture
def pending_company(db):
    """Returns a function that creates a company waiting in the moderators' queue."""

    def _create(**kwargs):
        kwargs.setdefault("verification_status", VerificationStatus.PENDING)
        kwargs.setdefault("verification_changed_at", timezone.now())
        return CompanyFactory(**kwargs)

    return _create


@pytest.fixture
def png_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (31, 111, 139)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
