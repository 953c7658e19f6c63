"""Catalogue reads on a real PostgreSQL streaming replica (core/db_router.py).

.ci/run starts the replica (scripts/replica.sh: pg_basebackup -R from the primary, port 5433) and
exports DATABASE_REPLICA_URL, which scripts/test.sh hands to this test as TEST_REPLICA_URL. The
replica is a physical copy of the whole primary cluster, so the test database pytest-django creates
on the primary appears on it too: the "replica" alias points at that copy. To tell the two apart,
replay is paused on the replica: what the primary commits after that is not on the replica until
replay resumes.

Without it these tests skip, and fail under CI (CI=true)."""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator

import dj_database_url
import psycopg
import pytest
from django.db import close_old_connections, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import db_router
from marketplace.models import Listing, ListingStatus
from tests.factories.accounts import ModeratorFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory
from tests.integration.conftest import wait_until

REPLICATION_TIMEOUT = 30
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", db_router.REPLICA])


def _replica_url() -> str:
    url = os.environ.get("TEST_REPLICA_URL") or os.environ.get("DATABASE_REPLICA_URL", "")
    if not url:
        message = "TEST_REPLICA_URL (or DATABASE_REPLICA_URL) is not set (scripts/replica.sh start prints one)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"The replica integration tests need a replica under CI: {message}", pytrace=False)
        pytest.skip(message)
    return url


def _replica_settings(url: str) -> dict:
    """The primary's test database settings with the replica's address: the test database's copy."""
    parsed = dj_database_url.parse(url)
    primary = connections["default"].settings_dict
    return {**primary, "HOST": parsed["HOST"], "PORT": parsed["PORT"], "USER": parsed["USER"] or primary["USER"],
            "PASSWORD": parsed["PASSWORD"] or primary["PASSWORD"],
            "OPTIONS": {**primary.get("OPTIONS", {}), "connect_timeout": 2},
            "TEST": {**primary["TEST"], "MIRROR": "default"}}


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup) -> Iterator[None]:
    """Adds the "replica" alias once the test database exists on the primary (and so on the
    replica). A test mirror for Django's test case: it flushes and checks only the primary."""
    url = _replica_url()
    connections.settings[db_router.REPLICA] = _replica_settings(url)
    try:
        yield
    finally:
        connections[db_router.REPLICA].close()
        del connections[db_router.REPLICA]
        del connections.settings[db_router.REPLICA]


@pytest.fixture
def replica(transactional_db, settings) -> Iterator[None]:
    """The router and its middleware installed as DATABASE_REPLICA_URL installs them."""
    settings.DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]
    middleware = [name for name in settings.MIDDLEWARE if name != "core.db_router.ReplicaReadMiddleware"]
    middleware.insert(middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                      "core.db_router.ReplicaReadMiddleware")
    settings.MIDDLEWARE = middleware
    settings.REPLICA_PIN_SECONDS = 30  # long enough for a slow machine; the unit tests check the bound
    port = connections[db_router.REPLICA].settings_dict["PORT"]
    db_router.replica_retry_now()
    try:
        assert _on_replica("SELECT pg_is_in_recovery()") == (True,), "DATABASE_REPLICA_URL is not a replica"
        yield
    finally:
        _replay(resume=True)
        connections[db_router.REPLICA].close()
        connections[db_router.REPLICA].settings_dict["PORT"] = port
        db_router.replica_retry_now()


def _on_replica(sql: str, params: tuple = ()) -> tuple:
    with connections[db_router.REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _replay(*, resume: bool) -> None:
    try:
        _on_replica("SELECT pg_wal_replay_resume()" if resume else "SELECT pg_wal_replay_pause()")
    except Exception:
        if not resume:
            raise
        return
    if not resume:
        wait_until(lambda: _on_replica("SELECT pg_get_wal_replay_pause_state()")[0] == "paused",
                   timeout=REPLICATION_TIMEOUT, message="replay on the replica did not pause")


def _wait_replicated(listing: Listing, status: str) -> None:
    wait_until(lambda: _on_replica("SELECT status FROM marketplace_listing WHERE id = %s", (listing.pk,)) == (status,),
               timeout=REPLICATION_TIMEOUT,
               message=f"listing {listing.pk} did not reach the replica as {status} within {REPLICATION_TIMEOUT}s")


def _listing_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "marketplace_listing" in query["sql"]]


