"""Thin API views of the cart, the checkout and the orders: parse input, call one service or
selector, shape the answer.

The company a user shops for is the `company` query parameter (a company id the user is a member
of), by default the user's first company that buys.

Checkout answers 201 with the purchase group the first time and 200 with the identical body when
the same Idempotency-Key and request are sent again."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from core.inputs import field_error
from orders.services.payments import order_moves_available
from orders.transitions import actions_for
from orders import selectors, services
from orders.models import Order, OrderStatus

from . import serializers as s

COMPANY = OpenApiParameter("company", int, description="Id of the buying company (default: your first buying "
                                                        "company).")
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
                                   description="One key per checkout attempt; send the same key when you retry.")
ORDER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)



def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        message = _("Give a company id.")
        raise field_error(name, message)
    return int(value)


def _buyer(request):
    return selectors.buyer_company_for_actor(actor=request.user, company_id=_int_param(request, "company"))


class CartView(APIView):
    """The cart of your buying company, grouped by seller, with amounts in the listings' currency
    and in your display currency (your company's default currency or `currency`)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY, OpenApiParameter("currency", str)], responses={200: s.CartSerializer})
    def get(self, request):
        cart = selectors.cart_get(actor=request.user, buyer=_buyer(request),
                                  currency=request.query_params.get("currency") or None)
        return Response(s.CartSerializer(cart).data)

    @extend_schema(parameters=[COMPANY], request=None, responses={204: None})
    def delete(self, request):
        services.cart_clear(actor=request.user, buyer=_buyer(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartLinesView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY], request=s.CartLineAddSerializer,
                   responses={201: s.CartLineRowSerializer, 200: s.CartLineRowSerializer})
    def post(self, request):
        """Adds a listing; a listing already in the cart gets the quantity added (200)."""
        data = validated(s.CartLineAddSerializer, request.data)
        line, created = services.cart_line_add(actor=request.user, buyer=_buyer(request), **data)
        return Response(s.CartLineRowSerializer(line).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CartLineView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY, OpenApiParameter("id", int, OpenApiParameter.PATH)],
                   request=s.CartLineUpdateSerializer, responses={200: s.CartLineRowSerializer})
    def patch(self, request, pk: int):
        data = validated(s.CartLineUpdateSerializer, request.data)
        line = services.cart_line_update(actor=request.user, buyer=_buyer(request), line_id=pk, **data)
        return Response(s.CartLineRowSerializer(line).data)

    @extend_schema(parameters=[COMPANY, OpenApiParameter("id", int, OpenApiParameter.PATH)], request=None,
                   responses={204: None})
    def delete(self, request, pk: int):
        services.cart_line_remove(actor=request.user, buyer=_buyer(request), line_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckoutView(APIView):
    """Places the whole cart: one order per seller, all or nothing. Requires an Idempotency-Key
    header; the same key and request answer the same purchase group again (200), the same key with a
    different request is a 409."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY, IDEMPOTENCY_KEY], request=s.CheckoutSerializer,
                   responses={201: s.CheckoutReceiptSerializer, 200: s.CheckoutReceiptSerializer})
    def post(self, request):
        data = validated(s.CheckoutSerializer, request.data)
        result = services.checkout_place(actor=request.user, buyer=_buyer(request),
                                         idempotency_key=request.headers.get("Idempotency-Key", ""), **data)
        group = selectors.purchase_group_get(actor=request.user, pk=result.group.pk)
        return Response(s.CheckoutReceiptSerializer(group).data,
                        status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)


class OrderViewSet(viewsets.GenericViewSet):
    """Orders of your companies, as buyer or seller (moderators see all), and their moves."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = s.OrderDetailSerializer
    lookup_value_regex = r"\d+"
    queryset = Order.objects.none()  # rows always come from the selectors

    def _detail(self, pk: int) -> Response:
        order = selectors.order_get(actor=self.request.user, pk=pk)
        roles = selectors.order_roles_of(actor=self.request.user, order=order)
        actions = actions_for(order_moves_available(order, set(roles)))
        return Response(s.OrderDetailSerializer(order, context={"actions": actions}).data)

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=OrderStatus.values),
                               OpenApiParameter("role", str, enum=["buyer", "seller"])],
                   responses={200: s.OrderRowSerializer(many=True)})
    def list(self, request):
        params = request.query_params
        qs = selectors.order_list(actor=request.user, status=params.get("status") or None,
                                  role=params.get("role") or None)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.OrderRowSerializer(page, many=True).data)

    @extend_schema(parameters=[ORDER_ID], responses={200: s.OrderDetailSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(int(pk))

    def _move(self, request, pk, serializer_class, service):
        order_id = selectors.order_visible_id(actor=request.user, pk=pk)
        data = validated(serializer_class, request.data)
        service(order_id=order_id, actor=request.user, **data)
        return self._detail(order_id)

    @extend_schema(parameters=[ORDER_ID], request=None, responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move(request, pk, s.OrderEmptySerializer, services.order_accept)

    @extend_schema(parameters=[ORDER_ID], request=s.OrderRequiredReasonSerializer,
                   responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._move(request, pk, s.OrderReasonSerializer, services.order_refuse)

    @extend_schema(parameters=[ORDER_ID], request=s.OrderReasonSerializer, responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(request, pk, s.OrderReasonSerializer, services.order_cancel)

    @extend_schema(parameters=[ORDER_ID], request=s.PaySerializer, responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._move(request, pk, s.PaySerializer, services.order_mark_paid)

    @extend_schema(parameters=[ORDER_ID], request=s.ShipSerializer, responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        return self._move(request, pk, s.ShipSerializer, services.order_ship)

    @extend_schema(parameters=[ORDER_ID], request=None, responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"], url_path="confirm-delivery")
    def confirm_delivery(self, request, pk=None):
        return self._move(request, pk, s.OrderEmptySerializer, services.order_confirm_delivery)

    @extend_schema(parameters=[ORDER_ID], request=None, responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move(request, pk, s.OrderEmptySerializer, services.order_complete)

    @extend_schema(parameters=[ORDER_ID], request=s.OrderRequiredReasonSerializer,
                   responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        return self._move(request, pk, s.OrderReasonSerializer, services.order_dispute)

    @extend_schema(parameters=[ORDER_ID], request=s.ResolveSerializer, responses={200: s.OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._move(request, pk, s.ResolveSerializer, services.order_resolve)
