"""What a request says about where it comes from, and when a proxy's word for it is believed.

One rule: the X-Forwarded-* headers are believed only when TRUSTED_PROXY_HOPS is above 0 and the
immediate peer (REMOTE_ADDR) is one of TRUSTED_PROXIES (addresses or networks). Anyone else can
write those headers, so from anyone else they are ignored: X-Forwarded-For does not change the
client address, and X-Forwarded-Proto does not make a plain-HTTP request count as HTTPS."""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

# Longer than any page address of the site; a longer one is not one of ours.
LOCAL_PATH_MAX_LENGTH = 2000


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def from_trusted_proxy(request) -> bool:
    """Whether the request reached us through a proxy whose forwarding headers we believe."""
    if getattr(settings, "TRUSTED_PROXY_HOPS", 0) <= 0:
        return False
    try:
        peer = ipaddress.ip_address((request.META.get("REMOTE_ADDR") or "").strip())
    except ValueError:
        return False
    if peer.version == 6 and peer.ipv4_mapped:
        peer = peer.ipv4_mapped
    return any(peer in network for network in _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()))))


def local_path(request, url: str) -> str | None:
    """`url` as a path of this site ("/..." with its query), or None. Takes a path, or a full
    address on this host with the request's scheme (a Referer); refuses another site, another
    scheme, a relative word, control characters and an overlong value."""
    if not url or len(url) > LOCAL_PATH_MAX_LENGTH or not url.isprintable():
        return None
    if not url.startswith("/"):
        parts = urlsplit(url)
        if parts.scheme != ("https" if request.is_secure() else "http") or parts.netloc != request.get_host():
            return None
        url = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                               require_https=request.is_secure()):
        return url
    return None


def client_ip(request) -> str | None:
    """The client address. Behind a proxy set TRUSTED_PROXY_HOPS (and TRUSTED_PROXIES) so
    X-Forwarded-For is believed."""
    if from_trusted_proxy(request):
        hops = settings.TRUSTED_PROXY_HOPS
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


class TrustedProxyMiddleware:
    """Drops X-Forwarded-Proto from requests that did not come through a trusted proxy, so
    SECURE_PROXY_SSL_HEADER (request.is_secure(), the HTTPS redirect, secure cookies) only listens
    to our own proxy. Goes first in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request):
            header = (getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or ("HTTP_X_FORWARDED_PROTO",))[0]
            request.META.pop(header, None)
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


def _api_error(status: int, code: str, message: str, field: str | None = None):
    from django.http import JsonResponse

    from core.exceptions import error_body

    return JsonResponse(error_body(code, message, {field: [message]} if field else None), status=status)


def _without_nul(query):
    """A copy of a QueryDict with every NUL character of its keys and values replaced by U+FFFD."""
    cleaned = query.copy()
    cleaned.clear()
    for key, values in query.lists():
        cleaned.setlist(key.replace("\x00", "\ufffd"), [value.replace("\x00", "\ufffd") for value in values])
    cleaned._mutable = False
    return cleaned


class RequestGuardMiddleware:
    """Refuses what no view can use, before a view or the database sees it:
    - a NUL character in the path (404) or in an API query string (400: PostgreSQL refuses NUL in
      text, so such a value would otherwise fail deep in a query); on pages it becomes U+FFFD, so a
      form shows its usual error on that field and nothing reaches the database with a NUL;
    - a JSON body of an API request whose arrays/objects nest deeper than core.parsers.MAX_DEPTH
      (400), or larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413), whichever parser the view names.
    API requests (/api/) get the API's JSON error body; pages get the standard 400/404 pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import RequestDataTooBig
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
            if api:
                message = _("Remove the NUL character from this parameter.")
                return _api_error(400, "validation_error", message, field=bad_query.replace("\x00", "") or "query")
            request.GET = _without_nul(request.GET)
        content_type = request.content_type or ""
        if api and (content_type == "application/json" or content_type.endswith("+json")):
            try:
                body = request.body
            except RequestDataTooBig:
                return _api_error(413, "body_too_large", _("The request body is too large."))
            if json_depth_exceeds(body.decode(request.encoding or "utf-8", errors="replace")):
                return _api_error(400, "parse_error", _("The JSON body is nested too deeply."))
        return self.get_response(request)
