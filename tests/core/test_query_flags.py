"""Yes/no query parameters (core.inputs.query_flag) and the listing sort: a value the API does not know is
a 400 naming the parameter, never silently read as "no"."""
from __future__ import annotations

import pytest
from django.http import QueryDict

from core.exceptions import ApplicationError
from core.inputs import query_flag


@pytest.mark.parametrize("query,expected", [("", False), ("unread=", False), ("unread=true", True),
                                            ("unread=TRUE", True), ("unread=1", True), ("unread=yes", True),
                                            ("unread=false", False), ("unread=0", False), ("unread=No", False)])
def test_known_words(query, expected):
    assert query_flag(QueryDict(query), "unread") is expected


@pytest.mark.parametrize("query", ["unread=null", "unread=2", "unread=truee", "unread=true&unread=false"])
def test_anything_else_is_refused_naming_the_parameter(query):
    with pytest.raises(ApplicationError) as caught:
        query_flag(QueryDict(query), "unread")

    assert list(caught.value.fields) == ["unread"]


@pytest.mark.django_db
def test_the_notification_list_refuses_an_unknown_flag(as_user, member_a):
    response = as_user(member_a).get("/api/v1/notifications/", {"unread": "null"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["unread"]


@pytest.mark.django_db
def test_the_bank_account_list_refuses_an_unknown_flag(as_user, member_a, company_a):
    response = as_user(member_a).get(f"/api/v1/companies/{company_a.pk}/bank-accounts/", {"archived": "maybe"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["archived"]


@pytest.mark.django_db
def test_an_empty_sort_is_relevance_and_an_unknown_one_is_refused(api_client):
    assert api_client.get("/api/v1/listings/", {"sort": ""}).status_code == 200

    response = api_client.get("/api/v1/listings/", {"sort": "cheapest-first"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["sort"]


@pytest.mark.django_db
def test_paged_lists_behind_plain_views_are_documented_as_pages(client):
    import json

    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    for path in ("/api/v1/orders/{id}/messages/", "/api/v1/moderation/companies/"):
        operation = schema["paths"][path]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].startswith(
            "#/components/schemas/Paginated"), path
        assert {"page", "page_size"} <= {p["name"] for p in operation["parameters"]}, path
