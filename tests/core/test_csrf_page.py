"""A form sent without a valid CSRF token gets the site's page in words with a link back to the page it
came from (the API's JSON answer is tested in
test_api_not_found)."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    return client


def test_a_page_form_without_its_token_gets_the_branded_page(strict_client):
    response = strict_client.post("/cart/clear/", HTTP_REFERER="http://testserver/cart/?page=2")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert [t.name for t in response.templates][:2] == ["403_csrf.html", "frontend/base.html"]
    page = response.content.decode()
    assert "<h1>The form could not be sent</h1>" in page
    assert "Nothing was changed." in page
    assert '<a class="button" id="csrf-back" href="/cart/?page=2">Back to the page</a>' in page
    assert "CSRF verification failed" not in page
    assert "Forbidden" not in page


@pytest.mark.parametrize("referer", ["", "https://evil.example/cart/", "http://testserver//evil.example/"])
def test_the_link_back_goes_home_for_a_foreign_or_missing_referer(strict_client, referer):
    response = strict_client.post("/cart/clear/", HTTP_REFERER=referer)

    assert response.status_code == 403
    assert '<a class="button" id="csrf-back" href="/">Back to the page</a>' in response.content.decode()
