"""Trade documents of an order: when each is issued, who may read it, what it says, its HTML
escaping, its PDF, and the number of queries it takes."""
from __future__ import annotations

import re
import shutil
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from accounts.models import Company
from core.exceptions import Conflict
from orders import services
from orders.document_render import DEFAULT_FONT, core_font_text, render_document_html, render_document_pdf
from payments.references import rf_format, rf_reference_for_order
from orders.documents import DocumentCost, DocumentLine, DocumentParty, order_document
from orders.models import OrderLine, OrderStatus
from tests.orders.helpers import order_in, snapshot

pytestmark = pytest.mark.django_db
S = OrderStatus
KINDS = ("proforma", "commercial-invoice", "packing-list")
XSS = '<script>alert("x")</script>'


def url(order_id, kind: str) -> str:
    return f"/api/v1/orders/{order_id}/documents/{kind}/"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


# --- reading the text of an uncompressed PDF ----------------------------------------------------------

def _literal_strings(chunk: bytes) -> list[bytes]:
    """The literal (...) strings of a piece of page content, unescaped."""
    out, i = [], 0
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(chunk):
        if chunk[i] != ord("("):
            i += 1
            continue
        depth, i, value = 1, i + 1, bytearray()
        while i < len(chunk):
            byte = chunk[i]
            if byte == ord("\\"):
                following = chunk[i + 1]
                octal = re.match(rb"[0-7]{1,3}", chunk[i + 1:i + 4])
                if octal:
                    value.append(int(octal.group(), 8) & 0xFF)
                    i += 1 + len(octal.group())
                    continue
                value += escapes.get(following, bytes([following]))
                i += 2
                continue
            if byte == ord("("):
                depth += 1
            elif byte == ord(")"):
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            value.append(byte)
            i += 1
        out.append(bytes(value))
    return out


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages of an uncompressed PDF with a single font: a TrueType font with a
    ToUnicode map (two bytes a glyph) or a core font (one byte a character), one line a text object."""
    cmap = {}
    for block in re.findall(rb"beginbfchar\n(.*?)endbfchar", data, re.S):
        for code, char in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4})>", block):
            cmap[int(code, 16)] = chr(int(char, 16))
    lines = []
    for block in re.findall(rb"(?:^|\s)BT (.*?) ET(?=\s)", data, re.S | re.M):
        text = ""
        for raw in _literal_strings(block):
            if cmap:
                text += "".join(cmap.get(int.from_bytes(raw[j:j + 2], "big"), "\ufffd") for j in range(0, len(raw), 2))
            else:
                text += raw.decode("latin-1")
        if text:
            lines.append(text)
    return "\n".join(lines)


@pytest.fixture
def readable_pdf(settings, tmp_path):
    """PDFs left uncompressed, in a copy of DejaVu Sans without its bold file (one font, one map)."""
    font = tmp_path / "DocumentFont.ttf"
    shutil.copy(DEFAULT_FONT, font)
    settings.DOCUMENT_PDF_FONT = str(font)
    settings.DOCUMENT_PDF_COMPRESS = False


@pytest.fixture
def core_font_pdf(settings, tmp_path):
    """No TrueType font: the PDF falls back to Helvetica; uncompressed."""
    settings.DOCUMENT_PDF_FONT = str(tmp_path / "missing.ttf")
    settings.DOCUMENT_PDF_COMPRESS = False


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


# --- when each document is issued -----------------------------------------------------------------------

AVAILABLE = {
    S.PLACED: set(),
    S.ACCEPTED: {"proforma"},
    S.REFUSED: set(),
    S.CANCELLED: set(),  # cancelled before the seller accepted it
    S.PAID: {"proforma"},
    S.SHIPPED: set(KINDS),
    S.DELIVERED: set(KINDS),
    S.DISPUTED: set(KINDS),
    S.RESOLVED: set(KINDS),
    S.COMPLETED: set(KINDS),
}


@pytest.mark.parametrize("status", list(AVAILABLE))
def test_which_documents_each_state_has(as_user, world, status):
    order = order_in(world, status)
    client = as_user(world.buyer_owner)
    before = snapshot()

    answers = {kind: client.get(url(order.pk, kind)) for kind in KINDS}

    assert {kind for kind, r in answers.items() if r.status_code == 200} == AVAILABLE[status]
    for kind, response in answers.items():
        if kind in AVAILABLE[status]:
            assert response["Content-Type"] == "text/html; charset=utf-8"
        else:
            assert response.status_code == 409
            assert error_of(response)["code"] == "document_not_available"
    assert snapshot() == before


def test_an_order_cancelled_after_acceptance_keeps_its_proforma(as_user, world):
    order = order_in(world, S.ACCEPTED)
    services.order_cancel(order_id=order.pk, actor=world.buyer_owner, reason="Budget cut.")
    client = as_user(world.buyer_owner)

    proforma = client.get(url(order.pk, "proforma"))
    invoice = client.get(url(order.pk, "commercial-invoice"))

    assert proforma.status_code == 200
    assert f"PI-{order.pk}" in proforma.content.decode()
    assert invoice.status_code == 409
    assert error_of(invoice)["code"] == "document_not_available"


def test_the_selector_refuses_a_document_not_issued_yet(world):
    order = order_in(world, S.PAID)

    with pytest.raises(Conflict) as raised:
        order_document(actor=world.seller_t_owner, order_id=order.pk, kind="packing-list")

    assert (raised.value.status_code, raised.value.code) == (409, "document_not_available")


# --- who may read them ------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "expected"), [
    ("buyer_owner", 200), ("buyer_staff", 200), ("seller_t_owner", 200), ("moderator", 200),
    ("other_owner", 404), ("seller_c_owner", 404),
])
def test_permission_matrix(as_user, world, who, expected):
    order = order_in(world, S.SHIPPED)
    client = as_user(getattr(world, who))

    codes = {kind: client.get(url(order.pk, kind)).status_code for kind in KINDS}
    pdf = client.get(url(order.pk, "proforma"), {"format": "pdf"})

    assert codes == dict.fromkeys(KINDS, expected)
    assert pdf.status_code == expected


def test_anonymous_is_refused(api_client, world):
    order = order_in(world, S.SHIPPED)

    response = api_client.get(url(order.pk, "proforma"))

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_an_outsider_gets_404_even_before_the_document_exists(as_user, world):
    order = order_in(world, S.PLACED)

    response = as_user(world.other_owner).get(url(order.pk, "proforma"))

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_unknown_order_kind_and_format(as_user, world):
    order = order_in(world, S.SHIPPED)
    client = as_user(world.buyer_owner)

    missing = client.get(url(order.pk + 1000, "proforma"))
    unknown_kind = client.get(url(order.pk, "bill-of-lading"))
    unknown_format = client.get(url(order.pk, "proforma"), {"format": "docx"})

    assert (missing.status_code, unknown_kind.status_code, unknown_format.status_code) == (404, 404, 400)
    assert error_of(unknown_format) == {"code": "validation_error", "message": "Choose one of: HTML, PDF.",
                                        "fields": {"format": ["Choose one of: HTML, PDF."]}}


# --- what they say ----------------------------------------------------------------------------------

def test_the_commercial_invoice_data(world):
    order = order_in(world, S.SHIPPED)

    doc = order_document(actor=world.buyer_owner, order_id=order.pk, kind="commercial-invoice")

    assert (doc.kind, doc.title, doc.number, doc.order_id, doc.issued_at) == (
        "commercial-invoice", "Commercial invoice", f"CI-{order.pk}", order.pk, order.shipped_at)
    assert doc.seller == DocumentParty(legal_name="Tekstil A.S.", address=world.seller_t.address, country="TR",
                                       country_name="Türkiye",
                                       registration_number=world.seller_t.registration_number)
    assert doc.buyer == DocumentParty(legal_name="Gamma Handel GmbH", address="1 Hauptstrasse, Gamma Handel GmbH",
                                      country="DE", country_name="Germany",
                                      registration_number=world.buyer.registration_number)
    assert doc.lines == (DocumentLine(
        title="Bath towel", hs_code="630260", origin_country=str(world.towel.origin_country),
        origin_country_name=world.towel.origin_country.name, quantity=20, unit="piece", unit_label="piece",
        unit_price=Decimal("100.00"), line_total=Decimal("2000.00"), unit_weight_kg=Decimal("0.500"),
        weight_kg=Decimal("10.000"), packages=1),)
    assert doc.costs == (
        DocumentCost("goods", "Goods", Decimal("2000.00"), "buyer", "Buyer", "seller", "the seller (on its invoice)"),
        DocumentCost("shipping", "Shipping", Decimal("300.00"), "buyer", "Buyer", "carrier", "the carrier"),
        DocumentCost("insurance", "Insurance", Decimal("0.00"), "buyer", "Buyer", "insurer", "the insurer"),
        DocumentCost("duty", "Import duty", Decimal("276.00"), "buyer", "Buyer", "customs",
                     "customs at the destination"),
        DocumentCost("vat", "Import VAT", Decimal("489.44"), "buyer", "Buyer", "customs", "customs at the destination"),
    )
    # EXW: the invoice is the goods; carriage, duty and VAT are the buyer's costs paid to others.
    assert (doc.total, doc.invoice_total, doc.buyer_other_costs) == (
        Decimal("3065.44"), Decimal("2000.00"), Decimal("1065.44"))
    assert (doc.currency, doc.buyer_currency, doc.fx_rate, str(doc.fx_rate_date), doc.fx_source,
            doc.invoice_total_in_buyer_currency) == ("TRY", "EUR", Decimal("0.025"), "2026-01-05", "ecb",
                                                     Decimal("50.00"))
    assert (doc.payment_terms_label, doc.payment_reference, doc.pay_to) == (
        "100% in advance, when the seller accepts the order", rf_format(rf_reference_for_order(order.pk)), {})
    assert [(i.sequence, i.amount, i.paid_amount) for i in doc.instalments] == [
        (1, Decimal("2000.00"), Decimal("2000.00"))]
    assert (doc.incoterm, doc.incoterm_label, doc.destination_country) == ("EXW", "EXW – Ex Works", "DE")
    assert (doc.carrier, doc.tracking_number, doc.total_weight_kg, doc.package_count) == (
        "Maersk", "MSK1", Decimal("10.000"), 1)


def test_the_proforma_is_dated_at_acceptance_and_names_no_carrier(world):
    order = order_in(world, S.SHIPPED)

    doc = order_document(actor=world.moderator, order_id=order.pk, kind="proforma")

    assert (doc.number, doc.issued_at, doc.carrier, doc.tracking_number) == (
        f"PI-{order.pk}", order.accepted_at, "", "")


def test_the_commercial_invoice_page(as_user, world):
    order = order_in(world, S.SHIPPED, listing=world.cable)

    response = as_user(world.buyer_owner).get(url(order.pk, "commercial-invoice"))
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    for text in (f"CI-{order.pk}", _date(order.shipped_at), "Cable Works Ltd", world.seller_c.registration_number,
                 "Gamma Handel GmbH", world.buyer.registration_number, '<td class="hs-code">854442</td>',
                 "China (CN)", "FOB – Free on Board", "Germany (DE)", '<dd class="document-currency">CNY</dd>',
                 "1 CNY = 0.12500000 EUR", "<td class=\"number\">0.200</td>", "<td class=\"number\">60.000</td>",
                 "<td class=\"number\">12.50</td>", "<td class=\"number\">3750.00</td>", "Maersk", "MSK1",
                 "Total weight (kg): 60.000"):
        assert text in html, text


def test_the_proforma_page_has_prices_but_no_shipment(as_user, world):
    order = order_in(world, S.PAID)

    html = as_user(world.seller_t_owner).get(url(order.pk, "proforma")).content.decode()

    assert "<h1>Proforma invoice</h1>" in html
    assert f"PI-{order.pk}" in html and _date(order.accepted_at) in html
    assert "1 TRY = 0.02500000 EUR" in html and "50.00 EUR" in html and "3065.44 TRY" in html
    assert "Invoice total, payable by the buyer to the seller" in html and "2000.00 TRY" in html
    assert "Estimated costs the buyer pays to others (carrier, insurer, customs), not to the seller" in html
    assert "1065.44 TRY" in html
    assert f'<strong class="payment-reference">{rf_format(order.payment_reference)}</strong>' in html
    assert "The seller has not given a bank account yet" in html
    assert '<td class="hs-code">630260</td>' in html
    assert "Tracking number" not in html


def test_the_packing_list_page_has_weights_and_packages_but_no_prices(as_user, world):
    order = order_in(world, S.DELIVERED)
    OrderLine.objects.filter(order=order).update(unit="carton")

    html = as_user(world.buyer_owner).get(url(order.pk, "packing-list")).content.decode()

    assert f"PL-{order.pk}" in html
    assert '<dd class="document-packages">20</dd>' in html
    assert '<dd class="document-weight">10.000</dd>' in html
    assert '<td class="hs-code">630260</td>' in html and "EXW – Ex Works" in html and "MSK1" in html
    assert "Unit price" not in html and "100.00" not in html


def test_markup_in_a_title_or_a_company_name_is_escaped(as_user, world):
    order = order_in(world, S.SHIPPED)
    OrderLine.objects.filter(order=order).update(title=XSS)
    Company.objects.filter(pk=world.seller_t.pk).update(legal_name=XSS, address=f"{XSS}\nIstanbul")

    pages = [as_user(world.buyer_owner).get(url(order.pk, kind)).content.decode() for kind in KINDS]

    for html in pages:
        assert "<script" not in html
        assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 2


# --- the PDF ------------------------------------------------------------------------------------------

def test_the_pdf_download(as_user, world, readable_pdf):
    order = order_in(world, S.SHIPPED)

    response = as_user(world.buyer_owner).get(url(order.pk, "commercial-invoice"), {"format": "pdf"})
    text = pdf_text(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="CI-{order.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    for line in (f"CI-{order.pk}", "Commercial invoice", "Description", "HS code", "Origin", "Unit price",
                 "Tekstil A.S.", "Gamma Handel GmbH", "630260",
                 f"{world.towel.origin_country.name} ({world.towel.origin_country})", "EXW – Ex Works",
                 "1 TRY = 0.02500000 EUR (rate of Jan. 5, 2026, source ecb)", "2000.00", "3065.44 TRY",
                 "50.00 EUR", "0.500", "10.000", "Maersk", "MSK1"):
        assert line in text.splitlines(), line


def test_the_default_pdf_is_compressed_and_named_in_its_metadata(as_user, world, settings):
    settings.DOCUMENT_PDF_FONT = None
    order = order_in(world, S.ACCEPTED)

    response = as_user(world.buyer_owner).get(url(order.pk, "proforma"), {"format": "pdf"})

    assert response.content.startswith(b"%PDF-")
    assert f"/Title (PI-{order.pk})".encode() in response.content
    assert b"/FlateDecode" in response.content
    assert b"DejaVuSans" in response.content


def test_the_packing_list_pdf(world, readable_pdf):
    order = order_in(world, S.SHIPPED, listing=world.cable)

    text = pdf_text(render_document_pdf(order_document(actor=world.seller_c_owner, order_id=order.pk,
                                                       kind="packing-list"))).splitlines()

    assert f"PL-{order.pk}" in text and "854442" in text and "60.000" in text and "300" in text
    assert "Packages" in text and "Unit price" not in text and "12.50" not in text


def test_turkish_and_chinese_characters_in_the_pdf(world, readable_pdf):
    order = order_in(world, S.SHIPPED)
    OrderLine.objects.filter(order=order).update(title="Havlu İğşıÖç 毛巾")
    doc = order_document(actor=world.buyer_owner, order_id=order.pk, kind="commercial-invoice")

    data = render_document_pdf(doc)

    assert data.startswith(b"%PDF-")
    # DejaVu Sans has the Turkish letters; it has no Chinese glyphs, which are left blank.
    assert any(line.startswith("Havlu İğşıÖç") for line in pdf_text(data).splitlines())


def test_without_a_truetype_font_the_pdf_uses_helvetica_and_replaces_what_it_cannot_encode(world, core_font_pdf):
    order = order_in(world, S.SHIPPED)
    OrderLine.objects.filter(order=order).update(title="Havlu İğşıÖç 毛巾")
    Company.objects.filter(pk=world.seller_t.pk).update(legal_name="Tekstil A.Ş.")
    doc = order_document(actor=world.buyer_owner, order_id=order.pk, kind="proforma")

    data = render_document_pdf(doc)
    text = pdf_text(data).splitlines()

    assert data.startswith(b"%PDF-")
    assert b"/BaseFont /Helvetica" in data and b"DejaVu" not in data
    assert "Havlu IgsiÖç ??" in text
    assert "Tekstil A.S." in text and f"PI-{order.pk}" in text and "EXW - Ex Works" in text


def test_core_font_text():
    assert core_font_text("İpek ş ı Ğ é – 中 €") == "Ipek s i G é - ? EUR"


def test_an_unreadable_font_file_falls_back_to_helvetica(world, settings, tmp_path):
    broken = tmp_path / "Broken.ttf"
    broken.write_bytes(b"not a font")
    settings.DOCUMENT_PDF_FONT = str(broken)
    order = order_in(world, S.ACCEPTED)

    data = render_document_pdf(order_document(actor=world.buyer_owner, order_id=order.pk, kind="proforma"))

    assert data.startswith(b"%PDF-") and b"/BaseFont /Helvetica" in data


def test_html_rendering_is_a_standalone_page(world):
    order = order_in(world, S.ACCEPTED)

    html = render_document_html(order_document(actor=world.buyer_owner, order_id=order.pk, kind="proforma"))

    assert html.startswith("<!doctype html>")
    assert '<link rel="stylesheet" href="/static/frontend/site.css">' in html
    assert "<style" not in html and "style=" not in html and "<script" not in html


# --- queries ------------------------------------------------------------------------------------------

def _with_lines(order, count: int) -> None:
    line = OrderLine.objects.get(order=order)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, listing_ref=line.listing_ref, title=f"Towel {n}", hs_code=line.hs_code,
                  origin_country=line.origin_country, unit=line.unit, quantity=line.quantity,
                  unit_price=line.unit_price, line_total=line.line_total, unit_weight_kg=line.unit_weight_kg,
                  weight_kg=line.weight_kg) for n in range(count - 1)])


@pytest.mark.parametrize("kind", KINDS)
def test_queries_do_not_grow_with_the_lines(as_user, world, kind):
    one, many = order_in(world, S.SHIPPED), order_in(world, S.SHIPPED)
    _with_lines(many, 20)
    client = as_user(world.buyer_owner)
    counts = []
    for order, lines in ((one, 1), (many, 20)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(order.pk, kind), {"format": "pdf" if kind == "packing-list" else "html"})
        assert response.status_code == 200
        counts.append(len(queries))
        if kind == "proforma":
            assert response.content.decode().count('<td class="hs-code">') == lines

    # The visibility check, the order with both companies, the lines, the instalments.
    assert counts == [4, 4]
