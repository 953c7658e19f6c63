import json

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/orders/999999/nothing/", "/api/v1/"])
def test_unknown_api_address_answers_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_missing_slash_still_redirects_to_the_endpoint(client):
    response = client.get("/api/v1/categories")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/categories/")


@pytest.mark.django_db
def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_write_to_an_unknown_api_address_with_a_session_cookie_is_a_json_404_not_a_csrf_page():
    from django.test import Client

    from tests.factories.accounts import UserFactory

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.delete("/api/v1/cart/lines/null,null/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_csrf_failure_under_the_api_answers_the_json_error_body(rf):
    from core.views import csrf_failure

    response = csrf_failure(rf.post("/api/v1/orders/"), reason="CSRF cookie not set.")

    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "csrf_failed"


def test_a_csrf_failure_on_a_page_keeps_the_html_page(rf):
    from core.views import csrf_failure

    response = csrf_failure(rf.post("/cart/"), reason="CSRF cookie not set.")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("handler,code", [("permission_denied", 403), ("bad_request", 400), ("page_not_found", 404)])
def test_django_error_handlers_answer_json_under_the_api(rf, handler, code):
    from core import views

    response = getattr(views, handler)(rf.get("/api/v1/listings/"), Exception("x"))

    assert response.status_code == code
    assert "error" in json.loads(response.content)
