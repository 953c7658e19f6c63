"""Spreadsheet imports with a real Celery worker on PostgreSQL and Redis: the upload request only
stores the file and answers at once, even for a small workbook with 3,000,000 cells in a row; the
worker reads it and fails the import at the first bound, while a good file uploaded next to it is
imported."""
from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace.models import ImportStatus, Listing, ListingImport
from tests.integration.conftest import wait_until
from tests.marketplace.test_imports_bounds import GOOD_ROW, HEADER, inline_row, three_million_cells, workbook

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def shared_media(tmp_path, monkeypatch, settings):
    """One media directory for the files this process stores and the worker reads (set before the
    worker starts, which takes its environment from this process)."""
    root = tmp_path / "media"
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    return root


def test_a_three_million_cell_row_is_stored_at_once_and_failed_by_the_worker(shared_media, celery_worker_process,
                                                                               company_a, member_a):
    client = APIClient()
    client.force_authenticate(user=member_a)
    url = reverse("api:listing-import-create")

    started = time.monotonic()
    bomb = client.post(url, {"file": SimpleUploadedFile("listings.xlsx", three_million_cells())}, format="multipart")
    answered_in = time.monotonic() - started
    good = client.post(url, {"file": SimpleUploadedFile(
        "good.xlsx", workbook(inline_row(1, HEADER) + inline_row(2, GOOD_ROW)))}, format="multipart")

    assert (bomb.status_code, good.status_code) == (201, 201), (bomb.content, good.content)
    assert bomb.json()["status"] == "queued" and answered_in < 5
    finished = (ImportStatus.DONE, ImportStatus.FAILED)
    wait_until(lambda: ListingImport.objects.filter(status__in=finished).count() == 2, timeout=60,
               message="the worker did not finish both imports")
    failed = ListingImport.objects.get(pk=bomb.json()["id"])
    assert (failed.status, failed.processed_rows, failed.errors) == (ImportStatus.FAILED, 0, [
        {"row": None, "errors": {"file": ["Row 2 has more than 60 cells. A row may have at most 60 columns."]}}])
    assert (failed.finished_at - failed.started_at).total_seconds() < 10
    imported = ListingImport.objects.get(pk=good.json()["id"])
    assert (imported.status, imported.total_rows, imported.imported_count) == (ImportStatus.DONE, 1, 1)
    assert list(Listing.objects.values_list("source_import_id", "title")) == [(imported.pk, "Cotton bath towel")]
