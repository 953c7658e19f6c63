"""Parallel sign-in attempts on PostgreSQL: the free failures of an account are never overspent."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from django.conf import settings

from accounts import services, signin
from accounts.models import LoginThrottle, ThrottleHit
from core.exceptions import ApplicationError
from tests.factories.accounts import PASSWORD, UserFactory
from tests.integration.threads import run_pool

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_parallel(count: int, work: Callable[[int], object]) -> list[object]:
    """Runs `work(i)` in `count` threads released together; each thread has its own connection."""
    return run_pool([lambda index=index: work(index) for index in range(count)], workers=count)


def _begin(index: int) -> str:
    try:
        signin.attempt_begin(email="x@example.com", address=f"198.51.100.{index + 1}")
    except ApplicationError as exc:
        return exc.code
    return "counted"


def test_parallel_attempts_never_get_more_than_the_free_failures():
    limit = settings.LOGIN_ACCOUNT_FREE_FAILURES

    results = run_in_parallel(30, _begin)

    assert Counter(results) == Counter({"counted": limit, "throttled": 30 - limit})
    assert LoginThrottle.objects.get(key="account:x@example.com").failures == limit


def _attempt(email: str, password: str, client_ip: str) -> str:
    try:
        services.user_authenticate(email=email, password=password, client_ip=client_ip)
    except ApplicationError as exc:
        return exc.code
    return "ok"


def test_parallel_wrong_passwords_spend_exactly_the_free_failures_then_the_account_waits():
    limit = settings.LOGIN_ACCOUNT_FREE_FAILURES
    assert 0 < limit < 20
    user = UserFactory(email="target@example.com")

    results = run_in_parallel(20, lambda i: _attempt(user.email, "Wrong-Password-99", f"198.51.100.{i + 1}"))

    assert Counter(results) == Counter({"invalid_credentials": limit, "throttled": 20 - limit})
    assert LoginThrottle.objects.get(key="account:target@example.com").failures == limit

    assert _attempt(user.email, PASSWORD, "203.0.113.7") == "throttled"
    assert LoginThrottle.objects.get(key="account:target@example.com").failures == limit
    assert not ThrottleHit.objects.filter(key="ip:203.0.113.7").exists()
