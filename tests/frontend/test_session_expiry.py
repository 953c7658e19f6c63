"""A form sent after the session expired does not end on a "405" page: the sign-in page returns the
person to the page the form was on (a GET), says what happened there and again after signing in, and
nothing was done."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponseRedirect
from pytest_django.asserts import assertRedirects

from frontend.middleware import ExpiredSessionFormMiddleware
from orders.models import CartLine
from tests.factories.accounts import PASSWORD
from tests.orders.helpers import build_world

pytestmark = pytest.mark.django_db

LOGIN_MESSAGE = "Your session had expired, so what you sent was not saved. Sign in again and repeat it."
LANDING_MESSAGE = ("Your session had expired, so what you last sent was not saved. You are signed in again: "
                   "repeat it here.")


@pytest.fixture
def world(db):
    return build_world()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_add_to_cart_after_expiry_returns_to_the_listing_page_after_sign_in(client, world):
    listing_page = f"/listings/{world.towel.pk}/?currency=EUR"

    response = client.post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "20", "incoterm": "DAP"},
                           HTTP_REFERER=f"http://testserver{listing_page}")

    assertRedirects(response, "/login/?next=%2Flistings%2F" + str(world.towel.pk) + "%2F%3Fcurrency%3DEUR",
                    fetch_redirect_response=False)
    assert CartLine.objects.count() == 0
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200
    assert [str(m) for m in login_page.context["messages"]] == [LOGIN_MESSAGE]
    assert f'<input type="hidden" name="next" value="{listing_page}">' in login_page.content.decode()

    signed_in = client.post("/login/", {"email": world.buyer_owner.email, "password": PASSWORD,
                                        "next": listing_page})
    assertRedirects(signed_in, listing_page, fetch_redirect_response=False)
    landing = client.get(listing_page)
    assert landing.status_code == 200
    assert [str(m) for m in landing.context["messages"]] == [LANDING_MESSAGE]
    assert [str(m) for m in client.get(listing_page).context["messages"]] == []
    assert CartLine.objects.count() == 0


def test_without_a_referer_add_to_cart_falls_back_to_the_listing_page(client, world):
    response = client.post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "20"})

    assertRedirects(response, f"/login/?next=%2Flistings%2F{world.towel.pk}%2F", fetch_redirect_response=False)
    assert _messages(response) == [LOGIN_MESSAGE]


@pytest.mark.parametrize("referer", [
    "https://evil.example/listings/1/",  # another site
    "http://testserver/cart/add/",  # the form's own address takes no GET
    "http://testserver/login/",
    "javascript:alert(1)",
    "http://testserver/" + "a" * 2100,
])
def test_a_foreign_or_unusable_referer_is_not_followed(client, world, referer):
    response = client.post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "20"}, HTTP_REFERER=referer)

    assertRedirects(response, f"/login/?next=%2Flistings%2F{world.towel.pk}%2F", fetch_redirect_response=False)


def test_other_forms_return_to_their_page_or_the_home_page(client, world):
    from_cart = client.post("/cart/clear/", HTTP_REFERER="http://testserver/cart/")
    no_referer = client.post("/cart/clear/")

    assertRedirects(from_cart, "/login/?next=%2Fcart%2F", fetch_redirect_response=False)
    assertRedirects(no_referer, "/login/?next=%2F", fetch_redirect_response=False)


def test_a_get_keeps_its_own_address_and_gets_no_message(client, world):
    response = client.get("/cart/")

    assertRedirects(response, "/login/?next=/cart/", fetch_redirect_response=False)
    assert _messages(response) == []


def test_a_views_own_redirect_to_the_sign_in_page_is_left_alone(rf):
    request = rf.post("/password-reset/done/", HTTP_REFERER="http://testserver/catalogue/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = AnonymousUser()

    response = ExpiredSessionFormMiddleware(lambda request: HttpResponseRedirect("/login/"))(request)

    assert response["Location"] == "/login/"
    assert list(request._messages) == []
