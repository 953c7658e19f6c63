"""Where uploaded bank statements are kept: a directory of their own outside MEDIA_ROOT, so no URL
ever serves them. The directory is read from the settings at each use (STATEMENT_FILES_ROOT), so
the web process and the worker agree as long as their settings do."""
from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="statements.storage.StatementFileStorage")
class StatementFileStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):  # type: ignore[override]
        return settings.STATEMENT_FILES_ROOT

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name):  # noqa: ARG002
        raise ValueError("Bank statements are not served by URL.")


def statement_storage() -> StatementFileStorage:
    return StatementFileStorage()
