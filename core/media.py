"""Serving of uploaded media (/media/) by Django, in development and in production.

Only the directories of public pictures are served (PUBLIC_MEDIA_DIRECTORIES: listing images and
company logos); everything else under MEDIA_ROOT (uploaded spreadsheets, for one) answers 404, as
do unknown files, directories and paths that climb out of a directory. Every answer carries
`X-Content-Type-Options: nosniff`, a `Content-Security-Policy` that runs nothing, and a
`Content-Disposition`: inline with the stored file's name for the image types of core.images, and
attachment as application/octet-stream for any other file, so nothing uploaded is ever shown as a
page of this site. A reverse proxy can take the same job with the same headers (README "Media files")
and MEDIA_SERVED_BY_DJANGO=0.
"""
from __future__ import annotations

import posixpath

from django.conf import settings
from django.http import Http404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe
from django.views.static import serve

from core.images import CONTENT_TYPES

PUBLIC_MEDIA_DIRECTORIES = ("listings", "logos")
MEDIA_CSP = "default-src 'none'; sandbox"
MEDIA_MAX_AGE_SECONDS = 24 * 60 * 60


def media_file_headers(name: str) -> dict[str, str]:
    """The headers under which a stored file is sent, whoever sends it."""
    filename = posixpath.basename(name)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    content_type = CONTENT_TYPES.get(extension)
    return {
        "Content-Type": content_type or "application/octet-stream",
        "Content-Disposition": content_disposition_header(content_type is None, filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_CSP,
        "Cache-Control": f"public, max-age={MEDIA_MAX_AGE_SECONDS}",
    }


@require_safe
def media_serve(request, path: str):
    name = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    parts = name.split("/")
    if name != path or len(parts) < 2 or parts[0] not in PUBLIC_MEDIA_DIRECTORIES or ".." in parts:
        raise Http404
    response = serve(request, name, document_root=settings.MEDIA_ROOT)  # 404 for what is not a file
    for header, value in media_file_headers(name).items():
        if response.status_code == 200 or header not in ("Content-Type", "Content-Disposition"):
            response[header] = value
    return response
