"""HTML and PDF of an order's trade documents (orders.documents.OrderDocument).

The HTML is a printable standalone page, escaped by the template engine. The PDF is drawn with
fpdf2 in a Unicode TrueType font: DOCUMENT_PDF_FONT when set, otherwise DejaVu Sans where the system
has it; the file's "-Bold" sibling is used for headings when present. Fonts listed in
DOCUMENT_PDF_FALLBACK_FONTS supply the glyphs the main font lacks (a CJK font, for instance). Without
a usable TrueType font the PDF falls back to the core Helvetica font and every character it cannot
encode is replaced, so a document is always produced. DOCUMENT_PDF_COMPRESS (default on) compresses
the page streams."""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import TextEmphasis

from .documents import COMMERCIAL_INVOICE, PACKING_LIST, PROFORMA, OrderDocument

logger = logging.getLogger(__name__)

TEMPLATES = {
    PROFORMA: "orders/documents/proforma.html",
    COMMERCIAL_INVOICE: "orders/documents/commercial_invoice.html",
    PACKING_LIST: "orders/documents/packing_list.html",
}
DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FAMILY = "DocumentSans"
CORE_FAMILY = "Helvetica"

# Characters the core fonts cannot encode and that do not decompose into ones they can.
CORE_REPLACEMENTS = str.maketrans({
    "ı": "i", "–": "-", "—": "-", "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "…": "...",
    "€": "EUR", "•": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})


# --- HTML --------------------------------------------------------------------------------------------

def render_document_html(doc: OrderDocument) -> str:
    return render_to_string(TEMPLATES[doc.kind], {"doc": doc, "parties": [(_("Seller"), doc.seller),
                                                                          (_("Buyer"), doc.buyer)]})


# --- PDF ---------------------------------------------------------------------------------------------

def _date(value) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, "DATE_FORMAT")


def _number(value: Decimal | int) -> str:
    return formats.localize(value)


def core_font_text(text: str, encoding: str = "latin-1") -> str:
    """`text` with every character the core fonts cannot encode replaced: accents are dropped where
    the letter decomposes (ş -> s), a few punctuation marks are spelled plainly, the rest become "?"."""
    out = []
    for char in str(text).translate(CORE_REPLACEMENTS):
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                base.encode(encoding)
            except UnicodeEncodeError:
                base = ""
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class _Fonts:
    family: str
    bold: str  # the style of headings: "B", or "" when the font has no bold file
    unicode: bool


def _font_file() -> Path | None:
    configured = getattr(settings, "DOCUMENT_PDF_FONT", None)
    path = Path(configured) if configured else Path(DEFAULT_FONT)
    if path.is_file():
        return path
    if configured:
        logger.warning("DOCUMENT_PDF_FONT %s is not a file; documents use the core font.", configured)
    return None


def _load_fonts(pdf: FPDF) -> _Fonts:
    path = _font_file()
    if path is None:
        return _Fonts(CORE_FAMILY, "B", unicode=False)
    try:
        pdf.add_font(FAMILY, "", str(path))
        bold_path = path.with_name(f"{path.stem}-Bold{path.suffix}")
        bold = ""
        if bold_path.is_file():
            pdf.add_font(FAMILY, "B", str(bold_path))
            bold = "B"
    except Exception:  # an unreadable or unsupported font file must not stop the document
        logger.exception("Could not load the document font %s; documents use the core font.", path)
        return _Fonts(CORE_FAMILY, "B", unicode=False)
    fallbacks = []
    for index, extra in enumerate(getattr(settings, "DOCUMENT_PDF_FALLBACK_FONTS", None) or []):
        if not Path(extra).is_file():
            continue
        try:
            pdf.add_font(f"{FAMILY}Fallback{index}", "", str(extra))
        except Exception:
            logger.exception("Could not load the fallback document font %s.", extra)
            continue
        fallbacks.append(f"{FAMILY}Fallback{index}")
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    return _Fonts(FAMILY, bold, unicode=True)


