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
from tests.accounts.helpers import give_evidence
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


# --- the moderators' queue and decisions ------------------------------------------------------------

def test_queue_shows_identity_changes_side_by_side_with_approve_and_reject(moderator_client, waiting,
                                                                           pending_company):
    company, _owner = waiting
    asking = pending_company(legal_name="Asking Ltd")

    response = moderator_client.get("/moderation/companies/")

    assert response.context["pending"] == [asking]
    assert [c for c, _changes in response.context["identity_queue"]] == [company]
    assertContains(response, '<tr class="identity-change-legal_name"><th scope="row">Legal name</th>'
                             '<td>Alpha Textiles</td><td><ins>Alpha Textiles GmbH</ins></td></tr>', html=True)
    assertContains(response, '<tr class="identity-change-country"><th scope="row">Country</th>'
                             '<td>Türkiye</td><td><ins>Germany</ins></td></tr>', html=True)
    assertContains(response, f'action="/moderation/companies/{company.pk}/identity/approve/"')
    assertContains(response, f'<textarea id="identity-reject-reason-{company.pk}" name="reason" rows="2" '
                             f'maxlength="2000" required></textarea>', html=True)
    assertNotContains(response, f'action="/moderation/companies/{company.pk}/verify/"')
    assertContains(response, f'action="/moderation/companies/{asking.pk}/verify/"')


def test_empty_identity_queue(moderator_client):
    response = moderator_client.get("/moderation/companies/")

    assert response.context["identity_queue"] == []
    assertContains(response, 'id="identity-queue-empty"')


def test_moderator_approves_the_changes(moderator_client, moderator, waiting):
    company, _owner = waiting

    response = moderator_client.post(f"/moderation/companies/{company.pk}/identity/approve/", {"reason": ""})

    assertRedirects(response, "/moderation/companies/", fetch_redirect_response=False)
    assert _identity(company) == ("Alpha Textiles GmbH", "TR-100", "DE", "both", None, None)
    assert company.verification_status == VerificationStatus.VERIFIED
    decision = VerificationDecision.objects.get()
    assert (decision.actor, decision.identity_changes, decision.applied_changes, decision.reason) == (
        moderator, {"legal_name": "Alpha Textiles GmbH", "country": "DE", "kind": "both"}, True, "")
    page = moderator_client.get("/moderation/companies/")
    assert _messages(page) == ["The identity changes of Alpha Textiles are approved and now shown."]
    assert page.context["identity_queue"] == []


def test_moderator_rejects_the_changes_with_a_reason(moderator_client, waiting):
    company, _owner = waiting

    response = moderator_client.post(f"/moderation/companies/{company.pk}/identity/reject/",
                                     {"reason": "The registry still lists the old name."}, follow=True)

    assert _messages(response) == [
        "The identity changes of Alpha Textiles are rejected; the company keeps its verified identity."]
    assert _identity(company) == ("Alpha Textiles", "TR-100", "TR", "seller", None, None)
    assert list(VerificationDecision.objects.values_list("applied_changes", "reason")) == [
        (False, "The registry still lists the old name.")]


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_changes_nothing(moderator_client, waiting, reason):
    company, _owner = waiting
    before = _identity(company)

    response = moderator_client.post(f"/moderation/companies/{company.pk}/identity/reject/", {"reason": reason},
                                     follow=True)

    assert _messages(response) == ["Alpha Textiles: A reason is required for this decision."]
    assert _identity(company) == before
    assert VerificationDecision.objects.count() == 0


def test_approving_when_nothing_waits_changes_nothing(moderator_client, verified):
    company, _owner = verified
    before = _identity(company)

    response = moderator_client.post(f"/moderation/companies/{company.pk}/identity/approve/", follow=True)

    assert _messages(response) == ["Alpha Textiles: This company has no identity changes waiting for review."]
    assert _identity(company) == before
    assert VerificationDecision.objects.count() == 0


def test_a_member_cannot_decide_on_identity_changes(client, waiting):
    company, owner = waiting
    before = _identity(company)
    client.force_login(owner)

    approve = client.post(f"/moderation/companies/{company.pk}/identity/approve/")
    page = client.get(f"/moderation/companies/{company.pk}/")

    assert (approve.status_code, page.status_code) == (403, 403)
    assert _identity(company) == before


def test_unknown_company_is_404(moderator_client):
    assert moderator_client.get("/moderation/companies/999999/").status_code == 404
    assert moderator_client.post("/moderation/companies/999999/identity/approve/").status_code == 404


# --- the moderation page of one company --------------------------------------------------------------

