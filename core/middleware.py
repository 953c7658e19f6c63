"""The request id of every request, and one log line per request."""
from __future__ import annotations

import logging
import time

from django.conf import settings

from .logging import REQUEST_ID_HEADER, request_id_from, request_id_var

logger = logging.getLogger("smemarket.request")

# Probes and scrapes come every few seconds: their lines are DEBUG, not INFO.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID when it is sane (core/logging.py) or makes one, keeps it for
    the request's log lines and the tasks it queues, returns it in the response's X-Request-ID and,
    with LOG_REQUESTS on, logs the request's method, path, status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            if settings.LOG_REQUESTS:
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
                logger.log(level, "%s %s %s %sms", request.method, request.path, response.status_code,
                           duration_ms, extra={"method": request.method, "path": request.path,
                                               "status": response.status_code, "duration_ms": duration_ms})
            return response
        finally:
            request_id_var.reset(token)
