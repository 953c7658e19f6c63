"""One error type for business rules and one API error format for every 4xx.

Every error body looks like:
    {"error": {"code": "validation_error", "message": "...", "fields": {"country": ["..."]}}}
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A business rule was broken. Services raise it; the API turns it into a 4xx."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.fields = fields or {}


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"


def _field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Errors keyed by dotted paths: {"company": {"country": ["..."]}} -> {"company.country": ["..."]}."""
    if isinstance(detail, dict):
        items = [("non_field_errors" if key == "__all__" else str(key), value) for key, value in detail.items()]
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        items = [(str(index), item) for index, item in enumerate(detail)]
    else:
        messages = [str(m) for m in (detail if isinstance(detail, list) else [detail])]
        return {prefix: messages} if messages else {}
    fields: dict[str, list[str]] = {}
    for key, value in items:
        for path, messages in _field_errors(value, f"{prefix}.{key}" if prefix else key).items():
            fields.setdefault(path, []).extend(messages)
    return fields


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        out: list[str] = []
        for key, value in detail.items():
            out.extend(f"{key}: {m}" for m in _flatten(value))
        return out
    if isinstance(detail, list):
        out = []
        for item in detail:
            out.extend(_flatten(item))
        return out
    return [str(detail)]


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


# A dependency that is briefly away (the database restarting, the cache or the broker unreachable):
# clients should retry, so these answer 503 with Retry-After instead of a 500.
RETRY_AFTER_SECONDS = 5


def unavailable_errors() -> tuple[type[BaseException], ...]:
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError)


def unavailable_body() -> dict:
    from django.utils.translation import gettext as _

    return error_body("service_unavailable",
                      _("The service is briefly unavailable; try again in a few seconds. Nothing was changed "
                        "unless a later read shows it."))


def api_exception_handler(exc, context):
    if isinstance(exc, unavailable_errors()):
        return Response(unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, ApplicationError):
        retry_after = getattr(exc, "retry_after", None)
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code,
                        headers={"Retry-After": str(retry_after)} if retry_after else None)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = _field_errors(detail)
        first = next(iter(fields.values()))[0] if fields else "Invalid input."
        response.data = error_body("validation_error", first, fields)
    else:
        code = getattr(exc, "default_code", "error")
        if isinstance(exc.detail, dict):
            message = "; ".join(_flatten(exc.detail))
        else:
            message = str(exc.detail)
        response.data = error_body(code, message)
    return response
