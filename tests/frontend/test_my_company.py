"""The my-company page: status, verification request, profile editing, members and invites."""
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import Company, Invite, Membership, User, VerificationDecision, VerificationStatus
from tests.accounts.helpers import give_evidence
from tests.factories.accounts import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _company_values(company: Company) -> dict:
    company.refresh_from_db()
    return {"legal_name": company.legal_name, "country": company.country.code,
            "registration_number": company.registration_number, "address": company.address,
            "website": company.website, "description": company.description, "logo": company.logo.name,
            "default_currency": company.default_currency, "preferred_language": company.preferred_language,
            "kind": company.kind, "verification_status": company.verification_status}


def _edit_data(company: Company, **changes) -> dict:
    data = {"legal_name": company.legal_name, "country": company.country.code,
            "registration_number": company.registration_number, "address": company.address,
            "website": company.website, "description": company.description,
            "default_currency": company.default_currency, "preferred_language": company.preferred_language,
            "kind": company.kind}
    return {**data, **changes}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_owner_sees_status_forms_members_and_history(client_as, company_a, member_a, staff_a):
    response = client_as(member_a).get("/my-company/")

    assert response.status_code == 200
    assert response.context["is_owner"] is True
    assertContains(response, '<span class="badge badge-unverified">Unverified</span>', html=True)
    assertContains(response, 'id="verification-form"')
    assertContains(response, 'id="company-form"')
    assertContains(response, 'enctype="multipart/form-data"')
    assertContains(response, 'id="invite-form"')
    assert [m.user for m in response.context["members"]] == [member_a, staff_a]
    assertContains(response, member_a.email)
    assertContains(response, staff_a.email)
    assertContains(response, "No verification decisions yet.")


def test_staff_member_sees_no_owner_forms(client_as, company_a, staff_a):
    response = client_as(staff_a).get("/my-company/")

    assert response.context["is_owner"] is False
    assertContains(response, 'id="verification-form"')
    assertNotContains(response, 'id="company-form"')
    assertNotContains(response, 'id="invite-form"')
    assertNotContains(response, 'name="legal_name"')


@pytest.mark.parametrize(("status", "offered"), [
    (VerificationStatus.UNVERIFIED, True), (VerificationStatus.REJECTED, True),
    (VerificationStatus.PENDING, False), (VerificationStatus.VERIFIED, False), (VerificationStatus.SUSPENDED, False),
])
def test_verification_button_only_when_a_request_is_possible(client_as, company_a, member_a, status, offered):
    company_a.verification_status = status
    company_a.save()

    response = client_as(member_a).get("/my-company/")

    assert response.context["can_request_verification"] is offered
    assert ('id="verification-form"' in response.content.decode()) is offered


def test_rejected_company_shows_the_last_reason_and_history(client_as, company_a, member_a, moderator):
    now = timezone.now()
    VerificationDecision.objects.create(company=company_a, actor=moderator, from_status="unverified",
                                        to_status="pending", created_at=now)
    VerificationDecision.objects.create(company=company_a, actor=moderator, from_status="pending",
                                        to_status="rejected", reason="The registry lists another address.",
                                        created_at=now)
    company_a.verification_status = VerificationStatus.REJECTED
    company_a.verification_reason = "The registry lists another address."
    company_a.save()

    response = client_as(member_a).get("/my-company/")

    assertContains(response, '<p id="last-reason"><strong>Reason of the last decision:</strong> '
                             'The registry lists another address.</p>', html=True)
    assert [(d.from_status, d.to_status) for d in response.context["history"]] == [
        ("pending", "rejected"), ("unverified", "pending")]
    assertContains(response, "<td>Pending review</td><td>Rejected</td>", html=False)


def test_request_verification(client_as, company_a, staff_a):
    give_evidence(company_a)
    response = client_as(staff_a).post("/my-company/verification/")

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    company_a.refresh_from_db()
    assert company_a.verification_status == VerificationStatus.PENDING
    assert list(VerificationDecision.objects.values_list("company_id", "actor_id", "from_status", "to_status")) == [
        (company_a.pk, staff_a.pk, "unverified", "pending")]
    page = client_as(staff_a).get("/my-company/")
    assert _messages(page) == ["Verification requested. A moderator will review your company."]
    assertContains(page, "Your verification request is waiting for a moderator.")
    assert mail.outbox == []


