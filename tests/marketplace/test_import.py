"""Bulk import of listings from CSV and XLSX: upload checks, the row-by-row task, progress and the API."""
from __future__ import annotations

import csv
import io
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.http import Http404
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import CompanyKind, Membership, VerificationStatus
from core.exceptions import ApplicationError, Forbidden
from marketplace import imports, selectors, services, tasks
from marketplace.imports import COLUMNS
from marketplace.models import (
    Category,
    Certificate,
    ImportStatus,
    Listing,
    ListingImport,
    ListingIncoterm,
    ListingStatus,
    PriceTier,
    ShipsToCountry,
)
from tests.core.helpers import assert_error
from tests.factories.accounts import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TIERS_FORMAT = "Write price tiers as quantity:price pairs separated by semicolons, e.g. 1:10.00;100:8.50."

TOWEL = {
    "title": "Cotton bath towel 70x140 cm", "description": "**Soft** terry, 500 g/m²",
    "category": "Textiles/Home-Textiles", "unit": "Piece", "stock": "5000", "moq": "100", "order_multiple": "50",
    "lead_time_days": "21", "origin_country": "tr", "hs_code": "6302.60", "incoterms": "FOB;exw",
    "weight_kg": "0.55", "length_cm": "70", "width_cm": "35.5", "height_cm": "3", "ships_to_mode": "all_except",
    "ships_to_countries": "RU;BY", "price_tiers": "100:4.20;500:3.90;2000:3.55",
    "certificates": "OEKO-TEX Standard 100|Hohenstein|21.HTR.45210|2027-12-31;GOTS|Control Union",
}


def denim() -> dict[str, str]:
    """Only the required columns plus a ships-to list; the category given by its id."""
    return {"title": "Denim fabric 12 oz, indigo", "category": str(Category.objects.get(path="textiles/fabrics").pk),
            "origin_country": "TR", "hs_code": "520942", "weight_kg": "0.41", "incoterms": "EXW",
            "price_tiers": "1:3.10", "unit": "m", "ships_to_mode": "only", "ships_to_countries": "DE;FR;NL"}


