"""A broker that hangs (a Redis stopped with SIGSTOP: connections are accepted, nothing answers), on a
redis-server of the test's own.

- The web tier does not wait on it: a checkout during the freeze answers 201 within 2 s, browsing
  keeps answering, and every notification of the order arrives once after the thaw.
- A worker whose acknowledgement timed out on the frozen broker consumes again after the thaw."""
from __future__ import annotations

import re
import threading
import time

import pytest
from rest_framework.test import APIClient

from accounts.models import MembershipRole
from core.queue import publish, publishing_paused
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import deliveries_relay
from orders import services as orders
from orders.events.orders import ORDER_PLACED
from orders.models import Order
from tests.factories.accounts import MembershipFactory
from tests.integration.broker_tasks import nap
from tests.integration.conftest import publishing_to, start_worker, wait_until
from tests.integration.notifications_support import outbox_stack, private_redis, sleep_until  # noqa: F401
from tests.integration.test_checkout_concurrency import buyers
from tests.integration.threads import run_pool
from tests.orders.helpers import make_zone, reference_tables, seller_company, towel

CHECKOUT = "/api/v1/checkout/"
LISTINGS = "/api/v1/listings/"
FREEZE_SECONDS = 20
CHECKOUTS_DURING_FREEZE = 3
# What the issue asks of the web tier with the broker frozen.
CHECKOUT_BOUND_SECONDS = 2
BROWSE_BOUND_SECONDS = 1

# After the thaw a worker must take a new task within this many seconds: the consumer's health check
# (brpop timeout + health_check_interval) and a reconnect, with room to spare on a busy machine.
RESUME_BOUND_SECONDS = 30
FREEZES = 3
NAP_SECONDS = 2
ACK_FAILED = re.compile(r"Couldn't ack")


def _worker_log_count(worker, pattern: re.Pattern) -> int:
    return len(pattern.findall(worker.log_text()))


@pytest.fixture
def frozen_broker_worker(private_redis, transactional_db, tmp_path, monkeypatch):  # noqa: F811
    """A worker with two processes (two prefetch slots) on the test's own Redis."""
    (tmp_path / "mail").mkdir()
    (tmp_path / "var").mkdir()
    worker = start_worker(broker_url=private_redis.url(0), mail_dir=tmp_path / "mail", var_dir=tmp_path / "var",
                          log_path=tmp_path / "worker.log", concurrency=2,
                          extra_args=["--include", "tests.integration.broker_tasks"])
    try:
        with publishing_to(private_redis.url(0), monkeypatch):
            yield worker
    finally:
        private_redis.thaw()
        worker.stop()


def test_a_worker_whose_acks_timed_out_on_a_frozen_broker_consumes_again_after_the_thaw(
        frozen_broker_worker, private_redis):  # noqa: F811
    worker = frozen_broker_worker
    for freeze in range(FREEZES):
        # A task is running when the broker freezes: it finishes during the freeze, and its
        # acknowledgement meets the frozen broker and times out.
        running = nap.delay(NAP_SECONDS).id
        wait_until(lambda: running in worker.received("tests.integration.broker_tasks.nap"), timeout=20,
                   message=f"freeze {freeze}: the worker did not take the task before the freeze")
        failed_acks = _worker_log_count(worker, ACK_FAILED)
        private_redis.freeze()
        try:
            wait_until(lambda: _worker_log_count(worker, ACK_FAILED) > failed_acks, timeout=30,
                       message=f"freeze {freeze}: the acknowledgement did not fail on the frozen broker")
        finally:
            private_redis.thaw()

        # Queued after the thaw: the worker takes it within the bound.
        after = nap.delay(0).id
        thawed = time.monotonic()
        worker.wait_for_task("tests.integration.broker_tasks.nap", after, timeout=RESUME_BOUND_SECONDS)
        print(f"freeze {freeze}: a task queued after the thaw ran {time.monotonic() - thawed:.1f} s later")

    assert _worker_log_count(worker, ACK_FAILED) == FREEZES
    outcomes = {task_id: outcome for task_id, outcome, _rest in worker.task_outcomes("tests.integration.broker_tasks.nap")}
    assert len(outcomes) == 2 * FREEZES
    assert set(outcomes.values()) == {"succeeded"}


@pytest.fixture
def frozen_web_stack(private_redis, transactional_db, tmp_path, monkeypatch, settings):  # noqa: F811
    """Worker and beat on the test's own Redis, which is also this process's cache, as in production."""
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": private_redis.url(1),
        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}}}
    yield from outbox_stack(private_redis.url(0), tmp_path, monkeypatch, extra_env={"REDIS_URL": private_redis.url(1)})


