"""API clients get the JSON error body in outages too: 503 with Retry-After when a dependency is away,
500 for a fault of ours; the pages keep Django's 500 page."""
from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path
from rest_framework.views import APIView

import config.urls

pytestmark = pytest.mark.django_db


class _DatabaseAway(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise OperationalError("could not connect to server: Connection refused")


def _broken(request):
    raise RuntimeError("a bug")


def _database_away(request):
    raise OperationalError("the database system is shutting down")


urlpatterns = [
    path("api/v1/test-outage/drf/", _DatabaseAway.as_view()),
    path("api/v1/test-outage/plain/", _database_away),
    path("api/v1/test-outage/bug/", _broken),
    path("page-bug/", _broken),
]
handler500 = config.urls.handler500


@pytest.fixture
def client_no_raise(settings):
    settings.ROOT_URLCONF = "tests.core.test_outage_errors"
    return Client(raise_request_exception=False)


def test_a_database_outage_in_an_api_view_is_a_503_to_retry(client_no_raise):
    response = client_no_raise.get("/api/v1/test-outage/drf/")
    assert (response.status_code, response["Retry-After"], response.json()["error"]["code"]) == (
        503, "5", "service_unavailable")


def test_a_database_outage_outside_drf_is_a_json_503(client_no_raise):
    response = client_no_raise.get("/api/v1/test-outage/plain/")
    assert (response.status_code, response["Content-Type"], response["Retry-After"]) == (
        503, "application/json", "5")
    assert response.json() == {"error": {"code": "service_unavailable", "message": (
        "The service is briefly unavailable; try again in a few seconds. Nothing was changed unless a later "
        "read shows it.")}}


def test_a_bug_under_the_api_is_a_json_500(client_no_raise):
    response = client_no_raise.get("/api/v1/test-outage/bug/")
    assert (response.status_code, response.json()) == (500, {"error": {
        "code": "server_error", "message": "Something went wrong on our side; it has been logged."}})


def test_a_page_keeps_the_html_500(client_no_raise):
    response = client_no_raise.get("/page-bug/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
