import pytest
from rest_framework.test import APIClient

from tests.factories.accounts import AdminFactory, CompanyFactory, MembershipFactory, ModeratorFactory, UserFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def company_a(db):
    return CompanyFactory(legal_name="Alpha Textiles", country="TR", default_currency="TRY")


@pytest.fixture
def company_b(db):
    return CompanyFactory(legal_name="Beta Circuits", country="CN", default_currency="CNY")


@pytest.fixture
def member_a(company_a):
    return MembershipFactory(company=company_a).user


@pytest.fixture
def staff_a(company_a):
    return MembershipFactory(company=company_a, role="staff").user


@pytest.fixture
def member_b(company_b):
    return MembershipFactory(company=company_b).user


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def as_user(api_client):
    """Returns a function that authenticates the API client as the given user (None: anonymous)."""

    def _as(user):
        api_client.force_authenticate(user=user)
        return api_client

    return _as


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the rows the migrations made (categories, FX rates, the
    moderators group, content types) when it ends.

    A transactional test empties the tables when it ends. Without serialized rollback, Django then
    recreates the content types with new ids, and a later test that does restore the migrations'
    rows collides with them on the unique (app_label, model). So either every transactional test
    restores, or none may: here every one does."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(item.fixturenames)
        if not transactional or kwargs.get("serialized_rollback"):
            continue
        args = marker.args if marker else ()
        item.add_marker(pytest.mark.django_db(*args, **{**kwargs, "transaction": True, "serialized_rollback": True}),
                        append=False)


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in another language leaves that language active in the thread (LocaleMiddleware
    activates it and nothing switches it back), so later tests would get translated messages."""
    yield
    from django.utils import translation

    translation.deactivate()


# Host names under the reserved example domains stand for receivers on the internet: there is no
# DNS here, so webhook registration (which resolves the host) gets a public address for them.
EXAMPLE_HOST_ADDRESS = "93.184.216.34"


@pytest.fixture(autouse=True)
def _example_hosts_resolve(monkeypatch):
    from notifications import webhooks

    real = webhooks._getaddrinfo

    def getaddrinfo(host, port):
        if host == "example" or host.endswith((".example", "example.com", "example.org", "example.net")):
            return [(2, 1, 6, "", (EXAMPLE_HOST_ADDRESS, port))]
        return real(host, port)

    monkeypatch.setattr(webhooks, "_getaddrinfo", getaddrinfo)
