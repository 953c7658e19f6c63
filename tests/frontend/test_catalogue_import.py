"""The bulk import pages: upload, the progress page that refreshes itself with htmx while the import
runs, and the per-row error report."""
from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import VerificationStatus
from marketplace.models import ImportStatus, Listing, ListingImport
from tests.factories.accounts import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

HEADER = "title,category,origin_country,hs_code,weight_kg,incoterms,price_tiers"
GOOD_ROWS = [
    "Cotton bath towel,textiles/home-textiles,TR,630260,0.5,FOB;EXW,1:4.20;500:3.90",
    "Denim fabric,textiles/fabrics,TR,520942,0.41,EXW,1:3.10",
]
BAD_ROW = "Broken towel,textiles/home-textiles,TR,6302,0.5,FOB,1:4.20"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def csv_upload(*rows: str, name: str = "listings.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\r\n".join([HEADER, *rows]).encode(), content_type="text/csv")


def _progress(response) -> str:
    return re.search(r'<section class="card import-progress" id="import-progress".*?</section>',
                     response.content.decode(), re.S).group(0)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seller():
    return CompanyFactory(legal_name="Anatolia Textiles", country="TR", default_currency="TRY",
                          verification_status=VerificationStatus.VERIFIED)


@pytest.fixture
def owner(seller):
    return MembershipFactory(company=seller).user


@pytest.fixture
def owner_client(client_as, owner):
    return client_as(owner)


@pytest.fixture
def running_import(seller, owner):
    listing_import = ListingImport(
        seller=seller, created_by=owner, original_name="towels.csv", status=ImportStatus.RUNNING, total_rows=10,
        processed_rows=4, imported_count=3, error_count=1,
        errors=[{"row": 3, "errors": {"hs_code": ["An HS code has exactly 6 digits."]}}])
    listing_import.file.save("towels.csv", ContentFile(b"title\n"), save=False)
    listing_import.save()
    return listing_import


def test_import_page_offers_the_template_and_an_upload_form(owner_client, running_import):
    response = owner_client.get("/seller/listings/import/")

    assert response.status_code == 200
    assertContains(response, '<a class="button button-secondary" id="template-link" '
                             'href="/static/marketplace/listings-template.csv" download>')
    assert finders.find("marketplace/listings-template.csv") is not None
    assertContains(response, '<form id="import-form" class="card form" method="post" '
                             'enctype="multipart/form-data">')
    assertContains(response, f'<a href="/seller/listings/import/{running_import.pk}/">towels.csv</a>', html=True)
    assertContains(response, '<td class="num">4 / 10</td>', html=True)


