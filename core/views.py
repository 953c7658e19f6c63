"""Views every app shares."""
from __future__ import annotations

import sys

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST
from django.views.decorators.csrf import csrf_exempt

from .exceptions import RETRY_AFTER_SECONDS, error_body, unavailable_body, unavailable_errors
from . import health, metrics
from .http import local_path


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """An address under /api/v1/ that no endpoint answers: the API's error format, not an HTML page."""
    return JsonResponse(error_body("not_found", _("No endpoint answers at this address.")), status=404)


def page_not_found(request, exception=None, *args, **kwargs):
    """404: the API's error body under /api/, the site's page elsewhere."""
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception, *args, **kwargs)


def permission_denied(request, exception=None, *args, **kwargs):
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", _("You may not do this.")), status=403)
    return defaults.permission_denied(request, exception, *args, **kwargs)


def bad_request(request, exception=None, *args, **kwargs):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("The request could not be understood.")), status=400)
    return defaults.bad_request(request, exception, *args, **kwargs)


def csrf_failure(request, reason: str = "", *args, **kwargs):
    """A form post without its CSRF token: the site's page, in words, with a link back to the page
    the form came from (when it is one of ours). API clients sign in with a token and never meet this; one that
    sends a session cookie without the CSRF header gets the API's error body."""
    if _is_api(request):
        return JsonResponse(error_body("csrf_failed", _("This request needs the CSRF token of the signed-in "
                                                          "session, or an API token instead of the cookie.")),
                            status=403)
    back = local_path(request, request.META.get("HTTP_REFERER", "")) or "/"
    return render(request, "403_csrf.html", {"back": back}, status=403)


def server_error(request, *args, **kwargs):
    """The 500 page, and for the API the one JSON error body: 503 with Retry-After when a dependency
    (database, cache, broker) is away, as a client should retry, else 500."""
    if not _is_api(request):
        return defaults.server_error(request, *args, **kwargs)
    exc = sys.exc_info()[1]
    if exc is not None and isinstance(exc, unavailable_errors()):
        response = JsonResponse(unavailable_body(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse(error_body("server_error", _("Something went wrong on our side; it has been logged.")),
                        status=500)


# ---------------------------------------------------------------------------------------------
# Health and metrics (README "Health, metrics and logs"). Plain views outside /api/ and the
# language prefixes: no sign-in, no CSRF, no throttle; their log lines are DEBUG.


@never_cache
@require_safe
def healthz(request) -> JsonResponse:
    """The process answers: no dependency is asked (an orchestrator's liveness probe)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request) -> JsonResponse:
    """Each check with its status; 200 when all pass, 503 with Retry-After when one fails (a load
    balancer's readiness probe). Answers within HEALTH_CHECK_TIMEOUT_MS and a little."""
    ready, body = health.readiness()
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@never_cache
@require_safe
def metrics_view(request) -> HttpResponse:
    """Prometheus metrics, for the scraper only (core/metrics.py: METRICS_TOKEN or trusted addresses)."""
    refused = metrics.scrape_access(request)
    if refused is not None:
        return HttpResponse(status=refused)
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
