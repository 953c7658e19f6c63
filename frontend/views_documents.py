"""Printable trade documents of an order: the HTML page and the PDF download. Thin views: the
selector decides who sees what (404) and whether the document is issued yet (409)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.exceptions import Conflict
from orders.document_render import document_response, private, render_document_html, render_document_pdf
from orders.documents import order_document as order_document_get


def _document_or_unavailable(request, pk: int, kind: str):
    try:
        return order_document_get(actor=request.user, order_id=pk, kind=kind), None
    except Conflict as exc:
        page = render(request, "frontend/order_document_unavailable.html", {"message": exc.message, "order_id": pk},
                      status=exc.status_code)
        return None, private(page)


@login_required
@require_safe
def order_document(request, pk: int, kind: str):
    doc, unavailable = _document_or_unavailable(request, pk, kind)
    if unavailable is not None:
        return unavailable
    return document_response(render_document_html(doc), content_type="text/html; charset=utf-8")


@login_required
@require_safe
def order_document_pdf(request, pk: int, kind: str):
    doc, unavailable = _document_or_unavailable(request, pk, kind)
    if unavailable is not None:
        return unavailable
    return document_response(render_document_pdf(doc), content_type="application/pdf", filename=doc.filename)
