"""JSON bodies nested too deeply or too large are refused with the API's error body, whichever parser
a view names; forms and sane JSON are unaffected."""
from __future__ import annotations

import json

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.test import APIRequestFactory

from core.parsers import MAX_DEPTH, BoundedJSONParser, json_depth_exceeds
from tests.core.helpers import assert_error
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
TOO_DEEP = "The JSON body is nested too deeply."


def test_fifty_thousand_brackets_posted_to_login_are_a_400(api_client):
    response = api_client.post(LOGIN, "[" * 50_000, content_type="application/json")

    assert_error(response, 400, "parse_error", message=TOO_DEEP)


def test_deep_objects_on_a_view_that_names_drfs_own_parser_are_a_400(as_user, member_a):
    body = '{"a":' * 40 + "1" + "}" * 40

    response = as_user(member_a).post("/api/v1/cart/lines/", body, content_type="application/json")

    assert_error(response, 400, "parse_error", message=TOO_DEEP)


def test_a_body_over_the_upload_limit_is_a_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@example.com", "password": "x" * 1000})

    response = api_client.post(LOGIN, body, content_type="application/json")

    assert_error(response, 413, "body_too_large", message="The request body is too large.")


def test_json_at_the_depth_limit_reaches_the_view(api_client):
    body = json.dumps({"email": [[[1]]], "password": "x"})

    response = api_client.post(LOGIN, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["email"]


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"note": "[" * 100 + '\\"' + "{" * 100})

    assert not json_depth_exceeds(text)
    assert json_depth_exceeds("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not json_depth_exceeds("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_the_default_parser_bounds_depth_itself():
    request = APIRequestFactory().post("/", "[" * 1000, content_type="application/json")
    with pytest.raises(ParseError) as excinfo:
        BoundedJSONParser().parse(request, parser_context={"encoding": "utf-8"})
    assert str(excinfo.value.detail) == TOO_DEEP
    sane = APIRequestFactory().post("/", '{"a": [1, {"b": "c"}]}', content_type="application/json")
    assert BoundedJSONParser().parse(sane, parser_context={"encoding": "utf-8"}) == {"a": [1, {"b": "c"}]}


def test_the_web_login_form_is_unaffected(client, member_a):
    response = client.post("/login/", {"email": member_a.email, "password": PASSWORD, "note": "[" * 100})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member_a.pk)
