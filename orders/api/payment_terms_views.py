"""A seller's payment terms and the buyers it trusts with net terms. Members of the company read
them; owners change them; anyone else gets 403."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StrictInputMixin, validated
from core.serializers import ErrorSerializer
from orders import selectors
from orders.models import PaymentTermKind
from orders.payment_terms import Terms
from orders.services import payments as payment_services


COMPANY_ID = OpenApiParameter("company_id", int, OpenApiParameter.PATH, description="Id of your selling company.")
TERM_ID = OpenApiParameter("pk", int, OpenApiParameter.PATH)
BUYER_ID = OpenApiParameter("buyer_id", int, OpenApiParameter.PATH)
E400 = OpenApiResponse(ErrorSerializer, description="Invalid input, with a message by field (validation_error).")
E403 = OpenApiResponse(ErrorSerializer, description="Not signed in, not a member of the company, not an owner "
                                                    "(for changes), or not a selling company.")
E404 = OpenApiResponse(ErrorSerializer, description="No such live payment terms of the company (not_found).")


class PaymentTermSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.SerializerMethodField(help_text="advance, deposit_<percent>, letter_of_credit or net_<days>: "
                                                       "what a buyer sends as payment_terms at checkout.")
    kind = serializers.ChoiceField(choices=PaymentTermKind.choices)
    deposit_percent = serializers.IntegerField(help_text="Deposit terms: the share due when the order is accepted.")
    net_days = serializers.IntegerField(help_text="Net terms: days after delivery; only for trusted buyers.")
    label = serializers.SerializerMethodField()

    @staticmethod
    def _terms(row) -> Terms:
        return Terms(kind=row.kind, deposit_percent=row.deposit_percent, net_days=row.net_days)

    def get_code(self, row) -> str:
        return self._terms(row).code

    def get_label(self, row) -> str:
        return self._terms(row).label


class PaymentTermInputSerializer(StrictInputMixin, serializers.Serializer):
    code = serializers.CharField(max_length=30, help_text="advance, deposit_<1-99>, letter_of_credit or "
                                                          "net_<1-180>.")


class TrustedBuyerSerializer(serializers.Serializer):
    buyer_id = serializers.IntegerField()
    buyer_name = serializers.CharField(source="buyer.legal_name")
    created_at = serializers.DateTimeField()


class TrustedBuyerInputSerializer(StrictInputMixin, serializers.Serializer):
    buyer_id = serializers.IntegerField(min_value=1, max_value=2_147_483_647)


def _seller(request, company_id: int):
    return selectors.member_companies(actor=request.user, company_id=company_id)[0]


class PaymentTermListView(APIView):
    """The payment terms the company offers buyers. With none, it offers 100% in advance."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY_ID], responses={200: PaymentTermSerializer(many=True), 403: E403})
    def get(self, request, company_id: int):
        seller = _seller(request, company_id)
        return Response(PaymentTermSerializer(selectors.payment_term_list(seller_id=seller.pk), many=True).data)

    @extend_schema(parameters=[COMPANY_ID], request=PaymentTermInputSerializer,
                   responses={201: PaymentTermSerializer, 400: E400, 403: E403})
    def post(self, request, company_id: int):
        data = validated(PaymentTermInputSerializer, request.data)
        term = payment_services.payment_term_add(actor=request.user, seller=_seller(request, company_id),
                                                 code=data["code"])
        return Response(PaymentTermSerializer(term).data, status=status.HTTP_201_CREATED)


class PaymentTermDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[COMPANY_ID, TERM_ID], request=None,
                   responses={204: OpenApiResponse(description="No longer offered; orders that chose them keep "
                                                               "them."), 403: E403, 404: E404})
    def delete(self, request, company_id: int, pk: int):
        payment_services.payment_term_withdraw(actor=request.user, seller=_seller(request, company_id), term_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrustedBuyerListView(APIView):
    """Buying companies the seller trusts with net terms."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY_ID], responses={200: TrustedBuyerSerializer(many=True), 403: E403})
    def get(self, request, company_id: int):
        seller = _seller(request, company_id)
        return Response(TrustedBuyerSerializer(selectors.trusted_buyer_list(seller_id=seller.pk), many=True).data)

    @extend_schema(parameters=[COMPANY_ID], request=TrustedBuyerInputSerializer,
                   responses={201: TrustedBuyerSerializer(many=True), 400: E400, 403: E403})
    def post(self, request, company_id: int):
        data = validated(TrustedBuyerInputSerializer, request.data)
        seller = _seller(request, company_id)
        payment_services.trusted_buyer_set(actor=request.user, seller=seller, buyer_id=data["buyer_id"], trusted=True)
        return Response(TrustedBuyerSerializer(selectors.trusted_buyer_list(seller_id=seller.pk), many=True).data,
                        status=status.HTTP_201_CREATED)


class TrustedBuyerDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[COMPANY_ID, BUYER_ID], request=None,
                   responses={204: OpenApiResponse(description="No longer trusted with net terms."), 400: E400,
                              403: E403})
    def delete(self, request, company_id: int, buyer_id: int):
        payment_services.trusted_buyer_set(actor=request.user, seller=_seller(request, company_id),
                                           buyer_id=buyer_id, trusted=False)
        return Response(status=status.HTTP_204_NO_CONTENT)
