"""How a verification document is sent: as an attachment, with its stored content type, never
sniffed, never cached by a shared cache. The callers (API and page) have checked who asks
(accounts.selectors.verification_document_get)."""
from __future__ import annotations

from django.http import FileResponse, Http404

from core.images import CONTENT_TYPES

from .documents import PDF_CONTENT_TYPE, document_extension
from .models import VerificationDocument

DOCUMENT_CONTENT_TYPES = (PDF_CONTENT_TYPE, *sorted(set(CONTENT_TYPES.values()) - {"image/gif"}))


def document_response(document: VerificationDocument) -> FileResponse:
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    name = f"{document.kind.replace('_', '-')}-{document.pk}.{document_extension(document.content_type)}"
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
