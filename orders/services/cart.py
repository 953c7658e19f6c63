"""Writes to a buying company's cart. Every member of the company shares it.

Quantity rule: a line orders the MOQ plus a whole number of order multiples, so with MOQ 100 and
multiple 50 the quantities 100, 150, 200 ... are allowed: (quantity - moq) % order_multiple == 0.
The unit price is the listing's tier price for the quantity, read again whenever the cart is shown
and at checkout; the cart keeps no price. Every write locks the cart row first."""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from core.inputs import field_error
from marketplace.models import Incoterm

from ..models import Cart, CartLine
from ..pricing import LineCheck, check_line
from ..selectors.common import listing_line_terms
from .common import require_buyer_may_order, require_buyer_member


def _clean_incoterm(value: str | None) -> str:
    term = (value or "").strip().upper()
    if term and term not in Incoterm.values:
        raise field_error("incoterm", _("%(value)s is not an Incoterms 2020 rule.") % {"value": value})
    return term


def _create_cart(buyer: Company) -> None:
    """Makes the buyer's cart unless it exists. The one way a cart is made: two members making it at
    once get one (the unique buyer column drops the second insert, no error to catch)."""
    Cart.objects.bulk_create([Cart(buyer_id=buyer.pk)], ignore_conflicts=True)


def _locked_cart(*, actor: User, buyer: Company) -> Cart:
    """The buyer's cart, locked, for an actor who may order for the buyer (require_buyer_member:
    refused otherwise); made on first use. The lock is taken in one query that also reads the
    membership. Whatever the lock waited for is read by the next statement, not this one (its
    snapshot was taken before the wait)."""
    cart = None
    if actor.is_authenticated:
        cart = (Cart.objects.select_for_update(of=("self",)).filter(buyer=buyer, buyer__memberships__user=actor)
                .order_by().first())
    if cart is None:  # not a member (refused here), or the company's first cart
        require_buyer_member(actor=actor, buyer=buyer)
        _create_cart(buyer)
        return Cart.objects.select_for_update().get(buyer=buyer)
    require_buyer_may_order(actor=actor, buyer=buyer)
    return cart


_ID_CEILING = 2**63


def _cart_line_of(cart: Cart, listing_id: int) -> tuple[int | None, int, str, int]:
    """The cart's line of the listing (pk, quantity, Incoterm; pk None when it has none) and the
    number of lines in the cart, in one query. Run after the cart's lock is taken, so that it sees
    what the lock's earlier holders wrote (a statement that waits for a lock still reads from the
    snapshot taken before the wait)."""
    # An id no column holds has no line (a condition inside an aggregate is not range-checked as a
    # filter is).
    wanted = Q(listing_id=listing_id if isinstance(listing_id, int) and 0 < listing_id < _ID_CEILING else 0)
    found = CartLine.objects.filter(cart=cart).aggregate(
        lines=Count("pk"), pk=Max("pk", filter=wanted), quantity=Max("quantity", filter=wanted),
        incoterm=Max("incoterm", filter=wanted))
    return found["pk"], found["quantity"] or 0, found["incoterm"] or "", found["lines"]


def _check_line(*, buyer: Company, listing_id: int, quantity: int, incoterm: str) -> LineCheck:
    """check_line for one quantity and Incoterm, with the listing and its terms read in one query."""
    listing, terms = listing_line_terms(listing_id, country=str(buyer.country), quantity=quantity, incoterm=incoterm)
    return check_line(buyer=buyer, listing=listing, terms=terms, quantity=quantity, incoterm=incoterm,
                      country=str(buyer.country))


def cart_line_add(*, actor: User, buyer: Company, listing_id: int, quantity: int,
                  incoterm: str | None = None) -> tuple[CartLine, bool]:
    """Puts a listing in the cart. A listing already there gets the quantity added to its line (the
    sum must meet the rules) and, when given, the new Incoterm. Returns the line (its cart and listing
    loaded; for a line that was there, the columns other than its quantity and Incoterm are read when
    asked for) and whether it is new.

    The cart is locked in one query that also checks membership, then its line of the listing read
    in a second (members adding at the same time add up), and the listing with its terms in a third:
    adding costs the same few queries every time."""
    with transaction.atomic():
        cart = _locked_cart(actor=actor, buyer=buyer)
        term = _clean_incoterm(incoterm)
        line_pk, line_quantity, line_incoterm, lines = _cart_line_of(cart, listing_id)
        if line_pk is None:
            if lines >= settings.ORDER_CART_MAX_LINES:
                raise field_error("listing_id", _("A cart holds at most %(max)d lines.")
                                  % {"max": settings.ORDER_CART_MAX_LINES}, code="cart_full")
            checked = _check_line(buyer=buyer, listing_id=listing_id, quantity=quantity, incoterm=term)
            line = CartLine.objects.create(cart=cart, listing=checked.listing, quantity=quantity, incoterm=term,
                                           added_by=actor)
            return line, True
        if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 1:
            quantity = line_quantity + quantity  # anything else is refused by check_line as it was sent
        term = term or line_incoterm
        checked = _check_line(buyer=buyer, listing_id=listing_id, quantity=quantity, incoterm=term)
        CartLine.objects.filter(pk=line_pk).update(quantity=quantity, incoterm=term, updated_at=timezone.now())
        # The line as written; its other columns are read if asked for.
        line = CartLine.from_db(None, ["id", "cart_id", "listing_id", "quantity", "incoterm"],
                                [line_pk, cart.pk, checked.listing.pk, quantity, term])
        line.cart, line.listing = cart, checked.listing
        return line, False


def _locked_line(*, actor: User, buyer: Company, line_id: int) -> CartLine:
    cart = _locked_cart(actor=actor, buyer=buyer)
    line = CartLine.objects.filter(cart=cart, pk=line_id).first()
    if line is None:
        raise Http404
    return line


def cart_line_update(*, actor: User, buyer: Company, line_id: int, quantity: int | None = None,
                     incoterm: str | None = None) -> CartLine:
    """Changes the quantity and/or the Incoterm of a line (an empty Incoterm: chosen at checkout)."""
    with transaction.atomic():
        line = _locked_line(actor=actor, buyer=buyer, line_id=line_id)
        term = _clean_incoterm(incoterm) if incoterm is not None else None
        new_quantity = line.quantity if quantity is None else quantity
        new_term = line.incoterm if term is None else term
        _check_line(buyer=buyer, listing_id=line.listing_id, quantity=new_quantity, incoterm=new_term)
        line.quantity = new_quantity
        line.incoterm = new_term
        line.save(update_fields=["quantity", "incoterm", "updated_at"])
        return line


def cart_line_remove(*, actor: User, buyer: Company, line_id: int) -> None:
    with transaction.atomic():
        _locked_line(actor=actor, buyer=buyer, line_id=line_id).delete()


def cart_clear(*, actor: User, buyer: Company) -> int:
    """Empties the cart; returns the number of lines removed."""
    with transaction.atomic():
        cart = _locked_cart(actor=actor, buyer=buyer)
        deleted, _details = CartLine.objects.filter(cart=cart).delete()
    return deleted
