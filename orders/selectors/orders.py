"""Reads of orders. Each takes the acting user, so no query forgets its tenant."""
from __future__ import annotations


from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.selectors import Actor, member_company_ids, member_company_ids_query
from core.inputs import choice_error, field_error

from ..models import Instalment, Order, OrderEvent, OrderLine, OrderRole, OrderStatus, Payment, PurchaseGroup


# --- orders ------------------------------------------------------------------------------------------

def _visible_orders(actor: Actor) -> QuerySet[Order]:
    """Orders of the companies the actor is a member of, as buyer or seller; moderators see all."""
    if not actor.is_authenticated:
        return Order.objects.none()
    if actor.is_moderator:
        return Order.objects.all()
    companies = member_company_ids_query(actor=actor)
    return Order.objects.filter(Q(buyer_id__in=companies) | Q(seller_id__in=companies))


def order_list(*, actor: Actor, status: str | None = None, role: str | None = None) -> QuerySet[Order]:
    """Newest first. `role` "buyer" keeps the orders the actor's companies placed, "seller" those
    they received."""
    qs = _visible_orders(actor)
    if status:
        if status not in OrderStatus.values:
            raise choice_error("status", OrderStatus.choices)
        qs = qs.filter(status=status)
    if role:
        if role not in (OrderRole.BUYER, OrderRole.SELLER):
            message = _("Choose buyer or seller.")
            raise field_error("role", message)
        companies = member_company_ids_query(actor=actor)
        qs = qs.filter(**{f"{role}_id__in": companies})
    return qs.select_related("buyer", "seller").order_by("-placed_at", "-pk")


def order_visible_id(*, actor: Actor, pk: int | str) -> int:
    """The id of an order the actor may see, in one query; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not _visible_orders(actor).filter(pk=pk).exists():
        raise Http404
    return pk


def order_get(*, actor: Actor, pk: int | str) -> Order:
    """One order with its lines, instalments, payments and events, in a fixed number of queries; 404 for anyone
    who may not see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    order = (_visible_orders(actor).filter(pk=pk).select_related("buyer", "seller")
             .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
                               Prefetch("instalments", queryset=Instalment.objects.order_by("sequence")),
                               Prefetch("payments", queryset=Payment.objects.select_related("recorded_by")
                                        .order_by("created_at", "pk")),
                               Prefetch("events", queryset=OrderEvent.objects.select_related("actor")
                                        .order_by("created_at", "pk")))
             .first())
    if order is None:
        raise Http404
    return order


def order_roles_of(*, actor: Actor, order: Order) -> set[str]:
    """The roles the actor may take on this order: buyer, seller, moderator (never for an order of
    their own company)."""
    if not actor.is_authenticated:
        return set()
    companies = member_company_ids(actor=actor, company_ids=[order.buyer_id, order.seller_id])
    roles = set()
    if order.buyer_id in companies:
        roles.add(OrderRole.BUYER.value)
    if order.seller_id in companies:
        roles.add(OrderRole.SELLER.value)
    if not companies and actor.is_moderator:
        roles.add(OrderRole.MODERATOR.value)
    return roles


def purchase_group_get(*, actor: Actor, pk: int) -> PurchaseGroup:
    """A checkout's purchase group with its orders and their lines, for members of the buyer."""
    if not actor.is_authenticated:
        raise Http404
    group = (PurchaseGroup.objects.filter(pk=pk, buyer__memberships__user=actor)
             .prefetch_related(Prefetch("orders", queryset=Order.objects.select_related("buyer", "seller")
                                        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
                                        .order_by("pk")))
             .first())
    if group is None:
        raise Http404
    return group
