"""Views every app shares."""
from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .exceptions import error_body


def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """An address under /api/v1/ that no endpoint answers: the API's error format, not an HTML page."""
    return JsonResponse(error_body("not_found", _("No endpoint answers at this address.")), status=404)
