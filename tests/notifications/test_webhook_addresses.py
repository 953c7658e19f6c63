"""Which addresses webhooks may reach: one rule (resolve_checked) for registering an endpoint and
for every send, IPv6 forms that carry an IPv4 address judged by that address, and the connection
made to the address that was checked."""
from __future__ import annotations

import ipaddress
from unittest import mock

import pytest

from notifications.channels import SendFailed
from notifications.channels.webhook import post
from notifications.models import WebhookEndpoint
from notifications.webhooks import AddressRefused, address_problem, embedded_ipv4, resolve_checked
from tests.core.helpers import assert_error

WEBHOOKS = "/api/v1/webhooks/"


def _resolves_to(*addresses):
    return mock.patch("notifications.webhooks._getaddrinfo",
                      return_value=[(10 if ":" in a else 2, 1, 6, "", (a, 443)) for a in addresses])


@pytest.mark.parametrize(("address", "problem"), [
    ("93.184.216.34", None),
    ("2606:2800:220:1:248:1893:25c8:1946", None),
    ("127.0.0.1", "loopback"), ("127.0.0.2", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("100.64.0.1", "shared (carrier-grade NAT)"), ("100.127.255.254", "shared (carrier-grade NAT)"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "private"),  # reserved for future use; Python files it under private too
    ("255.255.255.255", "private"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("192.0.2.10", "private"),  # documentation range
    ("not-an-ip", "not an IP address"),
])
def test_address_problem_names_the_kind(settings, address, problem):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    assert address_problem(address) == problem


@pytest.mark.parametrize(("address", "problem"), [
    # IPv4-mapped
    ("::ffff:127.0.0.1", "loopback, 127.0.0.1 inside ::ffff:127.0.0.1"),
    ("::ffff:169.254.169.254", "link-local, 169.254.169.254 inside ::ffff:169.254.169.254"),
    ("::ffff:93.184.216.34", None),
    # IPv4-compatible (deprecated): Python calls ::127.0.0.1 global
    ("::127.0.0.1", "loopback, 127.0.0.1 inside ::7f00:1"),
    ("::10.0.0.1", "private, 10.0.0.1 inside ::a00:1"),
    ("::93.184.216.34", None),
    # NAT64 well-known prefix: Python calls 64:ff9b::a9fe:a9fe global
    ("64:ff9b::a9fe:a9fe", "link-local, 169.254.169.254 inside 64:ff9b::a9fe:a9fe"),
    ("64:ff9b::7f00:1", "loopback, 127.0.0.1 inside 64:ff9b::7f00:1"),
    ("64:ff9b::5db8:d822", None),
    # 6to4
    ("2002:a9fe:a9fe::1", "link-local, 169.254.169.254 inside 2002:a9fe:a9fe::1"),
    ("2002:5db8:d822::1", None),
])
def test_ipv6_forms_are_judged_by_the_ipv4_address_they_carry(settings, address, problem):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    assert address_problem(address) == problem


def test_teredo_is_judged_by_server_and_client(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    # Teredo: 2001:0:<server>:<flags>:<port xor ffff>:<client xor ffffffff>
    public_both = "2001:0:5db8:d822:0:f227:a247:27cb"  # server 93.184.216.34, client 93.184.216.52
    private_client = "2001:0:5db8:d822:0:f227:f5fe:fffe"  # client 10.1.0.1
    private_server = "2001:0:a01:1:0:f227:a247:27cb"  # server 10.1.0.1

    assert [str(a) for a in embedded_ipv4(ipaddress.IPv6Address(public_both))] == [
        "93.184.216.34", "93.184.216.52"]
    assert address_problem(public_both) is None
    assert address_problem(private_client) == f"private, 10.1.0.1 inside {private_client}"
    assert address_problem(private_server) == f"private, 10.1.0.1 inside {private_server}"


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1", "::127.0.0.1"])
def test_loopback_is_allowed_only_with_the_setting(settings, address):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert address_problem(address) is None

    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    assert address_problem(address).startswith("loopback")


def test_the_loopback_setting_allows_nothing_else(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True

    assert address_problem("10.0.0.1") == "private"
    assert address_problem("169.254.169.254") == "link-local"


def test_resolve_checked_refuses_when_any_address_is_not_public(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    with _resolves_to("93.184.216.34", "::ffff:10.0.0.5"):
        with pytest.raises(AddressRefused) as refused:
            resolve_checked("erp.alpha.example", 443)
    assert refused.value.resolves is True
    assert str(refused.value) == ("erp.alpha.example resolves to ::ffff:10.0.0.5, which is not a public address "
                                  "(private, 10.0.0.5 inside ::ffff:10.0.0.5); webhooks are sent to public "
                                  "addresses only.")

    with _resolves_to("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "93.184.216.34"):
        assert resolve_checked("erp.alpha.example", 443) == ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]


def test_resolve_checked_refuses_a_name_that_does_not_resolve():
    with mock.patch("notifications.webhooks._getaddrinfo", side_effect=OSError(-2, "Name or service not known")):
        with pytest.raises(AddressRefused) as refused:
            resolve_checked("nowhere.invalid", 443)

    assert refused.value.resolves is False
    assert str(refused.value) == "The host name nowhere.invalid does not resolve."


# --- at registration ------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("url", "resolved", "message"), [
    ("https://hooks.alpha.example/", "10.0.0.5",
     "hooks.alpha.example resolves to 10.0.0.5, which is not a public address (private); webhooks are sent to "
     "public addresses only."),
    ("https://metadata.alpha.example/", "64:ff9b::a9fe:a9fe",
     "metadata.alpha.example resolves to 64:ff9b::a9fe:a9fe, which is not a public address (link-local, "
     "169.254.169.254 inside 64:ff9b::a9fe:a9fe); webhooks are sent to public addresses only."),
    ("https://cgnat.alpha.example/", "100.64.1.1",
     "cgnat.alpha.example resolves to 100.64.1.1, which is not a public address (shared (carrier-grade NAT)); "
     "webhooks are sent to public addresses only."),
    ("https://127.0.0.1/", None,
     "127.0.0.1 resolves to 127.0.0.1, which is not a public address (loopback); webhooks are sent to public "
     "addresses only."),
    ("https://[::127.0.0.1]/", None,
     "::127.0.0.1 resolves to ::127.0.0.1, which is not a public address (loopback, 127.0.0.1 inside ::7f00:1); "
     "webhooks are sent to public addresses only."),
])
def test_registration_refuses_hosts_that_are_not_public(as_user, company_a, member_a, settings, url, resolved,
                                                       message):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    body = {"url": url, "events": ["listing.decided"]}

    if resolved:
        with _resolves_to(resolved):
            response = as_user(member_a).post(WEBHOOKS, body, format="json")
    else:
        response = as_user(member_a).post(WEBHOOKS, body, format="json")

    assert_error(response, 400, "validation_error", fields={"url": [message]})
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_registration_refuses_a_host_that_does_not_resolve(as_user, company_a, member_a):
    with mock.patch("notifications.webhooks._getaddrinfo", side_effect=OSError(-2, "Name or service not known")):
        response = as_user(member_a).post(WEBHOOKS, {"url": "https://nowhere.invalid/", "events": ["listing.decided"]},
                                          format="json")

    assert_error(response, 400, "validation_error",
                 fields={"url": ["The host name nowhere.invalid does not resolve."]})
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_changing_the_url_is_checked_too(as_user, company_a, member_a):
    endpoint = WebhookEndpoint.objects.create(company=company_a, url="https://a.example/h", secret="whsec_a",
                                              events=["listing.decided"])

    with _resolves_to("192.168.0.10"):
        response = as_user(member_a).patch(f"{WEBHOOKS}{endpoint.pk}/", {"url": "https://intranet.example/h"},
                                           format="json")

    assert_error(response, 400, "validation_error", fields={"url": [
        "intranet.example resolves to 192.168.0.10, which is not a public address (private); webhooks are sent to "
        "public addresses only."]})
    endpoint.refresh_from_db()
    assert endpoint.url == "https://a.example/h"


@pytest.mark.django_db
def test_localhost_receivers_register_with_the_setting_only(as_user, company_a, member_a, settings):
    body = {"url": "http://localhost:8001/hooks", "events": ["listing.decided"]}

    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    assert_error(as_user(member_a).post(WEBHOOKS, body, format="json"), 400, "validation_error",
                 fields={"url": ["The URL must start with https://."]})

    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert as_user(member_a).post(WEBHOOKS, body, format="json").status_code == 201


# --- at send time ---------------------------------------------------------------------------------

def test_send_connects_to_the_checked_address_and_keeps_the_host_name(receiver, settings):
    """The name is resolved once; a resolver that would answer differently the second time (DNS
    rebinding) is never asked again, and the receiver sees the URL's host name."""
    port = receiver.server.server_address[1]
    answers = [[(2, 1, 6, "", ("127.0.0.1", port))], [(2, 1, 6, "", ("10.0.0.5", port))]]

    with mock.patch("notifications.webhooks._getaddrinfo", side_effect=answers) as resolver:
        status = post(f"http://localhost:{port}/hooks/sme", b"{}", {"Content-Type": "application/json"}, timeout=5)

    assert status == 200
    assert resolver.call_count == 1
    assert receiver.requests[0].headers["Host"] == f"localhost:{port}"


@pytest.mark.parametrize("address", ["::127.0.0.1", "64:ff9b::a9fe:a9fe", "::ffff:10.0.0.1", "2002:a00:1::1"])
def test_send_refuses_embedded_private_addresses_for_good(settings, address):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    with _resolves_to(address), mock.patch("socket.create_connection") as connect:
        with pytest.raises(SendFailed) as failed:
            post("https://erp.alpha.example/hooks", b"{}", {}, timeout=5)

    assert failed.value.permanent is True
    assert str(failed.value).startswith(f"erp.alpha.example resolves to {address}, which is not a public address")
    connect.assert_not_called()


def test_send_retries_a_name_that_does_not_resolve():
    with mock.patch("notifications.webhooks._getaddrinfo", side_effect=OSError(-3, "Temporary failure")), \
            mock.patch("socket.create_connection") as connect:
        with pytest.raises(SendFailed) as failed:
            post("https://erp.alpha.example/hooks", b"{}", {}, timeout=5)

    assert (failed.value.permanent, str(failed.value)) == (False, "The host name erp.alpha.example does not resolve.")
    connect.assert_not_called()