def test_company_moderation_page_shows_both_identities_and_decides_back_to_itself(moderator_client, waiting):
    company, _owner = waiting
    url = f"/moderation/companies/{company.pk}/"

    page = moderator_client.get(url)

    assert page.status_code == 200
    assertContains(page, "<dt>Legal name</dt><dd>Alpha Textiles</dd>", html=True)
    assertContains(page, '<tr class="identity-change-kind"><th scope="row">Trading role</th>'
                         '<td>Seller</td><td><ins>Buyer and seller</ins></td></tr>', html=True)
    for action in ("approve", "reject"):  # both decision forms come back to this page
        form = re.search(rf'<form[^>]*action="/moderation/companies/{company.pk}/identity/{action}/"[^>]*>.*?</form>',
                         page.content.decode(), re.S).group(0)
        assertInHTML(f'<input type="hidden" name="next" value="{url}">', form)
    response = moderator_client.post(f"/moderation/companies/{company.pk}/identity/approve/", {"next": url})
    assertRedirects(response, url, fetch_redirect_response=False)
    page = moderator_client.get(url)
    assertContains(page, "<dt>Legal name</dt><dd>Alpha Textiles GmbH</dd>", html=True)
    assertNotContains(page, 'id="identity-review"')
    assertContains(page, "Identity changes approved")


def test_company_moderation_page_of_a_verification_request_offers_verify_and_reject(moderator_client,
                                                                                    pending_company):
    company = pending_company(legal_name="Asking Ltd")

    page = moderator_client.get(f"/moderation/companies/{company.pk}/")

    assertContains(page, f'action="/moderation/companies/{company.pk}/verify/"')
    assertContains(page, f'action="/moderation/companies/{company.pk}/reject/"')
    assertNotContains(page, "/identity/approve/")


# --- lookalike names ------------------------------------------------------------------------------

@pytest.fixture
def beta(db):
    return CompanyFactory(legal_name="Beta Circuits", country="CN", verification_status=VerificationStatus.VERIFIED)


def test_a_lookalike_asking_for_verification_is_flagged_in_the_queue_and_on_its_page(moderator_client, beta):
    company = give_evidence(CompanyFactory(legal_name="Вета Сircuits"))
    owner = MembershipFactory(company=company).user
    services.company_verification_submit(company=company, actor=owner)
    flag = (f'<p class="notice notice-warn" id="confusable-{company.pk}"><strong>Lookalike name:</strong> '
            f'reads like <a href="/moderation/companies/{beta.pk}/">Beta Circuits</a>, a verified company</p>')

    queue = moderator_client.get("/moderation/companies/")
    page = moderator_client.get(f"/moderation/companies/{company.pk}/")

    assertContains(queue, flag, html=True)
    assertContains(page, flag, html=True)
    assertNotContains(queue, f'id="confusable-{beta.pk}"')


def test_a_verified_company_asking_for_a_lookalike_name_is_flagged_on_its_identity_change(moderator_client, beta,
                                                                                           verified):
    company, owner = verified
    services.company_update(company=company, actor=owner, data={"legal_name": "Вета Сircuits"})

    queue = moderator_client.get("/moderation/companies/")

    row = f'id="identity-{company.pk}"'
    assertContains(queue, row)
    assertContains(queue, f'<p class="notice notice-warn" id="confusable-{company.pk}"><strong>Lookalike name:'
                          f'</strong> reads like <a href="/moderation/companies/{beta.pk}/">Beta Circuits</a>, '
                          f'a verified company</p>', html=True)


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/moderation/companies/")
    assert response.status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_identity_changes(moderator_client, moderator, beta):
    def lookalike_waiting(n):
        company = CompanyFactory(legal_name=f"Alpha {n}", verification_status=VerificationStatus.VERIFIED)
        owner = MembershipFactory(company=company).user
        services.company_update(company=company, actor=owner,
                                data={"legal_name": "Вета Сircuits", "registration_number": f"NEW-{n}"})
        Company.objects.filter(pk=company.pk).update(pending_changes_at=timezone.now() - timedelta(minutes=n))

    lookalike_waiting(0)
    _queue_queries(moderator_client)
    with_one = _queue_queries(moderator_client)
    for n in range(1, 10):
        lookalike_waiting(n)
    with_ten = _queue_queries(moderator_client)

    assert Company.objects.filter(pending_changes__isnull=False, confusable_with=beta).count() == 10
    assert with_ten == with_one


# --- the admin -----------------------------------------------------------------------------------

def test_company_admin_shows_the_waiting_changes_and_the_lookalike_read_only(client, admin_user, waiting, beta):
    company, _owner = waiting
    Company.objects.filter(pk=company.pk).update(confusable_with=beta)
    client.force_login(admin_user)

    page = client.get(reverse("admin:accounts_company_change", args=[company.pk]))

    assert page.status_code == 200
    readonly = page.context["adminform"].readonly_fields
    assert {"pending_changes", "pending_changes_at", "confusable_with"} <= set(readonly)
    assertContains(page, "Alpha Textiles GmbH")
    assertContains(page, "Beta Circuits")
    assertNotContains(page, 'name="pending_changes_at"')