def test_a_catalogue_read_is_served_by_the_replica(replica):
    listing = PublishedListingFactory(title="Replicated linen towel")
    _wait_replicated(listing, ListingStatus.PUBLISHED)
    _replay(resume=False)
    # Committed on the primary while the replica does not replay: only the primary has the new title.
    Listing.objects.filter(pk=listing.pk).update(title="Primary-only linen towel")

    with CaptureQueriesContext(connections["default"]) as on_primary, \
            CaptureQueriesContext(connections[db_router.REPLICA]) as on_replica:
        detail = Client().get(f"/listings/{listing.pk}/")
        browse = Client().get("/listings/", {"q": "linen"})

    assert detail.status_code == 200
    assert "Replicated linen towel" in detail.text
    assert "Primary-only linen towel" not in detail.text
    assert browse.status_code == 200
    assert "Replicated linen towel" in browse.text
    assert _listing_queries(on_replica)
    assert _listing_queries(on_primary) == []
    assert _on_replica("SELECT pg_is_in_recovery()") == (True,)


def test_a_writer_reads_its_own_write_at_once_while_others_read_the_replica(replica):
    listing = ListingFactory(status=ListingStatus.PENDING_REVIEW, title="Pinned cotton towel")
    _wait_replicated(listing, ListingStatus.PENDING_REVIEW)
    _replay(resume=False)
    moderator = Client()
    moderator.force_login(ModeratorFactory())

    approved = moderator.post(f"/api/v1/listings/{listing.pk}/approve/", {}, content_type="application/json")

    assert approved.status_code == 200, approved.content
    assert "sme_primary" in approved.cookies
    # The moderator is pinned to the primary: the listing they just published is there.
    mine = moderator.get(f"/listings/{listing.pk}/")
    assert mine.status_code == 200
    assert "Pinned cotton towel" in mine.text
    # Anyone else reads the replica, which has not replayed the approval yet.
    assert Client().get(f"/listings/{listing.pk}/").status_code == 404

    _replay(resume=True)
    _wait_replicated(listing, ListingStatus.PUBLISHED)
    assert Client().get(f"/listings/{listing.pk}/").status_code == 200


def _replica_goes_down() -> None:
    """Our kept connection to the replica is cut and the replica cannot be reached any more (its
    address now leads to a port nobody listens on), as when the replica's server stops."""
    replica = connections[db_router.REPLICA]
    pid = replica.connection.info.backend_pid
    with psycopg.connect(host=replica.settings_dict["HOST"], port=replica.settings_dict["PORT"],
                         user=replica.settings_dict["USER"], dbname="postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    replica.settings_dict["PORT"] = closed_port


def test_a_replica_that_goes_down_leaves_catalogue_reads_on_the_primary(replica, caplog):
    listing = PublishedListingFactory(title="Fallback wool blanket")
    _wait_replicated(listing, ListingStatus.PUBLISHED)
    with CaptureQueriesContext(connections[db_router.REPLICA]) as on_replica:
        assert Client().get(f"/listings/{listing.pk}/").status_code == 200
    assert _listing_queries(on_replica)  # served by the replica, whose connection is kept
    assert connections[db_router.REPLICA].connection is not None

    _replica_goes_down()
    Listing.objects.filter(pk=listing.pk).update(title="Fallback wool blanket, primary")
    caplog.set_level(logging.WARNING, logger="core.db_router")
    # What a server does when a request starts (the test client leaves it out): kept connections are
    # due for their health check again.
    close_old_connections()
    with CaptureQueriesContext(connections["default"]) as on_primary:
        first = Client().get(f"/listings/{listing.pk}/")
        second = Client().get("/listings/", {"q": "wool"})

    assert first.status_code == 200
    assert "Fallback wool blanket, primary" in first.text
    assert second.status_code == 200
    assert "Fallback wool blanket, primary" in second.text
    assert _listing_queries(on_primary)
    # Told once, then left alone for REPLICA_RETRY_SECONDS: the second request did not try again.
    warnings = [record for record in caplog.records if "the database replica is away" in record.getMessage()]
    assert len(warnings) == 1
