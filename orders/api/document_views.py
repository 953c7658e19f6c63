"""The trade documents of an order: HTML by default, PDF with ?format=pdf.

The `format` query parameter picks the document's format here, not DRF's renderer: errors are
always answered in the one JSON error format."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.inputs import choice_error
from orders.document_render import document_response, render_document_html, render_document_pdf
from orders.documents import KINDS, order_document

FORMATS = ("html", "pdf")


class OrderDocumentView(APIView):
    """A proforma invoice (once the order is accepted), a commercial invoice or a packing list (once
    it is shipped) of an order of your companies; moderators see every order's documents."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # ?format= names the document's format; answers other than the document are JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="orders_documents_retrieve",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH),
                    OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
                    OpenApiParameter("format", str, enum=list(FORMATS), description="html (default) or pdf")],
        responses={(200, "text/html"): OpenApiTypes.STR, (200, "application/pdf"): OpenApiTypes.BINARY,
                   404: OpenApiResponse(description="No such order, or not yours."),
                   409: OpenApiResponse(description="The document is not issued yet (document_not_available).")})
    def get(self, request, pk: int, kind: str):
        output = (request.query_params.get("format") or "html").strip().lower()
        if output not in FORMATS:
            raise choice_error("format", [(kind, kind.upper()) for kind in FORMATS])
        doc = order_document(actor=request.user, order_id=pk, kind=kind)
        if output == "pdf":
            return document_response(render_document_pdf(doc), content_type="application/pdf",
                                     filename=doc.filename)
        return document_response(render_document_html(doc), content_type="text/html; charset=utf-8")
