"""An attack on sign-in over HTTP on PostgreSQL, with the real users signing in meanwhile.

Behind one trusted proxy (TRUSTED_PROXY_HOPS=1) the client address is the last X-Forwarded-For
entry. Threads guess one account's password from many addresses and many accounts' passwords from
one address, each thread with its own connection, while the owner (from a browser that signed in
before) and a colleague (from the office address, after a few typos of other colleagues there)
sign in successfully."""
from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from accounts.models import LoginThrottle, ThrottleHit
from tests.factories.accounts import PASSWORD, UserFactory
from tests.integration.threads import run_pool

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/api/v1/auth/login/"
TOKEN = "/api/v1/auth/token/"
WRONG = "Wrong-Password-99"
OFFICE = "192.0.2.10"
BOTNET_ADDRESS = "203.0.113.66"


def sign_in(client: APIClient, email: str, password: str, address: str, endpoint: str = LOGIN) -> int:
    response = client.post(endpoint, {"email": email, "password": password}, format="json",
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.18.255.1, {address}")
    return response.status_code


def test_attackers_are_held_while_the_owner_and_a_colleague_sign_in(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    free = django_settings.LOGIN_ACCOUNT_FREE_FAILURES
    address_limit = django_settings.LOGIN_ADDRESS_MAX_ACCOUNTS
    owner = UserFactory(email="owner@example.com")
    colleague = UserFactory(email="colleague@example.com")
    typists = [UserFactory(email=f"typist{n}@example.com") for n in range(3)]
    browser = APIClient()
    assert sign_in(browser, owner.email, PASSWORD, "198.18.0.1") == 200

    one_account = [lambda n=n: sign_in(APIClient(), owner.email, WRONG, f"198.51.100.{n % 250 + 1}",
                                       endpoint=TOKEN if n % 2 else LOGIN)
                   for n in range(60)]
    many_accounts = [lambda n=n: sign_in(APIClient(), f"victim{n}@example.com", WRONG, BOTNET_ADDRESS)
                     for n in range(60)]
    office_typos = [lambda t=t: sign_in(APIClient(), t.email, WRONG, OFFICE) for t in typists for _ in range(2)]
    results = run_pool(one_account + many_accounts + office_typos, workers=24)

    attack_one = Counter(results[:60])
    attack_many = Counter(results[60:120])
    assert attack_one == Counter({400: free, 429: 60 - free}), attack_one
    assert attack_many == Counter({400: address_limit, 429: 60 - address_limit}), attack_many
    assert Counter(results[120:]) == Counter({400: 6})
    assert len(set(ThrottleHit.objects.filter(key=f"ip:{BOTNET_ADDRESS}").values_list("subject", flat=True))) == (
        address_limit)
    assert LoginThrottle.objects.get(key="account:owner@example.com").failures == free

    # While the attack's delay holds the owner's account, a new browser is refused ...
    assert sign_in(APIClient(), owner.email, PASSWORD, OFFICE) == 429
    # ... the owner's browser is let in, and the colleague signs in from the office.
    during = run_pool([lambda: sign_in(browser, owner.email, PASSWORD, OFFICE),
                       lambda: sign_in(APIClient(), colleague.email, PASSWORD, OFFICE)], workers=2)
    assert during == [200, 200]
    assert sign_in(APIClient(), colleague.email, PASSWORD, BOTNET_ADDRESS) == 429
