"""Spreadsheet imports are read only by the task, and reading is bounded before rows are built: a
workbook's unpacked size, its rows, the cells of a row, its columns and its cells in all. The first
bound reached fails the import with a message that names it."""
from __future__ import annotations

import io
import time
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace import imports, services, tasks
from marketplace.models import ImportStatus, Listing, ListingImport

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["title", "category", "origin_country", "hs_code", "weight_kg", "incoterms", "price_tiers"]
GOOD_ROW = ["Cotton bath towel", "textiles/home-textiles", "TR", "630260", "0.5", "FOB", "1:4.20"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def workbook(sheet_data: str, *, dimension: str = "", shared_strings: str | None = None,
             before_sheet: str = "") -> bytes:
    """A minimal XLSX written by hand, so that a sheet of millions of cells stays a small file."""
    overrides = ('<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                 '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    relations = f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_strings is not None:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                      'officedocument.spreadsheetml.sharedStrings+xml"/>')
        relations += f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' + overrides + "</Types>"))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="Listings" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships">{relations}</Relationships>'))
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", (
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{shared_strings}</sst>'))
        archive.writestr("xl/worksheets/sheet1.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?>{before_sheet}<worksheet xmlns="{MAIN}">{dimension}'
            f"<sheetData>{sheet_data}</sheetData></worksheet>"))
    return buffer.getvalue()


def three_million_cells() -> bytes:
    return workbook(inline_row(1, HEADER) + '<row r="2">' + "<c/>" * 3_000_000 + "</row>",
                    dimension='<dimension ref="A1:XFD2"/>')


def run_and_fail(seller, actor, content: bytes, name: str = "listings.xlsx") -> tuple[ListingImport, str, float]:
    listing_import = services.listing_import_create(seller=seller, actor=actor,
                                                    uploaded_file=SimpleUploadedFile(name, content))
    started = time.monotonic()
    assert tasks.listing_import_run(listing_import.pk) == ImportStatus.FAILED
    elapsed = time.monotonic() - started
    listing_import.refresh_from_db()
    [failure] = listing_import.errors
    assert failure["row"] is None and list(failure["errors"]) == ["file"]
    assert (listing_import.processed_rows, listing_import.imported_count) == (0, 0)
    assert Listing.objects.count() == 0
    return listing_import, failure["errors"]["file"][0], elapsed


def test_the_hand_made_workbook_itself_imports(company_a, member_a):
    listing_import = services.listing_import_create(
        seller=company_a, actor=member_a,
        uploaded_file=SimpleUploadedFile("listings.xlsx", workbook(inline_row(1, HEADER) + inline_row(2, GOOD_ROW))))

    assert tasks.listing_import_run(listing_import.pk) == ImportStatus.DONE

    listing_import.refresh_from_db()
    assert (listing_import.total_rows, listing_import.imported_count, listing_import.errors) == (1, 1, [])
    assert list(Listing.objects.values_list("title", "hs_code")) == [("Cotton bath towel", "630260")]


def test_a_row_of_three_million_cells_is_accepted_at_once_and_failed_by_the_task(
        company_a, member_a, as_user, django_capture_on_commit_callbacks, monkeypatch):
    content = three_million_cells()
    assert len(content) < 100_000

    def no_parsing(*args, **kwargs):
        raise AssertionError("the request must not read the workbook")

    with monkeypatch.context() as patched:
        for name in ("read_rows", "count_rows", "_check_workbook"):
            patched.setattr(imports, name, no_parsing)
        patched.setattr(openpyxl, "load_workbook", no_parsing)
        started = time.monotonic()
        with django_capture_on_commit_callbacks() as callbacks:
            response = as_user(member_a).post(reverse("api:listing-import-create"),
                                              {"file": SimpleUploadedFile("listings.xlsx", content)},
                                              format="multipart")
        answered_in = time.monotonic() - started

    assert response.status_code == 201, response.content
    assert answered_in < 5
    assert (response.json()["status"], response.json()["total_rows"]) == ("queued", 0)
    assert len(callbacks) == 1

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    started = time.monotonic()
    assert tasks.listing_import_run(response.json()["id"]) == ImportStatus.FAILED
    elapsed = time.monotonic() - started

    listing_import = ListingImport.objects.get()
    assert listing_import.errors == [{"row": None, "errors": {"file": [
        "Row 2 has more than 60 cells. A row may have at most 60 columns."]}}]
    assert opened == []  # stopped by the bound before openpyxl built a single row
    assert elapsed < 10
    assert Listing.objects.count() == 0


