"""Identity review on the pages: a verified company's new legal name, registration number, country
or trading role waits for a moderator (the company page says so and shows both), moderators see the
changes side by side and approve or reject them, and a name that reads like a verified company's is
flagged in the queue and on the company's moderation page."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains, assertRedirects

from accounts import services
from accounts.models import Company, VerificationDecision, VerificationStatus
from tests.factories.accounts import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

WAITING_SAVED = ("The company profile is saved. Your changes to the company's identity wait for a moderator's "
                 "review; until they are approved, the company keeps its verified details.")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _form_data(response, **changes) -> dict:
    """What the owner's browser posts: the company form as the page fills it, with `changes`."""
    form = response.context["company_form"]
    data = {name: form[name].value() for name in form.fields if name != "logo"}
    return {**{k: ("" if v is None else v) for k, v in data.items()}, **changes}


def _identity(company: Company) -> tuple:
    company.refresh_from_db()
    return (company.legal_name, company.registration_number, company.country.code, company.kind,
            company.pending_changes, company.pending_changes_at)


@pytest.fixture
def verified():
    """A verified seller in Türkiye, Alpha Textiles, with its owner."""
    company = CompanyFactory(legal_name="Alpha Textiles", registration_number="TR-100", country="TR",
                             kind="seller", verification_status=VerificationStatus.VERIFIED,
                             verification_changed_at=timezone.now())
    return company, MembershipFactory(company=company).user


@pytest.fixture
def waiting(verified):
    """Alpha Textiles asked to become Alpha Textiles GmbH in Germany, buying and selling."""
    company, owner = verified
    services.company_update(company=company, actor=owner,
                            data={"legal_name": "Alpha Textiles GmbH", "country": "DE", "kind": "both"})
    company.refresh_from_db()
    return company, owner


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


# --- the company page -----------------------------------------------------------------------------

def test_owner_changing_the_identity_is_told_it_waits_and_sees_both(client, verified):
    company, owner = verified
    client.force_login(owner)
    page = client.get("/my-company/")
    assertContains(page, 'id="identity-review-hint"')
    assertNotContains(page, 'id="identity-review"')

    response = client.post("/my-company/edit/", _form_data(page, legal_name="Alpha Textiles GmbH", country="DE",
                                                           kind="both", description="Towels from Bursa."))

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    legal_name, regno, country, kind, changes, changed_at = _identity(company)
    assert (legal_name, regno, country, kind) == ("Alpha Textiles", "TR-100", "TR", "seller")
    assert changes == {"legal_name": "Alpha Textiles GmbH", "country": "DE", "kind": "both"}
    company.refresh_from_db()
    assert company.description == "Towels from Bursa."  # the rest is saved at once
    page = client.get("/my-company/")
    assert _messages(page) == [WAITING_SAVED]
    assertContains(page, "<h1>Alpha Textiles</h1>")
    assertContains(page, "Changes waiting for a moderator")
    assertContains(page, f"On {date_format(timezone.localtime(changed_at), 'DATETIME_FORMAT')} you changed")
    assertContains(page, '<tr id="identity-change-legal_name"><th scope="row">Legal name</th>'
                         '<td>Alpha Textiles</td><td>Alpha Textiles GmbH</td></tr>', html=True)
    assertContains(page, '<tr id="identity-change-country"><th scope="row">Country</th>'
                         '<td>Türkiye</td><td>Germany</td></tr>', html=True)
    assertContains(page, '<tr id="identity-change-kind"><th scope="row">Trading role</th>'
                         '<td>Seller</td><td>Buyer and seller</td></tr>', html=True)
    assertNotContains(page, 'id="identity-change-registration_number"')


def test_saving_other_fields_saves_at_once_and_keeps_the_waiting_changes(client, waiting):
    company, owner = waiting
    before = _identity(company)
    client.force_login(owner)
    page = client.get("/my-company/")
    assert page.context["company_form"]["legal_name"].value() == "Alpha Textiles GmbH"

    response = client.post("/my-company/edit/", _form_data(page, address="2 Loom Street, Bursa"))

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    assert _identity(company) == before
    company.refresh_from_db()
    assert company.address == "2 Loom Street, Bursa"
    page = client.get("/my-company/")
    assert _messages(page) == ["The company profile is saved."]
    assertContains(page, 'id="identity-review"')


def test_putting_back_the_verified_value_withdraws_that_change(client, waiting):
    company, owner = waiting
    client.force_login(owner)
    page = client.get("/my-company/")

    client.post("/my-company/edit/", _form_data(page, legal_name="Alpha Textiles"))

    assert _identity(company)[:5] == ("Alpha Textiles", "TR-100", "TR", "seller", {"country": "DE", "kind": "both"})


def test_verified_company_saving_only_other_fields_has_nothing_waiting(client, verified):
    company, owner = verified
    client.force_login(owner)
    page = client.get("/my-company/")

    client.post("/my-company/edit/", _form_data(page, website="https://alpha.example"))

    assert _identity(company)[4:] == (None, None)
    company.refresh_from_db()
    assert company.website == "https://alpha.example"
    page = client.get("/my-company/")
    assert _messages(page) == ["The company profile is saved."]
    assertNotContains(page, 'id="identity-review"')


def test_staff_member_sees_the_waiting_changes_without_the_form(client, waiting):
    company, _owner = waiting
    staff = MembershipFactory(company=company, role="staff").user
    client.force_login(staff)

    page = client.get("/my-company/")

    assertContains(page, '<tr id="identity-change-legal_name"><th scope="row">Legal name</th>'
                         '<td>Alpha Textiles</td><td>Alpha Textiles GmbH</td></tr>', html=True)
    assert page.context["company_form"] is None
    assertNotContains(page, "To withdraw a change")


def test_identity_decisions_read_as_such_in_the_company_history(client, waiting, moderator):
    company, owner = waiting
    services.company_identity_reject(company=company, actor=moderator, reason="Show us the new registry entry.")
    client.force_login(owner)

    page = client.get("/my-company/")

    assertContains(page, '<td colspan="2">Identity changes rejected</td>', html=True)
    assertContains(page, "Show us the new registry entry.")
