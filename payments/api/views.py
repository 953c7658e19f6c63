"""Thin API views of a company's bank accounts: parse input, call one service or selector, shape
the answer. Members of the company read them; owners add, change and archive them. Anyone else
gets 404, as for a company with no accounts."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from core.inputs import query_flag
from core.pagination import DefaultPagination
from payments import selectors, services

from . import serializers as s

COMPANY_ID = OpenApiParameter("company_id", int, OpenApiParameter.PATH, description="Id of your company.")
ACCOUNT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
INCLUDE_ARCHIVED = OpenApiParameter("archived", bool, description="true: list archived accounts too.")

E400 = OpenApiResponse(s.ErrorSerializer, description="Invalid input (validation_error), with a message by field: "
                                                      "e.g. an IBAN with wrong check digits or length, a SWIFT/BIC "
                                                      "of another country.")
E403_READ = OpenApiResponse(s.ErrorSerializer, description="Not signed in (not_authenticated).")
E403 = OpenApiResponse(s.ErrorSerializer, description="Not signed in (not_authenticated), or a member who is not "
                                                      "an owner (permission_denied).")
E404 = OpenApiResponse(s.ErrorSerializer, description="No such company or account, or not your company (not_found).")
E409 = OpenApiResponse(s.ErrorSerializer, description="The same account exists already (duplicate_account), the "
                                                      "account is archived (account_archived), or a change was "
                                                      "saved at the same time (conflict).")


class BankAccountListView(APIView):
    """The bank accounts of a company: buyers of its orders are told to pay into one of them."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = DefaultPagination

    @extend_schema(parameters=[COMPANY_ID, INCLUDE_ARCHIVED],
                   responses={200: s.BankAccountSerializer(many=True), 403: E403_READ, 404: E404})
    def get(self, request, company_id: int):
        archived = query_flag(request.query_params, "archived")
        qs = selectors.bank_account_list(actor=request.user, company_id=company_id, include_archived=archived)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.BankAccountSerializer(page, many=True).data)

    @extend_schema(parameters=[COMPANY_ID], request=s.BankAccountCreateSerializer,
                   responses={201: s.BankAccountSerializer, 400: E400, 403: E403, 404: E404, 409: E409})
    def post(self, request, company_id: int):
        data = validated(s.BankAccountCreateSerializer, request.data)
        company = selectors.bank_account_company(actor=request.user, company_id=company_id)
        account = services.bank_account_create(company=company, actor=request.user, **data)
        return Response(s.BankAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class BankAccountDetailView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def _get(self, request, company_id: int, pk: int):
        return selectors.bank_account_get(actor=request.user, company_id=company_id, pk=pk)

    @extend_schema(parameters=[COMPANY_ID, ACCOUNT_ID], responses={200: s.BankAccountSerializer, 403: E403_READ,
                                                                  404: E404})
    def get(self, request, company_id: int, pk: int):
        return Response(s.BankAccountSerializer(self._get(request, company_id, pk)).data)

    @extend_schema(parameters=[COMPANY_ID, ACCOUNT_ID], request=s.BankAccountUpdateSerializer,
                   responses={200: s.BankAccountSerializer, 400: E400, 403: E403, 404: E404, 409: E409})
    def patch(self, request, company_id: int, pk: int):
        account = self._get(request, company_id, pk)
        data = validated(s.BankAccountUpdateSerializer, request.data, partial=True)
        account = services.bank_account_update(account=account, actor=request.user, data=dict(data))
        return Response(s.BankAccountSerializer(account).data)

    @extend_schema(parameters=[COMPANY_ID, ACCOUNT_ID], request=None,
                   responses={204: OpenApiResponse(description="Archived: no longer offered for payments."),
                              403: E403, 404: E404})
    def delete(self, request, company_id: int, pk: int):
        services.bank_account_archive(account=self._get(request, company_id, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
