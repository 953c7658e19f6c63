"""Who may call which /api/v1/ endpoint: one row per endpoint, one column per role.

Roles: anonymous; owner_a and staff_a (members of company A, the company under test); owner_b (owner of
company B, a verified stranger to A); moderator; admin (superuser). Company A's verification state is part
of each row. Failed calls change nothing and answer in the single error format."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import tokens
from accounts.models import ApiToken, Company, Invite, Membership, User, VerificationDecision, VerificationDocument
from accounts.models import VerificationStatus as S
from accounts.verification_email import email_verification_token
from tests.accounts.helpers import ROLES, actor_for, db_state, pdf_bytes, set_status
from tests.core.helpers import assert_error_format
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-Lantern-Orbit-58"


def _decision(status_from: str, status_to: str, reason: str = "") -> Callable:
    def check(w, actor, response):
        w.a.refresh_from_db()
        assert (w.a.verification_status, w.a.verification_reason) == (status_to, reason)
        assert response.json()["verification_status"] == status_to
        decision = VerificationDecision.objects.get(company=w.a)
        assert (decision.actor, decision.from_status, decision.to_status, decision.reason) == (
            actor, status_from, status_to, reason)
    return check


def _with_identity_change(w) -> None:
    Company.objects.filter(pk=w.a.pk).update(pending_changes={"legal_name": "Alpha Textiles Holding"})


def _identity_decision(applied: bool, reason: str = "") -> Callable:
    def check(w, actor, response):
        w.a.refresh_from_db()
        name = "Alpha Textiles Holding" if applied else "Alpha Textiles"
        assert (w.a.legal_name, w.a.pending_changes, response.json()["legal_name"]) == (name, None, name)
        decision = VerificationDecision.objects.get(company=w.a)
        assert (decision.actor, decision.to_status, decision.reason, decision.applied_changes) == (
            actor, S.VERIFIED, reason, applied)
    return check


def _reset_body(w) -> dict:
    return {"uid": urlsafe_base64_encode(force_bytes(w.owner_a.pk)),
            "token": default_token_generator.make_token(w.owner_a), "new_password": NEW_PASSWORD}


def _with_history(w) -> None:
    VerificationDecision.objects.create(company=w.a, actor=w.owner_a, from_status=S.UNVERIFIED, to_status=S.PENDING)
    VerificationDecision.objects.create(company=w.b, actor=w.moderator, from_status=S.PENDING, to_status=S.VERIFIED)


def _check_register(w, actor, response):
    body = response.json()
    assert body["user"]["email"] == "registrant@example.com"
    assert body["company"]["registration_number"] == "DE-NEW-1"
    user = User.objects.get(email="registrant@example.com")
    assert list(Membership.objects.filter(user=user).values_list("company__registration_number", "role")) == [
        ("DE-NEW-1", "owner")]


def _check_me(w, actor, response):
    assert response.json()["email"] == actor.email


def _check_me_patch(w, actor, response):
    actor.refresh_from_db()
    assert (actor.full_name, response.json()["full_name"]) == ("Renamed Person", "Renamed Person")


def _check_list(w, actor, response):
    body = response.json()
    visible = {w.b.pk} if actor is None or actor == w.owner_b else {w.a.pk, w.b.pk}
    assert {row["id"] for row in body["results"]} == visible
    assert body["count"] == len(visible)


def _check_retrieve(w, actor, response):
    assert (response.json()["id"], response.json()["legal_name"]) == (w.a.pk, "Alpha Textiles")


def _check_patch(w, actor, response):
    w.a.refresh_from_db()
    assert (w.a.description, response.json()["description"]) == ("Updated description", "Updated description")


def _check_history(w, actor, response):
    rows = response.json()["results"]
    assert [(r["from_status"], r["to_status"], r["actor_email"]) for r in rows] == [
        (S.UNVERIFIED, S.PENDING, w.owner_a.email)]


def _check_members(w, actor, response):
    rows = response.json()["results"]
    assert [(r["user"]["email"], r["role"]) for r in rows] == [(w.owner_a.email, "owner"), (w.staff_a.email, "staff")]


def _check_member_removed(w, actor, response):
    assert list(Membership.objects.filter(company=w.a).values_list("user__email", flat=True)) == [w.owner_a.email]


def _check_invites(w, actor, response):
    assert [r["email"] for r in response.json()["results"]] == ["newcomer@example.com"]


def _check_invite_created(w, actor, response):
    assert response.json()["email"] == "another@example.com"
    assert sorted(Invite.objects.filter(company=w.a).values_list("email", flat=True)) == [
        "another@example.com", "newcomer@example.com"]


def _check_invite_revoked(w, actor, response):
    assert Invite.objects.filter(company=w.a).count() == 0


def _check_invite_accepted(w, actor, response):
    user = User.objects.get(email="newcomer@example.com")
    assert list(Membership.objects.filter(user=user).values_list("company_id", "role")) == [(w.a.pk, "staff")]
    assert response.json()["role"] == "staff"


def _check_queue(w, actor, response):
    assert [row["id"] for row in response.json()["results"]] == [w.a.pk]


def _check_login(w, actor, response):
    assert response.json()["email"] == w.owner_a.email


def _check_token(w, actor, response):
    token = ApiToken.objects.get(user=w.owner_a)
    assert tokens.key_hash(response.json()["token"]) == token.key_hash


def _with_owner_token(w) -> None:
    tokens.token_create(user=w.owner_a, name="ERP")


def _check_tokens_listed(w, actor, response):
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == (["ERP"] if actor == w.owner_a else [])
    assert all("token" not in row and "key_hash" not in row for row in rows)


def _check_token_created(w, actor, response):
    token = ApiToken.objects.get(user=actor)
    body = response.json()
    assert (body["name"], body["prefix"], tokens.key_hash(body["token"])) == ("Nightly sync", token.prefix,
                                                                               token.key_hash)
    assert (token.expires_at - token.created_at).days == 30


def _check_token_revoked(w, actor, response):
    assert ApiToken.objects.get(user=w.owner_a).revoked_at is not None


def _owner_unverified(w) -> None:
    User.objects.filter(pk=w.owner_a.pk).update(email_verified_at=None)
    w.owner_a.refresh_from_db()


def _check_owner_verified(w, actor, response):
    w.owner_a.refresh_from_db()
    assert w.owner_a.email_verified_at is not None


def _check_reset_confirm(w, actor, response):
    w.owner_a.refresh_from_db()
    assert w.owner_a.check_password(NEW_PASSWORD) is True


def _nothing_more(w, actor, response):
    assert response.content == b""


def _document_a(w) -> VerificationDocument:
    return VerificationDocument.objects.get(company=w.a)


def _check_documents(w, actor, response):
    document = _document_a(w)
    assert [(row["id"], row["kind"], row["content_type"], row["in_use"]) for row in response.json()["results"]] == [
        (document.pk, "registration_certificate", "application/pdf", False)]


def _check_download(w, actor, response):
    assert (response["Content-Type"], response["X-Content-Type-Options"], response["Content-Disposition"]) == (
        "application/pdf", "nosniff", f'attachment; filename="registration-certificate-{_document_a(w).pk}.pdf"')
    assert b"".join(response.streaming_content) == pdf_bytes()


def _check_document_deleted(w, actor, response):
    assert VerificationDocument.objects.filter(company=w.a).exists() is False


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable
    check: Callable
    body: Callable | None = None
    a_status: str = S.UNVERIFIED
    prepare: Callable | None = None


def a_url(suffix: str = "") -> Callable:
    return lambda w: f"/api/v1/companies/{w.a.pk}/{suffix}"


REGISTER_BODY = {
    "email": "registrant@example.com", "password": "Quiet-Harbour-Lamp-73", "full_name": "Rita Registrant",
    "company": {"legal_name": "Delta Tools GmbH", "country": "DE", "registration_number": "DE-NEW-1",
                "address": "Hauptstrasse 1, Berlin", "default_currency": "EUR", "kind": "buyer"},
}

ENDPOINTS: dict[str, Endpoint] = {
    "POST auth/register/": Endpoint("post", lambda w: "/api/v1/auth/register/", _check_register,
                                    body=lambda w: REGISTER_BODY),
    "POST auth/login/": Endpoint("post", lambda w: "/api/v1/auth/login/", _check_login,
                                 body=lambda w: {"email": w.owner_a.email, "password": PASSWORD}),
    "POST auth/logout/": Endpoint("post", lambda w: "/api/v1/auth/logout/", _nothing_more),
    "POST auth/token/": Endpoint("post", lambda w: "/api/v1/auth/token/", _check_token,
                                 body=lambda w: {"email": w.owner_a.email, "password": PASSWORD}),
    "POST auth/password-reset/": Endpoint("post", lambda w: "/api/v1/auth/password-reset/", _nothing_more,
                                          body=lambda w: {"email": w.owner_a.email}),
    "POST auth/password-reset/confirm/": Endpoint("post", lambda w: "/api/v1/auth/password-reset/confirm/",
                                                  _check_reset_confirm, body=_reset_body),
    "GET me/": Endpoint("get", lambda w: "/api/v1/me/", _check_me),
    "PATCH me/": Endpoint("patch", lambda w: "/api/v1/me/", _check_me_patch,
                          body=lambda w: {"full_name": "Renamed Person"}),
    "GET companies/": Endpoint("get", lambda w: "/api/v1/companies/", _check_list),
    "GET companies/A/ (A unverified)": Endpoint("get", a_url(), _check_retrieve),
    "GET companies/A/ (A verified)": Endpoint("get", a_url(), _check_retrieve, a_status=S.VERIFIED),
    "PATCH companies/A/ (A unverified)": Endpoint("patch", a_url(), _check_patch,
                                                  body=lambda w: {"description": "Updated description"}),
    "PATCH companies/A/ (A verified)": Endpoint("patch", a_url(), _check_patch, a_status=S.VERIFIED,
                                                body=lambda w: {"description": "Updated description"}),
    "POST submit-verification (A unverified)": Endpoint("post", a_url("submit-verification/"),
                                                        _decision(S.UNVERIFIED, S.PENDING)),
    "POST verify (A pending)": Endpoint("post", a_url("verify/"), _decision(S.PENDING, S.VERIFIED),
                                        a_status=S.PENDING),
    "POST reject (A pending)": Endpoint("post", a_url("reject/"),
                                        _decision(S.PENDING, S.REJECTED, "Registry extract unreadable"),
                                        body=lambda w: {"reason": "Registry extract unreadable"},
                                        a_status=S.PENDING),
    "POST suspend (A verified)": Endpoint("post", a_url("suspend/"), _decision(S.VERIFIED, S.SUSPENDED, "Fraud report"),
                                          body=lambda w: {"reason": "Fraud report"}, a_status=S.VERIFIED),
    "POST reinstate (A suspended)": Endpoint("post", a_url("reinstate/"),
                                             _decision(S.SUSPENDED, S.VERIFIED), a_status=S.SUSPENDED),
    "POST approve-identity (A verified)": Endpoint("post", a_url("approve-identity/"), _identity_decision(True),
                                                   a_status=S.VERIFIED, prepare=_with_identity_change),
    "POST reject-identity (A verified)": Endpoint("post", a_url("reject-identity/"),
                                                  _identity_decision(False, "Not proven"), a_status=S.VERIFIED,
                                                  body=lambda w: {"reason": "Not proven"},
                                                  prepare=_with_identity_change),
    "GET verification-history (A unverified)": Endpoint("get", a_url("verification-history/"), _check_history,
                                                        prepare=_with_history),
    "GET verification-history (A verified)": Endpoint("get", a_url("verification-history/"), _check_history,
                                                      prepare=_with_history, a_status=S.VERIFIED),
    "GET documents (A unverified)": Endpoint("get", a_url("documents/"), _check_documents),
    "GET documents (A verified)": Endpoint("get", a_url("documents/"), _check_documents, a_status=S.VERIFIED),
    "GET documents/<id>/download/ (A verified)": Endpoint(
        "get", lambda w: f"/api/v1/companies/{w.a.pk}/documents/{_document_a(w).pk}/download/", _check_download,
        a_status=S.VERIFIED),
    "DELETE documents/<id> (A unverified)": Endpoint(
        "delete", lambda w: f"/api/v1/companies/{w.a.pk}/documents/{_document_a(w).pk}/", _check_document_deleted),
    "GET members (A unverified)": Endpoint("get", a_url("members/"), _check_members),
    "GET members (A verified)": Endpoint("get", a_url("members/"), _check_members, a_status=S.VERIFIED),
    "DELETE members/<staff> (A unverified)": Endpoint(
        "delete", lambda w: f"/api/v1/companies/{w.a.pk}/members/{w.staff_a_membership.pk}/",
        _check_member_removed),
    "DELETE members/<staff> (A verified)": Endpoint(
        "delete", lambda w: f"/api/v1/companies/{w.a.pk}/members/{w.staff_a_membership.pk}/",
        _check_member_removed, a_status=S.VERIFIED),
    "GET invites (A unverified)": Endpoint("get", a_url("invites/"), _check_invites),
    "GET invites (A verified)": Endpoint("get", a_url("invites/"), _check_invites, a_status=S.VERIFIED),
    "POST invites (A unverified)": Endpoint("post", a_url("invites/"), _check_invite_created,
                                            body=lambda w: {"email": "another@example.com"}),
    "POST invites (A verified)": Endpoint("post", a_url("invites/"), _check_invite_created,
                                          body=lambda w: {"email": "another@example.com"}, a_status=S.VERIFIED),
    "DELETE invites/<id> (A unverified)": Endpoint(
        "delete", lambda w: f"/api/v1/companies/{w.a.pk}/invites/{w.invite.pk}/", _check_invite_revoked),
    "DELETE invites/<id> (A verified)": Endpoint(
        "delete", lambda w: f"/api/v1/companies/{w.a.pk}/invites/{w.invite.pk}/", _check_invite_revoked,
        a_status=S.VERIFIED),
    "POST invites/accept/": Endpoint(
        "post", lambda w: "/api/v1/invites/accept/", _check_invite_accepted,
        body=lambda w: {"token": w.invite.token, "password": "Newcomer-Passphrase-31", "full_name": "Nia Newcomer"}),
    "GET moderation/companies/ (A pending)": Endpoint("get", lambda w: "/api/v1/moderation/companies/",
                                                      _check_queue, a_status=S.PENDING),
    "GET auth/tokens/": Endpoint("get", lambda w: "/api/v1/auth/tokens/", _check_tokens_listed,
                                 prepare=_with_owner_token),
    "POST auth/tokens/": Endpoint("post", lambda w: "/api/v1/auth/tokens/", _check_token_created,
                                  body=lambda w: {"name": "Nightly sync", "expires_in_days": 30}),
    "DELETE auth/tokens/<owner_a's>/": Endpoint(
        "delete", lambda w: f"/api/v1/auth/tokens/{ApiToken.objects.get(user=w.owner_a).pk}/", _check_token_revoked,
        prepare=_with_owner_token),
    "POST auth/verify-email/ (owner_a unverified)": Endpoint(
        "post", lambda w: "/api/v1/auth/verify-email/", _check_owner_verified, prepare=_owner_unverified,
        body=lambda w: {"token": email_verification_token(w.owner_a)}),
    "POST auth/verify-email/resend/": Endpoint("post", lambda w: "/api/v1/auth/verify-email/resend/",
                                               lambda w, actor, response: None),
}

# The expected status code of every cell. Columns follow ROLES.
MATRIX = [
    # endpoint                                  anonymous owner_a staff_a owner_b moderator admin
    ("POST auth/register/",                     201,      201,    201,    201,    201,      201),
    ("POST auth/login/",                        200,      200,    200,    200,    200,      200),
    ("POST auth/logout/",                       204,      204,    204,    204,    204,      204),
    ("POST auth/token/",                        200,      200,    200,    200,    200,      200),
    ("POST auth/password-reset/",               202,      202,    202,    202,    202,      202),
    ("POST auth/password-reset/confirm/",       204,      204,    204,    204,    204,      204),
    ("GET me/",                                 401,      200,    200,    200,    200,      200),
    ("PATCH me/",                               401,      200,    200,    200,    200,      200),
    ("GET companies/",                          200,      200,    200,    200,    200,      200),
    ("GET companies/A/ (A unverified)",         404,      200,    200,    404,    200,      200),
    ("GET companies/A/ (A verified)",           200,      200,    200,    200,    200,      200),
    ("PATCH companies/A/ (A unverified)",       401,      200,    403,    404,    403,      403),
    ("PATCH companies/A/ (A verified)",         401,      200,    403,    403,    403,      403),
    ("POST submit-verification (A unverified)", 401,      200,    200,    404,    403,      403),
    ("POST verify (A pending)",                 401,      403,    403,    404,    200,      200),
    ("POST reject (A pending)",                 401,      403,    403,    404,    200,      200),
    ("POST suspend (A verified)",               401,      403,    403,    403,    200,      200),
    ("POST reinstate (A suspended)",            401,      403,    403,    404,    200,      200),
    ("POST approve-identity (A verified)",      401,      403,    403,    403,    200,      200),
    ("POST reject-identity (A verified)",       401,      403,    403,    403,    200,      200),
    ("GET verification-history (A unverified)", 401,      200,    200,    404,    200,      200),
    ("GET verification-history (A verified)",   401,      200,    200,    404,    200,      200),
    ("GET documents (A unverified)",            404,      200,    200,    404,    200,      200),
    ("GET documents (A verified)",              404,      200,    200,    404,    200,      200),
    ("GET documents/<id>/download/ (A verified)", 404,    200,    200,    404,    200,      200),
    ("DELETE documents/<id> (A unverified)",    404,      204,    204,    404,    403,      403),
    ("GET members (A unverified)",              401,      200,    200,    404,    200,      200),
    ("GET members (A verified)",                401,      200,    200,    404,    200,      200),
    ("DELETE members/<staff> (A unverified)",   401,      204,    403,    404,    403,      403),
    ("DELETE members/<staff> (A verified)",     401,      204,    403,    403,    403,      403),
    ("GET invites (A unverified)",              401,      200,    404,    404,    404,      404),
    ("GET invites (A verified)",                401,      200,    404,    404,    404,      404),
    ("POST invites (A unverified)",             401,      201,    403,    404,    403,      403),
    ("POST invites (A verified)",               401,      201,    403,    403,    403,      403),
    ("DELETE invites/<id> (A unverified)",      401,      204,    403,    404,    403,      403),
    ("DELETE invites/<id> (A verified)",        401,      204,    403,    403,    403,      403),
    ("POST invites/accept/",                    201,      403,    403,    403,    403,      403),
    ("GET moderation/companies/ (A pending)",   401,      403,    403,    403,    200,      200),
    ("GET auth/tokens/",                        401,      200,    200,    200,    200,      200),
    ("POST auth/tokens/",                       401,      201,    201,    201,    201,      201),
    ("DELETE auth/tokens/<owner_a's>/",         401,      204,    404,    404,    404,      404),
    ("POST auth/verify-email/ (owner_a unverified)", 204,  204,    204,    204,    204,      204),
    ("POST auth/verify-email/resend/",          401,      409,    409,    409,    409,      409),
]

CELLS = [pytest.param(endpoint, role, code, id=f"{endpoint} | {role}")
         for endpoint, *codes in MATRIX for role, code in zip(ROLES, codes, strict=True)]


def expected_error_code(role: str, status: int) -> str:
    if status == 403:
        return "permission_denied"
    return {401: "not_authenticated", 404: "not_found", 409: "email_already_verified"}[status]


def test_the_matrix_covers_every_endpoint():
    assert [row[0] for row in MATRIX] == list(ENDPOINTS)


@pytest.mark.parametrize(("endpoint", "role", "expected"), CELLS)
def test_permission_matrix(world, api_client, endpoint, role, expected):
    spec = ENDPOINTS[endpoint]
    set_status(world.a, spec.a_status)
    if spec.prepare:
        spec.prepare(world)
    actor = actor_for(world, role)
    api_client.force_authenticate(user=actor)
    before = db_state()

    response = getattr(api_client, spec.method)(spec.path(world), spec.body(world) if spec.body else None,
                                                format="json")

    assert response.status_code == expected, response.content
    if expected >= 400:
        error = assert_error_format(response)
        assert error["code"] == expected_error_code(role, expected)
        assert db_state() == before
    else:
        if spec.method == "get":
            assert db_state() == before
        spec.check(world, actor, response)


def test_every_routed_accounts_endpoint_is_in_the_matrix():
    """A new route in accounts/api/urls.py has to be added to the table above."""
    from accounts.api.urls import urlpatterns

    routes = sorted(str(p.pattern) for p in urlpatterns)
    assert routes == sorted([
        "auth/register/", "auth/login/", "auth/logout/", "auth/token/", "auth/password-reset/",
        "auth/password-reset/confirm/", "me/", "invites/accept/", "moderation/companies/",
        "^companies/$", "^companies/(?P<pk>[^/.]+)/$", "^companies/(?P<pk>[^/.]+)/invites/$",
        "^companies/(?P<pk>[^/.]+)/invites/(?P<invite_id>\\d+)/$", "^companies/(?P<pk>[^/.]+)/members/$",
        "^companies/(?P<pk>[^/.]+)/members/(?P<membership_id>\\d+)/$", "^companies/(?P<pk>[^/.]+)/reinstate/$",
        "^companies/(?P<pk>[^/.]+)/reject/$", "^companies/(?P<pk>[^/.]+)/submit-verification/$",
        "^companies/(?P<pk>[^/.]+)/suspend/$", "^companies/(?P<pk>[^/.]+)/verification-history/$",
        "^companies/(?P<pk>[^/.]+)/verify/$", "^companies/(?P<pk>[^/.]+)/approve-identity/$",
        "^companies/(?P<pk>[^/.]+)/reject-identity/$", "auth/tokens/", "auth/tokens/<int:token_id>/",
        "auth/verify-email/", "auth/verify-email/resend/", "^companies/(?P<pk>[^/.]+)/documents/$",
        "^companies/(?P<pk>[^/.]+)/documents/(?P<document_id>\\d+)/$",
        "^companies/(?P<pk>[^/.]+)/documents/(?P<document_id>\\d+)/download/$",
    ])


# --- what a stranger can see and change -------------------------------------------------------------

VISIBILITY = [
    # A's status      anonymous owner_a staff_a owner_b moderator admin
    (S.UNVERIFIED,    404,      200,    200,    404,    200,      200),
    (S.PENDING,       404,      200,    200,    404,    200,      200),
    (S.VERIFIED,      200,      200,    200,    200,    200,      200),
    (S.REJECTED,      404,      200,    200,    404,    200,      200),
    (S.SUSPENDED,     404,      200,    200,    404,    200,      200),
]


@pytest.mark.parametrize(("status", "role", "expected"), [
    pytest.param(status, role, code, id=f"{status} | {role}")
    for status, *codes in VISIBILITY for role, code in zip(ROLES, codes, strict=True)])
def test_only_verified_companies_are_public(world, api_client, status, role, expected):
    set_status(world.a, status)
    api_client.force_authenticate(user=actor_for(world, role))

    detail = api_client.get(f"/api/v1/companies/{world.a.pk}/")
    listed = api_client.get("/api/v1/companies/")

    assert detail.status_code == expected
    listed_ids = [row["id"] for row in listed.json()["results"]]
    assert (world.a.pk in listed_ids) is (expected == 200)
    if expected == 404:
        assert detail.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_owner_of_b_cannot_edit_a_verified_company_a(world, api_client):
    set_status(world.a, S.VERIFIED)
    api_client.force_authenticate(user=world.owner_b)
    before = db_state()

    response = api_client.patch(f"/api/v1/companies/{world.a.pk}/", {"legal_name": "Taken Over Ltd"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"error": {"code": "permission_denied",
                                         "message": "Only an owner of this company can do that."}}
    assert db_state() == before
    world.a.refresh_from_db()
    assert world.a.legal_name == "Alpha Textiles"


def test_non_numeric_company_id_is_a_404_in_the_error_format(world, api_client):
    api_client.force_authenticate(user=world.owner_a)

    for path in ("/api/v1/companies/abc/", "/api/v1/companies/abc/members/",
                 f"/api/v1/companies/{10**30}/"):
        response = api_client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


# --- mass assignment --------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("verification_status", "verified"),
    ("verification_reason", "Looks fine"),
    ("verification_changed_at", "2026-01-01T00:00:00Z"),
    ("id", 999),
    ("created_at", "2020-01-01T00:00:00Z"),
])
def test_owner_cannot_mass_assign_read_only_company_fields(world, api_client, field, value):
    api_client.force_authenticate(user=world.owner_a)
    before = db_state()

    response = api_client.patch(f"/api/v1/companies/{world.a.pk}/", {field: value, "description": "Also this"},
                                format="json")

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "validation_error", "message": "This field cannot be set.",
                                         "fields": {field: ["This field cannot be set."]}}}
    assert db_state() == before
    world.a.refresh_from_db()
    assert (world.a.pk, world.a.verification_status, world.a.description) == (
        world.a.pk, S.UNVERIFIED, "We make things.")


def test_mass_assignment_is_refused_in_multipart_too(world, api_client):
    api_client.force_authenticate(user=world.owner_a)
    before = db_state()

    response = api_client.patch(f"/api/v1/companies/{world.a.pk}/", {"verification_status": "verified"},
                                format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"verification_status": ["This field cannot be set."]}
    assert db_state() == before


def test_register_cannot_mass_assign_company_status(api_client, db):
    body = {**REGISTER_BODY, "company": {**REGISTER_BODY["company"], "verification_status": "verified"}}

    response = api_client.post("/api/v1/auth/register/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "validation_error", "message": "This field cannot be set.",
                                         "fields": {"company.verification_status": ["This field cannot be set."]}}}
    assert (User.objects.count(), Company.objects.count(), Membership.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("field", ["is_staff", "is_superuser", "email", "id"])
def test_me_patch_cannot_set_privileges_or_identity(world, api_client, field):
    api_client.force_authenticate(user=world.owner_a)
    before = db_state()

    response = api_client.patch("/api/v1/me/", {field: True if field.startswith("is_") else "x@example.com"},
                                format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: ["This field cannot be set."]}
    assert db_state() == before


def test_member_cannot_verify_their_own_company(world, api_client):
    set_status(world.a, S.PENDING)
    api_client.force_authenticate(user=world.owner_a)
    before = db_state()

    response = api_client.post(f"/api/v1/companies/{world.a.pk}/verify/", {}, format="json")

    assert response.status_code == 403
    assert response.json() == {"error": {"code": "permission_denied",
                                         "message": "Only a moderator can decide on a company's verification."}}
    assert db_state() == before


@pytest.mark.parametrize(("action", "status", "body"), [
    ("verify", S.PENDING, {}),
    ("reject", S.PENDING, {"reason": "Not real"}),
    ("suspend", S.VERIFIED, {"reason": "Not real"}),
    ("reinstate", S.SUSPENDED, {}),
])
def test_moderator_who_is_a_member_cannot_decide_on_that_company(world, moderator_member_of_a, api_client,
                                                                 action, status, body):
    set_status(world.a, status)
    api_client.force_authenticate(user=moderator_member_of_a)
    before = db_state()

    response = api_client.post(f"/api/v1/companies/{world.a.pk}/{action}/", body, format="json")

    assert response.status_code == 403
    assert response.json() == {"error": {"code": "permission_denied",
                                         "message": "A moderator cannot decide on their own company."}}
    assert db_state() == before
    world.a.refresh_from_db()
    assert world.a.verification_status == status


def test_inactive_moderator_is_no_moderator(world, api_client):
    set_status(world.a, S.PENDING)
    world.moderator.is_active = False
    world.moderator.save(update_fields=["is_active"])
    api_client.force_authenticate(user=world.moderator)
    before = db_state()

    response = api_client.post(f"/api/v1/companies/{world.a.pk}/verify/", {}, format="json")

    assert response.status_code == 404
    assert db_state() == before


# --- the way anonymous and bad credentials are refused ------------------------------------------------

def test_anonymous_gets_401_not_authenticated_with_a_challenge(world, api_client):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"error": {"code": "not_authenticated",
                                         "message": "Authentication credentials were not provided."}}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Bearer not-a-real-token"])
def test_a_bad_token_gets_401_authentication_failed(world, api_client, header):
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json() == {"error": {"code": "authentication_failed",
                                         "message": "Invalid, expired or revoked token."}}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_method_not_allowed_uses_the_error_format(world, api_client):
    api_client.force_authenticate(user=world.owner_a)
    before = db_state()

    response = api_client.delete("/api/v1/me/")

    assert response.status_code == 405
    assert response.json() == {"error": {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.'}}
    assert db_state() == before
