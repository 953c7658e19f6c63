"""Thin API views over the exchange-rate selectors. Public: rates are reference data."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from fx import selectors

from . import serializers as s


BAD_CURRENCY = OpenApiResponse(description='validation_error: `base` is not a three-letter code or has no rates, '
                                           'e.g. {"error": {"code": "validation_error", "message": "...", '
                                           '"fields": {"base": ["..."]}}}.')
BAD_PAGE = OpenApiResponse(description="not_found: the page number is past the last page.")
BAD_CONVERT = OpenApiResponse(description="validation_error: `amount`, `from` or `to` is missing or invalid, or an "
                                          "unknown parameter was given; the fields name which. fx_unavailable: a "
                                          "currency has no stored rate.")


def _validated_query(serializer_class, request) -> dict:
    return validated(serializer_class, request.query_params, context={"currencies": set(selectors.fx_currencies())})


class FxRateListView(generics.ListAPIView):
    """The latest rate of every currency with its date and source, against EUR or `base`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.FxRateSerializer

    def get_queryset(self):
        data = _validated_query(s.RateListQuerySerializer, self.request)
        return selectors.fx_rate_list(base=data["base"])

    @extend_schema(parameters=[OpenApiParameter("base", description="Express the rates against this currency "
                                                                    "(default EUR).")],
                   responses={200: s.FxRateSerializer(many=True), 400: BAD_CURRENCY, 404: BAD_PAGE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FxConvertView(APIView):
    """Converts an amount at the latest rates: amount_in_to = amount * rate, rounded half up to 0.01."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(parameters=[OpenApiParameter("amount", required=True), OpenApiParameter("from", required=True),
                               OpenApiParameter("to", required=True)],
                   responses={200: s.ConvertResultSerializer, 400: BAD_CONVERT})
    def get(self, request):
        data = _validated_query(s.ConvertQuerySerializer, request)
        amount, fx = selectors.fx_convert(amount=data["amount"], base=data["from"], quote=data["to"])
        return Response(s.ConvertResultSerializer({"amount": amount, "from": fx.base, "to": fx.quote,
                                                   "rate": fx.rate, "as_of": fx.as_of, "source": fx.source,
                                                   "rates": selectors.fx_freshness()}).data)


class FxFreshnessView(APIView):
    """How old the newest stored exchange rate is, and whether conversions count as estimates at stale
    rates (older than FX_STALE_AFTER_DAYS days)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: s.FxFreshnessSerializer})
    def get(self, request):
        return Response(s.FxFreshnessSerializer(selectors.fx_freshness()).data)
