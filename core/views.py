"""Views every app shares."""
from __future__ import annotations

import sys

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .exceptions import RETRY_AFTER_SECONDS, error_body, unavailable_body, unavailable_errors


def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """An address under /api/v1/ that no endpoint answers: the API's error format, not an HTML page."""
    return JsonResponse(error_body("not_found", _("No endpoint answers at this address.")), status=404)


def server_error(request, *args, **kwargs):
    """The 500 page, and for the API the one JSON error body: 503 with Retry-After when a dependency
    (database, cache, broker) is away, as a client should retry, else 500."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request, *args, **kwargs)
    exc = sys.exc_info()[1]
    if exc is not None and isinstance(exc, unavailable_errors()):
        response = JsonResponse(unavailable_body(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse(error_body("server_error", _("Something went wrong on our side; it has been logged.")),
                        status=500)
