"""Catalogue and search reads on a PostgreSQL streaming replica, everything else on the primary.

Installed by the settings only when DATABASE_REPLICA_URL is set (DATABASES["replica"]):

- ReplicaReadMiddleware opens a "replica scope" for a safe request (GET, HEAD, OPTIONS) to one of
  settings.REPLICA_READ_VIEWS (the catalogue, categories, public company and seller pages, search;
  the page and the API alike), unless the client is pinned to the primary or the replica is away.
- PrimaryReplicaRouter sends a read to the replica only inside that scope and only outside a
  transaction (a read inside one belongs to the primary, with the writes it goes with), except the
  reads that say who the client is (session, user, API token, sign-in throttles). Every write,
  every migration, every task (a worker never opens a scope) and every other request use the primary.

Reading your own writes: a request with an unsafe method that succeeded (status below 400) pins its
client to the primary for REPLICA_PIN_SECONDS. A browser is pinned by a signed cookie
(REPLICA_PIN_COOKIE, holding the pin's end; no server state, so it holds on any web node); a client
that sends an Authorization header (API tokens; such clients often keep no cookies) by a key in the
cache derived from a hash of the header, shared by the web nodes through Redis.

A replica that refuses or drops the connection is not an error for the reader: the request reads
from the primary, and the replica is left alone for REPLICA_RETRY_SECONDS in this process."""
from __future__ import annotations

import contextvars
import hashlib
import logging
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PIN_SALT = "core.db_router.pin"

_replica_scope: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_scope", default=False)
# Monotonic time until which this process leaves a failed replica alone.
_replica_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in connections.settings


# Who the client is, always read from the primary: a session, token or account made a moment ago by
# a client the pin does not cover (an API client that keeps no cookie and fetched a new token) must
# not look unknown on a replica a few milliseconds behind.
PRIMARY_ONLY_MODELS = frozenset({"sessions.session", "accounts.user", "accounts.apitoken",
                                 "accounts.loginthrottle", "accounts.throttlehit", "auth.group", "auth.permission"})


class PrimaryReplicaRouter:
    """Reads in a replica scope and outside a transaction go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        if (_replica_scope.get() and model._meta.label_lower not in PRIMARY_ONLY_MODELS
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        # Explicit: an object read from the replica is saved on the primary, not where it came from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


class replica_reads:  # noqa: N801 - used as a context manager, like transaction.atomic
    """Opens a replica scope: the reads inside go to the replica (when the router is installed)."""

    def __enter__(self):
        self._token = _replica_scope.set(True)
        return self

    def __exit__(self, *exc_info):
        _replica_scope.reset(self._token)
        return False


def in_replica_scope() -> bool:
    return _replica_scope.get()


# ---------------------------------------------------------------------------------------------
# Pinning a client that has just written to the primary


def _credential_key(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    return "replica-pin:" + hashlib.sha256(header.encode("utf-8", "surrogateescape")).hexdigest()


def client_pinned(request) -> bool:
    """True while the client's last successful write is less than REPLICA_PIN_SECONDS old."""
    value = request.COOKIES.get(settings.REPLICA_PIN_COOKIE)
    if value:
        try:
            until = float(signing.loads(value, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS))
        except (signing.BadSignature, TypeError, ValueError):
            until = 0.0
        if until > time.time():
            return True
    key = _credential_key(request)
    if key is not None:
        try:
            return cache.get(key) is not None
        except Exception as exc:  # a cache that is away: read from the primary, the safe side
            logger.warning("replica pin not readable: %s", type(exc).__name__)
            return True
    return False


def client_pin(request, response) -> None:
    """Pins the client of a successful write to the primary for REPLICA_PIN_SECONDS."""
    seconds = settings.REPLICA_PIN_SECONDS
    if seconds <= 0:
        return
    value = signing.dumps(time.time() + seconds, salt=PIN_SALT)
    response.set_cookie(settings.REPLICA_PIN_COOKIE, value, max_age=seconds, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    key = _credential_key(request)
    if key is not None:
        try:
            cache.set(key, 1, seconds)
        except Exception as exc:
            logger.warning("replica pin not stored: %s", type(exc).__name__)


# ---------------------------------------------------------------------------------------------
# Is the replica there?


def replica_available() -> bool:
    """Connects to the replica (with the connection's health check); a failure marks it away for
    REPLICA_RETRY_SECONDS in this process."""
    global _replica_down_until
    if not replica_configured() or time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        # A kept connection the replica no longer answers is dropped here (CONN_HEALTH_CHECKS, once
        # per request), not found dead by the view's first query.
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as exc:
        _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        logger.warning("the database replica is away; reading from the primary for %ss: %s",
                       settings.REPLICA_RETRY_SECONDS, type(exc).__name__)
        try:
            replica.close()
        except DatabaseError:
            pass
        return False
    return True


def replica_retry_now() -> None:
    """Forgets that the replica failed (tests, and after it is known to be back)."""
    global _replica_down_until
    _replica_down_until = 0.0


class ReplicaReadMiddleware:
    """Opens the replica scope for safe requests to the catalogue views; pins clients that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = frozenset(settings.REPLICA_READ_VIEWS)

    def __call__(self, request):
        # Every request starts outside the scope and leaves it however it ends.
        token = _replica_scope.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_scope.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            client_pin(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (request.method in SAFE_METHODS and match is not None and match.view_name in self.views
                and not client_pinned(request) and replica_available()):
            _replica_scope.set(True)
        return None
