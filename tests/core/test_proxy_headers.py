"""X-Forwarded-Proto and X-Forwarded-For are believed only from a trusted proxy: TRUSTED_PROXY_HOPS
above 0 and the immediate peer (REMOTE_ADDR) in TRUSTED_PROXIES."""
from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.http import client_ip, from_trusted_proxy

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
STRANGER = "203.0.113.50"


@pytest.fixture
def behind_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::1"]
    return settings


def test_the_proxys_https_header_is_believed(client, behind_proxy):
    response = client.get("/api/v1/categories/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response.wsgi_request.is_secure() is True


def test_a_strangers_https_header_is_not_believed(client, behind_proxy):
    response = client.get("/api/v1/categories/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/categories/"


def test_no_proxy_configured_believes_nobody(client, behind_proxy):
    behind_proxy.TRUSTED_PROXY_HOPS = 0

    response = client.get("/api/v1/categories/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301


@pytest.mark.parametrize(("remote", "trusted"), [
    (PROXY, True), ("10.0.1.2", False), (STRANGER, False), ("2001:db8::1", True), ("2001:db8::2", False),
    ("::ffff:10.0.0.9", True), ("not an address", False), ("", False),
])
def test_which_peers_are_trusted(behind_proxy, remote, trusted):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert from_trusted_proxy(request) is trusted
    assert client_ip(request) == ("198.51.100.7" if trusted else remote)


def test_the_default_proxies_are_loopback_and_private_networks(settings):
    from config.settings.base import TRUSTED_PROXIES

    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = TRUSTED_PROXIES
    for remote, trusted in (("127.0.0.1", True), ("172.18.0.3", True), ("192.168.1.1", True),
                            ("fd00::5", True), ("8.8.8.8", False), ("2a00:1450::1", False)):
        assert from_trusted_proxy(RequestFactory().get("/", REMOTE_ADDR=remote)) is trusted, remote
