"""The account's API tokens page: create (the secret shown once), list without secrets, revoke."""
import pytest

from accounts import tokens
from accounts.models import ApiToken
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return UserFactory(email="erp-admin@example.com")


def test_the_page_needs_a_signed_in_user(client):
    response = client.get("/account/tokens/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_create_shows_the_secret_once_and_lists_by_prefix(client, user):
    client.force_login(user)

    created = client.post("/account/tokens/", {"name": "Nightly sync", "expires_in_days": "30"})

    assert created.status_code == 200
    token = ApiToken.objects.get(user=user)
    secret = created.context["created_secret"]
    assert tokens.key_hash(secret) == token.key_hash
    assert secret in created.content.decode()
    assert (token.name, (token.expires_at - token.created_at).days) == ("Nightly sync", 30)
    listed = client.get("/account/tokens/").content.decode()
    assert "Nightly sync" in listed and token.prefix in listed
    assert secret not in listed


def test_bad_input_is_a_form_error(client, user):
    client.force_login(user)

    response = client.post("/account/tokens/", {"name": "", "expires_in_days": "0"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"name": ["This field is required."],
                                               "expires_in_days": ["Ensure this value is greater than or equal to 1."]}
    assert ApiToken.objects.count() == 0


def test_revoke_own_token_only(client, user):
    mine, _secret = tokens.token_create(user=user, name="mine")
    theirs, _other = tokens.token_create(user=UserFactory(), name="theirs")
    client.force_login(user)

    assert client.post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/account/tokens/{mine.pk}/revoke/")

    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.revoked_at is not None, theirs.revoked_at) == (True, None)
    assert "Revoked" in client.get("/account/tokens/").content.decode()
