"""The checkout's Idempotency-Key fingerprint covers the cart: a retry finds the cart as the first
checkout left it (empty) and gets the same group; the same key after the cart changed is a 409
instead of a replay of the old group, and nothing is written."""
from __future__ import annotations


import pytest

from core.exceptions import Conflict
from marketplace.models import Listing
from orders import services
from orders.models import PurchaseGroup
from orders.pricing import FINGERPRINT_HALF, cart_contents, checkout_fingerprint, clean_request
from orders.services.checkout import checkout_place
from tests.orders.helpers import snapshot

pytestmark = pytest.mark.django_db

CHANGED = ("This idempotency key was already used to check out your cart, which has changed since; send a new key "
           "to check out the cart as it is now.")


def add(world, listing, quantity, incoterm=None):
    return services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=listing.pk,
                                  quantity=quantity, incoterm=incoterm)


def checkout(world, key, **kwargs):
    return checkout_place(actor=world.buyer_owner, buyer=world.buyer, idempotency_key=key, **kwargs)


def refused(world, key, **kwargs) -> Conflict:
    before = snapshot()
    with pytest.raises(Conflict) as excinfo:
        checkout(world, key, **kwargs)
    assert snapshot() == before
    return excinfo.value


def test_a_retry_after_success_replays_the_group(world):
    add(world, world.towel, 20)
    first = checkout(world, "k1")
    before = snapshot()

    again = checkout(world, "k1")

    assert (again.replayed, again.group.pk) == (True, first.group.pk)
    assert snapshot() == before


@pytest.mark.parametrize("change", ["new_line", "same_listing_again", "other_quantity"])
def test_the_same_key_after_the_cart_changed_is_a_conflict(world, change):
    add(world, world.towel, 20)
    first = checkout(world, "k1")
    if change == "new_line":
        add(world, world.cable, 300)
    elif change == "same_listing_again":
        add(world, world.towel, 20)
    else:
        add(world, world.towel, 25)

    exc = refused(world, "k1")

    assert (exc.status_code, exc.code, exc.message) == (409, "idempotency_key_reused", CHANGED)
    assert PurchaseGroup.objects.get().pk == first.group.pk
    result = checkout(world, "k2")
    assert result.replayed is False
    assert result.group.pk != first.group.pk


def test_a_different_request_under_the_key_is_still_refused_with_an_empty_cart(world):
    add(world, world.towel, 20)
    checkout(world, "k1", incoterms={world.seller_t.pk: "FOB"})

    exc = refused(world, "k1", incoterms={world.seller_t.pk: "EXW"})

    assert exc.message == "This idempotency key was already used for a different checkout."


def test_the_stored_fingerprint_covers_the_lines_quantities_listing_versions_and_terms(world):
    line = add(world, world.towel, 20, incoterm="FOB")[0]
    request = clean_request(destination=None, incoterms=None, currency=None)
    contents = cart_contents(buyer_id=world.buyer.pk)
    listing = Listing.objects.get(pk=world.towel.pk)
    assert contents == [[line.pk, world.towel.pk, listing.updated_at.isoformat(), 20, "FOB"]]
    expected = checkout_fingerprint(request=request, buyer_id=world.buyer.pk, contents=contents)

    group = checkout(world, "k1").group

    assert group.request_fingerprint == expected
    assert group.request_fingerprint[:FINGERPRINT_HALF] == request.fingerprint(world.buyer.pk)[:FINGERPRINT_HALF]
    changed = [[line.pk, world.towel.pk, "2026-01-01T00:00:00+00:00", 20, "FOB"]]
    other = checkout_fingerprint(request=request, buyer_id=world.buyer.pk, contents=changed)
    assert other[:FINGERPRINT_HALF] == expected[:FINGERPRINT_HALF]
    assert other[FINGERPRINT_HALF:] != expected[FINGERPRINT_HALF:]


def test_a_group_placed_before_the_cart_was_fingerprinted_still_replays(world):
    add(world, world.towel, 20)
    group = checkout(world, "k1").group
    request = clean_request(destination=None, incoterms=None, currency=None)
    PurchaseGroup.objects.filter(pk=group.pk).update(request_fingerprint=request.fingerprint(world.buyer.pk))

    assert checkout(world, "k1").group.pk == group.pk
    add(world, world.towel, 20)
    assert refused(world, "k1").message == CHANGED
