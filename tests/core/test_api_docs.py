"""The OpenAPI schema and the Swagger UI."""
from __future__ import annotations

import json

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ACCOUNTS_PATHS = {
    "/api/v1/auth/register/", "/api/v1/auth/login/", "/api/v1/auth/logout/", "/api/v1/auth/token/",
    "/api/v1/auth/password-reset/", "/api/v1/auth/password-reset/confirm/", "/api/v1/me/",
    "/api/v1/invites/accept/", "/api/v1/moderation/companies/", "/api/v1/companies/", "/api/v1/companies/{id}/",
    "/api/v1/companies/{id}/submit-verification/", "/api/v1/companies/{id}/verify/",
    "/api/v1/companies/{id}/reject/", "/api/v1/companies/{id}/suspend/", "/api/v1/companies/{id}/reinstate/",
    "/api/v1/companies/{id}/verification-history/", "/api/v1/companies/{id}/members/",
    "/api/v1/companies/{id}/members/{membership_id}/", "/api/v1/companies/{id}/invites/",
    "/api/v1/companies/{id}/invites/{invite_id}/",
}


def test_schema_is_served_as_yaml_by_default(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    schema = yaml.safe_load(response.content)
    assert schema["info"] == {"title": "SME Market API", "version": "1.0.0",
                              "description": "B2B marketplace for small and medium enterprises."}
    assert "/api/v1/companies/" in schema["paths"]
    assert "/api/v1/auth/register/" in schema["paths"]


def test_schema_as_json_lists_every_accounts_endpoint(client):
    response = client.get("/api/v1/schema/?format=json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert ACCOUNTS_PATHS <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/companies/{id}/"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/v1/companies/{id}/members/{membership_id}/"]) == {"delete"}
    assert set(schema["paths"]["/api/v1/companies/{id}/invites/"]) == {"get", "post"}
    assert schema["components"]["securitySchemes"].keys() == {"cookieAuth", "tokenAuth"}


def test_verification_status_is_one_named_enum(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)

    assert schema["components"]["schemas"]["VerificationStatusEnum"]["enum"] == [
        "unverified", "pending", "verified", "rejected", "suspended", "expired"]
    assert "FromStatusEnum" not in schema["components"]["schemas"]


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "openapi: 3.0.3" in target.read_text()


def test_swagger_ui_is_served(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