def csv_bytes(rows: list[dict[str, str]], *, columns=COLUMNS, bom: bool = False, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), restval="", extrasaction="ignore", delimiter=delimiter,
                            lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def upload(content: bytes, name: str = "listings.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def listing_rows(listing_import: ListingImport) -> list[dict]:
    return list(Listing.objects.filter(source_import=listing_import).order_by("source_row").values(
        "source_row", "seller_id", "title", "description", "description_html", "category__path", "unit", "stock",
        "moq", "order_multiple", "lead_time_days", "origin_country", "hs_code", "weight_kg", "length_cm",
        "width_cm", "height_cm", "ships_to_mode", "currency", "price_from", "status"))


def related_rows(listing: Listing) -> dict:
    return {
        "tiers": list(listing.price_tiers.order_by("min_quantity").values_list("min_quantity", "unit_price")),
        "incoterms": sorted(listing.incoterm_rows.values_list("incoterm", flat=True)),
        "ships_to": sorted(str(c) for c in listing.ships_to_countries.values_list("country", flat=True)),
        "certificates": list(listing.certificates.order_by("pk").values_list("name", "issuer", "number",
                                                                            "valid_until")),
    }


def import_state(listing_import: ListingImport) -> dict:
    listing_import.refresh_from_db()
    return {"status": listing_import.status, "total_rows": listing_import.total_rows,
            "processed_rows": listing_import.processed_rows, "imported_count": listing_import.imported_count,
            "error_count": listing_import.error_count, "errors": listing_import.errors,
            "progress_percent": listing_import.progress_percent}


def catalogue_state() -> dict:
    return {
        "listings": list(Listing.objects.order_by("pk").values_list("pk", "title", "source_import_id", "source_row")),
        "tiers": PriceTier.objects.count(), "incoterms": ListingIncoterm.objects.count(),
        "ships_to": ShipsToCountry.objects.count(), "certificates": Certificate.objects.count(),
    }


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def create(seller, actor, content: bytes, name: str = "listings.csv") -> ListingImport:
    return services.listing_import_create(seller=seller, actor=actor, uploaded_file=upload(content, name))


# --- a good file ----------------------------------------------------------------------------------

def test_good_csv_imports_drafts_with_exact_values(company_a, member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        listing_import = create(company_a, member_a, csv_bytes([TOWEL, denim()]), name="Spring catalogue.CSV")

    assert len(callbacks) == 1
    assert callbacks[0].args == (tasks.listing_import_run, listing_import.pk)
    assert (listing_import.seller, listing_import.created_by, listing_import.original_name) == (
        company_a, member_a, "Spring catalogue.CSV")
    # The request only stores the file: its rows are counted by the task.
    assert import_state(listing_import) == {"status": "queued", "total_rows": 0, "processed_rows": 0,
                                            "imported_count": 0, "error_count": 0, "errors": [],
                                            "progress_percent": 0}
    assert listing_import.file.name.startswith(f"imports/{company_a.pk}/") and listing_import.file.name.endswith(".csv")

    assert tasks.listing_import_run(listing_import.pk) == "done"

    assert import_state(listing_import) == {"status": "done", "total_rows": 2, "processed_rows": 2,
                                            "imported_count": 2, "error_count": 0, "errors": [],
                                            "progress_percent": 100}
    assert listing_import.started_at is not None and listing_import.finished_at >= listing_import.started_at
    common = {"seller_id": company_a.pk, "currency": "TRY", "status": ListingStatus.DRAFT, "origin_country": "TR"}
    assert listing_rows(listing_import) == [
        {**common, "source_row": 2, "title": "Cotton bath towel 70x140 cm", "description": "**Soft** terry, 500 g/m²",
         "description_html": "<p><strong>Soft</strong> terry, 500 g/m²</p>", "category__path": "textiles/home-textiles",
         "unit": "piece", "stock": 5000, "moq": 100, "order_multiple": 50, "lead_time_days": 21, "hs_code": "630260",
         "weight_kg": Decimal("0.550"), "length_cm": Decimal("70.0"), "width_cm": Decimal("35.5"),
         "height_cm": Decimal("3.0"), "ships_to_mode": "all_except", "price_from": Decimal("3.55")},
        {**common, "source_row": 3, "title": "Denim fabric 12 oz, indigo", "description": "", "description_html": "",
         "category__path": "textiles/fabrics", "unit": "m", "stock": 0, "moq": 1, "order_multiple": 1,
         "lead_time_days": 7, "hs_code": "520942", "weight_kg": Decimal("0.410"), "length_cm": None,
         "width_cm": None, "height_cm": None, "ships_to_mode": "only", "price_from": Decimal("3.10")},
    ]
    towel, fabric = Listing.objects.filter(source_import=listing_import).order_by("source_row")
    assert related_rows(towel) == {
        "tiers": [(100, Decimal("4.20")), (500, Decimal("3.90")), (2000, Decimal("3.55"))],
        "incoterms": ["EXW", "FOB"], "ships_to": ["BY", "RU"],
        "certificates": [("OEKO-TEX Standard 100", "Hohenstein", "21.HTR.45210", date(2027, 12, 31)),
                         ("GOTS", "Control Union", "", None)],
    }
    assert related_rows(fabric) == {"tiers": [(1, Decimal("3.10"))], "incoterms": ["EXW"],
                                    "ships_to": ["DE", "FR", "NL"], "certificates": []}


def test_csv_with_bom_and_semicolons_imports(company_a, member_a):
    listing_import = create(company_a, member_a, csv_bytes([denim()], bom=True, delimiter=";"))

    tasks.listing_import_run(listing_import.pk)

    assert import_state(listing_import)["imported_count"] == 1
    assert [row["title"] for row in listing_rows(listing_import)] == ["Denim fabric 12 oz, indigo"]


def test_the_template_file_imports_cleanly(company_a, member_a):
    template = Path(settings.BASE_DIR) / "marketplace/static/marketplace/listings-template.csv"
    header = template.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(COLUMNS)

    listing_import = create(company_a, member_a, template.read_bytes(), name="listings-template.csv")
    tasks.listing_import_run(listing_import.pk)

    assert import_state(listing_import) == {"status": "done", "total_rows": 2, "processed_rows": 2,
                                            "imported_count": 2, "error_count": 0, "errors": [],
                                            "progress_percent": 100}


def test_xlsx_import(company_a, member_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Title", "Category", "HS Code", "Origin Country", "Weight KG", "Incoterms", "Price Tiers", "MOQ",
                  "Stock", "Lead time days", "Certificates"])
    sheet.append(["Kenya AA green coffee beans", "food-agriculture/coffee-tea", 90111, "KE", 60.5, "FOB;FCA",
                  "1:950.00;10:900.00", 1.0, 40, 14, "Fairtrade|FLOCERT|FLO-ID 3571|2028-06-30"])
    sheet.append([None, None, None])
    sheet.append(["Purple tea, loose leaf", "food-agriculture/coffee-tea", "090240", "KE", 0.25, "EXW",
                  "50:12.40;500:10.90", 50, 1000, 10, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    listing_import = create(company_a, member_a, buffer.getvalue(), name="listings.xlsx")
    tasks.listing_import_run(listing_import.pk)

    assert import_state(listing_import) == {"status": "done", "total_rows": 2, "processed_rows": 2,
                                            "imported_count": 2, "error_count": 0, "errors": [],
                                            "progress_percent": 100}
    rows = listing_rows(listing_import)
    assert [(r["source_row"], r["title"], r["hs_code"], r["weight_kg"], r["moq"], r["stock"], r["lead_time_days"],
             r["category__path"], r["origin_country"]) for r in rows] == [
        (2, "Kenya AA green coffee beans", "090111", Decimal("60.500"), 1, 40, 14, "food-agriculture/coffee-tea", "KE"),
        (4, "Purple tea, loose leaf", "090240", Decimal("0.250"), 50, 1000, 10, "food-agriculture/coffee-tea", "KE"),
    ]
    coffee, tea = Listing.objects.filter(source_import=listing_import).order_by("source_row")
    assert related_rows(coffee) == {"tiers": [(1, Decimal("950.00")), (10, Decimal("900.00"))],
                                    "incoterms": ["FCA", "FOB"], "ships_to": [],
                                    "certificates": [("Fairtrade", "FLOCERT", "FLO-ID 3571", date(2028, 6, 30))]}
    assert related_rows(tea)["tiers"] == [(50, Decimal("12.40")), (500, Decimal("10.90"))]


# --- bad rows -------------------------------------------------------------------------------------

def test_mixed_file_imports_good_rows_and_reports_bad_ones(company_a, member_a):
    rows = [
        TOWEL,                                                                        # row 2: good
        {**TOWEL, "title": "Bath mat", "category": "textiles/carpets", "price_tiers": "100-4.20"},    # row 3
        {**denim(), "title": "", "hs_code": ""},                                      # row 4
        {},                                                                           # row 5: blank, skipped
        {**denim(), "title": "Denim fabric 14 oz"},                                   # row 6: good
        {**TOWEL, "title": "Hand towel", "price_tiers": "100:2.00;500:2.40"},         # row 7
        {**TOWEL, "title": "Beach towel", "certificates": "<b>ISO 9001</b>|TÜV SÜD"},     # row 8
        {**denim(), "title": "Chambray", "origin_country": "XX", "moq": "0"},         # row 9
    ]
    before = catalogue_state()
    listing_import = create(company_a, member_a, csv_bytes(rows))

    tasks.listing_import_run(listing_import.pk)

    assert import_state(listing_import) == {
        "status": "done", "total_rows": 7, "processed_rows": 7, "imported_count": 2, "error_count": 5,
        "progress_percent": 100,
        "errors": [
            {"row": 3, "errors": {"category": ["There is no category textiles/carpets."],
                                  "price_tiers": [TIERS_FORMAT]},
             "values": {"category": "textiles/carpets", "price_tiers": "100-4.20"}},
            {"row": 4, "errors": {"title": ["This field is required."], "hs_code": ["This field is required."]},
             "values": {}},
            {"row": 7, "errors": {"price_tiers": ["A larger quantity cannot have a higher unit price."]},
             "values": {"price_tiers": "100:2.00;500:2.40"}},
            {"row": 8, "errors": {"certificates": ["HTML tags and scripts are not allowed in this field."]},
             "values": {"certificates": "<b>ISO 9001</b>|TÜV SÜD"}},
            {"row": 9, "errors": {"origin_country": ["XX is not an ISO 3166 country code."],
                                  "moq": ["Ensure this value is at least 1."]},
             "values": {"origin_country": "XX", "moq": "0"}},
        ],
    }
    assert [(r["source_row"], r["title"]) for r in listing_rows(listing_import)] == [
        (2, "Cotton bath towel 70x140 cm"), (6, "Denim fabric 14 oz")]
    after = catalogue_state()
    assert after["listings"][:len(before["listings"])] == before["listings"]
    assert (after["tiers"], after["incoterms"], after["ships_to"], after["certificates"]) == (
        before["tiers"] + 3 + 1, before["incoterms"] + 2 + 1, before["ships_to"] + 2 + 3, before["certificates"] + 2)
    assert not Listing.objects.filter(title__in=["Bath mat", "Hand towel", "Beach towel", "Chambray"]).exists()


def test_row_failing_after_its_listing_was_written_leaves_nothing_behind(company_a, member_a, monkeypatch):
    """The database refuses the last write of row 3: its listing, tiers, Incoterms and ships-to rows
    roll back with it, and rows 2 and 4 are imported."""
    real_bulk_create = Certificate.objects.bulk_create

    def refuse_for_row_3(objs, *args, **kwargs):
        objs = list(objs)
        if any(c.listing.source_row == 3 for c in objs):
            raise DataError("value out of range")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Certificate.objects, "bulk_create", refuse_for_row_3)
    rows = [TOWEL, {**TOWEL, "title": "Beach towel"}, {**TOWEL, "title": "Hand towel"}]
    listing_import = create(company_a, member_a, csv_bytes(rows))

    tasks.listing_import_run(listing_import.pk)

    assert import_state(listing_import) == {
        "status": "done", "total_rows": 3, "processed_rows": 3, "imported_count": 2, "error_count": 1,
        "progress_percent": 100,
        "errors": [{"row": 3, "errors": {"non_field_errors": ["A value in this row is out of range."]}, "values": {}}]}
    assert [(r["source_row"], r["title"]) for r in listing_rows(listing_import)] == [
        (2, "Cotton bath towel 70x140 cm"), (4, "Hand towel")]
    assert (PriceTier.objects.count(), ListingIncoterm.objects.count(), ShipsToCountry.objects.count(),
            Certificate.objects.count()) == (6, 4, 4, 4)


def test_error_report_is_capped_but_every_bad_row_is_counted(company_a, member_a, monkeypatch):
    monkeypatch.setattr(services, "MAX_REPORTED_IMPORT_ERRORS", 2)
    listing_import = create(company_a, member_a, csv_bytes([{**denim(), "hs_code": "12"}] * 3 + [denim()]))

    tasks.listing_import_run(listing_import.pk)

    state = import_state(listing_import)
    assert (state["processed_rows"], state["imported_count"], state["error_count"]) == (4, 1, 3)
    assert [entry["row"] for entry in state["errors"]] == [2, 3]


# --- bad files ------------------------------------------------------------------------------------

def _workbook_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Refused by the request, which reads no row: type by name and signature, size, a CSV's encoding.
BAD_UPLOADS = {
    "wrong extension": (lambda: csv_bytes([TOWEL]), "listings.txt", "Upload a .csv or .xlsx file."),
    "no extension": (lambda: csv_bytes([TOWEL]), "listings", "Upload a .csv or .xlsx file."),
    "old excel": (lambda: csv_bytes([TOWEL]), "listings.xls", "Upload a .csv or .xlsx file."),
    "csv named xlsx": (lambda: csv_bytes([TOWEL]), "listings.xlsx", "The file is not a valid XLSX workbook."),
    "not utf-8": (lambda: "title,category\nCafé,x\n".encode("cp1252"), "listings.csv",
                  "The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8”."),
    "binary with csv name": (lambda: b"a,b\x00c\n", "listings.csv", "The file is not a CSV text file."),
    "empty": (lambda: b"", "listings.csv", "The file is empty."),
    "too large": (lambda: csv_bytes([TOWEL]) + b" " * imports.MAX_FILE_BYTES, "listings.csv",
                  "The file is larger than 5 MB."),
}

# Stored by the request, then failed by the task that reads them, before any row is imported.
BAD_FILES = {
    "zip that is no workbook": (lambda: _zip_bytes(), "listings.xlsx", "The file is not a valid XLSX workbook."),
    "missing columns": (lambda: csv_bytes([TOWEL], columns=[c for c in COLUMNS if c not in ("hs_code", "price_tiers")]),
                        "listings.csv", "Missing required columns: hs_code, price_tiers."),
    "unknown column": (lambda: "title,category,colour\n".encode(), "listings.csv",
                       "Unknown columns: colour. Use the column names of the template."),
    "column twice": (lambda: (",".join(COLUMNS) + ",title\n").encode(), "listings.csv", "Columns given twice: title."),
    "header only": (lambda: csv_bytes([]), "listings.csv", "The file has no listing rows."),
    "header only xlsx": (_workbook_bytes, "listings.xlsx", "The file has no listing rows."),
    "broken quoting": (lambda: (",".join(COLUMNS) + '\n"unterminated,x\n').encode(), "listings.csv", None),
    "too many rows": (lambda: csv_bytes([{"title": f"Towel {n}"} for n in range(imports.MAX_ROWS + 1)]),
                      "listings.csv", "The file has more than 5000 rows."),
    "bad row after the limit of good ones": (
        lambda: csv_bytes([TOWEL] * imports.MAX_ROWS + [TOWEL]), "listings.csv", "The file has more than 5000 rows."),
}


def _zip_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_upload_is_refused_and_nothing_is_stored(case, company_a, member_a, django_capture_on_commit_callbacks):
    make, name, message = BAD_UPLOADS[case]
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ApplicationError) as exc_info:
            create(company_a, member_a, make(), name=name)

    assert exc_info.value.fields == {"file": [message]}
    assert exc_info.value.message == message
    assert exc_info.value.status_code == 400
    assert callbacks == []
    assert ListingImport.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_file_that_cannot_be_imported_fails_the_import_with_the_reason(case, company_a, member_a,
                                                                       django_capture_on_commit_callbacks):
    make, name, message = BAD_FILES[case]
    with django_capture_on_commit_callbacks() as callbacks:
        listing_import = create(company_a, member_a, make(), name=name)
    assert len(callbacks) == 1 and listing_import.status == "queued"

    assert tasks.listing_import_run(listing_import.pk) == "failed"

    listing_import.refresh_from_db()
    assert (listing_import.status, listing_import.total_rows, listing_import.processed_rows,
            listing_import.imported_count, listing_import.error_count) == ("failed", 0, 0, 0, 0)
    [failure] = listing_import.errors
    assert failure["row"] is None and list(failure["errors"]) == ["file"]
    if message is None:
        assert failure["errors"]["file"][0].startswith("The CSV file cannot be read: ")
    else:
        assert failure["errors"]["file"] == [message]
    assert listing_import.finished_at is not None
    assert Listing.objects.count() == 0


def test_api_refuses_a_bad_file_with_400(company_a, member_a, as_user):
    response = as_user(member_a).post(reverse("api:listing-import-create"),
                                      {"file": upload(b"title\nCaf\xe9\n", "listings.csv"), "seller": company_a.pk},
                                      format="multipart")

    assert_error(response, 400, "validation_error", fields={"file": [
        "The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8”."]})
    assert ListingImport.objects.count() == 0


def test_api_requires_a_file(member_a, as_user):
    response = as_user(member_a).post(reverse("api:listing-import-create"), {}, format="multipart")

    assert_error(response, 400, "validation_error", fields={"file": ["No file was submitted."]})
    assert ListingImport.objects.count() == 0


# --- who may upload and read ----------------------------------------------------------------------

def test_non_member_cannot_upload(company_a, member_b, as_user):
    company_a.verification_status = VerificationStatus.VERIFIED
    company_a.save(update_fields=["verification_status"])

    with pytest.raises(Forbidden):
        create(company_a, member_b, csv_bytes([TOWEL]))
    response = as_user(member_b).post(reverse("api:listing-import-create"),
                                      {"file": upload(csv_bytes([TOWEL])), "seller": company_a.pk}, format="multipart")

    assert_error(response, 403, "permission_denied", message="Only members of the selling company can do that.")
    assert ListingImport.objects.count() == 0


def test_buyer_company_cannot_upload(member_a, company_a):
    company_a.kind = CompanyKind.BUYER
    company_a.save(update_fields=["kind"])

    with pytest.raises(Forbidden):
        create(company_a, member_a, csv_bytes([TOWEL]))
    assert ListingImport.objects.count() == 0


def test_anonymous_cannot_upload_or_read(company_a, member_a, api_client):
    listing_import = create(company_a, member_a, csv_bytes([TOWEL]))

    upload_response = api_client.post(reverse("api:listing-import-create"), {"file": upload(csv_bytes([TOWEL]))},
                                      format="multipart")
    read_response = api_client.get(reverse("api:listing-import-detail", args=[listing_import.pk]))

    assert upload_response.status_code in (401, 403) and read_response.status_code in (401, 403)
    assert ListingImport.objects.count() == 1


def test_other_company_cannot_read_an_import(company_a, member_a, member_b, staff_a, moderator, as_user):
    listing_import = create(company_a, member_a, csv_bytes([TOWEL]))

    for outsider in (member_b, moderator):
        with pytest.raises(Http404):
            selectors.listing_import_get(actor=outsider, pk=listing_import.pk)
        response = as_user(outsider).get(reverse("api:listing-import-detail", args=[listing_import.pk]))
        assert_error(response, 404, "not_found")
    assert selectors.listing_import_get(actor=staff_a, pk=listing_import.pk) == listing_import
    with pytest.raises(Http404):
        selectors.listing_import_get(actor=member_a, pk="not-a-number")


# --- reruns, interruptions and overlapping runs ---------------------------------------------------

def test_running_the_task_again_changes_nothing(company_a, member_a):
    listing_import = create(company_a, member_a, csv_bytes([TOWEL, {**denim(), "hs_code": "x"}, denim()]))
    tasks.listing_import_run(listing_import.pk)
    first = (import_state(listing_import), catalogue_state(), listing_import.finished_at)

    assert tasks.listing_import_run(listing_import.pk) == "done"
    services.listing_import_run(import_id=listing_import.pk)

    assert (import_state(listing_import), catalogue_state(), listing_import.finished_at) == first
    assert first[0]["imported_count"] == 2 and len(first[1]["listings"]) == 2


def test_interrupted_run_resumes_after_the_last_committed_row(company_a, member_a, monkeypatch):
    rows = [{**denim(), "title": f"Denim lot {n}"} for n in range(1, 5)]
    rows[1]["price_tiers"] = "bad"
    listing_import = create(company_a, member_a, csv_bytes(rows))
    real_row = services.listing_import_row
    calls = []

    def crash_on_fourth_row(**kwargs):
        calls.append(kwargs["row_number"])
        if kwargs["row_number"] == 5:
            raise RuntimeError("worker lost")
        return real_row(**kwargs)

    monkeypatch.setattr(services, "listing_import_row", crash_on_fourth_row)
    with pytest.raises(RuntimeError):
        tasks.listing_import_run(listing_import.pk)

    assert import_state(listing_import) == {
        "status": "running", "total_rows": 4, "processed_rows": 3, "imported_count": 2, "error_count": 1,
        "progress_percent": 75, "errors": [{"row": 3, "errors": {"price_tiers": [TIERS_FORMAT]},
                                                 "values": {"price_tiers": "bad"}}]}
    assert [r["source_row"] for r in listing_rows(listing_import)] == [2, 4]
    assert selectors.listing_import_get(actor=member_a, pk=listing_import.pk).progress_percent == 75

    monkeypatch.setattr(services, "listing_import_row", real_row)
    assert tasks.listing_import_run(listing_import.pk) == "done"

    assert calls == [2, 4, 5]
    assert import_state(listing_import) == {
        "status": "done", "total_rows": 4, "processed_rows": 4, "imported_count": 3, "error_count": 1,
        "progress_percent": 100, "errors": [{"row": 3, "errors": {"price_tiers": [TIERS_FORMAT]},
                                                 "values": {"price_tiers": "bad"}}]}
    assert [(r["source_row"], r["title"]) for r in listing_rows(listing_import)] == [
        (2, "Denim lot 1"), (4, "Denim lot 3"), (5, "Denim lot 4")]


def test_lost_progress_does_not_import_a_row_twice(company_a, member_a):
    listing_import = create(company_a, member_a, csv_bytes([TOWEL, denim()]))
    tasks.listing_import_run(listing_import.pk)
    listings = catalogue_state()
    ListingImport.objects.filter(pk=listing_import.pk).update(status=ImportStatus.RUNNING, processed_rows=0,
                                                              imported_count=0, error_count=0, finished_at=None)

    tasks.listing_import_run(listing_import.pk)

    assert catalogue_state() == listings
    assert import_state(listing_import) == {"status": "done", "total_rows": 2, "processed_rows": 2,
                                            "imported_count": 2, "error_count": 0, "errors": [],
                                            "progress_percent": 100}


def test_row_created_meanwhile_by_an_overlapping_run_is_not_created_again(company_a, member_a, monkeypatch):
    listing_import = create(company_a, member_a, csv_bytes([denim()]))
    real_clean = services.listing_clean_input

    def clean_while_another_run_imports_the_row(data, *, partial):
        cleaned = real_clean(data, partial=partial)
        if not partial and not Listing.objects.filter(source_import=listing_import).exists():
            other = Listing(seller=company_a, currency="TRY", source_import=listing_import, source_row=2)
            services._apply(other, cleaned, save_related=True)
        return cleaned

    monkeypatch.setattr(services, "listing_clean_input", clean_while_another_run_imports_the_row)
    tasks.listing_import_run(listing_import.pk)

    assert Listing.objects.filter(source_import=listing_import, source_row=2).count() == 1
    assert Listing.objects.count() == 1
    assert PriceTier.objects.count() == 1
    assert import_state(listing_import)["imported_count"] == 1


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="needs PostgreSQL row locks (SQLite runs one writer at a time)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_runs_import_each_row_once(company_a, member_a, monkeypatch):
    rows = [{**denim(), "title": f"Denim roll {n}"} for n in range(1, 31)]
    rows[4]["hs_code"] = "52094"
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: None)  # the threads below run it
    listing_import = create(company_a, member_a, csv_bytes(rows))
    start = threading.Barrier(3)
    failures = []

    def run():
        from django.db import connection as thread_connection

        try:
            start.wait()
            services.listing_import_run(import_id=listing_import.pk)
        except Exception as exc:  # reported to the main thread
            failures.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(Listing.objects.filter(source_import=listing_import).values_list("source_row", flat=True)) == [
        n for n in range(2, 32) if n != 6]
    assert PriceTier.objects.count() == 29
    state = import_state(listing_import)
    assert state["errors"] == [{"row": 6, "errors": {"hs_code": ["An HS code has exactly 6 digits."]},
                                "values": {"hs_code": "52094"}}]
    assert {k: state[k] for k in ("status", "processed_rows", "imported_count", "error_count")} == {
        "status": "done", "processed_rows": 30, "imported_count": 29, "error_count": 1}


