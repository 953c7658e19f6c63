"""core/db_router.py: catalogue reads of safe requests go to the replica, everything else (writes,
reads inside a transaction, other views, tasks) to the primary; a client whose write succeeded is
pinned to the primary for REPLICA_PIN_SECONDS; a replica that is away is skipped."""
from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve

from accounts.models import Company
from core import db_router
from core.db_router import PrimaryReplicaRouter, ReplicaReadMiddleware, in_replica_scope, replica_reads
from marketplace.models import Category, Listing

ROUTED = override_settings(DATABASE_ROUTERS=["core.db_router.PrimaryReplicaRouter"])


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    db_router.replica_retry_now()
    yield
    cache.clear()
    db_router.replica_retry_now()


# ---------------------------------------------------------------------------------------------
# The router


def test_reads_go_to_the_primary_outside_a_replica_scope():
    router = PrimaryReplicaRouter()
    assert in_replica_scope() is False
    assert router.db_for_read(Listing) == "default"
    assert router.db_for_write(Listing) == "default"


def test_inside_a_replica_scope_reads_go_to_the_replica_and_writes_to_the_primary():
    router = PrimaryReplicaRouter()
    with replica_reads():
        assert in_replica_scope() is True
        assert router.db_for_read(Listing) == "replica"
        assert router.db_for_read(Category) == "replica"
        assert router.db_for_write(Listing) == "default"
    assert in_replica_scope() is False
    assert router.db_for_read(Listing) == "default"


def test_who_the_client_is_is_always_read_from_the_primary():
    from django.contrib.sessions.models import Session

    from accounts.models import ApiToken, User

    router = PrimaryReplicaRouter()
    with replica_reads():
        for model in (Session, User, ApiToken):
            assert router.db_for_read(model) == "default", model
        assert router.db_for_read(Company) == "replica"


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the test opens its own
def test_reads_inside_a_transaction_go_to_the_primary_even_in_a_replica_scope():
    router = PrimaryReplicaRouter()
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Listing) == "default"
        assert router.db_for_read(Listing) == "replica"


@pytest.mark.django_db(transaction=True)
def test_querysets_pick_the_alias_through_the_installed_router():
    with ROUTED:
        assert Listing.objects.all().db == "default"
        with replica_reads():
            assert Listing.objects.all().db == "replica"
            assert Company.objects.filter(pk=1).db == "replica"
            with transaction.atomic():
                assert Listing.objects.all().db == "default"


def test_an_object_read_from_the_replica_is_saved_on_the_primary():
    listing = Listing()
    listing._state.db = "replica"
    assert PrimaryReplicaRouter().db_for_write(Listing, instance=listing) == "default"


def test_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "marketplace") is True
    assert router.allow_migrate("replica", "marketplace") is False
    assert router.allow_relation(Listing(), Category()) is True


# ---------------------------------------------------------------------------------------------
# The middleware: which requests read from the replica, and pinning


def _call(request, *, status: int = 200, available: bool = True) -> tuple[HttpResponse, bool]:
    """Runs the middleware around a view that records whether it ran in a replica scope."""
    seen = {}

    def view(req):
        seen["scope"] = in_replica_scope()
        return HttpResponse(status=status)

    def get_response(req):
        req.resolver_match = resolve(req.path_info)
        middleware.process_view(req, view, (), {})
        return view(req)

    middleware = ReplicaReadMiddleware(get_response)
    with mock.patch.object(db_router, "replica_available", return_value=available) as probe:
        response = middleware(request)
    assert in_replica_scope() is False  # the scope ends with the request
    seen["probed"] = probe.called
    return response, seen["scope"]


@pytest.mark.parametrize("path", ["/", "/listings/", "/listings/7/", "/categories/textiles/", "/companies/3/",
                                  "/api/v1/listings/", "/api/v1/listings/7/", "/api/v1/categories/",
                                  "/api/v1/sellers/3/reviews/", "/api/v1/sellers/3/performance/"])
def test_a_safe_request_to_a_catalogue_view_reads_from_the_replica(rf, path):
    response, scope = _call(rf.get(path))
    assert scope is True
    assert response.cookies.get("sme_primary") is None


@pytest.mark.parametrize("path", ["/cart/", "/orders/", "/seller/listings/", "/dashboard/", "/api/v1/me/",
                                  "/api/v1/orders/", "/moderation/listings/"])
def test_other_views_read_from_the_primary(rf, path):
    _response, scope = _call(rf.get(path))
    assert scope is False


def test_unsafe_methods_never_read_from_the_replica(rf):
    _response, scope = _call(rf.post("/api/v1/listings/"), status=201)
    assert scope is False


def test_a_replica_that_is_away_leaves_the_request_on_the_primary(rf):
    _response, scope = _call(rf.get("/listings/"), available=False)
    assert scope is False


