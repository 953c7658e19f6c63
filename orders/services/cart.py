"""Writes to a buying company's cart. Every member of the company shares it.

Quantity rule: a line orders the MOQ plus a whole number of order multiples, so with MOQ 100 and
multiple 50 the quantities 100, 150, 200 ... are allowed: (quantity - moq) % order_multiple == 0.
The unit price is the listing's tier price for the quantity, read again whenever the cart is shown
and at checkout; the cart keeps no price. Every write locks the cart row first."""
from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company, User
from core.inputs import field_error
from marketplace.models import Incoterm, Listing

from ..models import Cart, CartLine
from ..pricing import LineCheck, check_line
from ..selectors import listing_terms
from .common import require_buyer_member


def _clean_incoterm(value: str | None) -> str:
    term = (value or "").strip().upper()
    if term and term not in Incoterm.values:
        raise field_error("incoterm", _("%(value)s is not an Incoterms 2020 rule.") % {"value": value})
    return term


def _locked_cart(buyer: Company) -> Cart:
    """The buyer's cart, created on first use, locked. Two members creating it at once get one."""
    cart = Cart.objects.filter(buyer=buyer).first()
    if cart is None:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(buyer=buyer)
        except IntegrityError:
            pass
    return Cart.objects.select_for_update().get(buyer=buyer)


def _check(*, buyer: Company, listing_id: int, quantity: int, incoterm: str) -> LineCheck:
    listing = Listing.objects.select_related("seller").filter(pk=listing_id).first()
    terms = listing_terms([listing_id], country=str(buyer.country)).get(listing_id) if listing else None
    return check_line(buyer=buyer, listing=listing, terms=terms, quantity=quantity, incoterm=incoterm,
                      country=str(buyer.country))


def cart_line_add(*, actor: User, buyer: Company, listing_id: int, quantity: int,
                  incoterm: str | None = None) -> tuple[CartLine, bool]:
    """Puts a listing in the cart. A listing already there gets the quantity added to its line (the
    sum must meet the rules) and, when given, the new Incoterm. Returns the line and whether it is new."""
    require_buyer_member(actor=actor, buyer=buyer)
    term = _clean_incoterm(incoterm)
    with transaction.atomic():
        cart = _locked_cart(buyer)
        line = CartLine.objects.filter(cart=cart, listing_id=listing_id).first()
        if line is None:
            if CartLine.objects.filter(cart=cart).count() >= settings.ORDER_CART_MAX_LINES:
                raise field_error("listing_id", _("A cart holds at most %(max)d lines.")
                                  % {"max": settings.ORDER_CART_MAX_LINES}, code="cart_full")
            _check(buyer=buyer, listing_id=listing_id, quantity=quantity, incoterm=term)
            line = CartLine.objects.create(cart=cart, listing_id=listing_id, quantity=quantity, incoterm=term,
                                           added_by=actor)
            return line, True
        total = line.quantity + quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else quantity
        _check(buyer=buyer, listing_id=listing_id, quantity=total, incoterm=term or line.incoterm)
        line.quantity = total
        line.incoterm = term or line.incoterm
        line.save(update_fields=["quantity", "incoterm", "updated_at"])
        return line, False


def _locked_line(buyer: Company, line_id: int) -> CartLine:
    cart = _locked_cart(buyer)
    line = CartLine.objects.filter(cart=cart, pk=line_id).first()
    if line is None:
        raise Http404
    return line


def cart_line_update(*, actor: User, buyer: Company, line_id: int, quantity: int | None = None,
                     incoterm: str | None = None) -> CartLine:
    """Changes the quantity and/or the Incoterm of a line (an empty Incoterm: chosen at checkout)."""
    require_buyer_member(actor=actor, buyer=buyer)
    term = _clean_incoterm(incoterm) if incoterm is not None else None
    with transaction.atomic():
        line = _locked_line(buyer, line_id)
        new_quantity = line.quantity if quantity is None else quantity
        new_term = line.incoterm if term is None else term
        _check(buyer=buyer, listing_id=line.listing_id, quantity=new_quantity, incoterm=new_term)
        line.quantity = new_quantity
        line.incoterm = new_term
        line.save(update_fields=["quantity", "incoterm", "updated_at"])
        return line


def cart_line_remove(*, actor: User, buyer: Company, line_id: int) -> None:
    require_buyer_member(actor=actor, buyer=buyer)
    with transaction.atomic():
        _locked_line(buyer, line_id).delete()


def cart_clear(*, actor: User, buyer: Company) -> int:
    """Empties the cart; returns the number of lines removed."""
    require_buyer_member(actor=actor, buyer=buyer)
    with transaction.atomic():
        cart = _locked_cart(buyer)
        deleted, _details = CartLine.objects.filter(cart=cart).delete()
    return deleted
