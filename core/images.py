"""The one rule for images that users upload (listing images, company logos).

An upload is read with a bound on its bytes, decoded with Pillow with a bound on its pixels, and
written again from its pixels. What is stored is therefore only the picture: no metadata (EXIF GPS,
comments, colour profiles) and nothing appended to the file. Its name is made here and its extension
comes from the decoded format, never from the name or the content type the client sent.

JPEG and WebP stay JPEG and WebP; PNG stays PNG; a GIF becomes a PNG of its first frame (animations
are not kept).
"""
from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from core.inputs import field_error

# Decoded format -> (format written, extension of the stored file).
FORMATS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp"), "GIF": ("PNG", "png")}
EXTENSIONS = frozenset(extension for _format, extension in FORMATS.values())
# What /media/ shows inline, by extension (core/media.py); "jpeg" and "gif" are names of older uploads.
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
                 "gif": "image/gif"}
JPEG_QUALITY = 90


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _read(file) -> bytes:
    max_bytes = settings.LOGO_MAX_BYTES
    too_large = _refuse(_("The image is larger than %(max)s MB."), "too_large", max=max_bytes // (1024 * 1024))
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        content = file.read(max_bytes + 1)
    finally:
        file.seek(position)
    if len(content) > max_bytes:
        raise too_large
    return content


def _invalid() -> ValidationError:
    return _refuse(_("Upload a valid image. The file is not an image or is corrupted."), "invalid_image")


def image_check(file) -> str:
    """The decoded format (JPEG, PNG, WEBP or GIF) of a file that holds a whole image within the
    bounds; a ValidationError otherwise. The file's position is kept."""
    from PIL import Image, UnidentifiedImageError

    content = _read(file)
    try:
        with warnings.catch_warnings():  # the bound on pixels is ours, checked below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(content))
        with opened as image:
            if image.format not in FORMATS:
                raise _refuse(_("Upload a PNG, JPEG, WebP or GIF image."), "invalid_format")
            width, height = image.size
            if width * height > settings.LOGO_MAX_PIXELS:
                raise _refuse(_("The image has too many pixels."), "too_many_pixels")
            image.verify()
            return image.format
    except Image.DecompressionBombError as exc:  # far beyond Pillow's own bound, refused on opening
        raise _refuse(_("The image has too many pixels."), "too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _invalid() from exc


def _encode(content: bytes) -> tuple[bytes, str]:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(content)) as opened:
        target, extension = FORMATS[opened.format]
        opened.load()  # the first frame only
        image = ImageOps.exif_transpose(opened)  # keep photos upright once their EXIF is gone
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if target == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    elif target == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    elif target == "PNG" and image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        image = image.convert("RGBA")
    image.info = {}  # nothing of the upload's metadata is written again
    buffer = io.BytesIO()
    # Faster encoder settings: the largest image allowed (LOGO_MAX_PIXELS) is written again within the request.
    if target == "JPEG":
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif target == "WEBP":
        image.save(buffer, format="WEBP", quality=JPEG_QUALITY, method=2)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue(), extension


def image_reencode(file, *, field: str) -> ContentFile:
    """The upload checked and written again from its pixels, under a new name made here with the
    extension of its format. Raises a 400 ApplicationError naming `field` when it is refused."""
    try:
        image_check(file)
        content, extension = _encode(_read(file))
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # a frame that verify() let through
        raise field_error(field, str(_invalid().messages[0])) from exc
    return ContentFile(content, name=f"{uuid.uuid4().hex}.{extension}")


def stored_extension(filename: str) -> str:
    """The extension under which a file is stored: one of the image extensions made by
    image_reencode, or "bin" (served only as a download) for anything else."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return extension if extension in EXTENSIONS else "bin"
