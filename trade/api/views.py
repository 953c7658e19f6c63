"""Thin API views: parse input, call one service or selector, shape the answer."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from core.inputs import field_error
from trade import selectors, services

from . import serializers as s


class ShippingZoneViewSet(viewsets.GenericViewSet):
    """The shipping zones of the companies you are a member of, with their weight bands."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ShippingZoneSerializer

    def get_queryset(self):
        seller = self.request.query_params.get("seller")
        seller_id = int(seller) if seller and seller.isdigit() else None
        if seller and seller_id is None:
            message = _("Give the seller as a company id.")
            raise field_error("seller", message)
        return selectors.shipping_zone_list(actor=self.request.user, seller_id=seller_id)

    def get_object(self):
        return selectors.shipping_zone_get(actor=self.request.user, pk=self.kwargs["pk"])

    def _zone_data(self, zone):
        return s.ShippingZoneSerializer(selectors.shipping_zone_get(actor=self.request.user, pk=zone.pk)).data

    @extend_schema(parameters=[OpenApiParameter("seller", int)])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ShippingZoneSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(s.ShippingZoneSerializer(self.get_object()).data)

    @extend_schema(request=s.ShippingZoneCreateSerializer, responses={201: s.ShippingZoneSerializer})
    def create(self, request):
        data = dict(validated(s.ShippingZoneCreateSerializer, request.data))
        zone = services.shipping_zone_create_for_actor(actor=request.user, seller_id=data.pop("seller", None), **data)
        return Response(self._zone_data(zone), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ShippingZoneUpdateSerializer, responses={200: s.ShippingZoneSerializer})
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=s.ShippingZoneUpdateSerializer, responses={200: s.ShippingZoneSerializer})
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        zone = self.get_object()
        data = validated(s.ShippingZoneUpdateSerializer, request.data, partial=partial)
        zone = services.shipping_zone_update(zone=zone, actor=request.user, **data)
        return Response(self._zone_data(zone))

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        services.shipping_zone_delete(zone=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LandedCostView(APIView):
    """Landed-cost estimate for a quantity of a listing shipped to a country under an Incoterm:
    goods, shipping, insurance, import duty and import VAT, and who pays which."""

    permission_classes = [AllowAny]

    @extend_schema(request=s.LandedCostInputSerializer, responses={200: s.ListingLandedCostSerializer})
    def post(self, request):
        data = validated(s.LandedCostInputSerializer, request.data)
        result = selectors.listing_landed_cost(actor=request.user, **data)
        return Response(s.ListingLandedCostSerializer(result).data)
