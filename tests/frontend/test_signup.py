"""Sign-up: one form creates the user, the company and the owner membership."""
import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import Company, Membership, User
from tests.factories.accounts import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

NAMED_INPUTS = ["email", "full_name", "password1", "password2", "preferred_language", "legal_name", "country",
                "registration_number", "address", "website", "description", "default_currency", "kind"]


def _counts():
    return User.objects.count(), Company.objects.count(), Membership.objects.count()


def test_signup_page_has_every_named_input(client):
    response = client.get("/signup/")

    assert response.status_code == 200
    assertContains(response, '<form id="signup-form"')
    for name in NAMED_INPUTS:
        assertContains(response, f'name="{name}"', count=1)
    assertContains(response, '<option value="TR">Türkiye</option>', html=True)
    assertContains(response, '<option value="TRY">TRY – Turkish Lira</option>', html=True)
    assertContains(response, '<option value="both">Buyer and seller</option>', html=True)


def test_signup_creates_user_company_and_owner_membership(client, signup_data):
    response = client.post("/signup/", signup_data)

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    user = User.objects.get()
    company = Company.objects.get()
    assert (user.email, user.full_name, user.preferred_language) == ("selin@ipek-textiles.example", "Selin Demir", "tr")
    assert user.check_password("Kilim-Loom-Bursa-2026")
    assert (company.legal_name, company.country.code, company.registration_number, company.address,
            company.website, company.description, company.default_currency, company.kind,
            company.preferred_language, company.verification_status) == (
        "İpek Textiles A.Ş.", "TR", "TR-771204", "Osmangazi, Bursa", "https://ipek-textiles.example",
        "Towels and bathrobes from Bursa.", "TRY", "seller", "tr", "unverified")
    assert list(Membership.objects.values_list("user_id", "company_id", "role")) == [(user.pk, company.pk, "owner")]
    assert client.session["_auth_user_id"] == str(user.pk)

    page = client.get("/my-company/")
    assertContains(page, "<h1>İpek Textiles A.Ş.</h1>", html=True)


@pytest.mark.parametrize(("changes", "field", "errors"), [
    ({"country": "XX"}, "country", ["Select a valid choice. XX is not one of the available choices."]),
    ({"default_currency": "ZZZ"}, "default_currency",
     ["Select a valid choice. ZZZ is not one of the available choices."]),
    ({"description": "Best <b>towels</b>"}, "description", ["HTML tags and scripts are not allowed in this field."]),
    ({"legal_name": "<script>x</script>"}, "legal_name", ["HTML tags and scripts are not allowed in this field."]),
    ({"password2": "Kilim-Loom-Bursa-2027"}, "password2", ["The two passwords do not match."]),
    ({"password1": "password123", "password2": "password123"}, "password1", ["This password is too common."]),
    ({"password1": "selin@ipek-textiles", "password2": "selin@ipek-textiles"}, "password1",
     ["The password is too similar to the e-mail address."]),
    ({"kind": "broker"}, "kind", ["Select a valid choice. broker is not one of the available choices."]),
    ({"email": "not-an-address"}, "email", ["Enter a valid email address."]),
    ({"legal_name": ""}, "legal_name", ["This field is required."]),
])
def test_signup_with_bad_input_creates_nothing(client, signup_data, changes, field, errors):
    response = client.post("/signup/", {**signup_data, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors == {field: errors}
    assertContains(response, f'<ul class="errorlist" id="id_{field}_error"><li>{errors[0]}</li></ul>', html=True)
    assert _counts() == (0, 0, 0)
    assert "_auth_user_id" not in client.session


def test_signup_with_taken_email_creates_nothing(client, signup_data):
    UserFactory(email="selin@ipek-textiles.example")
    before = _counts()

    response = client.post("/signup/", signup_data)

    assert response.context["form"].errors == {"email": ["An account with this e-mail address already exists."]}
    assert _counts() == before


def test_signup_with_registered_company_creates_nothing(client, signup_data):
    CompanyFactory(country="TR", registration_number="TR-771204")
    before = _counts()

    response = client.post("/signup/", signup_data)

    assert response.context["form"].errors == {
        "registration_number": ["Company with this Country and Registration number already exists."]}
    assert _counts() == before


def test_signup_keeps_what_was_typed_but_not_the_password(client, signup_data):
    response = client.post("/signup/", {**signup_data, "description": "<i>x</i>"})

    assertContains(response, 'value="TR-771204"')
    assertNotContains(response, "Kilim-Loom-Bursa-2026")
