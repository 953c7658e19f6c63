"""Reading of listing spreadsheets (CSV or XLSX) and mapping of their rows to listing input.

The first row holds the column names (any case; spaces count as underscores):

    title, description, category, unit, stock, moq, order_multiple, lead_time_days, origin_country,
    hs_code, incoterms, weight_kg, length_cm, width_cm, height_cm, ships_to_mode, ships_to_countries,
    price_tiers, certificates

- category: a category path such as ``textiles/home-textiles`` or a category id
- incoterms: ``FOB;EXW``; ships_to_countries: ``DE;FR`` (ISO 3166 codes)
- price_tiers: ``1:10.00;100:8.50;500:7.20`` (from quantity : unit price, in the company's currency)
- certificates: ``name|issuer|number|2027-12-31;...`` (number and date may be left empty)

Rows are numbered as a spreadsheet shows them: the header is row 1, the first listing row 2.
Empty rows are skipped. An empty cell leaves the field at its default.

An upload is only checked for its type, size and signature when it arrives (check_upload); its
rows are read by the import task alone. Reading is bounded before any row is built: a workbook's
unpacked size, then, streaming through each sheet's XML, the rows, the cells of a row, the columns
and the cells in all; the first bound reached stops the import with a message that names it.
"""
from __future__ import annotations

import csv
import io
import zipfile
from xml.parsers import expat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

from .models import Category

COLUMNS = ("title", "description", "category", "unit", "stock", "moq", "order_multiple", "lead_time_days",
           "origin_country", "hs_code", "incoterms", "weight_kg", "length_cm", "width_cm", "height_cm",
           "ships_to_mode", "ships_to_countries", "price_tiers", "certificates")
REQUIRED_COLUMNS = ("title", "category", "origin_country", "hs_code", "weight_kg", "incoterms", "price_tiers")
LOWERCASE_COLUMNS = ("unit", "ships_to_mode")

EXTENSIONS = ("csv", "xlsx")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Blank rows are skipped but still read; a sheet of endless blank rows is refused like a long one.
MAX_SCANNED_ROWS = 2 * MAX_ROWS
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Cells of one row, and the highest column a cell may sit in (the template has 19 columns).
MAX_COLUMNS = 60
# Cells of the whole file, including the texts a workbook shares between cells.
MAX_CELLS = 250_000
XML_CHUNK_BYTES = 64 * 1024

MAX_QUANTITY = 2_147_483_647
MAX_PRICE = Decimal("999999999999.99")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (type, encoding, header, size)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SheetRow:
    number: int  # as a spreadsheet shows it; the header is row 1
    values: dict[str, str]


def file_kind(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EXTENSIONS:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    return ext


def check_upload(*, name: str, content: bytes) -> str:
    """The checks an upload passes before it is stored, and the first ones when it is read: its
    type by name and signature, its size, and for a CSV its encoding. Each runs in time linear in
    the (bounded) size; no row is read. Returns the kind, "csv" or "xlsx"."""
    kind = file_kind(name)
    if not content:
        raise ImportFileError(_("The file is empty."))
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(max)d MB.") % {"max": MAX_FILE_BYTES // (1024 * 1024)})
    if kind == "xlsx":
        if not content.startswith(b"PK\x03\x04"):
            raise ImportFileError(_("The file is not a valid XLSX workbook."))
    else:
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(_("The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8”.")) from None
        if b"\x00" in content:
            raise ImportFileError(_("The file is not a CSV text file."))
    return kind


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})


def _too_many_cells() -> ImportFileError:
    return ImportFileError(_("The file has more than %(max)d cells.") % {"max": MAX_CELLS})


def _too_many_cells_in_row(number: int) -> ImportFileError:
    return ImportFileError(_("Row %(row)d has more than %(max)d cells. A row may have at most %(max)d columns.")
                           % {"row": number, "max": MAX_COLUMNS})


def _column_too_far(number: int, reference: str) -> ImportFileError:
    return ImportFileError(_("Row %(row)d has a cell in %(cell)s, beyond the first %(max)d columns. Delete "
                             "the cells to the right of the last column.")
                           % {"row": number, "cell": reference, "max": MAX_COLUMNS})