def test_a_cell_beyond_the_last_column_stops_the_import(company_a, member_a):
    sheet = inline_row(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="XFD2"/></row>'

    content = workbook(sheet, dimension='<dimension ref="A1:XFD2"/>')

    _import, message, _elapsed = run_and_fail(company_a, member_a, content)

    assert message == ("Row 2 has a cell in XFD2, beyond the first 60 columns. Delete the cells to the right of the "
                       "last column.")


def test_a_row_far_below_the_bound_stops_the_import(company_a, member_a):
    sheet = inline_row(1, HEADER) + inline_row(1_048_576, GOOD_ROW)

    _import, message, _elapsed = run_and_fail(company_a, member_a, workbook(sheet))

    assert message == "The file has more than 5000 rows."


def test_too_many_rows_of_few_cells_stop_the_import(company_a, member_a):
    sheet = inline_row(1, HEADER) + "".join(f'<row r="{n}"><c/></row>' for n in range(2, imports.MAX_SCANNED_ROWS + 3))

    _import, message, elapsed = run_and_fail(company_a, member_a, workbook(sheet))

    assert message == "The file has more than 5000 rows."
    assert elapsed < 10


def test_the_cells_of_the_whole_sheet_are_bounded(company_a, member_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_CELLS", 30)
    sheet = inline_row(1, HEADER) + "".join(inline_row(n, GOOD_ROW) for n in range(2, 7))

    _import, message, _elapsed = run_and_fail(company_a, member_a, workbook(sheet))

    assert message == "The file has more than 30 cells."


def test_the_shared_texts_count_as_cells(company_a, member_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_CELLS", 30)

    _import, message, _elapsed = run_and_fail(company_a, member_a, workbook(
        inline_row(1, HEADER), shared_strings="<si><t>x</t></si>" * 31))

    assert message == "The file has more than 30 cells."


def test_a_zip_bomb_is_refused_before_it_is_unpacked(company_a, member_a, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1024 * 1024)
    content = workbook(inline_row(1, HEADER) + " " * (2 * 1024 * 1024))
    assert len(content) < 20_000

    _import, message, _elapsed = run_and_fail(company_a, member_a, content)

    assert message == "The workbook is larger than 1 MB once unpacked."


def test_a_document_type_declaration_is_refused(company_a, member_a):
    laughs = '<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'

    _import, message, _elapsed = run_and_fail(company_a, member_a, workbook(inline_row(1, HEADER), before_sheet=laughs))

    assert message == "The file is not a valid XLSX workbook."


def test_a_csv_row_of_too_many_cells_stops_the_import(company_a, member_a):
    content = (",".join(HEADER) + "\r\n" + ",".join(GOOD_ROW) + "\r\n" + "," * 1_000_000 + "\r\n").encode()

    _import, message, elapsed = run_and_fail(company_a, member_a, content, name="listings.csv")

    assert message == "Row 3 has more than 60 cells. A row may have at most 60 columns."
    assert elapsed < 10


def test_a_csv_header_of_too_many_cells_stops_the_import(company_a, member_a):
    content = (",".join(HEADER) + "," * 100 + "\r\n" + ",".join(GOOD_ROW) + "\r\n").encode()

    _import, message, _elapsed = run_and_fail(company_a, member_a, content, name="listings.csv")

    assert message == "Row 1 has more than 60 cells. A row may have at most 60 columns."
