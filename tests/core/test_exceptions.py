"""The one API error format, produced by core.exceptions.api_exception_handler."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions

from core.exceptions import ApplicationError, Conflict, Forbidden, api_exception_handler


def handle(exc):
    response = api_exception_handler(exc, {})
    return response.status_code, response.data


def test_application_error_with_fields():
    exc = ApplicationError("Nope.", code="validation_error", fields={"email": ["Taken."]})

    assert handle(exc) == (400, {"error": {"code": "validation_error", "message": "Nope.",
                                           "fields": {"email": ["Taken."]}}})


def test_application_error_without_fields_has_no_fields_key():
    assert handle(ApplicationError("Nope.")) == (400, {"error": {"code": "invalid", "message": "Nope."}})


def test_application_error_can_carry_its_own_status():
    exc = ApplicationError("Slow down.", code="throttled", status_code=429)

    assert handle(exc) == (429, {"error": {"code": "throttled", "message": "Slow down."}})


def test_conflict_and_forbidden():
    assert handle(Conflict("Taken.")) == (409, {"error": {"code": "conflict", "message": "Taken."}})
    assert handle(Forbidden("Not yours.")) == (403, {"error": {"code": "permission_denied",
                                                               "message": "Not yours."}})
    assert handle(Conflict("Moved.", code="invalid_transition", fields={"status": ["Moved."]})) == (
        409, {"error": {"code": "invalid_transition", "message": "Moved.", "fields": {"status": ["Moved."]}}})


def test_serializer_errors_are_keyed_by_dotted_paths():
    exc = exceptions.ValidationError({
        "email": ["Enter a valid email address."],
        "company": {"country": ["Unknown."], "address": {"city": ["Required."]}},
        "lines": [{}, {"quantity": ["Too many."]}],
        "tags": ["Too many tags.", "Duplicate tag."],
    })

    assert handle(exc) == (400, {"error": {"code": "validation_error", "message": "Enter a valid email address.",
                                           "fields": {
                                               "email": ["Enter a valid email address."],
                                               "company.country": ["Unknown."],
                                               "company.address.city": ["Required."],
                                               "lines.1.quantity": ["Too many."],
                                               "tags": ["Too many tags.", "Duplicate tag."],
                                           }}})


def test_serializer_error_that_is_a_list_goes_to_non_field_errors():
    assert handle(exceptions.ValidationError(["Plain."])) == (
        400, {"error": {"code": "validation_error", "message": "Plain.",
                        "fields": {"non_field_errors": ["Plain."]}}})


def test_django_validation_error_with_fields():
    exc = DjangoValidationError({"__all__": ["Pair already taken."], "name": ["Too short."]})

    assert handle(exc) == (400, {"error": {"code": "validation_error", "message": "Pair already taken.",
                                           "fields": {"non_field_errors": ["Pair already taken."],
                                                      "name": ["Too short."]}}})


def test_plain_django_validation_error():
    assert handle(DjangoValidationError("Just one.")) == (
        400, {"error": {"code": "validation_error", "message": "Just one.",
                        "fields": {"non_field_errors": ["Just one."]}}})


def test_http404_and_permission_denied():
    assert handle(Http404("secret detail")) == (404, {"error": {"code": "not_found", "message": "Not found."}})
    assert handle(DjangoPermissionDenied("secret detail")) == (
        403, {"error": {"code": "permission_denied",
                        "message": "You do not have permission to perform this action."}})


@pytest.mark.parametrize(("exc", "status", "code", "message"), [
    (exceptions.NotAuthenticated(), 401, "not_authenticated", "Authentication credentials were not provided."),
    (exceptions.AuthenticationFailed(), 401, "authentication_failed", "Incorrect authentication credentials."),
    (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed", 'Method "PUT" not allowed.'),
    (exceptions.Throttled(wait=30), 429, "throttled", "Request was throttled. Expected available in 30 seconds."),
    (exceptions.ParseError(), 400, "parse_error", "Malformed request."),
    (exceptions.UnsupportedMediaType("text/csv"), 415, "unsupported_media_type",
     'Unsupported media type "text/csv" in request.'),
])
def test_other_drf_errors(exc, status, code, message):
    assert handle(exc) == (status, {"error": {"code": code, "message": message}})


def test_api_exception_with_a_dict_detail_is_flattened_into_the_message():
    exc = exceptions.APIException({"upstream": "timed out", "retry": ["later"]})

    assert handle(exc) == (500, {"error": {"code": "error", "message": "upstream: timed out; retry: later"}})


def test_unknown_exceptions_are_left_to_django():
    assert api_exception_handler(ValueError("boom"), {}) is None


@pytest.mark.django_db
def test_malformed_json_through_the_api(client):
    response = client.post("/api/v1/auth/login/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "parse_error",
                                         "message": "JSON parse error - Expecting property name enclosed in "
                                                    "double quotes: line 1 column 2 (char 1)"}}


@pytest.mark.django_db
def test_unsupported_media_type_through_the_api(client):
    response = client.post("/api/v1/auth/login/", data="email=a", content_type="text/csv")

    assert response.status_code == 415
    assert response.json() == {"error": {"code": "unsupported_media_type",
                                         "message": 'Unsupported media type "text/csv" in request.'}}
