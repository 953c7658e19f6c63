"""Writes to a buying company's cart. Every member of the company shares it.

Quantity rule: a line orders the MOQ plus a whole number of order multiples, so with MOQ 100 and
multiple 50 the quantities 100, 150, 200 ... are allowed: (quantity - moq) % order_multiple == 0.
The unit price is the listing's tier price for the quantity, read again whenever the cart is shown
and at checkout; the cart keeps no price. Every write locks the cart row first."""
from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery
from django.http import Http404
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


_ID_CEILING = 2**63


def _locked_cart_with_line(*, actor: User, buyer: Company, listing_id: int) -> tuple[Cart, CartLine | None, int] | None:
    """The buyer's cart, locked, with the line of the listing (None when it is not in the cart) and
    the number of lines, in one query that also asks that the actor is a member of the buyer. None
    when the actor is not a member or the buyer has no cart yet."""
    if not actor.is_authenticated:
        return None
    # An id no column holds has no line (the join's condition is not range-checked as a filter is).
    wanted_id = listing_id if isinstance(listing_id, int) and 0 < listing_id < _ID_CEILING else 0
    lines = (CartLine.objects.filter(cart=OuterRef("pk")).order_by().values("cart").annotate(n=Count("pk"))
             .values("n"))
    cart = (Cart.objects.select_for_update(of=("self",))
            .filter(buyer=buyer, buyer__memberships__user=actor)
            .annotate(wanted=FilteredRelation("lines", condition=Q(lines__listing_id=wanted_id)),
                      line_pk=F("wanted__pk"), line_quantity=F("wanted__quantity"),
                      line_incoterm=F("wanted__incoterm"), line_added_by=F("wanted__added_by"),
                      line_created_at=F("wanted__created_at"), line_count=Subquery(lines))
            .order_by().first())
    if cart is None:
        return None
    line = None
    if cart.line_pk is not None:
        line = CartLine(pk=cart.line_pk, cart=cart, listing_id=wanted_id, quantity=cart.line_quantity,
                        incoterm=cart.line_incoterm, added_by_id=cart.line_added_by, created_at=cart.line_created_at)
        line._state.adding = False
    return cart, line, cart.line_count or 0


def _check_line(*, buyer: Company, listing_id: int, quantity: int, incoterm: str) -> LineCheck:
    """check_line for one quantity and Incoterm, with the listing and its terms read in one query."""
    listing, terms = listing_line_terms(listing_id, country=str(buyer.country), quantity=quantity, incoterm=incoterm)
    return check_line(buyer=buyer, listing=listing, terms=terms, quantity=quantity, incoterm=incoterm,
                      country=str(buyer.country))


def cart_line_add(*, actor: User, buyer: Company, listing_id: int, quantity: int,
                  incoterm: str | None = None) -> tuple[CartLine, bool]:
    """Puts a listing in the cart. A listing already there gets the quantity added to its line (the
    sum must meet the rules) and, when given, the new Incoterm. Returns the line (its listing loaded)
    and whether it is new.

    The cart is locked and read with the membership check and the listing's line in one query, and
    the listing with its terms in one more, so adding costs the same few queries every time."""
    with transaction.atomic():
        found = _locked_cart_with_line(actor=actor, buyer=buyer, listing_id=listing_id)
        if found is None:  # not a member (refused here), or the company's first cart
            require_buyer_member(actor=actor, buyer=buyer)
            Cart.objects.bulk_create([Cart(buyer_id=buyer.pk)], ignore_conflicts=True)
            found = _locked_cart_with_line(actor=actor, buyer=buyer, listing_id=listing_id)
        else:
            require_buyer_may_order(actor=actor, buyer=buyer)
        cart, line, line_count = found
        term = _clean_incoterm(incoterm)
        if line is None:
            if line_count >= settings.ORDER_CART_MAX_LINES:
                raise field_error("listing_id", _("A cart holds at most %(max)d lines.")
                                  % {"max": settings.ORDER_CART_MAX_LINES}, code="cart_full")
            checked = _check_line(buyer=buyer, listing_id=listing_id, quantity=quantity, incoterm=term)
            line = CartLine.objects.create(cart=cart, listing=checked.listing, quantity=quantity, incoterm=term,
                                           added_by=actor)
            return line, True
        total = line.quantity + quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else quantity
        checked = _check_line(buyer=buyer, listing_id=listing_id, quantity=total, incoterm=term or line.incoterm)
        line.listing = checked.listing
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
        _check_line(buyer=buyer, listing_id=line.listing_id, quantity=new_quantity, incoterm=new_term)
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