# --- files that cannot be read at run time, uploaders who left ------------------------------------

def test_missing_file_fails_the_import(company_a, member_a):
    listing_import = create(company_a, member_a, csv_bytes([TOWEL]))
    listing_import.file.storage.delete(listing_import.file.name)

    assert tasks.listing_import_run(listing_import.pk) == "failed"

    listing_import.refresh_from_db()
    assert (listing_import.status, listing_import.processed_rows, listing_import.errors) == (
        "failed", 0, [{"row": None, "errors": {"file": ["The uploaded file is missing."]}}])
    assert listing_import.finished_at is not None and listing_import.progress_percent == 100
    assert Listing.objects.count() == 0


def test_damaged_file_fails_the_import(company_a, member_a):
    listing_import = create(company_a, member_a, csv_bytes([TOWEL]))
    with listing_import.file.storage.open(listing_import.file.name, "wb") as handle:
        handle.write("title\nCafé\n".encode("cp1252"))

    tasks.listing_import_run(listing_import.pk)

    listing_import.refresh_from_db()
    assert (listing_import.status, listing_import.errors) == (
        "failed", [{"row": None, "errors": {"file": ["The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8”."]}}])
    assert Listing.objects.count() == 0


def test_import_of_an_uploader_who_left_fails(company_a, member_a):
    listing_import = create(company_a, member_a, csv_bytes([TOWEL]))
    Membership.objects.filter(user=member_a, company=company_a).delete()

    tasks.listing_import_run(listing_import.pk)

    listing_import.refresh_from_db()
    assert (listing_import.status, listing_import.errors) == ("failed", [{"row": None, "errors": {"seller": [
        "The person who uploaded the file is no longer a member of a selling company."]}}])
    assert Listing.objects.count() == 0


