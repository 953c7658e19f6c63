"""A form sent after the session expired.

A page that needs a signed-in person answers a visitor who is not signed in with a redirect to the
sign-in page, whose `next` is the address asked for. For a form (a POST) that address takes no GET,
so signing in would end on a browser's "405 Method Not Allowed" page. This middleware turns such a
redirect's `next` into a page a browser can open: the page the form was on (the Referer, when it is
a page of this site other than the form's own address), else the page the view names with
`frontend.decorators.expired_session_page`, else the home page. The person is told what happened on
the sign-in page and again on the page they return to, as what they sent was not saved."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from core.http import local_path

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# The session key holding the page a person returns to after signing in again.
RETURN_KEY = "expired_session_return"


def _return_page(request) -> str:
    referer = local_path(request, request.META.get("HTTP_REFERER", ""))
    if referer is not None and urlsplit(referer).path not in (request.path, resolve_url(settings.LOGIN_URL)):
        return referer
    match = getattr(request, "resolver_match", None)
    page = getattr(getattr(match, "func", None), "expired_session_page", None)
    if page is not None:
        target = page(request, *match.args, **match.kwargs)
        if target and local_path(request, target):
            return target
    return resolve_url("frontend:home")


class ExpiredSessionFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.method == "GET" and not request.path.startswith("/api/") and request.session.get(RETURN_KEY)
                and request.user.is_authenticated):
            request.session.pop(RETURN_KEY)
            messages.info(request, _("Your session had expired, so what you last sent was not saved. You are "
                                     "signed in again: repeat it here."))
        response = self.get_response(request)
        if (request.method in SAFE_METHODS or response.status_code != 302 or request.path.startswith("/api/")
                or request.user.is_authenticated):
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        location = urlsplit(response.get("Location", ""))
        # A sign-in check's redirect names the address asked for as `next`; a view's own redirect to the
        # sign-in page (after a password reset, say) does not and is left alone.
        if location.path != login_path or parse_qs(location.query).get(REDIRECT_FIELD_NAME) != [
                request.get_full_path()]:
            return response
        target = _return_page(request)
        response["Location"] = f"{login_path}?{urlencode({REDIRECT_FIELD_NAME: target})}"
        request.session[RETURN_KEY] = target
        messages.warning(request, _("Your session had expired, so what you sent was not saved. Sign in again "
                                    "and repeat it."))
        return response