def test_upload_runs_the_import_and_reports_every_row(owner_client, seller, owner,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post("/seller/listings/import/",
                                     {"file": csv_upload(GOOD_ROWS[0], BAD_ROW, GOOD_ROWS[1])})

    listing_import = ListingImport.objects.get()
    assertRedirects(response, f"/seller/listings/import/{listing_import.pk}/", fetch_redirect_response=False)
    assert len(callbacks) == 1
    assert (listing_import.seller, listing_import.created_by, listing_import.original_name, listing_import.status,
            listing_import.total_rows, listing_import.processed_rows, listing_import.imported_count,
            listing_import.error_count) == (seller, owner, "listings.csv", "done", 3, 3, 2, 1)
    assert sorted(Listing.objects.values_list("title", "status")) == [
        ("Cotton bath towel", "draft"), ("Denim fabric", "draft")]

    page = owner_client.get(f"/seller/listings/import/{listing_import.pk}/")

    assert _messages(page) == ["The file is uploaded. Its rows are imported as drafts."]
    progress = _progress(page)
    assert '<progress id="import-progress-bar" value="3" max="3">100%</progress>' in progress
    assert '<p id="import-counts">3 of 3 rows processed (100%)</p>' in progress
    assert '<dd id="import-imported">2</dd>' in progress and '<dd id="import-errors">1</dd>' in progress
    assert re.findall(r"<tr>\s*<td class=\"num\">(.*?)</td>\s*<td>(.*?)</td>\s*"
                      r"<td class=\"import-error-value\">(.*?)</td>\s*<td>(.*?)</td>", progress) == [
        ("3", "hs_code", "6302", "An HS code has exactly 6 digits.")]
    assert "hx-get" not in progress and "hx-trigger" not in progress
    assertNotContains(page, 'hx-trigger="every')
    assertContains(page, '<a class="button" href="/seller/listings/?status=draft">Check the new drafts</a>',
                   html=True)


@pytest.mark.parametrize(("upload", "error"), [
    (SimpleUploadedFile("listings.txt", b"title\nx"), "Upload a .csv or .xlsx file."),
    (SimpleUploadedFile("listings.csv", b"title\nCaf\xe9"),
     "The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8”."),
    (SimpleUploadedFile("listings.xlsx", HEADER.encode()), "The file is not a valid XLSX workbook."),
])
def test_a_file_that_cannot_be_imported_changes_nothing(owner_client, upload, error,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post("/seller/listings/import/", {"file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [error]}
    assert callbacks == []
    assert ListingImport.objects.count() == 0
    assert Listing.objects.count() == 0


@pytest.mark.parametrize(("upload", "error"), [
    (SimpleUploadedFile("listings.csv", b"name,price\nx,1"),
     "Unknown columns: name, price. Use the column names of the template."),
    (SimpleUploadedFile("listings.csv", HEADER.encode()), "The file has no listing rows."),
])
def test_a_file_the_task_cannot_read_fails_the_import_and_the_page_says_why(owner_client, upload, error,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post("/seller/listings/import/", {"file": upload})

    listing_import = ListingImport.objects.get()
    assertRedirects(response, f"/seller/listings/import/{listing_import.pk}/", fetch_redirect_response=False)
    assert len(callbacks) == 1
    assert listing_import.status == ImportStatus.FAILED and Listing.objects.count() == 0
    progress = _progress(owner_client.get(f"/seller/listings/import/{listing_import.pk}/"))
    assert re.findall(r"<tr>\s*<td class=\"num\">(.*?)</td>\s*<td>(.*?)</td>\s*"
                      r"<td class=\"import-error-value\">(.*?)</td>\s*<td>(.*?)</td>", progress) == [
        ("–", "file", "", error)]


def test_upload_without_a_file(owner_client):
    response = owner_client.post("/seller/listings/import/", {})

    assert response.context["form"].errors == {"file": ["This field is required."]}
    assert ListingImport.objects.count() == 0


def test_progress_page_of_a_running_import_refreshes_itself_with_htmx(owner_client, running_import):
    response = owner_client.get(f"/seller/listings/import/{running_import.pk}/")

    assert response.status_code == 200
    progress = _progress(response)
    assert progress.startswith(
        f'<section class="card import-progress" id="import-progress" '
        f'hx-get="/seller/listings/import/{running_import.pk}/progress/" hx-trigger="every 2s" hx-swap="outerHTML">')
    assert '<span class="badge badge-import-running" id="import-status">Running</span>' in progress
    assert '<progress id="import-progress-bar" value="4" max="10">40%</progress>' in progress
    assert '<p id="import-counts">4 of 10 rows processed (40%)</p>' in progress
    assert '<dd id="import-imported">3</dd>' in progress and '<dd id="import-errors">1</dd>' in progress
    assert "<td>An HS code has exactly 6 digits.</td>" in progress
    body = response.content.decode()
    scripts = re.findall(r"<script[^>]*>.*?</script>", body, re.S)
    assert len(scripts) == 1
    assert re.fullmatch(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer nonce="[^"]+"></script>',
                        scripts[0])
    assert finders.find("django_htmx/htmx-2.min.js") is not None
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style=" not in body
    assert re.search(r"\son[a-z]+=", body) is None
    assertContains(response, '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, '
                             '"allowEval": false, "allowScriptTags": false}\'>')


def test_the_progress_block_alone_for_htmx(owner_client, running_import):
    response = owner_client.get(f"/seller/listings/import/{running_import.pk}/progress/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode().strip()
    assert body.startswith('<section class="card import-progress" id="import-progress" hx-get=')
    assert body.endswith("</section>")
    assert "<html" not in body and "<script" not in body
    assert '<progress id="import-progress-bar" value="4" max="10">40%</progress>' in body

    ListingImport.objects.filter(pk=running_import.pk).update(status=ImportStatus.DONE, processed_rows=10,
                                                              imported_count=9)
    finished = owner_client.get(f"/seller/listings/import/{running_import.pk}/progress/", HTTP_HX_REQUEST="true")

    block = finished.content.decode()
    assert "hx-get" not in block and "hx-trigger" not in block
    assert '<progress id="import-progress-bar" value="10" max="10">100%</progress>' in block
    assert '<span class="badge badge-import-done" id="import-status">Done</span>' in block


def test_a_failed_import_shows_its_file_error(owner_client, running_import):
    ListingImport.objects.filter(pk=running_import.pk).update(
        status=ImportStatus.FAILED, errors=[{"row": None, "errors": {"file": ["The uploaded file is missing."]}}])

    response = owner_client.get(f"/seller/listings/import/{running_import.pk}/")

    progress = _progress(response)
    assert re.findall(r"<tr>\s*<td class=\"num\">(.*?)</td>\s*<td>(.*?)</td>\s*"
                      r"<td class=\"import-error-value\">(.*?)</td>\s*<td>(.*?)</td>", progress) == [
        ("–", "file", "", "The uploaded file is missing.")]
    assert "hx-get" not in progress
    assertNotContains(response, 'hx-trigger="every')


def test_another_companys_import_is_404(client_as, running_import, moderator):
    outsider = MembershipFactory(company=CompanyFactory(verification_status=VerificationStatus.VERIFIED)).user

    for user in (outsider, moderator):
        client = client_as(user)
        assert client.get(f"/seller/listings/import/{running_import.pk}/").status_code == 404
        assert client.get(f"/seller/listings/import/{running_import.pk}/progress/").status_code == 404
    assertNotContains(client_as(outsider).get("/seller/listings/import/"), "towels.csv")
