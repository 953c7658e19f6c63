"""core.http.client_ip: whose address a request comes from."""
from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.http import client_ip


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(("hops", "forwarded", "expected"), [
    (0, None, "10.0.0.1"),
    (0, "203.0.113.5", "10.0.0.1"),
    (1, None, "10.0.0.1"),
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),
    (2, "198.51.100.7, 203.0.113.5", "198.51.100.7"),
    (2, "203.0.113.5", "10.0.0.1"),
    (1, " , ", "10.0.0.1"),
])
def test_client_ip(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_HOPS = hops

    assert client_ip(request(forwarded=forwarded)) == expected
