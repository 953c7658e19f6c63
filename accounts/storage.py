"""Where private files are kept (verification documents): a directory outside MEDIA_ROOT that no
URL serves. The directory is read from the settings at each use (PRIVATE_MEDIA_ROOT), so the web
process and the worker agree as long as their settings do; files are sent only by views that check
who asks (accounts documents download)."""
from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="accounts.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs) -> None:
        super().__init__(base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):  # type: ignore[override]
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name):  # noqa: ARG002
        raise ValueError("Private files are not served by URL.")
