"""Thin API views over the exchange-rate selectors. Public: rates are reference data."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fx import selectors

from . import serializers as s


def _validated_query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params, context={"currencies": set(selectors.fx_currencies())})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class FxRateListView(generics.ListAPIView):
    """The latest rate of every currency with its date and source, against EUR or `base`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.FxRateSerializer

    def get_queryset(self):
        data = _validated_query(s.RateListQuerySerializer, self.request)
        return selectors.fx_rate_list(base=data["base"])

    @extend_schema(parameters=[OpenApiParameter("base", description="Express the rates against this currency "
                                                                    "(default EUR).")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FxConvertView(APIView):
    """Converts an amount at the latest rates: amount_in_to = amount * rate, rounded half up to 0.01."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(parameters=[OpenApiParameter("amount", required=True), OpenApiParameter("from", required=True),
                               OpenApiParameter("to", required=True)],
                   responses={200: s.ConvertResultSerializer})
    def get(self, request):
        data = _validated_query(s.ConvertQuerySerializer, request)
        amount, fx = selectors.fx_convert(amount=data["amount"], base=data["from"], quote=data["to"])
        return Response(s.ConvertResultSerializer({"amount": amount, "from": fx.base, "to": fx.quote,
                                                   "rate": fx.rate, "as_of": fx.as_of, "source": fx.source}).data)