class _DocumentPDF(FPDF):
    def __init__(self, doc: OrderDocument) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc = doc
        self.doc_fonts = _load_fonts(self)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(12, 12, 12)
        self.alias_nb_pages()

    def clean(self, text) -> str:
        text = "" if text is None else str(text)
        return text if self.doc_fonts.unicode else core_font_text(text, self.core_fonts_encoding)

    def use(self, size: float, *, bold: bool = False) -> None:
        self.set_font(self.doc_fonts.family, self.doc_fonts.bold if bold else "", size)

    def write_line(self, text, *, size: float = 9, bold: bool = False, height: float = 4.6) -> None:
        self.use(size, bold=bold)
        self.multi_cell(0, height, self.clean(text), new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.use(7)
        self.cell(0, 5, self.clean(_("%(number)s, page %(page)s of %(pages)s")
                                   % {"number": self.doc.number, "page": self.page_no(), "pages": "{nb}"}),
                  align="C")


def _facts(pdf: _DocumentPDF, rows: list[tuple[str, str]]) -> None:
    label_width = 45
    for label, value in rows:
        pdf.use(9, bold=True)
        pdf.cell(label_width, 4.8, pdf.clean(label))
        pdf.use(9)
        pdf.multi_cell(0, 4.8, pdf.clean(value), new_x="LMARGIN", new_y="NEXT")


def _parties(pdf: _DocumentPDF, doc: OrderDocument) -> None:
    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    bottom = top
    for column, (label, party) in enumerate([(_("Seller"), doc.seller), (_("Buyer"), doc.buyer)]):
        x = pdf.l_margin + column * half
        pdf.set_xy(x, top)
        text = [party.legal_name, party.address, f"{party.country_name} ({party.country})",
                f"{_('Registration number')}: {party.registration_number}"]
        pdf.use(10, bold=True)
        pdf.multi_cell(half - 4, 5, pdf.clean(label), new_x="LEFT", new_y="NEXT")
        pdf.use(9)
        pdf.multi_cell(half - 4, 4.6, pdf.clean("\n".join(text)), new_x="LEFT", new_y="NEXT")
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 3)


def _table(pdf: _DocumentPDF, headings: list[str], rows: list[list[str]], widths: tuple[int, ...],
           align: tuple[str, ...]) -> None:
    pdf.use(7.5)
    heading_style = FontFace(emphasis=TextEmphasis.B if pdf.doc_fonts.bold else None, fill_color=(235, 238, 242))
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", text_align=align, line_height=4.2,
                   padding=1, headings_style=heading_style, first_row_as_headings=True) as table:
        heading = table.row()
        for text in headings:
            heading.cell(pdf.clean(text))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(pdf.clean(value))
    pdf.ln(3)