def _checkout(client: APIClient, key: str) -> tuple[int, float]:
    started = time.monotonic()
    response = client.post(CHECKOUT, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    return response.status_code, time.monotonic() - started


def _browse_until(stop: threading.Event, listing_title: str, seen: list[tuple[int, float, bool]]) -> None:
    client = APIClient()
    while not stop.is_set():
        started = time.monotonic()
        response = client.get(LISTINGS)
        found = response.status_code == 200 and any(
            row["title"] == listing_title for row in response.json()["results"])
        seen.append((response.status_code, time.monotonic() - started, found))
        stop.wait(0.5)


def test_a_checkout_during_a_broker_freeze_answers_201_at_once_and_notifies_once_after_the_thaw(
        frozen_web_stack, private_redis):  # noqa: F811
    stack = frozen_web_stack
    reference_tables()
    seller = seller_company("Donmus Tekstil A.S.", "TR", "TRY")
    seller_members = [MembershipFactory(company=seller).user,
                      MembershipFactory(company=seller, role=MembershipRole.STAFF).user]
    make_zone(seller, "Europe", ["DE"], [("500", "300.00")])
    listing = towel(seller, title="Freeze towels", moq=1, order_multiple=1, stock=100,
                    price_tiers=[{"min_quantity": 1, "unit_price": "100.00"}])
    shoppers = buyers(1 + CHECKOUTS_DURING_FREEZE, "Freeze Buyer")
    clients = []
    for company, user in shoppers:
        orders.cart_line_add(actor=user, buyer=company, listing_id=listing.pk, quantity=2)
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)

    # Before the freeze: the order's e-mails go out, so the worker, beat and publishing all work.
    assert _checkout(clients[0], "before-freeze")[0] == 201
    wait_until(lambda: len(stack.message_ids()) == 2, timeout=30, message="the first order's e-mails were not sent")

    private_redis.freeze()
    thaw_at = time.monotonic() + FREEZE_SECONDS
    browsing: list[tuple[int, float, bool]] = []
    stop_browsing = threading.Event()
    browser = threading.Thread(target=_browse_until, args=(stop_browsing, listing.title, browsing))
    try:
        browser.start()
        results = run_pool([(lambda client=client, i=i: _checkout(client, f"during-freeze-{i}"))
                            for i, client in enumerate(clients[1:])], workers=CHECKOUTS_DURING_FREEZE)
        sleep_until(thaw_at - 1)
        stop_browsing.set()
        browser.join(timeout=10)
        mails_during_freeze = len(stack.message_ids())
        sleep_until(thaw_at)
    finally:
        stop_browsing.set()
        private_redis.thaw()

    print(f"checkouts during the freeze: {sorted(round(seconds, 2) for _status, seconds in results)} s; "
          f"slowest browse: {max(round(row[1], 3) for row in browsing)} s over {len(browsing)} requests")
    assert [status for status, _seconds in results] == [201] * CHECKOUTS_DURING_FREEZE
    assert [seconds for _status, seconds in results if seconds >= CHECKOUT_BOUND_SECONDS] == []
    assert len(browsing) >= 10
    assert [row for row in browsing if row[0] != 200 or row[1] >= BROWSE_BOUND_SECONDS or not row[2]] == []
    assert mails_during_freeze == 2
    placed = Order.objects.filter(buyer__in=[company for company, _user in shoppers])
    assert placed.count() == 1 + CHECKOUTS_DURING_FREEZE

    emails = Delivery.objects.filter(event__name=ORDER_PLACED, channel=Channel.EMAIL,
                                     event__context__order_id__in=list(placed.values_list("pk", flat=True)))
    assert emails.count() == 2 * (1 + CHECKOUTS_DURING_FREEZE)
    thawed = time.monotonic()
    wait_until(lambda: emails.filter(status=DeliveryStatus.SENT).count() == emails.count(), timeout=40,
               interval=0.5, message="the e-mails of the orders placed during the freeze were not all sent "
                                     "within 40s after the thaw")
    print(f"all e-mails sent {time.monotonic() - thawed:.1f} s after the thaw")
    stack.wait_for_relay_runs(3)
    message_ids = stack.message_ids()
    assert set(message_ids) == {delivery.message_id for delivery in emails}
    assert set(message_ids.values()) == {1}
    assert sorted(emails.values_list("recipient_id", flat=True)) == sorted(
        [user.pk for user in seller_members] * (1 + CHECKOUTS_DURING_FREEZE))
    # The web tier's publishing connections recover too, once the pause after the failure is over.
    wait_until(lambda: not publishing_paused(), timeout=10, message="publishing stayed paused after the thaw")
    assert publish(deliveries_relay) is True
