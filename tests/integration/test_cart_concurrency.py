"""A company's cart under contention on PostgreSQL: the members of one buyer who touch its cart for
the first time at the same moment share one cart, and their adds to one line all count.

Each thread has its own database connection; the threads start together behind a barrier."""
from __future__ import annotations

import pytest

from orders import services
from orders.models import Cart, CartLine
from tests.factories.accounts import MembershipFactory
from tests.integration.threads import run_pool
from tests.orders.helpers import buyer_company, reference_tables, seller_company, towel

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEMBERS = 20


@pytest.fixture
def listing():
    reference_tables()
    seller = seller_company("Tekstil A.S.", "TR", "TRY")
    MembershipFactory(company=seller)
    return towel(seller, moq=1, order_multiple=1, stock=100_000,
                 price_tiers=[{"min_quantity": 1, "unit_price": "10.00"}])


@pytest.fixture
def members():
    company = buyer_company("Einkauf GmbH")
    return company, [MembershipFactory(company=company).user for _ in range(MEMBERS)]


def test_members_adding_the_same_listing_at_once_share_one_cart_and_one_line(listing, members):
    company, users = members
    results = run_pool([
        (lambda user=user, n=n: services.cart_line_add(actor=user, buyer=company, listing_id=listing.pk, quantity=n))
        for n, user in enumerate(users, start=1)], workers=MEMBERS)

    assert all(not isinstance(r, Exception) for r in results), results
    assert [created for _line, created in results].count(True) == 1
    assert Cart.objects.filter(buyer=company).count() == 1
    line = CartLine.objects.get(cart__buyer=company)
    assert line.quantity == sum(range(1, MEMBERS + 1))


def test_members_changing_and_clearing_a_new_cart_at_once_share_one_cart(listing, members):
    """Clearing and adding both make the cart on first use, each its own way in: still one cart."""
    company, users = members
    jobs = []
    for index, user in enumerate(users):
        if index % 2:
            jobs.append(lambda user=user: services.cart_clear(actor=user, buyer=company))
        else:
            jobs.append(lambda user=user: services.cart_line_add(actor=user, buyer=company, listing_id=listing.pk,
                                                                 quantity=1))
    results = run_pool(jobs, workers=MEMBERS)

    assert all(not isinstance(r, Exception) for r in results), results
    assert Cart.objects.filter(buyer=company).count() == 1
    assert CartLine.objects.filter(cart__buyer=company).count() <= 1
