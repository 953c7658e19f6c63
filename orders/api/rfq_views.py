"""Thin API views of requests for quotation, quotes and messages: parse input, call one service or
selector, shape the answer.

- /rfqs/: the requests of your companies (as buyer) and those your selling companies may answer or
  have quoted on; post one (as the buying company named by `company`, by default your first company
  that buys); cancel it; accept a quote (201 with the order, 200 with the same order when the quote
  was accepted before); the messages of a request.
- /quotes/: your companies' quotes and the quotes on your requests (never a competitor's); submit
  one (as the selling company named by `company`, by default your first company that sells), revise
  it (PATCH) or withdraw it.
- /orders/{id}/messages/: the messages between an order's buyer and seller."""
from __future__ import annotations

from django.utils import timezone
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
from core.pagination import DefaultPagination
from orders.selectors import rfq as selectors_rfq
from orders.models import Quote, QuoteStatus, Rfq, RfqStatus
from orders.services import messages as message_services
from orders.services import rfq as rfq_services

from . import rfq_serializers as s
from .views import _buyer, _int_param

COMPANY = OpenApiParameter("company", int, description="Id of the company you act for (default: your first "
                                                        "company that buys, or sells for quotes).")
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
SELLER = OpenApiParameter("seller", int, description="The selling company of the thread.")


def _quote_context() -> dict:
    return {"today": timezone.localdate()}


class RfqViewSet(viewsets.GenericViewSet):
    """Requests for quotation."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = s.RfqSerializer
    lookup_value_regex = r"\d+"
    queryset = Rfq.objects.none()  # rows always come from the selectors

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.RfqSerializer(selectors_rfq.rfq_get(actor=self.request.user, pk=pk)).data, status=code)

    @extend_schema(parameters=[OpenApiParameter("role", str, enum=["buyer", "seller"]),
                               OpenApiParameter("status", str, enum=RfqStatus.values)],
                   responses={200: s.RfqSerializer(many=True)})
    def list(self, request):
        params = request.query_params
        qs = selectors_rfq.rfq_list(actor=request.user, role=params.get("role") or None,
                                    status=params.get("status") or None)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.RfqSerializer(page, many=True).data)

    @extend_schema(parameters=[COMPANY], request=s.RfqCreateSerializer, responses={201: s.RfqSerializer})
    def create(self, request):
        data = validated(s.RfqCreateSerializer, request.data)
        buyer = _buyer(request)
        rfq = rfq_services.rfq_create(actor=request.user, buyer=buyer, **data)
        return self._detail(rfq.pk, status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], responses={200: s.RfqSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(int(pk))

    @extend_schema(parameters=[ID], request=None, responses={200: s.RfqSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
        validated(s.EmptySerializer, request.data)
        rfq_services.rfq_cancel(actor=request.user, rfq_id=rfq.pk)
        return self._detail(rfq.pk)

    @extend_schema(parameters=[ID], request=s.AcceptSerializer,
                   responses={201: s.AcceptedSerializer, 200: s.AcceptedSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accepts a quote: the request is awarded and the quote becomes an order in state placed."""
        rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
        data = validated(s.AcceptSerializer, request.data)
        order, replayed = rfq_services.quote_accept(actor=request.user, rfq_id=rfq.pk, quote_id=data["quote"],
                                                    currency=data.get("currency"),
                                                    payment_terms=data.get("payment_terms"))
        body = {"order": order.pk, "purchase_group": order.purchase_group_id, "replayed": replayed}
        return Response(s.AcceptedSerializer(body).data,
                        status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], parameters=[ID, SELLER], responses={200: s.MessageSerializer(many=True)})
    @extend_schema(methods=["post"], parameters=[ID], request=s.MessageInputSerializer,
                   responses={201: s.MessageSerializer})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        """The messages of a request, oldest first: every thread for the buyer (or the one with
        `seller`), the own thread for a seller."""
        rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
        if request.method == "POST":
            data = validated(s.MessageInputSerializer, request.data)
            message = message_services.message_post_rfq(actor=request.user, rfq_id=rfq.pk, body=data["body"],
                                                        seller_id=data.get("seller"))
            return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)
        qs = selectors_rfq.message_list_rfq(actor=request.user, rfq=rfq, seller_id=_int_param(request, "seller"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.MessageSerializer(page, many=True).data)


class QuoteViewSet(viewsets.GenericViewSet):
    """Quotes: a seller's own, and those on the buyer's requests."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = s.QuoteSerializer
    lookup_value_regex = r"\d+"
    queryset = Quote.objects.none()

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        quote = selectors_rfq.quote_get(actor=self.request.user, pk=pk)
        return Response(s.QuoteSerializer(quote, context=_quote_context()).data, status=code)

    @extend_schema(parameters=[OpenApiParameter("rfq", int), OpenApiParameter("status", str,
                                                                               enum=QuoteStatus.values)],
                   responses={200: s.QuoteSerializer(many=True)})
    def list(self, request):
        params = request.query_params
        rfq_id = params.get("rfq") or None
        if rfq_id is not None and not rfq_id.isdigit():
            message = _("Give a request id.")
            raise field_error("rfq", message)
        qs = selectors_rfq.quote_list(actor=request.user, rfq_id=rfq_id, status=params.get("status") or None)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.QuoteSerializer(page, many=True, context=_quote_context()).data)

    @extend_schema(parameters=[COMPANY], request=s.QuoteCreateSerializer, responses={201: s.QuoteSerializer})
    def create(self, request):
        data = dict(validated(s.QuoteCreateSerializer, request.data))
        seller = selectors_rfq.seller_company_for_actor(actor=request.user, company_id=_int_param(request, "company"))
        quote = rfq_services.quote_submit(actor=request.user, seller=seller, rfq_id=data.pop("rfq"), **data)
        return self._detail(quote.pk, status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], responses={200: s.QuoteSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(int(pk))

    @extend_schema(parameters=[ID], request=s.QuoteReviseSerializer, responses={200: s.QuoteSerializer})
    def partial_update(self, request, pk=None):
        """Revises the quote: the terms sent replace the current ones."""
        quote = selectors_rfq.quote_get(actor=request.user, pk=pk)
        data = validated(s.QuoteReviseSerializer, request.data)
        rfq_services.quote_revise(actor=request.user, quote_id=quote.pk, **data)
        return self._detail(quote.pk)

    @extend_schema(parameters=[ID], request=None, responses={200: s.QuoteSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        quote = selectors_rfq.quote_get(actor=request.user, pk=pk)
        validated(s.EmptySerializer, request.data)
        rfq_services.quote_withdraw(actor=request.user, quote_id=quote.pk)
        return self._detail(quote.pk)


class OrderMessagesView(APIView):
    """The messages between an order's buyer and seller, oldest first."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = DefaultPagination  # also tells the schema that the list is paged

    @extend_schema(parameters=[ID], responses={200: s.MessageSerializer(many=True)})
    def get(self, request, pk: int):
        qs = selectors_rfq.message_list_order(actor=request.user, order_id=pk)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.MessageSerializer(page, many=True).data)

    @extend_schema(parameters=[ID], request=s.OrderMessageInputSerializer, responses={201: s.MessageSerializer})
    def post(self, request, pk: int):
        selectors_rfq.order_party_id(actor=request.user, order_id=pk)
        data = validated(s.OrderMessageInputSerializer, request.data)
        message = message_services.message_post_order(actor=request.user, order_id=pk, body=data["body"])
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)