@override_settings(REPLICA_PIN_SECONDS=5)
def test_a_successful_write_pins_the_browser_to_the_primary_for_the_pin_seconds(rf):
    response, _scope = _call(rf.post("/cart/add/"), status=302)

    cookie = response.cookies["sme_primary"]
    assert cookie["max-age"] == 5
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    until = signing.loads(cookie.value, salt=db_router.PIN_SALT)
    assert time.time() + 4 < until <= time.time() + 5

    pinned = rf.get("/listings/")
    pinned.COOKIES["sme_primary"] = cookie.value
    _response, scope = _call(pinned)
    assert scope is False


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_a_failed_write_pins_nobody(rf, status):
    response, _scope = _call(rf.post("/cart/add/"), status=status)
    assert "sme_primary" not in response.cookies


@override_settings(REPLICA_PIN_SECONDS=0)
def test_no_pin_when_the_pin_seconds_are_zero(rf):
    response, _scope = _call(rf.post("/cart/add/"), status=302)
    assert "sme_primary" not in response.cookies


def test_a_pin_that_ended_or_was_forged_is_ignored(rf):
    ended = rf.get("/listings/")
    ended.COOKIES["sme_primary"] = signing.dumps(time.time() - 1, salt=db_router.PIN_SALT)
    assert _call(ended)[1] is True

    forged = rf.get("/listings/")
    forged.COOKIES["sme_primary"] = signing.dumps(time.time() + 60, salt="another salt")
    assert _call(forged)[1] is True

    garbage = rf.get("/listings/")
    garbage.COOKIES["sme_primary"] = "not-a-pin"
    assert _call(garbage)[1] is True


def test_an_old_signature_is_refused_even_with_a_far_end(rf, settings):
    settings.REPLICA_PIN_SECONDS = 5
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 60):
        old = signing.dumps(time.time() + 3600, salt=db_router.PIN_SALT)
    request = rf.get("/listings/")
    request.COOKIES["sme_primary"] = old
    assert _call(request)[1] is True


def test_an_api_client_is_pinned_by_its_credentials_in_the_cache(rf):
    _call(rf.post("/api/v1/listings/", HTTP_AUTHORIZATION="Bearer token-a"), status=201)

    assert _call(rf.get("/api/v1/listings/", HTTP_AUTHORIZATION="Bearer token-a"))[1] is False
    assert _call(rf.get("/api/v1/listings/", HTTP_AUTHORIZATION="Bearer token-b"))[1] is True
    assert _call(rf.get("/api/v1/listings/"))[1] is True
    # The key holds a hash of the header, never the credential itself.
    key = db_router._credential_key(rf.get("/", HTTP_AUTHORIZATION="Bearer token-a"))
    assert "token-a" not in key and cache.get(key) == 1


def test_a_pinned_client_is_not_even_probed_for_the_replica(rf):
    request = rf.get("/listings/")
    request.COOKIES["sme_primary"] = signing.dumps(time.time() + 5, salt=db_router.PIN_SALT)
    response, scope = _call(request)
    assert scope is False


# ---------------------------------------------------------------------------------------------
# Is the replica there?


@pytest.fixture
def unreachable_replica(tmp_path, django_db_blocker):
    """A replica alias whose database cannot be opened (SQLite: a file in a directory that does not
    exist; PostgreSQL: a database that does not exist)."""
    primary = connections["default"].settings_dict
    missing = str(tmp_path / "missing" / "replica.sqlite3") if connections["default"].vendor == "sqlite" \
        else "sme_no_such_replica_database"
    connections.settings["replica"] = {**primary, "NAME": missing}
    try:
        with django_db_blocker.unblock():
            yield
    finally:
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


def test_without_a_replica_alias_the_replica_is_never_available():
    assert db_router.replica_configured() is False
    assert db_router.replica_available() is False


@pytest.mark.usefixtures("unreachable_replica")
def test_a_replica_that_refuses_is_skipped_for_the_retry_seconds(settings, caplog):
    settings.REPLICA_RETRY_SECONDS = 30
    assert db_router.replica_configured() is True

    assert db_router.replica_available() is False
    assert "the database replica is away; reading from the primary for 30s" in caplog.text

    with mock.patch.object(connections["replica"], "ensure_connection") as connect:
        assert db_router.replica_available() is False
        connect.assert_not_called()  # not tried again while the retry time runs
        db_router.replica_retry_now()
        assert db_router.replica_available() is True
        connect.assert_called_once_with()


def test_the_scope_ends_with_the_request_even_when_the_middleware_is_installed_twice(rf):
    def view(req):
        return HttpResponse()

    def inner_response(req):
        req.resolver_match = resolve(req.path_info)
        outer.process_view(req, view, (), {})
        inner.process_view(req, view, (), {})
        assert in_replica_scope() is True
        return view(req)

    inner = ReplicaReadMiddleware(inner_response)
    outer = ReplicaReadMiddleware(inner)
    with mock.patch.object(db_router, "replica_available", return_value=True):
        outer(rf.get("/listings/"))
    assert in_replica_scope() is False
