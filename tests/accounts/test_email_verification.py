"""Sign-up sends a verification link; until it is confirmed the person's companies do not trade through
them (one rule in accounts/selectors.py asked by the listing, cart, checkout, RFQ, quote and order
services); invites verify; resending is limited."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from accounts.verification_email import email_verification_token
from core.exceptions import ApplicationError
from marketplace import services as marketplace_services
from marketplace.models import ListingStatus
from orders import services as order_services
from orders.models import Order
from tests.core.helpers import assert_error
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import build_world, new_key, place_order

pytestmark = pytest.mark.django_db

NOT_VERIFIED = "Confirm your e-mail address first: open the link we sent you, or ask for a new one."
REGISTER = {"email": "Rita@Example.com", "password": "Quiet-Harbour-Lamp-73", "full_name": "Rita Registrant",
            "company": {"legal_name": "Delta Tools GmbH", "country": "DE", "registration_number": "HRB-1",
                        "address": "Hauptstrasse 1, Berlin", "default_currency": "EUR", "kind": "seller"}}


def link_path(message) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/verify-email/[^/\s]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def unverify(user: User) -> User:
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    user.refresh_from_db()
    return user


def test_sign_up_sends_a_link_that_confirms_on_a_click(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/api/v1/auth/register/", REGISTER, format="json")
    assert response.status_code == 201
    user = User.objects.get()
    assert user.email_verified_at is None
    assert (len(mail.outbox), mail.outbox[0].to, mail.outbox[0].subject) == (
        1, ["rita@example.com"], "Confirm your e-mail address for SME Market")
    path = link_path(mail.outbox[0])

    page = client.get(path)  # opening the link (a mail scanner does) confirms nothing
    assert page.status_code == 200
    assert 'id="verify-email-form"' in page.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None

    confirmed = client.post(path)

    assert confirmed.status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_a_bad_or_foreign_link_is_refused(client, db):
    user = unverify(MembershipFactory().user)
    token = email_verification_token(user)
    User.objects.filter(pk=user.pk).update(email="changed@example.com")

    response = APIClient().post("/api/v1/auth/verify-email/", {"token": token}, format="json")
    page = client.post("/verify-email/not-a-token/")

    assert_error(response, 400, "invalid_token", fields={"token": ["This confirmation link is invalid or has expired."]})
    assert page.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_the_link_expires(db, time_machine, settings):
    time_machine.move_to("2026-05-04 08:00:00+00:00", tick=False)
    user = unverify(MembershipFactory().user)
    token = email_verification_token(user)
    time_machine.shift(timedelta(days=settings.EMAIL_VERIFICATION_MAX_AGE_DAYS, seconds=1))

    response = APIClient().post("/api/v1/auth/verify-email/", {"token": token}, format="json")

    assert_error(response, 400, "invalid_token", fields={"token": ["This confirmation link is invalid or has expired."]})


def test_resend_is_limited(db, settings, django_capture_on_commit_callbacks):
    user = unverify(MembershipFactory().user)
    client = APIClient()
    client.force_authenticate(user)
    with django_capture_on_commit_callbacks(execute=True):
        codes = [client.post("/api/v1/auth/verify-email/resend/").status_code
                 for _ in range(settings.EMAIL_VERIFICATION_RESEND_MAX + 1)]

    assert codes == [202] * settings.EMAIL_VERIFICATION_RESEND_MAX + [429]
    assert len(mail.outbox) == settings.EMAIL_VERIFICATION_RESEND_MAX


def test_an_unverified_buyer_cannot_fill_a_cart_or_check_out(db):
    world = build_world()
    unverify(world.buyer_owner)

    with pytest.raises(ApplicationError) as refused:
        order_services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=world.towel.pk,
                                     quantity=20)
    with pytest.raises(ApplicationError) as checkout:
        order_services.checkout_place(actor=world.buyer_owner, buyer=world.buyer, idempotency_key=new_key())

    for exc in (refused.value, checkout.value):
        assert (exc.status_code, exc.code, exc.message) == (403, "email_not_verified", NOT_VERIFIED)
    assert Order.objects.count() == 0
    # A verified colleague of the same company may.
    order_services.cart_line_add(actor=world.buyer_staff, buyer=world.buyer, listing_id=world.towel.pk, quantity=20)


def test_an_unverified_seller_cannot_accept_an_order_or_submit_a_listing(db):
    world = build_world()
    order = place_order(world)
    unverify(world.seller_t_owner)
    draft = world.towel
    type(draft).objects.filter(pk=draft.pk).update(status=ListingStatus.DRAFT)
    draft.refresh_from_db()

    with pytest.raises(ApplicationError) as accept:
        order_services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
    with pytest.raises(ApplicationError) as submit:
        marketplace_services.listing_submit(listing=draft, actor=world.seller_t_owner)

    assert (accept.value.code, submit.value.code) == ("email_not_verified", "email_not_verified")
    order.refresh_from_db()
    draft.refresh_from_db()
    assert (order.status, draft.status) == ("placed", ListingStatus.DRAFT)


def test_accepting_an_emailed_invite_verifies_the_new_account(db):
    from accounts import services
    from tests.factories.accounts import CompanyFactory, UserFactory

    company = CompanyFactory()
    owner = UserFactory()
    MembershipFactory(company=company, user=owner)
    invite = services.invite_create(company=company, actor=owner, email="new@example.com")

    membership = services.invite_accept(token=invite.token, password="Quiet-Harbour-Lamp-73", full_name="New")

    assert membership.user.email_verified_at is not None


def test_my_company_page_offers_the_link_again(client, db, django_capture_on_commit_callbacks):
    user = unverify(MembershipFactory().user)
    client.force_login(user)
    page = client.get("/my-company/").content.decode()
    assert 'id="email-unconfirmed"' in page and 'href="/account/tokens/"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/verify-email/resend/")

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[user.email]]
    client.post(link_path(mail.outbox[0]))
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert 'id="email-unconfirmed"' not in client.get("/my-company/").content.decode()