def test_request_verification_twice_changes_nothing(client_as, company_a, member_a):
    give_evidence(company_a)
    client = client_as(member_a)
    client.post("/my-company/verification/", follow=True)
    changed_at = Company.objects.get(pk=company_a.pk).verification_changed_at

    response = client.post("/my-company/verification/", follow=True)

    assert _messages(response) == ["A company cannot go from pending to pending."]
    company_a.refresh_from_db()
    assert (company_a.verification_status, company_a.verification_changed_at) == ("pending", changed_at)
    assert VerificationDecision.objects.count() == 1


def test_owner_edits_the_profile_and_uploads_a_logo(client_as, company_a, member_a, png_upload, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = _edit_data(company_a, legal_name="Alpha Textiles Ltd", description="Cotton towels.", kind="both",
                      website="https://alpha.example", logo=png_upload)

    response = client_as(member_a).post("/my-company/edit/", data)

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    values = _company_values(company_a)
    assert values["logo"].startswith("logos/TR/") and values["logo"].endswith(f"/{company_a.registration_number}.png")
    assert (values["legal_name"], values["description"], values["kind"], values["website"]) == (
        "Alpha Textiles Ltd", "Cotton towels.", "both", "https://alpha.example")
    assert values["verification_status"] == "unverified"
    page = client_as(member_a).get("/my-company/")
    assert _messages(page) == ["The company profile is saved."]
    assertContains(page, f'src="/media/{values["logo"]}"')


def test_edit_without_a_new_logo_keeps_the_old_one(client_as, company_a, member_a, png_upload, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(member_a)
    client.post("/my-company/edit/", _edit_data(company_a, logo=png_upload))
    logo = _company_values(company_a)["logo"]

    client.post("/my-company/edit/", _edit_data(company_a, legal_name="Alpha Two"))

    values = _company_values(company_a)
    assert (values["legal_name"], values["logo"]) == ("Alpha Two", logo)
    assert (tmp_path / logo).is_file()


@pytest.mark.parametrize(("changes", "errors"), [
    ({"description": "<img src=x onerror=alert(1)>"},
     {"description": ["HTML tags and scripts are not allowed in this field."]}),
    ({"default_currency": "XYZ"},
     {"default_currency": ["Select a valid choice. XYZ is not one of the available choices."]}),
    ({"country": "QQ"}, {"country": ["Select a valid choice. QQ is not one of the available choices."]}),
    ({"website": "javascript:alert(1)"}, {"website": ["Enter a valid URL."]}),
])
def test_edit_with_bad_input_shows_field_errors_and_changes_nothing(client_as, company_a, member_a, changes, errors):
    before = _company_values(company_a)

    response = client_as(member_a).post("/my-company/edit/", _edit_data(company_a, **changes))

    assert response.status_code == 200
    assert response.context["company_form"].errors == errors
    field = next(iter(errors))
    assertContains(response, f'<ul class="errorlist" id="id_{field}_error"><li>{errors[field][0]}</li></ul>',
                   html=True)
    assert _company_values(company_a) == before


def test_edit_with_a_fake_image_changes_nothing(client_as, company_a, member_a):
    before = _company_values(company_a)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")

    response = client_as(member_a).post("/my-company/edit/", _edit_data(company_a, logo=fake))

    assert response.context["company_form"].errors == {
        "logo": ["Upload a valid image. The file is not an image or is corrupted."]}
    assert _company_values(company_a) == before


def test_edit_to_a_registration_number_taken_in_the_country_changes_nothing(client_as, company_a, member_a):
    other = CompanyFactory(country="TR", registration_number="TR-1")
    before = _company_values(company_a)

    response = client_as(member_a).post("/my-company/edit/", _edit_data(company_a, registration_number="TR-1"))

    assert response.context["company_form"].errors == {
        "registration_number": ["Company with this Country and Registration number already exists."]}
    assert _company_values(company_a) == before
    assert Company.objects.get(pk=other.pk).registration_number == "TR-1"


def test_staff_member_cannot_edit(client_as, company_a, staff_a):
    before = _company_values(company_a)

    response = client_as(staff_a).post("/my-company/edit/", _edit_data(company_a, legal_name="Taken Over"),
                                       follow=True)

    assert _messages(response) == ["Only an owner of this company can do that."]
    assert _company_values(company_a) == before


def test_member_of_b_edits_only_company_b(client_as, company_a, company_b, member_b):
    Company.objects.filter(pk=company_b.pk).update(registration_number="91110000600037341L")  # a valid USCC (CN)
    company_b.refresh_from_db()
    before_a = _company_values(company_a)

    client_as(member_b).post("/my-company/edit/", _edit_data(company_b, legal_name="Beta Circuits Co."))

    assert _company_values(company_a) == before_a
    assert _company_values(company_b)["legal_name"] == "Beta Circuits Co."


def test_owner_invites_a_colleague(client_as, company_a, member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(member_a).post("/my-company/invites/", {"email": "Kerem@Alpha.example", "role": "staff"})

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    invite = Invite.objects.get()
    assert (invite.company, invite.email, invite.role, invite.invited_by) == (company_a, "kerem@alpha.example",
                                                                             "staff", member_a)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kerem@alpha.example"]
    assert mail.outbox[0].subject == "You are invited to join Alpha Textiles on SME Market"
    assert f"http://127.0.0.1:8000/invites/{invite.token}/" in mail.outbox[0].body
    page = client_as(member_a).get("/my-company/")
    assert _messages(page) == ["An invite is on its way to kerem@alpha.example."]
    assert list(page.context["invites"]) == [invite]


def test_invite_with_bad_address_creates_nothing(client_as, company_a, member_a):
    response = client_as(member_a).post("/my-company/invites/", {"email": "not-an-address", "role": "staff"})

    assert response.context["invite_form"].errors == {"email": ["Enter a valid email address."]}
    assert Invite.objects.count() == 0
    assert mail.outbox == []


def test_invite_of_a_member_creates_nothing(client_as, company_a, member_a, staff_a):
    response = client_as(member_a).post("/my-company/invites/", {"email": staff_a.email.upper(), "role": "staff"})

    assert response.context["invite_form"].errors == {"email": ["Already a member."]}
    assert Invite.objects.count() == 0
    assert mail.outbox == []


def test_second_open_invite_for_an_address_creates_nothing(client_as, company_a, member_a,
                                                           django_capture_on_commit_callbacks):
    client = client_as(member_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/my-company/invites/", {"email": "kerem@alpha.example", "role": "staff"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/my-company/invites/", {"email": "kerem@alpha.example", "role": "owner"})

    assert response.context["invite_form"].errors == {"email": ["An invite for this address is already open."]}
    assert list(Invite.objects.values_list("email", "role")) == [("kerem@alpha.example", "staff")]
    assert len(mail.outbox) == 1


def test_staff_member_cannot_invite(client_as, company_a, staff_a):
    response = client_as(staff_a).post("/my-company/invites/", {"email": "x@example.com", "role": "owner"}, follow=True)

    assert _messages(response) == ["Only an owner of this company can do that."]
    assert Invite.objects.count() == 0


def _invite(company, email="kerem@alpha.example", **kwargs) -> Invite:
    defaults = {"role": "staff", "token": "tok-" + email, "expires_at": timezone.now() + timezone.timedelta(days=3)}
    return Invite.objects.create(company=company, email=email, **{**defaults, **kwargs})


def test_owner_withdraws_an_invite(client_as, company_a, member_a):
    invite = _invite(company_a)

    response = client_as(member_a).post(f"/my-company/invites/{invite.pk}/revoke/", follow=True)

    assert _messages(response) == ["The invite to kerem@alpha.example is withdrawn."]
    assert Invite.objects.count() == 0


def test_owner_of_b_cannot_withdraw_an_invite_of_a(client_as, company_a, member_b):
    invite = _invite(company_a)

    response = client_as(member_b).post(f"/my-company/invites/{invite.pk}/revoke/", follow=True)

    assert _messages(response) == ["This invite is no longer open."]
    assert list(Invite.objects.all()) == [invite]


def test_invite_page_for_anonymous_creates_the_account(client, company_a):
    invite = _invite(company_a)
    page = client.get(f"/invites/{invite.token}/")
    assertContains(page, "<h1>Join Alpha Textiles</h1>", html=True)
    assertContains(page, 'name="full_name"')

    response = client.post(f"/invites/{invite.token}/", {"full_name": "Kerem Şahin", "password1": "Silk-Road-Caravan-7",
                                                         "password2": "Silk-Road-Caravan-7"})

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    user = User.objects.get(email="kerem@alpha.example")
    assert user.full_name == "Kerem Şahin" and user.check_password("Silk-Road-Caravan-7")
    assert list(Membership.objects.filter(user=user).values_list("company_id", "role")) == [(company_a.pk, "staff")]
    assert client.session["_auth_user_id"] == str(user.pk)
    invite.refresh_from_db()
    assert (invite.accepted_by, invite.accepted_at is not None) == (user, True)


@pytest.mark.parametrize(("data", "errors"), [
    ({"full_name": "Kerem", "password1": "Silk-Road-Caravan-7", "password2": "Silk-Road-Caravan-8"},
     {"password2": ["The two passwords do not match."]}),
    ({"full_name": "Kerem", "password1": "12345678901", "password2": "12345678901"},
     {"password1": ["This password is too common.", "This password is entirely numeric."]}),
    ({"full_name": "<b>Kerem</b>", "password1": "Silk-Road-Caravan-7", "password2": "Silk-Road-Caravan-7"},
     {"full_name": ["HTML tags and scripts are not allowed in this field."]}),
])
def test_invite_signup_with_bad_input_creates_nothing(client, company_a, data, errors):
    invite = _invite(company_a)

    response = client.post(f"/invites/{invite.token}/", data)

    assert response.context["form"].errors == errors
    assert User.objects.filter(email="kerem@alpha.example").count() == 0
    invite.refresh_from_db()
    assert invite.accepted_at is None


def test_invite_for_an_existing_account_asks_to_log_in(client, company_a):
    UserFactory(email="kerem@alpha.example")
    invite = _invite(company_a)

    response = client.post(f"/invites/{invite.token}/", {"full_name": "Kerem", "password1": "Silk-Road-Caravan-7",
                                                         "password2": "Silk-Road-Caravan-7"})

    assert response.context["form"].non_field_errors() == ["Sign in as kerem@alpha.example to accept this invite."]
    assert Membership.objects.filter(company=company_a, user__email="kerem@alpha.example").count() == 0


def test_signed_in_invitee_accepts_with_one_click(client_as, company_a, member_b):
    invite = _invite(company_a, email=member_b.email)
    client = client_as(member_b)
    page = client.get(f"/invites/{invite.token}/")
    assertNotContains(page, 'name="password1"')

    response = client.post(f"/invites/{invite.token}/")

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)
    assert Membership.objects.get(user=member_b, company=company_a).role == "staff"


def test_signed_in_other_person_cannot_accept(client_as, company_a, member_b):
    invite = _invite(company_a, email="someone.else@example.com")

    response = client_as(member_b).post(f"/invites/{invite.token}/")

    assert response.status_code == 200
    assert _messages(response) == ["This invite was sent to another e-mail address."]
    assert Membership.objects.filter(user=member_b, company=company_a).count() == 0
    invite.refresh_from_db()
    assert invite.accepted_at is None


@pytest.mark.parametrize("state", ["expired", "accepted", "unknown"])
def test_dead_invite_link(client, company_a, member_a, state):
    if state == "expired":
        token = _invite(company_a, expires_at=timezone.now() - timezone.timedelta(minutes=1)).token
    elif state == "accepted":
        token = _invite(company_a, accepted_at=timezone.now(), accepted_by=member_a).token
    else:
        token = "no-such-token"
    before = User.objects.count()

    get = client.get(f"/invites/{token}/")
    post = client.post(f"/invites/{token}/", {"full_name": "Kerem", "password1": "Silk-Road-Caravan-7",
                                              "password2": "Silk-Road-Caravan-7"})

    for response in (get, post):
        assert response.status_code == 404
        assertContains(response, "This invite is not valid or has expired.", status_code=404)
    assert User.objects.count() == before
