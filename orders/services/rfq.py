"""Requests for quotation and quotes: a buyer asks, sellers quote, the buyer accepts one quote and
it becomes an order in state placed at the quoted price.

Rules:
- Only members of a verified buying company post requests. The deadline is in the future and at
  most RFQ_MAX_DEADLINE_DAYS away; the quantity is at least 1; a target price is optional, at least
  0 and comes with its currency; the destination is an ISO country code that is not restricted as a
  whole. Naming recipients (verified selling companies) makes the request invited-only; otherwise
  it goes to the sellers of its category (orders/selectors/rfq.py says who sees what).
- Only verified selling companies quote, only on requests they may see, never on their own
  company's request, and only while the request is open and before its deadline. A seller has one
  live quote per request (a unique constraint decides a race); it revises (replaces the terms of)
  or withdraws it while the request is open. A quote is in the seller's default currency and
  describes the goods (HS code, origin, unit weight) itself or through one of the seller's listings.
- Accepting a quote (a member of the buyer, the request open and before its deadline, the quote
  submitted and still valid) locks the request row, then the quote row: two members accepting two
  quotes at once queue on the request and the second gets a 409. The quote becomes accepted, the
  other submitted quotes rejected, the request awarded, and one order is placed in a purchase group
  keyed "rfq-quote-<id>", so accepting the same quote again answers the same order.
- The order is for the requested quantity at the quoted unit price, under the quote's Incoterm,
  with the rate to the buyer's currency taken now and stored; its landed cost is estimated by
  trade.selectors.landed_cost_estimate when the seller ships to the destination, otherwise the order
  carries the goods only (no shipping, insurance, duty or VAT is estimated).
- No stock is reserved for quoted goods: a quote is made to order, not taken from a listing's
  stock, and the order gives nothing back to a listing when it is refused or cancelled.
- The request closes at its deadline: rfq_close_expired() is one conditional UPDATE, run by beat.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User, VerificationStatus
from accounts.selectors import company_require_not_suspended, is_member, user_require_verified_email
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.inputs import MAX_LINE_QUANTITY, amount_check, choice_error, country_code, decimal_column_max, field_error
from core.validators import CURRENCY_CODES, validate_plain_text
from fx.selectors import fx_quote
from marketplace.models import Category, Incoterm, Listing, ListingStatus, Unit
from trade import incoterms as trade_incoterms
from trade.selectors import LandedCost, LineInput, destination_check, landed_cost_estimate, money

from ..events.rfq import (
    CLOSED_AT_DEADLINE,
    CLOSED_BY_BUYER,
    quote_decided_notify,
    quote_received_notify,
    rfq_closed_notify,
    rfq_invited_notify,
)
from ..hooks import quote_submitted
from ..models import (
    Order,
    OrderLine,
    PurchaseGroup,
    Quote,
    QuoteStatus,
    Rfq,
    RfqAudience,
    RfqRecipient,
    RfqStatus,
)
from ..payment_terms import terms_choose
from ..pricing import request_fingerprint
from ..selectors import payment_terms_offered
from ..selectors.rfq import quote_is_expired, rfq_recipients, seller_is_audience
from .common import require_buyer_member
from .placing import order_create_placed

MAX_RECIPIENTS = 20
MAX_QUANTITY = MAX_LINE_QUANTITY
MAX_PRICE = Decimal("999999999999.99")
MAX_LEAD_TIME_DAYS = 730
MAX_VALIDITY_DAYS = 365
QUOTE_TERMS = ("unit_price", "moq", "lead_time_days", "incoterm", "valid_until", "listing_id", "hs_code",
               "origin_country", "unit_weight_kg", "note")


def max_deadline_days() -> int:
    return settings.RFQ_MAX_DEADLINE_DAYS


# --- cleaning ------------------------------------------------------------------------------------

def _text(field: str, value: Any, *, max_length: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise field_error(field, _("This field is required."))
    if len(text) > max_length:
        raise field_error(field, _("Ensure this field has no more than %(max)d characters.") % {"max": max_length})
    try:
        validate_plain_text(text)
    except ValidationError as exc:
        raise field_error(field, str(exc.messages[0])) from None
    return text


def _amount(field: str, value: Any, *, minimum: Decimal, places: str = "0.01",
            maximum: Decimal = MAX_PRICE) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter a number.")) from None
    step = Decimal(places)
    if not number.is_finite() or number != number.quantize(step) or number < minimum or number > maximum:
        raise field_error(field, _("Enter a number from %(min)s to %(max)s with at most %(places)d decimals.")
                          % {"min": minimum, "max": maximum, "places": -step.as_tuple().exponent})
    return number.quantize(step)


def _integer(field: str, value: Any, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool):
        raise field_error(field, _("Enter a whole number."))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise field_error(field, _("Enter a whole number.")) from None
    if number != value and str(number) != str(value).strip():
        raise field_error(field, _("Enter a whole number."))
    if not minimum <= number <= maximum:
        raise field_error(field, _("Enter a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum})
    return number


def _incoterm(value: Any) -> str:
    term = str(value or "").strip().upper()
    if term not in Incoterm.values:
        raise field_error("incoterm", _("%(value)s is not an Incoterms 2020 rule.") % {"value": value})
    return term


def _trade_field(exc: ApplicationError, field: str) -> ApplicationError:
    messages = [message for values in exc.fields.values() for message in values] or [exc.message]
    return ApplicationError(exc.message, code=exc.code, fields={field: messages}, status_code=exc.status_code)


def _lock_rfq(rfq_id: int) -> Rfq:
    rfq = (Rfq.objects.select_for_update(of=("self",)).select_related("buyer", "category")
           .filter(pk=rfq_id).first())
    if rfq is None:
        raise Http404
    return rfq


def _require_status_open(rfq: Rfq) -> None:
    if rfq.status != RfqStatus.OPEN:
        raise Conflict(_("This request for quotation is %(status)s.") % {"status": rfq.get_status_display()},
                       code="rfq_not_open")


def _require_open(rfq: Rfq, now: datetime) -> None:
    """Open and before its deadline."""
    _require_status_open(rfq)
    if rfq.deadline <= now:
        raise Conflict(_("The deadline of this request for quotation has passed."), code="rfq_deadline_passed")


def _require_submitted(quote: Quote) -> None:
    if quote.status != QuoteStatus.SUBMITTED:
        raise Conflict(_("This quote is %(status)s.") % {"status": quote.get_status_display()},
                       code="quote_not_submitted")


def _require_verified_seller(actor: User, seller: Company) -> None:
    if not is_member(actor=actor, company_id=seller.pk):
        raise Forbidden(_("Only members of the selling company can do that."))
    if not seller.sells:
        raise Forbidden(_("Only a company that sells can quote."), code="not_a_seller")
    company_require_not_suspended(company=seller)
    user_require_verified_email(actor=actor)
    if seller.verification_status != VerificationStatus.VERIFIED:
        raise Forbidden(_("Your company must be verified before it can quote."), code="seller_not_verified")


# --- requests ------------------------------------------------------------------------------------

def rfq_create(*, actor: User, buyer: Company, title: str, category: Category | str | int, quantity: int,
               incoterm: str, destination_country: str, deadline: datetime, unit: str = Unit.PIECE,
               description: str = "", target_price: Decimal | str | None = None, target_currency: str = "",
               destination_address: str = "", recipients: list[int] | None = None) -> Rfq:
    """Posts a request for quotation. `category` is a Category, its path or its id; `recipients`
    are the ids of the selling companies it is sent to (none: the sellers of the category)."""
    require_buyer_member(actor=actor, buyer=buyer)
    if buyer.verification_status != VerificationStatus.VERIFIED:
        raise Forbidden(_("Your company must be verified before it can post requests for quotation."),
                        code="buyer_not_verified")
    title = _text("title", title, max_length=200, required=True)
    description = _text("description", description, max_length=5000)
    if isinstance(category, Category):
        found = category
    else:
        lookup = {"pk": category} if str(category).isdigit() else {"path": str(category or "").strip("/")}
        found = Category.objects.filter(**lookup).first()
    if found is None:
        raise field_error("category", _("Choose a category."))
    quantity = _integer("quantity", quantity, minimum=1, maximum=MAX_QUANTITY)
    if unit not in Unit.values:
        raise choice_error("unit", Unit.choices)
    term = _incoterm(incoterm)
    country = country_code(destination_country, field="destination_country")
    try:
        destination_check(country=country, hs_codes=[])
    except ApplicationError as exc:
        raise _trade_field(exc, "destination_country") from None
    address = _text("destination_address", destination_address, max_length=500)

    price = None
    currency = str(target_currency or "").strip().upper()
    if target_price not in (None, ""):
        price = _amount("target_price", target_price, minimum=Decimal("0"))
        if not currency:
            raise field_error("target_currency", _("Give the currency of the target price."))
    if currency and currency not in CURRENCY_CODES:
        raise field_error("target_currency", _("%(value)s is not an ISO 4217 currency code.") % {"value": currency})
    if price is None:
        currency = ""

    now = timezone.now()
    if not isinstance(deadline, datetime):
        raise field_error("deadline", _("Enter a date and time."))
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= now:
        raise field_error("deadline", _("The deadline must be in the future."))
    if deadline > now + timedelta(days=max_deadline_days()):
        raise field_error("deadline", _("The deadline can be at most %(days)d days away.")
                          % {"days": max_deadline_days()})

    seller_ids = []
    for value in recipients or []:
        seller_ids.append(_integer("recipients", value, minimum=1, maximum=2**31 - 1))
    seller_ids = sorted(set(seller_ids))
    if len(seller_ids) > MAX_RECIPIENTS:
        raise field_error("recipients", _("Send the request to at most %(max)d sellers.") % {"max": MAX_RECIPIENTS})
    if seller_ids:
        valid = set(rfq_recipients(buyer=buyer).filter(pk__in=seller_ids).values_list("pk", flat=True))
        wrong = [pk for pk in seller_ids if pk not in valid]
        if wrong:
            raise field_error("recipients", _("These companies are not verified sellers you can ask: %(ids)s.")
                              % {"ids": ", ".join(str(pk) for pk in wrong)})

    with transaction.atomic():
        rfq = Rfq.objects.create(
            buyer=buyer, created_by=actor, title=title, description=description, category=found, quantity=quantity,
            unit=unit, target_price=price, target_currency=currency, destination_country=country,
            destination_address=address, incoterm=term, deadline=deadline,
            audience=RfqAudience.INVITED if seller_ids else RfqAudience.CATEGORY)
        RfqRecipient.objects.bulk_create(RfqRecipient(rfq=rfq, seller_id=pk) for pk in seller_ids)
        rfq_invited_notify(rfq=rfq, sellers=Company.objects.filter(pk__in=seller_ids).order_by("pk"), actor=actor)
    return rfq


def rfq_cancel(*, actor: User, rfq_id: int) -> Rfq:
    """The buyer withdraws an open request; the quotes stay as they were."""
    with transaction.atomic():
        rfq = _lock_rfq(rfq_id)
        if not is_member(actor=actor, company_id=rfq.buyer_id):
            raise Forbidden(_("Only members of the buying company can do that."))
        _require_status_open(rfq)
        rfq.status = RfqStatus.CANCELLED
        rfq.cancelled_at = timezone.now()
        rfq.save(update_fields=["status", "cancelled_at", "updated_at"])
        rfq_closed_notify(rfq=rfq, reason=CLOSED_BY_BUYER, quoted_sellers=_quoted_sellers(rfq), actor=actor)
    return rfq


def _quoted_sellers(rfq: Rfq) -> list[Company]:
    return list(Company.objects.filter(quotes__rfq=rfq, quotes__status=QuoteStatus.SUBMITTED).distinct().order_by("pk"))


def rfq_close_expired(*, now: datetime | None = None) -> int:
    """Closes every open request whose deadline has passed and tells its parties. The due requests
    are locked in primary-key order (waiting for an acceptance or another run that holds one, whose
    row is then looked at again) and closed by an UPDATE ... WHERE status = 'open', so a second or an
    overlapping run closes and announces each request once. Returns how many this run closed."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(Rfq.objects.select_for_update().filter(status=RfqStatus.OPEN, deadline__lte=now)
                   .order_by("pk").values_list("pk", flat=True))
        if not due:
            return 0
        closed = Rfq.objects.filter(pk__in=due, status=RfqStatus.OPEN).update(
            status=RfqStatus.CLOSED, closed_at=now, updated_at=now)
        for rfq in Rfq.objects.filter(pk__in=due, status=RfqStatus.CLOSED, closed_at=now).select_related("buyer"):
            rfq_closed_notify(rfq=rfq, reason=CLOSED_AT_DEADLINE, quoted_sellers=_quoted_sellers(rfq))
    return closed


