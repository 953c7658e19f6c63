"""The Django admin for companies: pages load, verification actions go through the services."""
from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from accounts.models import VerificationDecision
from accounts.models import VerificationStatus as S
from tests.accounts.helpers import assert_unchanged, set_status
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/company/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_company_changelist_loads(admin_client, company_a, company_b):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [company_a.pk, company_b.pk]
    assert "Alpha Textiles" in response.content.decode()


def test_company_change_page_shows_the_decision_history(admin_client, company_a, member_a, moderator):
    VerificationDecision.objects.create(company=company_a, actor=moderator, from_status=S.PENDING,
                                        to_status=S.REJECTED, reason="Registry extract is missing")

    response = admin_client.get(f"{CHANGELIST}{company_a.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Verification decisions" in html
    assert "Registry extract is missing" in html
    assert member_a.email in html
    inline_models = [formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]]
    assert inline_models == ["Membership", "VerificationDecision"]


def test_verify_action_verifies_a_pending_company_and_records_it(admin_client, admin_user, company_a, member_a,
                                                               django_capture_on_commit_callbacks):
    set_status(company_a, S.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(CHANGELIST, {"action": "verify", "_selected_action": [company_a.pk]})

    assert response.status_code == 302
    company_a.refresh_from_db()
    assert company_a.verification_status == S.VERIFIED
    decision = VerificationDecision.objects.get()
    assert (decision.company, decision.actor, decision.from_status, decision.to_status, decision.reason) == (
        company_a, admin_user, S.PENDING, S.VERIFIED, "")
    assert messages_of(response) == ["1 company updated."]
    assert [m.to for m in mail.outbox] == [[member_a.email]]


def test_verify_action_reports_a_refused_move_and_changes_nothing(admin_client, company_a):
    with assert_unchanged():
        response = admin_client.post(CHANGELIST, {"action": "verify", "_selected_action": [company_a.pk]})

    assert response.status_code == 302
    assert messages_of(response) == ["Alpha Textiles (TR): A company cannot go from unverified to verified."]


def test_reject_action_asks_for_a_reason_then_rejects(admin_client, admin_user, company_a, company_b):
    set_status(company_a, S.PENDING)

    with assert_unchanged():
        form_page = admin_client.post(CHANGELIST, {"action": "reject", "_selected_action": [company_a.pk]})

    assert form_page.status_code == 200
    assert [t.name for t in form_page.templates][0] == "admin/accounts/company/reason_action.html"
    html = form_page.content.decode()
    assert 'name="reason"' in html
    assert f'name="_selected_action" value="{company_a.pk}"' in html

    response = admin_client.post(CHANGELIST, {"action": "reject", "_selected_action": [company_a.pk], "apply": "1",
                                              "reason": "Registry extract is missing"})

    assert response.status_code == 302
    company_a.refresh_from_db()
    assert (company_a.verification_status, company_a.verification_reason) == (
        S.REJECTED, "Registry extract is missing")
    decision = VerificationDecision.objects.get()
    assert (decision.actor, decision.from_status, decision.to_status, decision.reason) == (
        admin_user, S.PENDING, S.REJECTED, "Registry extract is missing")
    company_b.refresh_from_db()
    assert company_b.verification_status == S.UNVERIFIED


def test_reject_action_without_a_reason_shows_the_form_again(admin_client, company_a):
    set_status(company_a, S.PENDING)

    with assert_unchanged():
        response = admin_client.post(CHANGELIST, {"action": "reject", "_selected_action": [company_a.pk],
                                                  "apply": "1", "reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}


def test_suspend_and_reinstate_actions(admin_client, company_a):
    set_status(company_a, S.VERIFIED)

    admin_client.post(CHANGELIST, {"action": "suspend", "_selected_action": [company_a.pk], "apply": "1",
                                   "reason": "Complaints"})
    company_a.refresh_from_db()
    assert company_a.verification_status == S.SUSPENDED

    admin_client.post(CHANGELIST, {"action": "reinstate", "_selected_action": [company_a.pk]})

    company_a.refresh_from_db()
    assert company_a.verification_status == S.VERIFIED
    assert list(VerificationDecision.objects.order_by("pk").values_list("from_status", "to_status")) == [
        (S.VERIFIED, S.SUSPENDED), (S.SUSPENDED, S.VERIFIED)]


def test_decision_admin_is_read_only(admin_client, company_a, moderator):
    decision = VerificationDecision.objects.create(company=company_a, actor=moderator, from_status=S.PENDING,
                                                   to_status=S.VERIFIED)

    assert admin_client.get("/admin/accounts/verificationdecision/").status_code == 200
    assert admin_client.get("/admin/accounts/verificationdecision/add/").status_code == 403
    with assert_unchanged():
        response = admin_client.post(f"/admin/accounts/verificationdecision/{decision.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_staff_user_without_permissions_cannot_open_the_company_list(client, company_a):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(CHANGELIST)

    assert response.status_code == 403


def test_staff_user_without_permissions_cannot_run_actions(client, company_a):
    set_status(company_a, S.PENDING)
    client.force_login(UserFactory(is_staff=True))

    with assert_unchanged():
        response = client.post(CHANGELIST, {"action": "verify", "_selected_action": [company_a.pk]})

    assert response.status_code == 403


def test_non_staff_user_is_sent_to_the_admin_login(client, member_a):
    client.force_login(member_a)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST}"
