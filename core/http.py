from django.conf import settings


def client_ip(request) -> str | None:
    """The client address. Behind a proxy set TRUSTED_PROXY_HOPS so X-Forwarded-For is believed."""
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


def _api_error(status: int, code: str, message: str, field: str | None = None):
    from django.http import JsonResponse

    from core.exceptions import error_body

    return JsonResponse(error_body(code, message, {field: [message]} if field else None), status=status)


class RequestGuardMiddleware:
    """Refuses what no view can use, before a view or the database sees it:
    - a NUL character in the path (404) or the query string (400: PostgreSQL refuses NUL in text,
      so such a value would otherwise fail deep in a query);
    - a JSON body of an API request whose arrays/objects nest deeper than core.parsers.MAX_DEPTH
      (400), or larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413), whichever parser the view names.
    API requests (/api/) get the API's JSON error body; pages get the standard 400/404 pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import BadRequest, RequestDataTooBig
        from django.http import Http404
        from django.utils.translation import gettext as _

        from core.parsers import json_depth_exceeds

        api = request.path.startswith("/api/")
        if "\x00" in request.path:
            if api:
                return _api_error(404, "not_found", _("Not found."))
            raise Http404
        bad_query = next((key for key, values in request.GET.lists()
                          if "\x00" in key or any("\x00" in value for value in values)), None)
        if bad_query is not None:
            message = _("Remove the NUL character from this parameter.")
            if api:
                return _api_error(400, "validation_error", message, field=bad_query.replace("\x00", "") or "query")
            raise BadRequest(message)
        content_type = request.content_type or ""
        if api and (content_type == "application/json" or content_type.endswith("+json")):
            try:
                body = request.body
            except RequestDataTooBig:
                return _api_error(413, "body_too_large", _("The request body is too large."))
            if json_depth_exceeds(body.decode(request.encoding or "utf-8", errors="replace")):
                return _api_error(400, "parse_error", _("The JSON body is nested too deeply."))
        return self.get_response(request)