def _column_index(reference: str) -> int:
    """1 for A1, 27 for AA7; 0 when the reference has no column letters."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
    return index


class _SheetScan:
    """Counts a worksheet's rows and cells while expat streams its XML, and raises at the first
    bound, so a sheet of millions of cells costs no more than the cells before the bound."""

    def __init__(self, cells_before: int) -> None:
        self.cells = cells_before
        self.row = 0
        self.rows = 0
        self.cells_in_row = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "row":
            self.rows += 1
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            if self.rows > MAX_SCANNED_ROWS or self.row > MAX_SCANNED_ROWS + 1:
                raise _too_many_rows()
            self.cells_in_row = 0
        elif local == "c":
            self.cells_in_row += 1
            self.cells += 1
            if self.cells_in_row > MAX_COLUMNS:
                raise _too_many_cells_in_row(self.row)
            reference = attributes.get("r", "")
            if _column_index(reference) > MAX_COLUMNS:
                raise _column_too_far(self.row, reference)
            if self.cells > MAX_CELLS:
                raise _too_many_cells()


class _SharedStringsScan:
    def __init__(self, cells_before: int) -> None:
        self.cells = cells_before

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name.rsplit(" ", 1)[-1] == "si":
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise _too_many_cells()


def _refuse_doctype(*args) -> None:
    raise ImportFileError(_("The file is not a valid XLSX workbook."))


def _stream_xml(archive: zipfile.ZipFile, part: str, on_start) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = on_start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    with archive.open(part) as source:
        while chunk := source.read(XML_CHUNK_BYTES):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _workbook_parts(content: bytes) -> tuple[list[str], str | None]:
    """The worksheet parts of a workbook in its order, and its shared strings part, read from the
    package's manifest and the workbook part only."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        sheets = [rel.target for _sheet, rel in reader.parser.find_sheets()
                  if "chartsheet" not in rel.Type and rel.target in reader.valid_files]
        strings = reader.package.find(SHARED_STRINGS)
        return sheets, (strings.PartName[1:] if strings is not None else None)
    finally:
        reader.archive.close()


def _check_workbook(content: bytes) -> None:
    """Bounds a workbook before openpyxl opens it: its unpacked size (a zip bomb), then its sheets'
    rows, cells per row, columns and cells, and the number of its shared texts."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise ImportFileError(_("The workbook is larger than %(max)d MB once unpacked.")
                                      % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)})
            sheets, strings = _workbook_parts(content)
            cells = 0
            if strings is not None and strings in archive.namelist():
                scan = _SharedStringsScan(cells)
                _stream_xml(archive, strings, scan.start)
            for part in sheets:
                sheet_scan = _SheetScan(cells)
                _stream_xml(archive, part, sheet_scan.start)
                cells = sheet_scan.cells
    except ImportFileError:
        raise
    except Exception:  # a damaged zip, package or XML, whatever raised it
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from None


def normalise_header(cells: list[Any]) -> list[str]:
    """Column names in canonical form; raises when a required one is missing or a name is unknown."""
    names = [str(c or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")
             for c in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise ImportFileError(_("The file is empty."))
    named = [n for n in names if n]
    unknown = [n for n in named if n not in COLUMNS]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s. Use the column names of the template.")
                              % {"columns": ", ".join(unknown)})
    duplicated = sorted({n for n in named if named.count(n) > 1})
    if duplicated:
        raise ImportFileError(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(duplicated)})
    missing = [c for c in REQUIRED_COLUMNS if c not in named]
    if missing:
        raise ImportFileError(_("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return names


def _cell_text(column: str, value: Any) -> str:
    """The text of a spreadsheet cell, undoing what spreadsheet programs do to numbers and dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and column == "hs_code" and 0 <= value < 1_000_000:
        return f"{value:06d}"  # a number cell drops the leading zero of codes like 010121
    return str(value).strip()


def _rows(header: list[str], records: Iterator[list[Any]]) -> Iterator[SheetRow]:
    scanned = 0
    data_rows = 0
    cells = sum(1 for name in header if name)
    for number, record in enumerate(records, start=2):
        scanned += 1
        if scanned > MAX_SCANNED_ROWS:
            raise _too_many_rows()
        if len(record) > MAX_COLUMNS:
            raise _too_many_cells_in_row(number)
        cells += sum(1 for cell in record if cell is not None and cell != "")
        if cells > MAX_CELLS:
            raise _too_many_cells()
        values = {}
        for column, cell in zip(header, record):
            if column:
                text = _cell_text(column, cell)
                if text:
                    values[column] = text
        if not values:
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise _too_many_rows()
        yield SheetRow(number=number, values=values)