# --- quotes --------------------------------------------------------------------------------------

def _clean_terms(*, rfq: Rfq, seller: Company, data: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate()
    terms: dict[str, Any] = {}
    terms["unit_price"] = _amount("unit_price", data.get("unit_price"), minimum=Decimal("0.01"))
    terms["moq"] = _integer("moq", data.get("moq", 1), minimum=1, maximum=MAX_QUANTITY)
    if terms["moq"] > rfq.quantity:
        raise field_error("moq", _("The request is for %(quantity)d; a quote's minimum order cannot be more.")
                          % {"quantity": rfq.quantity})
    terms["lead_time_days"] = _integer("lead_time_days", data.get("lead_time_days"), minimum=0,
                                       maximum=MAX_LEAD_TIME_DAYS)
    terms["incoterm"] = _incoterm(data.get("incoterm") or rfq.incoterm)
    valid_until = data.get("valid_until")
    if isinstance(valid_until, str):
        try:
            valid_until = date.fromisoformat(valid_until)
        except ValueError:
            valid_until = None
    if isinstance(valid_until, datetime) or not isinstance(valid_until, date):
        raise field_error("valid_until", _("Enter a date."))
    if valid_until < today:
        raise field_error("valid_until", _("A quote must be valid at least until today."))
    if valid_until > today + timedelta(days=MAX_VALIDITY_DAYS):
        raise field_error("valid_until", _("A quote can be valid at most %(days)d days.") % {"days": MAX_VALIDITY_DAYS})
    terms["valid_until"] = valid_until
    terms["note"] = _text("note", data.get("note"), max_length=2000)

    listing_id = data.get("listing_id")
    if listing_id not in (None, ""):
        listing_id = _integer("listing_id", listing_id, minimum=1, maximum=2**31 - 1)
        listing = Listing.objects.filter(pk=listing_id, seller=seller).exclude(
            status=ListingStatus.ARCHIVED).first()
        if listing is None:
            raise field_error("listing_id", _("Name one of your own listings."))
        terms.update(listing=listing, hs_code=listing.hs_code, origin_country=str(listing.origin_country),
                     unit_weight_kg=listing.weight_kg)
    else:
        hs_code = str(data.get("hs_code") or "").replace(".", "").replace(" ", "").strip()
        if len(hs_code) != 6 or not hs_code.isdigit():
            raise field_error("hs_code", _("An HS code has exactly 6 digits (or name one of your listings)."))
        weight = data.get("unit_weight_kg")
        terms.update(listing=None, hs_code=hs_code,
                     origin_country=country_code(data.get("origin_country"), field="origin_country"),
                     unit_weight_kg=Decimal("0.000") if weight in (None, "") else _amount(
                         "unit_weight_kg", weight, minimum=Decimal("0"), places="0.001",
                         maximum=Decimal("9999999.999")))
    try:
        destination_check(country=str(rfq.destination_country), hs_codes=[terms["hs_code"]])
    except ApplicationError as exc:
        raise _trade_field(exc, "hs_code") from None
    # The order of an accepted quote records the line total and the weight of the whole quantity.
    amount_check(terms["unit_price"] * rfq.quantity, field="unit_price")
    if terms["unit_weight_kg"] * rfq.quantity > _max_weight():
        raise field_error("unit_weight_kg", _("%(quantity)d units of this weight weigh more than one order can "
                                              "record (%(limit)s kg).")
                          % {"quantity": rfq.quantity, "limit": f"{_max_weight():,.3f}"}, code="weight_too_large")
    terms["currency"] = seller.default_currency
    return terms


def _max_weight() -> Decimal:
    column = Order._meta.get_field("total_weight_kg")
    return decimal_column_max(max_digits=column.max_digits, decimal_places=column.decimal_places)


def quote_submit(*, actor: User, seller: Company, rfq_id: int, **data: Any) -> Quote:
    """The seller's quote on a request it may see. 409 quote_exists when it already has a live quote
    (revise or withdraw that one)."""
    unknown = sorted(set(data) - set(QUOTE_TERMS))
    if unknown:
        raise TypeError(f"unknown quote terms: {unknown}")
    _require_verified_seller(actor, seller)
    try:
        with transaction.atomic():
            rfq = _lock_rfq(rfq_id)
            if rfq.buyer_id == seller.pk:
                raise Forbidden(_("A company cannot quote on its own request."), code="own_rfq")
            if not seller_is_audience(seller_id=seller.pk, rfq=rfq):
                raise Http404
            _require_open(rfq, timezone.now())
            if Quote.objects.filter(rfq=rfq, seller=seller, status__in=[QuoteStatus.SUBMITTED,
                                                                        QuoteStatus.ACCEPTED]).exists():
                raise Conflict(_("Your company already has a quote on this request; revise or withdraw it."),
                               code="quote_exists")
            terms = _clean_terms(rfq=rfq, seller=seller, data=data)
            quote = Quote.objects.create(rfq=rfq, seller=seller, submitted_by=actor, **terms)
            quote_received_notify(quote=quote, rfq=rfq, revised=False, actor=actor)
            quote_submitted(rfq_id=rfq.pk, seller_id=seller.pk, quote_id=quote.pk)
    except IntegrityError:
        # Only the one-live-quote constraint can fail here: a parallel submission of the same seller won.
        if not Quote.objects.filter(rfq_id=rfq_id, seller=seller, status__in=[QuoteStatus.SUBMITTED,
                                                                               QuoteStatus.ACCEPTED]).exists():
            raise
        raise Conflict(_("Your company already has a quote on this request; revise or withdraw it."),
                       code="quote_exists") from None
    return quote


def _lock_own_quote(actor: User, quote_id: int) -> tuple[Rfq, Quote]:
    """Locks the quote's request, then the quote (always in this order)."""
    rfq_id = Quote.objects.filter(pk=quote_id).values_list("rfq_id", flat=True).first()
    if rfq_id is None:
        raise Http404
    rfq = _lock_rfq(rfq_id)
    quote = Quote.objects.select_for_update(of=("self",)).select_related("seller").filter(pk=quote_id).first()
    if quote is None:
        raise Http404
    if not is_member(actor=actor, company_id=quote.seller_id):
        raise Forbidden(_("Only members of the selling company can change its quote."))
    return rfq, quote


def quote_revise(*, actor: User, quote_id: int, **changes: Any) -> Quote:
    """Replaces terms of the seller's submitted quote while the request is open; terms not given
    stay as they were."""
    unknown = sorted(set(changes) - set(QUOTE_TERMS))
    if unknown:
        raise TypeError(f"unknown quote terms: {unknown}")
    with transaction.atomic():
        rfq, quote = _lock_own_quote(actor, quote_id)
        _require_verified_seller(actor, quote.seller)
        _require_submitted(quote)
        _require_open(rfq, timezone.now())
        current = {"unit_price": quote.unit_price, "moq": quote.moq, "lead_time_days": quote.lead_time_days,
                   "incoterm": quote.incoterm, "valid_until": quote.valid_until, "note": quote.note,
                   "listing_id": quote.listing_id, "hs_code": quote.hs_code,
                   "origin_country": str(quote.origin_country), "unit_weight_kg": quote.unit_weight_kg}
        if "hs_code" in changes or "origin_country" in changes or "unit_weight_kg" in changes:
            current["listing_id"] = None
        terms = _clean_terms(rfq=rfq, seller=quote.seller, data={**current, **changes})
        for name, value in terms.items():
            setattr(quote, name, value)
        quote.revision += 1
        quote.submitted_by = actor
        quote.save()
        quote_received_notify(quote=quote, rfq=rfq, revised=True, actor=actor)
    return quote


def quote_withdraw(*, actor: User, quote_id: int) -> Quote:
    with transaction.atomic():
        rfq, quote = _lock_own_quote(actor, quote_id)
        _require_submitted(quote)
        _require_open(rfq, timezone.now())
        quote.status = QuoteStatus.WITHDRAWN
        quote.withdrawn_at = timezone.now()
        quote.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return quote


# --- accepting a quote ---------------------------------------------------------------------------

def _goods_only(*, quote: Quote, country: str, incoterm: str, goods: Decimal, weight: Decimal) -> LandedCost:
    """The landed cost of an order the seller has no shipping rate for: the goods alone."""
    zero = Decimal("0.00")
    payer = dict(trade_incoterms.PAYERS[incoterm])
    return LandedCost(currency=quote.currency, destination_country=country, incoterm=incoterm, weight_kg=weight,
                      goods=goods, shipping=zero, insurance=zero, duty=zero, vat=zero, total=goods,
                      invoice_total=goods, buyer_other_costs=zero, payer=payer, vat_rate_percent=Decimal("0"),
                      insurance_rate_percent=Decimal("0"), duty_lines=())


def _landed(*, rfq: Rfq, quote: Quote, country: str) -> tuple[LandedCost, bool]:
    goods = money(quote.unit_price * rfq.quantity)
    weight = quote.unit_weight_kg * rfq.quantity
    if quote.currency == quote.seller.default_currency:
        try:
            estimate = landed_cost_estimate(seller=quote.seller, destination_country=country,
                                            incoterm=quote.incoterm,
                                            lines=[LineInput(hs_code=quote.hs_code, goods_value=goods,
                                                             weight_kg=weight)])
            return estimate, True
        except ApplicationError as exc:
            if exc.code != "no_shipping":
                raise _trade_field(exc, "quote") from None
    return _goods_only(quote=quote, country=country, incoterm=quote.incoterm, goods=goods, weight=weight), False


def quote_key(quote_id: int) -> str:
    return f"rfq-quote-{quote_id}"


def quote_accept(*, actor: User, rfq_id: int, quote_id: int, currency: str | None = None,
                 payment_terms: str | None = None) -> tuple[Order, bool]:
    """The buyer accepts a quote: returns the order placed and whether it had been placed before
    (accepting the same quote again). 409 when the request is not open, its deadline has passed,
    another quote was accepted, or the quote is withdrawn, rejected or expired. `payment_terms` is a
    code among those the seller offers the buyer (default: the first it offers)."""
    code = None
    if currency not in (None, ""):
        code = str(currency).strip().upper()
        if code not in CURRENCY_CODES:
            raise field_error("currency", _("%(value)s is not an ISO 4217 currency code.") % {"value": currency})
    with transaction.atomic():
        rfq = _lock_rfq(rfq_id)
        buyer = rfq.buyer
        if not is_member(actor=actor, company_id=buyer.pk):
            raise Http404
        require_buyer_member(actor=actor, buyer=buyer)
        quote = (Quote.objects.select_for_update(of=("self",)).select_related("seller", "listing")
                 .filter(pk=quote_id, rfq=rfq).first())
        if quote is None:
            raise field_error("quote", _("This is not a quote on this request."), code="quote_not_found")
        if rfq.status == RfqStatus.AWARDED:
            if quote.status == QuoteStatus.ACCEPTED and rfq.order_id is not None:
                return Order.objects.get(pk=rfq.order_id), True
            raise Conflict(_("Another quote was already accepted on this request."), code="rfq_awarded")
        now = timezone.now()
        _require_open(rfq, now)
        _require_submitted(quote)
        if quote_is_expired(quote):
            raise Conflict(_("This quote expired on %(date)s.") % {"date": quote.valid_until.isoformat()},
                           code="quote_expired")
        if buyer.verification_status != VerificationStatus.VERIFIED:
            raise Forbidden(_("Your company must be verified before it can place orders."),
                            code="buyer_not_verified")
        seller = quote.seller
        if seller.verification_status != VerificationStatus.VERIFIED:
            raise Conflict(_("%(seller)s is no longer a verified seller.") % {"seller": seller.legal_name},
                           code="seller_not_verified")

        country = str(rfq.destination_country)
        buyer_currency = code or buyer.default_currency
        landed, estimated = _landed(rfq=rfq, quote=quote, country=country)
        fx = fx_quote(base=quote.currency, quote=buyer_currency)
        amount_check(landed.total * fx.rate, field="currency")

        group = PurchaseGroup.objects.create(
            buyer=buyer, idempotency_key=quote_key(quote.pk), created_by=actor,
            request_fingerprint=request_fingerprint({"rfq": rfq.pk, "quote": quote.pk}))
        line = OrderLine(listing=quote.listing, listing_ref=quote.listing_id or 0, title=rfq.title,
                         hs_code=quote.hs_code, origin_country=quote.origin_country, unit=rfq.unit,
                         quantity=rfq.quantity, unit_price=quote.unit_price,
                         line_total=quote.unit_price * rfq.quantity, unit_weight_kg=quote.unit_weight_kg,
                         weight_kg=quote.unit_weight_kg * rfq.quantity)
        order = order_create_placed(
            group=group, actor=actor, buyer=buyer, seller=seller, currency=quote.currency,
            buyer_currency=buyer_currency, fx=fx, incoterm=quote.incoterm, country=country,
            address=rfq.destination_address or buyer.address, landed=landed, lines=[line], now=now,
            payload={"purchase_group": group.pk, "rfq": rfq.pk, "quote": quote.pk,
                     "landed_cost_estimated": estimated},
            terms=terms_choose(offered=payment_terms_offered(seller_ids=[seller.pk], buyer_id=buyer.pk)[seller.pk],
                               code=payment_terms, seller=seller, field_name="payment_terms"),
            lead_time_days=quote.lead_time_days)

        others = Quote.objects.filter(rfq=rfq, status=QuoteStatus.SUBMITTED).exclude(pk=quote.pk)
        rejected = list(others.select_related("seller").order_by("pk"))
        others.update(status=QuoteStatus.REJECTED, decided_at=now, updated_at=now)
        quote.status = QuoteStatus.ACCEPTED
        quote.decided_at = now
        quote.save(update_fields=["status", "decided_at", "updated_at"])
        rfq.status = RfqStatus.AWARDED
        rfq.order = order
        rfq.awarded_at = now
        rfq.save(update_fields=["status", "order", "awarded_at", "updated_at"])
        quote_decided_notify(rfq=rfq, accepted=quote, order=order, rejected=rejected, actor=actor)
    return order, False


__all__ = ["quote_accept", "quote_key", "quote_revise", "quote_submit", "quote_withdraw", "rfq_cancel",
           "rfq_close_expired", "rfq_create"]
