"""The OpenAPI schema documents every error an operation can answer, with the one error body.

Each view declares its success responses (and, where it wants its own wording, some errors) with
`extend_schema`. The errors that follow from how the API is built are added here, once:

- 400 `validation_error` (and the business-rule codes of core.exceptions.ApplicationError) for an
  operation that takes a body or query parameters;
- 401 `not_authenticated` / `authentication_failed` for every operation: a missing, bad or expired
  token is refused before the view runs, even where visitors may read;
- 413 `body_too_large` for a body over the size bound (core.parsers, core.http);
- 415 `unsupported_media_type` for a body that is not JSON (or multipart where an endpoint takes files);
- 403 `permission_denied` where the view is not open to everyone;
- 404 `not_found` where the path names an object, for a page number past the last page, and for a
  write whose body names an object the caller cannot see;
- 409 `conflict` (and the codes of core.exceptions.Conflict) for operations that change data;
- 429 `throttled` where the view throttles (DRF throttle classes, or `rate_limited = True` on a view
  whose service limits the rate, as sign-in does), with Retry-After;
- 503 `unavailable` for every operation, with Retry-After: the database, cache or broker is briefly away.
"""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny

from core.serializers import ErrorSerializer

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer", "minimum": 0},
                               "description": "Seconds to wait before trying again."}}

DESCRIPTIONS = {
    "400": "The input is invalid: `error.fields` names each field with its messages, or `error.code` "
           "names the business rule that was broken.",
    "401": "No valid credentials: the token is missing, wrong, expired or revoked (WWW-Authenticate says how "
           "to sign in).",
    "413": "The body is larger than the API accepts.",
    "415": "The body's Content-Type is not one this operation takes (application/json, or multipart/form-data "
           "where it takes files).",
    "403": "Signed in, but this company or person may not do this.",
    "404": "Nothing here that you may see (also answered for another company's objects, and for an object "
           "named in the body that you may not see).",
    "409": "The request conflicts with the current state (for example a move that the order's status does "
           "not allow, or stock that ran out).",
    "429": "Too many requests: wait for the seconds in Retry-After.",
    "503": "A service the API depends on is briefly unavailable: retry after the seconds in Retry-After.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema plus the error responses every operation can give."""

    def _error_codes(self) -> list[str]:
        codes = ["401", "503"]
        method = self.method.upper()
        takes_input = method in {"POST", "PUT", "PATCH"} or self._has_query_parameters()
        if takes_input:
            codes.append("400")
        if method in {"POST", "PUT", "PATCH"}:
            codes += ["413", "415"]
        if not self._open_to_everyone():
            codes.append("403")
        if "{" in self.path or self._is_list_view() or method in WRITE_METHODS:
            codes.append("404")
        if method in WRITE_METHODS:
            codes.append("409")
        if getattr(self.view, "throttle_classes", None) or getattr(self.view, "rate_limited", False):
            codes.append("429")
        return codes

    def _has_query_parameters(self) -> bool:
        if self._is_list_view() and (self._get_paginator() or self.get_filter_backends()):
            return True
        return any(p.get("in") == "query" for p in self._get_parameters())

    def _open_to_everyone(self) -> bool:
        permissions = self.view.get_permissions()
        return all(isinstance(permission, AllowAny) for permission in permissions)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in responses.items():
            if code >= "400" and not response.get("content"):  # a view's own wording, without the body
                response["content"] = self._get_response_for_code(ErrorSerializer, code, direction=direction)["content"]
        for code in self._error_codes():
            if code in responses:
                continue
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = DESCRIPTIONS[code]
            if code in {"429", "503"}:
                response["headers"] = {**RETRY_AFTER, **response.get("headers", {})}
            responses[code] = response
        return responses