def test_unknown_import_id_is_ignored():
    assert tasks.listing_import_run(987654) is None


# --- the endpoints ---------------------------------------------------------------------------------

def test_endpoints_upload_then_report_progress(company_a, member_a, as_user, django_capture_on_commit_callbacks):
    client = as_user(member_a)
    other_company = CompanyFactory(kind=CompanyKind.SELLER)
    MembershipFactory(user=member_a, company=other_company)
    content = csv_bytes([TOWEL, {**denim(), "weight_kg": "-1"}])

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("api:listing-import-create"), {"file": upload(content)}, format="multipart")

    assert response.status_code == 201, response.content
    body = response.json()
    listing_import = ListingImport.objects.get()
    assert listing_import.seller == company_a  # the first company of the uploader
    assert {k: body[k] for k in ("id", "seller", "original_name", "status", "total_rows", "processed_rows",
                                 "imported_count", "error_count", "progress_percent", "errors",
                                 "finished_at")} == {
        "id": listing_import.pk, "seller": company_a.pk, "original_name": "listings.csv", "status": "queued",
        "total_rows": 0, "processed_rows": 0, "imported_count": 0, "error_count": 0, "progress_percent": 0,
        "errors": [], "finished_at": None}
    assert len(callbacks) == 1 and callbacks[0].args == (tasks.listing_import_run, listing_import.pk)
    tasks.listing_import_run(listing_import.pk)

    detail = client.get(reverse("api:listing-import-detail", args=[listing_import.pk]))

    assert detail.status_code == 200
    progress = detail.json()
    assert {k: progress[k] for k in ("id", "status", "total_rows", "processed_rows", "imported_count",
                                     "error_count", "progress_percent", "errors")} == {
        "id": listing_import.pk, "status": "done", "total_rows": 2, "processed_rows": 2, "imported_count": 1,
        "error_count": 1, "progress_percent": 100,
        "errors": [{"row": 3, "errors": {"weight_kg": ["Enter a number greater than zero."]},
                    "values": {"weight_kg": "-1"}}]}
    assert progress["finished_at"] is not None


def test_upload_endpoint_for_a_chosen_company(company_a, member_a, as_user, django_capture_on_commit_callbacks):
    other_company = CompanyFactory(kind=CompanyKind.SELLER, default_currency="EUR")
    MembershipFactory(user=member_a, company=other_company, role="staff")

    with django_capture_on_commit_callbacks() as callbacks:
        response = as_user(member_a).post(reverse("api:listing-import-create"),
                                          {"file": upload(csv_bytes([TOWEL])), "seller": other_company.pk},
                                          format="multipart")

    assert response.status_code == 201
    assert ListingImport.objects.get().seller == other_company
    assert len(callbacks) == 1


def test_progress_percent_of_a_running_import(company_a, member_a, as_user):
    listing_import = create(company_a, member_a, csv_bytes([denim()] * 3))
    ListingImport.objects.filter(pk=listing_import.pk).update(status=ImportStatus.RUNNING, total_rows=3,
                                                              processed_rows=2, imported_count=2)

    body = as_user(member_a).get(reverse("api:listing-import-detail", args=[listing_import.pk])).json()

    assert (body["status"], body["processed_rows"], body["total_rows"], body["progress_percent"]) == (
        "running", 2, 3, 66)
