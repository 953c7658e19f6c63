"""What a verification document upload is, decided from its content.

A document is a PDF (it starts with the `%PDF-` header and ends with an `%%EOF` trailer) or an image
that core/images.py decodes (and writes again from its pixels, so no metadata is kept). The name and
content type the client sent are never trusted: the stored extension and content type come from
the content. Anything else (a renamed executable, a text file, a broken PDF) is refused.
"""
from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from core.images import CONTENT_TYPES, image_check, image_reencode
from core.inputs import field_error

PDF_CONTENT_TYPE = "application/pdf"
PDF_TRAILER_WINDOW = 2048  # the %%EOF marker is looked for in the last bytes
ORIGINAL_NAME_MAX = 150


@dataclass(frozen=True)
class TypedDocument:
    content: ContentFile
    content_type: str
    size: int
    sha256: str


def _read(file, *, field: str) -> bytes:
    max_bytes = settings.VERIFICATION_DOCUMENT_MAX_BYTES
    too_large = field_error(field, _("The file is larger than %(max)s MB.") % {"max": max_bytes // (1024 * 1024)})
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    file.seek(0)
    content = file.read(max_bytes + 1)
    file.seek(0)
    if len(content) > max_bytes:
        raise too_large
    if not content:
        raise field_error(field, _("The file is empty."))
    return content


def _is_pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF-") and b"%%EOF" in content[-PDF_TRAILER_WINDOW:]


def document_type(file, *, field: str = "file") -> TypedDocument:
    """The upload as it is stored: a PDF kept as sent, or an image written again. Raises a 400
    ApplicationError naming `field` when the content is neither, or is too large."""
    content = _read(file, field=field)
    if _is_pdf(content):
        return TypedDocument(ContentFile(content, name="document.pdf"), PDF_CONTENT_TYPE, len(content),
                             hashlib.sha256(content).hexdigest())
    try:
        image_check(io.BytesIO(content))
    except ValidationError as exc:
        if exc.code == "invalid_image":
            raise field_error(field, _("Upload a PDF document or a PNG, JPEG, WebP or GIF image.")) from exc
        raise field_error(field, exc.messages[0]) from exc
    stored = image_reencode(io.BytesIO(content), field=field)
    data = stored.read()
    stored.seek(0)
    extension = stored.name.rsplit(".", 1)[-1]
    return TypedDocument(stored, CONTENT_TYPES[extension], len(data), hashlib.sha256(data).hexdigest())


def document_extension(content_type: str) -> str:
    if content_type == PDF_CONTENT_TYPE:
        return "pdf"
    return next(ext for ext, known in CONTENT_TYPES.items() if known == content_type)


def display_name(name: str) -> str:
    """The client's file name, kept for display only: no directories, no control or format
    characters, at most ORIGINAL_NAME_MAX characters."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    return " ".join(kept.split())[:ORIGINAL_NAME_MAX]