def _csv_records(content: bytes) -> tuple[list[str], Iterator[list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The CSV file is not UTF-8 encoded. Save it as “CSV UTF-8”.")) from None
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        if ";" in first_line:
            delimiter = ";"
        elif "\t" in first_line:
            delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def records() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise ImportFileError(_("The CSV file cannot be read: %(error)s.") % {"error": exc}) from None

    rows = records()
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    if len(header) > MAX_COLUMNS:
        raise _too_many_cells_in_row(1)
    return normalise_header(header), rows


def _open_workbook(content: bytes):
    from openpyxl import load_workbook

    _check_workbook(content)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for damaged or foreign files
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from None


def _xlsx_records(content: bytes) -> tuple[list[str], Iterator[list[Any]]]:
    workbook = _open_workbook(content)
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_("The file is empty."))
        cells = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = next(cells, None)
    except ImportFileError:
        workbook.close()
        raise
    except Exception:
        workbook.close()
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from None
    if header is None:
        workbook.close()
        raise ImportFileError(_("The file is empty."))
    try:
        names = normalise_header(list(header))
    except ImportFileError:
        workbook.close()
        raise

    def records() -> Iterator[list[Any]]:
        try:
            for record in cells:
                yield list(record)
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(_("The file is not a valid XLSX workbook.")) from None
        finally:
            workbook.close()

    return names, records()


def read_rows(*, name: str, content: bytes) -> Iterator[SheetRow]:
    """The non-empty data rows of a file, streamed. Raises ImportFileError for a file that cannot be
    imported, either at once (type, encoding, header, the bounds of a workbook) or while iterating
    (damaged content, too many rows or cells). Called by the import task only."""
    kind = check_upload(name=name, content=content)
    header, records = _csv_records(content) if kind == "csv" else _xlsx_records(content)
    return _rows(header, records)


def count_rows(*, name: str, content: bytes) -> int:
    """Checks the whole file and returns its number of data rows."""
    total = sum(1 for _row in read_rows(name=name, content=content))
    if total == 0:
        raise ImportFileError(_("The file has no listing rows."))
    return total


# --- row mapping ----------------------------------------------------------------------------------

def category_ids() -> dict[str, int]:
    return dict(Category.objects.values_list("path", "pk"))


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _price_tiers(value: str) -> list[dict[str, str]]:
    tiers = []
    for part in _split(value):
        quantity, sep, price = part.partition(":")
        if not sep or not quantity.strip() or not price.strip():
            raise ValueError(_("Write price tiers as quantity:price pairs separated by semicolons, "
                               "e.g. 1:10.00;100:8.50."))
        quantity, price = quantity.strip(), price.strip()
        try:
            amount = Decimal(price)
        except InvalidOperation:
            raise ValueError(_("%(price)s is not a price.") % {"price": price}) from None
        if quantity.isdigit() and int(quantity) > MAX_QUANTITY:
            raise ValueError(_("The quantity %(quantity)s is too large.") % {"quantity": quantity})
        if amount.is_finite():
            if amount > MAX_PRICE:
                raise ValueError(_("The price %(price)s is too large.") % {"price": price})
            if amount != amount.quantize(Decimal("0.01")):
                raise ValueError(_("Prices have at most two decimal places."))
        tiers.append({"min_quantity": quantity, "unit_price": price})
    return tiers


def _certificates(value: str) -> list[dict[str, str]]:
    certificates = []
    for part in _split(value):
        pieces = [piece.strip() for piece in part.split("|")]
        if len(pieces) > 4:
            raise ValueError(_("Write certificates as name|issuer|number|valid until (YYYY-MM-DD), "
                               "separated by semicolons."))
        pieces += [""] * (4 - len(pieces))
        name, issuer, number, valid_until = pieces
        certificates.append({"name": name, "issuer": issuer, "number": number, "valid_until": valid_until or None})
    return certificates


def row_map(values: dict[str, str], *, categories: dict[str, int]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The listing input of one row, as listing_clean_input takes it, and the problems this mapping
    finds, every column checked. The listing rules are checked by the listing services."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for column, text in values.items():
        if column == "category":
            if text.isdigit():
                data[column] = text
            else:
                path = "/".join(part.strip() for part in text.strip().strip("/").lower().split("/"))
                if path in categories:
                    data[column] = categories[path]
                else:
                    errors[column] = [_("There is no category %(path)s.") % {"path": text}]
        elif column == "price_tiers":
            try:
                data[column] = _price_tiers(text)
            except ValueError as exc:
                errors[column] = [str(exc)]
        elif column == "certificates":
            try:
                data[column] = _certificates(text)
            except ValueError as exc:
                errors[column] = [str(exc)]
        elif column in LOWERCASE_COLUMNS:
            data[column] = text.lower()
        else:
            data[column] = text
    return data, errors


def row_to_input(values: dict[str, str], *, categories: dict[str, int]) -> dict[str, Any]:
    """The listing input of one row; raises ApplicationError with every problem the mapping finds."""
    data, errors = row_map(values, categories=categories)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], code="validation_error", fields=errors)
    return data


# --- error report ---------------------------------------------------------------------------------

REPORT_COLUMNS = ("row", "column", "value", "message")
# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _report_cell(text: Any) -> str:
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def report_lines(errors: list[dict[str, Any]]) -> Iterator[tuple[int | None, str, str, str]]:
    """One (row, column, value, message) per problem of an import's error list, in its order. A
    problem of the whole row has no column; one of the whole file has no row ("file" as its column)."""
    for entry in errors:
        values = entry.get("values") or {}
        # In the order of the template's columns, whatever order the database keeps the keys in.
        fields = sorted((entry.get("errors") or {}).items(),
                        key=lambda item: COLUMNS.index(item[0]) if item[0] in COLUMNS else -1)
        for field, messages in fields:
            column = "" if field == "non_field_errors" else field
            for message in messages:
                yield entry.get("row"), column, values.get(column, ""), str(message)


def report_csv(errors: list[dict[str, Any]]) -> str:
    """The error report as CSV text with a header row: row, column, value, message."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Message")])
    for row, column, value, message in report_lines(errors):
        writer.writerow(["" if row is None else row, column, _report_cell(value), _report_cell(message)])
    return buffer.getvalue()


def report_response(listing_import) -> HttpResponse:
    """The error report of an import as a CSV download (UTF-8 with a BOM, which spreadsheet programs
    need to read it as UTF-8)."""
    response = HttpResponse("\ufeff" + report_csv(listing_import.errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{listing_import.pk}-errors.csv"'
    return response