def _lines(pdf: _DocumentPDF, doc: OrderDocument) -> None:
    common = [_("Description"), _("HS code"), _("Origin"), _("Quantity"), _("Unit")]
    weights = [_("Unit weight (kg)"), _("Weight (kg)")]
    if doc.shows_prices:
        headings = [*common, _("Unit price"), _("Amount"), *weights]
        rows = [[line.title, line.hs_code, f"{line.origin_country_name} ({line.origin_country})",
                 _number(line.quantity), line.unit_label, _number(line.unit_price), _number(line.line_total),
                 _number(line.unit_weight_kg), _number(line.weight_kg)] for line in doc.lines]
        widths = (42, 14, 24, 16, 15, 19, 22, 18, 16)
        align = ("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    else:
        headings = [*common, _("Packages"), *weights]
        rows = [[line.title, line.hs_code, f"{line.origin_country_name} ({line.origin_country})",
                 _number(line.quantity), line.unit_label, _number(line.packages), _number(line.unit_weight_kg),
                 _number(line.weight_kg)] for line in doc.lines]
        widths = (56, 15, 26, 17, 17, 17, 20, 18)
        align = ("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT")
    _table(pdf, headings, rows, widths, align)


def _totals(pdf: _DocumentPDF, doc: OrderDocument) -> None:
    if not doc.shows_prices:
        _facts(pdf, [(_("Packages"), _number(doc.package_count)),
                     (_("Total weight (kg)"), _number(doc.total_weight_kg))])
        return
    pdf.write_line(_("Totals in %(currency)s") % {"currency": doc.currency}, size=10, bold=True)
    rows = [[cost.label, cost.payer_label, cost.paid_to_label, f"{_number(cost.amount)} {doc.currency}"]
            for cost in doc.costs]
    rows += [[_("Invoice total, payable by the buyer to the seller"), "", "",
              f"{_number(doc.invoice_total)} {doc.currency}"],
             [_("Invoice total in %(currency)s") % {"currency": doc.buyer_currency}, "", "",
              f"{_number(doc.invoice_total_in_buyer_currency)} {doc.buyer_currency}"],
             [_("Estimated costs the buyer pays to others (carrier, insurer, customs)"), "", "",
              f"{_number(doc.buyer_other_costs)} {doc.currency}"],
             [_("Estimated landed cost for the buyer"), "", "", f"{_number(doc.total)} {doc.currency}"]]
    _table(pdf, [_("Component"), _("Paid by"), _("Paid to"), _("Amount")], rows, (78, 22, 45, 35),
           ("LEFT", "LEFT", "LEFT", "RIGHT"))
    _facts(pdf, [(_("Total weight (kg)"), _number(doc.total_weight_kg))])
    if doc.kind == PROFORMA:
        pdf.ln(2)
        pdf.write_line(_("Payment"), size=10, bold=True)
        facts = [(_("Payment terms"), doc.payment_terms_label)]
        facts += [(_("Instalment %(number)d") % {"number": item.sequence},
                   f"{_number(item.amount)} {doc.currency}, {item.due_label}") for item in doc.instalments]
        facts.append((_("Payment reference"), doc.payment_reference))
        account = doc.pay_to
        if account:
            number = f"IBAN {account.get('iban')}" if account.get("iban") else account.get("account_number", "")
            facts.append((_("Pay into"), f"{account.get('account_holder', '')}, {account.get('bank_name', '')}, "
                                         f"{number}, SWIFT/BIC {account.get('bic', '')} ({account.get('currency', '')})"))
        else:
            facts.append((_("Pay into"), _("The seller has not given a bank account yet.")))
        _facts(pdf, facts)


NOTES = {
    PROFORMA: lambda: _("This proforma invoice states the accepted terms of the order for payment and import "
                        "formalities. The commercial invoice is issued when the goods are shipped."),
    COMMERCIAL_INVOICE: lambda: _("We declare that the information on this invoice is true and correct and that "
                                  "the goods are of the origin stated."),
}


def render_document_pdf(doc: OrderDocument) -> bytes:
    pdf = _DocumentPDF(doc)
    pdf.compress = bool(getattr(settings, "DOCUMENT_PDF_COMPRESS", True))
    pdf.set_title(doc.number)
    pdf.set_subject(f"{doc.title} {doc.number}")
    pdf.set_creator("SME Market")
    pdf.set_creation_date(doc.issued_at)
    pdf.add_page()

    pdf.write_line(doc.title, size=16, bold=True, height=8)
    _facts(pdf, [(_("Number"), doc.number), (_("Date"), _date(doc.issued_at)), (_("Order"), str(doc.order_id))])
    pdf.ln(3)
    _parties(pdf, doc)

    pdf.write_line(_("Terms of delivery"), size=10, bold=True, height=5)
    terms = [(_("Incoterm"), doc.incoterm_label),
             (_("Destination"), f"{doc.destination_country_name} ({doc.destination_country})"),
             (_("Delivery address"), doc.destination_address),
             (_("Currency"), doc.currency)]
    if doc.shows_prices:
        terms.append((_("Exchange rate"), "1 %s = %s %s (%s)" % (
            doc.currency, _number(doc.fx_rate), doc.buyer_currency,
            _("rate of %(date)s, source %(source)s") % {"date": _date(doc.fx_rate_date), "source": doc.fx_source})))
    if doc.shows_shipment:
        terms += [(_("Carrier"), doc.carrier), (_("Tracking number"), doc.tracking_number)]
    _facts(pdf, terms)
    pdf.ln(3)

    _lines(pdf, doc)
    _totals(pdf, doc)
    note = NOTES.get(doc.kind)
    if note:
        pdf.ln(3)
        pdf.write_line(note(), size=8)
    return bytes(pdf.output())


def private(response: HttpResponse) -> HttpResponse:
    """Never cached by shared caches, never sniffed into another type."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_response(content: bytes | str, *, content_type: str, filename: str | None = None) -> HttpResponse:
    """A document answer, private (see above), as an attachment when `filename` is given."""
    response = HttpResponse(content, content_type=content_type)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private(response)
