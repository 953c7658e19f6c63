"""/media/ is served with DEBUG off as on: listing images and logos inline with their image type,
anything else as a download, always with nosniff; other directories, unknown files and paths that
climb out answer 404."""
from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.test import override_settings
from PIL import Image

from tests.accounts.helpers import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_inline_image(response, content_type: str, filename: str, stored: bytes) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert body(response) == stored


@override_settings(DEBUG=False)
def test_logo_url_from_the_api_answers_with_the_image(api_client, company_a, member_a, client):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buffer, format="JPEG")
    api_client.force_authenticate(user=member_a)
    response = api_client.patch(f"/api/v1/companies/{company_a.pk}/",
                                {"logo": upload("logo.jpeg", buffer.getvalue(), "image/jpeg")}, format="multipart")
    path = response.json()["logo"]
    path = path.removeprefix("http://testserver")
    assert path.startswith("/media/logos/") and path.endswith(".jpg")

    served = client.get(path)

    assert_inline_image(served, "image/jpeg", path.rsplit("/", 1)[-1],
                        (settings.MEDIA_ROOT / path.removeprefix("/media/")).read_bytes())


@override_settings(DEBUG=False)
def test_a_file_that_is_no_image_type_is_only_a_download(client):
    old = settings.MEDIA_ROOT / "listings" / "7" / "20250101.html"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"GIF89a<script>alert(1)</script>")

    response = client.get("/media/listings/7/20250101.html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="20250101.html"'
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", [
    "/media/listings/1/missing.png",
    "/media/listings/",
    "/media/listings/1/",
    "/media/listings/../imports/1/a.csv",
    "/media/listings/%2e%2e/imports/1/a.csv",
    "/media/listings/..%2f..%2fsecret.txt",
    "/media/logos/../../secret.txt",
    "/media/%2e%2e/secret.txt",
    "/media/..%5csecret.txt",
    "/media/imports/1/a.csv",
    "/media/secret.txt",
    "/media//etc/passwd",
    "/media/listings//1/a.png",
])
def test_unknown_private_and_climbing_paths_are_404(client, path):
    root = settings.MEDIA_ROOT
    (root / "imports" / "1").mkdir(parents=True)
    (root / "imports" / "1" / "a.csv").write_bytes(b"title\nPRIVATE-CONTENT\n")
    (root / "listings" / "1").mkdir(parents=True)
    (root / "listings" / "1" / "a.png").write_bytes(b"png")
    (root / "secret.txt").write_bytes(b"PRIVATE-CONTENT")
    (root.parent / "secret.txt").write_bytes(b"PRIVATE-CONTENT")

    response = client.get(path)

    assert response.status_code == 404
    assert b"PRIVATE-CONTENT" not in response.content


@override_settings(DEBUG=False)
def test_only_reading_methods_are_allowed(client):
    (settings.MEDIA_ROOT / "logos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "logos" / "a.png").write_bytes(b"png")

    assert client.head("/media/logos/a.png").status_code == 200
    assert client.post("/media/logos/a.png").status_code == 405


PRODUCTION_REQUEST = textwrap.dedent("""
    import django, pathlib, sys
    django.setup()
    from django.conf import settings
    from django.test import Client
    assert settings.DEBUG is False
    image = pathlib.Path(settings.MEDIA_ROOT) / "listings" / "3" / "0123abcd.webp"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"RIFF-webp-bytes")
    client = Client(HTTP_HOST="market.example.com")
    ok = client.get("/media/listings/3/0123abcd.webp", secure=True)
    print(ok.status_code, ok["Content-Type"], ok["Content-Disposition"], ok["X-Content-Type-Options"],
          b"".join(ok.streaming_content).decode())
""")


def test_production_settings_serve_media(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "market.example.com", "DATABASE_URL": "postgres://u:p@localhost:5432/db",
        "SME_VAR_DIR": str(tmp_path / "var"), "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })

    result = subprocess.run([sys.executable, "-c", PRODUCTION_REQUEST], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=180)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '200 image/webp inline; filename="0123abcd.webp" nosniff RIFF-webp-bytes'
