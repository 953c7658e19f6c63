"""Inviting people into a company, accepting, revoking, and removing members."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import tasks
from accounts.models import Invite, Membership, MembershipRole, User
from notifications.models import Delivery
from notifications.tasks import delivery_send
from tests.accounts.helpers import assert_unchanged
from tests.core.helpers import assert_error
from tests.factories.accounts import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCEPT = "/api/v1/invites/accept/"


def invites_url(company) -> str:
    return f"/api/v1/companies/{company.pk}/invites/"


def test_owner_invites_and_the_invitee_gets_one_email(api_client, company_a, member_a, time_machine,
                                                      django_capture_on_commit_callbacks):
    time_machine.move_to("2026-04-01 12:00:00+00:00", tick=False)
    api_client.force_authenticate(user=member_a)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(invites_url(company_a), {"email": "Ayse.Kaya@Example.com", "role": "owner"},
                                   format="json")

    assert response.status_code == 201
    invite = Invite.objects.get()
    assert response.json() == {"id": invite.pk, "email": "ayse.kaya@example.com", "role": "owner",
                               "expires_at": "2026-04-15T12:00:00Z", "created_at": "2026-04-01T12:00:00Z"}
    assert (invite.company, invite.invited_by, invite.accepted_at, len(invite.token)) == (
        company_a, member_a, None, 43)
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ayse.kaya@example.com"]
    assert mail.outbox[0].subject == "You are invited to join Alpha Textiles on SME Market"
    assert f"/invites/{invite.token}/" in mail.outbox[0].body
    invite.refresh_from_db()
    assert invite.email_sent_at == timezone.now()


def test_staff_cannot_invite(api_client, company_a, staff_a, django_capture_on_commit_callbacks):
    api_client.force_authenticate(user=staff_a)

    with assert_unchanged(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(invites_url(company_a), {"email": "friend@example.com"}, format="json")

    assert_error(response, 403, "permission_denied", message="Only an owner of this company can do that.")
    assert (callbacks, mail.outbox) == ([], [])


def test_a_second_open_invite_for_the_same_address_is_a_conflict(api_client, company_a, member_a,
                                                                 django_capture_on_commit_callbacks):
    api_client.force_authenticate(user=member_a)
    assert api_client.post(invites_url(company_a), {"email": "friend@example.com"}, format="json").status_code == 201

    with assert_unchanged(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(invites_url(company_a), {"email": "FRIEND@example.com"}, format="json")

    assert_error(response, 409, "conflict", message="An invite for this address is already open.",
                 fields={"email": ["An invite for this address is already open."]})
    assert callbacks == []


def test_the_same_address_can_be_invited_by_two_companies(api_client, company_a, member_a, company_b, member_b):
    api_client.force_authenticate(user=member_a)
    assert api_client.post(invites_url(company_a), {"email": "friend@example.com"}, format="json").status_code == 201
    api_client.force_authenticate(user=member_b)

    response = api_client.post(invites_url(company_b), {"email": "friend@example.com"}, format="json")

    assert response.status_code == 201
    assert sorted(Invite.objects.values_list("company_id", flat=True)) == sorted([company_a.pk, company_b.pk])


def test_inviting_an_existing_member_is_refused(api_client, company_a, member_a, staff_a):
    api_client.force_authenticate(user=member_a)

    with assert_unchanged():
        response = api_client.post(invites_url(company_a), {"email": staff_a.email.upper()}, format="json")

    assert_error(response, 400, "validation_error", fields={"email": ["Already a member."]})


@pytest.mark.parametrize(("body", "fields"), [
    ({"email": "not-an-address"}, {"email": ["Enter a valid email address."]}),
    ({"email": "friend@example.com", "role": "admin"}, {"role": ['"admin" is not a valid choice.']}),
    ({"email": "friend@example.com", "token": "chosen"}, {"token": ["This field cannot be set."]}),
])
def test_bad_invite_input_is_refused(api_client, company_a, member_a, body, fields):
    api_client.force_authenticate(user=member_a)

    with assert_unchanged():
        response = api_client.post(invites_url(company_a), body, format="json")

    assert_error(response, 400, "validation_error", fields=fields)


# --- accepting --------------------------------------------------------------------------------------

@pytest.fixture
def invite(company_a, member_a):
    return Invite.objects.create(company=company_a, email="newcomer@example.com", role=MembershipRole.STAFF,
                                 invited_by=member_a, token="tok-newcomer",
                                 expires_at=timezone.now() + timedelta(days=3))


def test_accept_as_a_new_user_creates_user_and_membership(api_client, invite, company_a):
    response = api_client.post(ACCEPT, {"token": invite.token, "password": "Newcomer-Passphrase-31",
                                        "full_name": "Nia Newcomer"}, format="json")

    assert response.status_code == 201
    user = User.objects.get(email="newcomer@example.com")
    assert (user.full_name, user.is_staff, user.password.startswith("argon2$")) == ("Nia Newcomer", False, True)
    membership = Membership.objects.get(user=user)
    assert (membership.company, membership.role) == (company_a, "staff")
    assert (response.json()["id"], response.json()["role"], response.json()["user"]["email"]) == (
        membership.pk, "staff", "newcomer@example.com")
    invite.refresh_from_db()
    assert (invite.accepted_by, invite.accepted_at is not None) == (user, True)
    login = api_client.post("/api/v1/auth/login/", {"email": "newcomer@example.com",
                                                    "password": "Newcomer-Passphrase-31"}, format="json")
    assert login.status_code == 200


def test_accept_as_a_new_user_validates_the_password(api_client, invite):
    with assert_unchanged():
        response = api_client.post(ACCEPT, {"token": invite.token, "password": "password123",
                                            "full_name": "Nia Newcomer"}, format="json")

    assert_error(response, 400, "validation_error", fields={"password": ["This password is too common."]})


def test_accept_without_a_password_when_no_account_exists_is_refused(api_client, invite):
    with assert_unchanged():
        response = api_client.post(ACCEPT, {"token": invite.token}, format="json")

    assert_error(response, 400, "validation_error", fields={"password": [
        "This password is too short. It must contain at least 10 characters."]})


def test_accept_as_a_new_user_needs_a_name(api_client, invite):
    with assert_unchanged():
        response = api_client.post(ACCEPT, {"token": invite.token, "password": "Newcomer-Passphrase-31"},
                                   format="json")

    assert_error(response, 400, "validation_error", fields={"full_name": ["This field cannot be blank."]})


def test_accept_anonymously_for_an_existing_account_asks_to_sign_in(api_client, invite):
    UserFactory(email="newcomer@example.com")

    with assert_unchanged():
        response = api_client.post(ACCEPT, {"token": invite.token, "password": "Newcomer-Passphrase-31"},
                                   format="json")

    assert_error(response, 400, "login_required", message="Sign in as newcomer@example.com to accept this invite.")


def test_accept_signed_in_as_the_invited_address(api_client, invite, company_a):
    user = UserFactory(email="newcomer@example.com")
    api_client.force_authenticate(user=user)

    response = api_client.post(ACCEPT, {"token": invite.token}, format="json")

    assert response.status_code == 201
    assert list(Membership.objects.filter(user=user).values_list("company_id", "role")) == [(company_a.pk, "staff")]
    assert User.objects.filter(email="newcomer@example.com").count() == 1


def test_accept_signed_in_with_another_address_is_forbidden(api_client, invite, member_b):
    api_client.force_authenticate(user=member_b)

    with assert_unchanged():
        response = api_client.post(ACCEPT, {"token": invite.token}, format="json")

    assert_error(response, 403, "permission_denied", message="This invite was sent to another e-mail address.")
    invite.refresh_from_db()
    assert invite.accepted_at is None


def test_expired_invite_is_refused(api_client, invite, time_machine):
    time_machine.move_to(invite.expires_at + timedelta(seconds=1), tick=False)

    with assert_unchanged():
        response = api_client.post(ACCEPT, {"token": invite.token, "password": "Newcomer-Passphrase-31"},
                                   format="json")

    assert_error(response, 400, "invalid_invite", message="This invite is not valid or has expired.",
                 fields={"token": ["This invite is not valid or has expired."]})


def test_an_invite_works_once(api_client, invite):
    body = {"token": invite.token, "password": "Newcomer-Passphrase-31", "full_name": "Nia Newcomer"}
    assert api_client.post(ACCEPT, body, format="json").status_code == 201

    with assert_unchanged():
        response = api_client.post(ACCEPT, body, format="json")

    assert_error(response, 400, "invalid_invite", fields={"token": ["This invite is not valid or has expired."]})


def test_unknown_token_is_refused(api_client, db):
    response = api_client.post(ACCEPT, {"token": "no-such-token", "password": "Newcomer-Passphrase-31"},
                               format="json")

    assert_error(response, 400, "invalid_invite", fields={"token": ["This invite is not valid or has expired."]})
    assert User.objects.count() == 0


def test_accepted_invite_cannot_be_revoked(api_client, invite, member_a):
    accepted = api_client.post(ACCEPT, {"token": invite.token, "password": "Newcomer-Passphrase-31",
                                        "full_name": "Nia Newcomer"}, format="json")
    assert accepted.status_code == 201
    api_client.force_authenticate(user=member_a)

    with assert_unchanged():
        response = api_client.delete(f"{invites_url(invite.company)}{invite.pk}/")

    assert_error(response, 404, "not_found")


# --- invite tasks ----------------------------------------------------------------------------------

def _invite_delivery(api_client, company, owner) -> tuple[Invite, Delivery]:
    api_client.force_authenticate(user=owner)
    assert api_client.post(invites_url(company), {"email": "newcomer@example.com"}, format="json").status_code == 201
    invite = Invite.objects.get(email="newcomer@example.com", company=company)
    return invite, Delivery.objects.get(event__name="company.invite", recipient_key="email:newcomer@example.com")


def test_invite_email_task_is_idempotent(api_client, company_a, member_a):
    invite, delivery = _invite_delivery(api_client, company_a, member_a)  # on-commit hook never runs here

    assert delivery_send(delivery.pk) == "sent"
    assert delivery_send(delivery.pk) == "already_sent"

    assert [m.to for m in mail.outbox] == [["newcomer@example.com"]]
    assert f"/invites/{invite.token}/" in mail.outbox[0].body
    invite.refresh_from_db()
    assert invite.email_sent_at is not None


def test_invite_email_task_sends_nothing_for_an_accepted_invite(api_client, company_a, member_a):
    invite, delivery = _invite_delivery(api_client, company_a, member_a)
    Invite.objects.filter(pk=invite.pk).update(accepted_at=timezone.now())

    assert delivery_send(delivery.pk) == "cancelled"
    assert mail.outbox == []
    invite.refresh_from_db()
    assert invite.email_sent_at is None


def test_invite_token_is_not_stored_in_the_notification(api_client, company_a, member_a):
    invite, delivery = _invite_delivery(api_client, company_a, member_a)

    assert invite.token not in str(delivery.event.context)


def test_purge_deletes_only_expired_open_invites(invite, company_a, member_a, time_machine):
    accepted = Invite.objects.create(company=company_a, email="old@example.com", invited_by=member_a, token="t-old",
                                     expires_at=timezone.now() + timedelta(days=1), accepted_at=timezone.now())
    later = Invite.objects.create(company=company_a, email="later@example.com", invited_by=member_a, token="t-late",
                                  expires_at=timezone.now() + timedelta(days=30))
    time_machine.move_to(timezone.now() + timedelta(days=5), tick=False)

    assert tasks.invite_purge_expired() == 1

    assert sorted(Invite.objects.values_list("pk", flat=True)) == sorted([accepted.pk, later.pk])


# --- removing members ---------------------------------------------------------------------------------

def test_removing_the_last_owner_is_a_conflict(api_client, company_a, member_a, staff_a):
    api_client.force_authenticate(user=member_a)
    own = Membership.objects.get(user=member_a, company=company_a)

    with assert_unchanged():
        response = api_client.delete(f"/api/v1/companies/{company_a.pk}/members/{own.pk}/")

    assert_error(response, 409, "conflict", message="A company keeps at least one owner.")
    assert Membership.objects.filter(pk=own.pk).exists() is True


def test_an_owner_can_leave_when_another_owner_stays(api_client, company_a, member_a):
    second_owner = MembershipFactory(company=company_a, role=MembershipRole.OWNER).user
    api_client.force_authenticate(user=member_a)
    own = Membership.objects.get(user=member_a, company=company_a)

    response = api_client.delete(f"/api/v1/companies/{company_a.pk}/members/{own.pk}/")

    assert response.status_code == 204
    assert list(Membership.objects.filter(company=company_a).values_list("user_id", "role")) == [
        (second_owner.pk, "owner")]


def test_membership_of_another_company_is_not_found_under_this_one(api_client, company_a, member_a, company_b,
                                                                   member_b):
    api_client.force_authenticate(user=member_a)
    foreign = Membership.objects.get(user=member_b)

    with assert_unchanged():
        response = api_client.delete(f"/api/v1/companies/{company_a.pk}/members/{foreign.pk}/")

    assert_error(response, 404, "not_found")
