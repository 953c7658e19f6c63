"""Thin API views of a selling company's bank statements: upload, progress, the per-entry report,
and the review of entries that were not matched. Members of the company only; anyone else gets 404."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from core.pagination import DefaultPagination
from payments.api.serializers import ErrorSerializer
from statements import selectors, services

from . import serializers as s

COMPANY_ID = OpenApiParameter("company_id", int, OpenApiParameter.PATH, description="Id of your selling company.")
STATEMENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Id of the statement.")
ENTRY_ID = OpenApiParameter("entry_id", int, OpenApiParameter.PATH, description="Id of the entry.")
OUTCOME = OpenApiParameter("outcome", str, enum=list(selectors.OUTCOME_FILTERS),
                           description="Only entries with this outcome; `review`: unmatched, ambiguous, wrong "
                                       "currency and overpaid entries.")

E400 = OpenApiResponse(ErrorSerializer, description="Invalid input (validation_error) with a message by field: no "
                                                    "file, a file too large or in another format, an unknown "
                                                    "outcome, an order that is not yours or in another currency, no "
                                                    "reason.")
E401 = OpenApiResponse(ErrorSerializer, description="Not signed in (not_authenticated).")
E403 = OpenApiResponse(ErrorSerializer, description="The company does not sell (not_a_seller).")
E404 = OpenApiResponse(ErrorSerializer, description="No such company, statement or entry, or not your company "
                                                    "(not_found).")
E409 = OpenApiResponse(ErrorSerializer, description="The entry is already settled (entry_settled), or the order "
                                                    "cannot take a payment yet (invalid_transition).")


class StatementListView(APIView):
    """Your company's bank statements, newest first, with their progress and counts."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = DefaultPagination

    @extend_schema(parameters=[COMPANY_ID], responses={200: s.BankStatementSerializer(many=True), 401: E401,
                                                       404: E404})
    def get(self, request, company_id: int):
        qs = selectors.statement_list(actor=request.user, company_id=company_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.BankStatementSerializer(page, many=True).data)

    @extend_schema(parameters=[COMPANY_ID], request={"multipart/form-data": s.StatementUploadSerializer},
                   responses={202: OpenApiResponse(s.BankStatementSerializer,
                                                   description="Stored; its entries are reconciled by a task. Poll "
                                                               "the statement for its progress."),
                              400: E400, 401: E401, 403: E403, 404: E404})
    def post(self, request, company_id: int):
        data = validated(s.StatementUploadSerializer, request.data)
        statement = services.statement_upload(actor=request.user, company_id=company_id, uploaded_file=data["file"])
        return Response(s.BankStatementSerializer(statement).data, status=status.HTTP_202_ACCEPTED)


class StatementDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[COMPANY_ID, STATEMENT_ID], responses={200: s.BankStatementSerializer, 401: E401,
                                                                     404: E404})
    def get(self, request, company_id: int, pk: int):
        return Response(s.BankStatementSerializer(
            selectors.statement_get(actor=request.user, company_id=company_id, pk=pk)).data)


class StatementEntryListView(APIView):
    """The per-entry report of a statement, in file order."""

    permission_classes = [IsAuthenticated]
    pagination_class = DefaultPagination

    @extend_schema(parameters=[COMPANY_ID, STATEMENT_ID, OUTCOME],
                   responses={200: s.StatementEntrySerializer(many=True), 400: E400, 401: E401, 404: E404})
    def get(self, request, company_id: int, pk: int):
        statement = selectors.statement_get(actor=request.user, company_id=company_id, pk=pk)
        qs = selectors.statement_entry_list(statement=statement, outcome=request.query_params.get("outcome"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.StatementEntrySerializer(page, many=True).data)


class StatementEntryAssignView(APIView):
    """Records an unmatched, ambiguous or wrong-currency entry as a payment of one of your orders."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY_ID, STATEMENT_ID, ENTRY_ID], request=s.EntryAssignSerializer,
                   responses={200: s.StatementEntrySerializer, 400: E400, 401: E401, 403: E403, 404: E404, 409: E409})
    def post(self, request, company_id: int, pk: int, entry_id: int):
        data = validated(s.EntryAssignSerializer, request.data)
        services.statement_entry_assign(actor=request.user, company_id=company_id, statement_id=pk,
                                        entry_id=entry_id, order_id=data["order_id"])
        entry = selectors.statement_entry_get(actor=request.user, company_id=company_id, statement_id=pk,
                                              pk=entry_id)
        return Response(s.StatementEntrySerializer(entry).data)


class StatementEntryDismissView(APIView):
    """Sets aside an entry that waits for review, with your reason; payments already recorded stay."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY_ID, STATEMENT_ID, ENTRY_ID], request=s.EntryDismissSerializer,
                   responses={200: s.StatementEntrySerializer, 400: E400, 401: E401, 403: E403, 404: E404, 409: E409})
    def post(self, request, company_id: int, pk: int, entry_id: int):
        data = validated(s.EntryDismissSerializer, request.data)
        services.statement_entry_dismiss(actor=request.user, company_id=company_id, statement_id=pk,
                                         entry_id=entry_id, reason=data["reason"])
        entry = selectors.statement_entry_get(actor=request.user, company_id=company_id, statement_id=pk,
                                              pk=entry_id)
        return Response(s.StatementEntrySerializer(entry).data)
