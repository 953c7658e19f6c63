"""API authentication by token: `Authorization: Bearer <secret>` (or `Token <secret>`).

First in DEFAULT_AUTHENTICATION_CLASSES, so a request without credentials or with a bad token is
answered 401 with `WWW-Authenticate: Bearer realm="api"`."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give the token after the keyword."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        from . import tokens  # not at import time: DRF loads this class while the apps load

        found = tokens.token_authenticate(secret)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return found

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
