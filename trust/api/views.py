"""Thin API view of seller performance: /sellers/{id}/performance/ (public, for a seller company
anyone may see; 404 otherwise)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trust import selectors
from trust.services import empty_figures

from . import serializers as s

ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="A seller company's id.")


class SellerPerformanceView(APIView):
    """A seller's performance measured from its orders and quotes, for the last 90 days and all time."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[ID], responses={200: s.SellerPerformanceSerializer})
    def get(self, request, pk: int):
        seller, performance = selectors.seller_performance_public(actor=request.user, seller_id=pk)
        empty = empty_figures()
        body = {
            "seller": seller.pk,
            "last_90_days": performance.last_90_days if performance else empty,
            "all_time": performance.all_time if performance else empty,
            "computed_at": performance.computed_at if performance else None,
        }
        return Response(s.SellerPerformanceSerializer(body).data)
