"""Upload of listing spreadsheets and their progress: thin views over the import service and selector.
The upload only stores the file and queues the import task, which reads it."""
from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from core.api import validated
from core.inputs import field_error

from .. import imports, selectors, services
from ..models import ListingImport


class ListingImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .csv (UTF-8) or .xlsx file with the columns of the template.")
    seller = serializers.IntegerField(required=False, help_text="The selling company; default: your first company.")


class ListingImportSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ListingImport
        fields = ["id", "seller", "original_name", "status", "total_rows", "processed_rows", "imported_count",
                  "error_count", "progress_percent", "errors", "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class ListingImportUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ListingImportUploadSerializer, responses={201: OpenApiResponse(
        ListingImportSerializer, description="The file is stored and its import queued (status queued, total_rows "
        "0). The import task reads it; follow its progress, or the reason it failed, on the import.")})
    def post(self, request):
        data = validated(ListingImportUploadSerializer, request.data)
        if "seller" in data:
            seller = account_selectors.company_get(actor=request.user, pk=data["seller"])
        else:
            membership = account_selectors.user_primary_membership(user=request.user)
            if membership is None:
                message = _("Choose the selling company.")
                raise field_error("seller", message)
            seller = membership.company
        listing_import = services.listing_import_create(seller=seller, actor=request.user,
                                                        uploaded_file=data["file"])
        return Response(ListingImportSerializer(listing_import).data, status=status.HTTP_201_CREATED)


class ListingImportDetailView(APIView):
    @extend_schema(responses={200: ListingImportSerializer})
    def get(self, request, pk: int):
        return Response(ListingImportSerializer(selectors.listing_import_get(actor=request.user, pk=pk)).data)


class ListingImportReportView(APIView):
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # The report is CSV whatever the Accept header; answers other than the report are JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(operation_id="listing_imports_errors_csv", responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every error of the import, one a line: "
                                           "row, column, value, message (UTF-8 with a BOM). Only the header "
                                           "line when the import has no error."),
        404: OpenApiResponse(description="No such import, or not one of your companies'.")})
    def get(self, request, pk: int):
        return imports.report_response(selectors.listing_import_get(actor=request.user, pk=pk))


urlpatterns = [
    path("listing-imports/", ListingImportUploadView.as_view(), name="listing-import-create"),
    path("listing-imports/<int:pk>/", ListingImportDetailView.as_view(), name="listing-import-detail"),
    path("listing-imports/<int:pk>/errors.csv", ListingImportReportView.as_view(), name="listing-import-errors"),
]
