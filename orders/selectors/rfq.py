"""Reads of requests for quotation, quotes and messages. Each takes the acting user, so no query
forgets its tenant.

Who sees what:
- the members of the buying company see its requests, every quote on them and every thread;
- a verified selling company may answer a request that is open, before its deadline, not its own
  company's, and either sent to it (audience "invited") or, for the audience "category", in the
  category (or a parent of the category) of one of its published listings;
- a selling company keeps seeing a request it has quoted on, and only ever its own quotes and its
  own thread with the buyer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, CompanyKind, Membership, VerificationStatus
from accounts.selectors import Actor, is_member
from core.exceptions import ApplicationError, Forbidden
from core.inputs import choice_error, field_error
from fx.selectors import FxFreshness, fx_freshness, fx_quote, fx_quotes_as_of
from marketplace.models import Listing, ListingStatus

from ..models import Message, Order, Quote, QuoteStatus, Rfq, RfqAudience, RfqRecipient, RfqStatus
from ..payment_terms import Terms
from .common import convert, member_companies
from .payments import payment_terms_offered


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- the actor's companies -------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorCompanies:
    """The companies the actor is a member of: all of them, and those that may answer requests
    (selling and verified)."""

    all_ids: frozenset[int]
    seller_ids: tuple[int, ...]


def actor_companies(*, actor: Actor) -> ActorCompanies:
    """One query."""
    if not actor.is_authenticated:
        return ActorCompanies(all_ids=frozenset(), seller_ids=())
    rows = list(Membership.objects.filter(user=actor).order_by("created_at", "pk")
                .values_list("company_id", "company__kind", "company__verification_status"))
    sellers = tuple(pk for pk, kind, status in rows
                    if kind in ("seller", "both") and status == VerificationStatus.VERIFIED)
    return ActorCompanies(all_ids=frozenset(pk for pk, _kind, _status in rows), seller_ids=sellers)


def seller_company_for_actor(*, actor: Actor, company_id: int | None = None) -> Company:
    """The selling company the actor acts for: the one named (the actor must be a member), else the
    actor's first company that sells."""
    if not actor.is_authenticated:
        raise Forbidden(_("Sign in to answer requests for quotation."))
    companies = member_companies(actor=actor, company_id=company_id)
    if company_id is not None:
        return companies[0]
    seller = next((c for c in companies if c.sells), None)
    if seller is None:
        raise Forbidden(_("Only members of a selling company can quote."), code="not_a_seller")
    return seller


def rfq_recipients(*, buyer: Company) -> QuerySet[Company]:
    """The companies a buyer may send a request to: the verified selling companies but itself, by name."""
    return (Company.objects.filter(kind__in=[CompanyKind.SELLER, CompanyKind.BOTH],
                                   verification_status=VerificationStatus.VERIFIED)
            .exclude(pk=buyer.pk).order_by("legal_name", "pk"))


# --- which requests a seller may answer ------------------------------------------------------------

def _category_paths(seller_ids: tuple[int, ...] | list[int]) -> set[str]:
    """The categories of the sellers' published listings and every parent of them. One query."""
    paths = set()
    for path in (Listing.objects.filter(seller_id__in=list(seller_ids), status=ListingStatus.PUBLISHED)
                 .order_by().values_list("category__path", flat=True).distinct()):
        parts = path.split("/")
        paths.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
    return paths


def rfq_answerable_q(seller_ids: tuple[int, ...] | list[int], *, now: datetime | None = None) -> Q:
    """Requests these (verified, selling) companies may quote on now. One query to build."""
    if not seller_ids:
        return Q(pk__in=[])
    now = now or timezone.now()
    invited = Exists(RfqRecipient.objects.filter(rfq=OuterRef("pk"), seller_id__in=list(seller_ids)))
    audience = Q(audience=RfqAudience.CATEGORY, category__path__in=sorted(_category_paths(seller_ids))) | Q(invited)
    return Q(status=RfqStatus.OPEN, deadline__gt=now) & ~Q(buyer_id__in=list(seller_ids)) & audience


def _quoted_q(seller_ids: tuple[int, ...] | list[int]) -> Q:
    if not seller_ids:
        return Q(pk__in=[])
    return Q(Exists(Quote.objects.filter(rfq=OuterRef("pk"), seller_id__in=list(seller_ids))))


def seller_is_audience(*, seller_id: int, rfq: Rfq) -> bool:
    """Whether the request was meant for the company, whatever its state now: sent to it, or (for
    the audience "category") in the category or a parent of the category of one of its published
    listings. Never a company's own request."""
    if seller_id == rfq.buyer_id:
        return False
    if rfq.audience == RfqAudience.INVITED:
        return RfqRecipient.objects.filter(rfq=rfq, seller_id=seller_id).exists()
    return rfq.category.path in _category_paths([seller_id])


def seller_can_answer(*, seller: Company, rfq: Rfq, now: datetime | None = None) -> bool:
    """Whether the selling company may quote on the request now (verified, not its own request,
    open, before the deadline, in its categories or sent to it)."""
    if not (seller.sells and seller.verification_status == VerificationStatus.VERIFIED):
        return False
    now = now or timezone.now()
    return (rfq.status == RfqStatus.OPEN and rfq.deadline > now
            and seller_is_audience(seller_id=seller.pk, rfq=rfq))


def seller_can_see(*, seller_id: int, rfq: Rfq) -> bool:
    """Whether the company may see the request as a seller: it may answer it or it has quoted on it."""
    seller = Company.objects.filter(pk=seller_id).first()
    if seller is None or seller.pk == rfq.buyer_id:
        return False
    if Quote.objects.filter(rfq=rfq, seller_id=seller_id).exists():
        return True
    return seller_can_answer(seller=seller, rfq=rfq)


# --- requests ------------------------------------------------------------------------------------

def _reads_every_rfq(actor: Actor) -> bool:
    """Moderators read every request and quote, as they read every order (orders' _visible_orders);
    reading only: the moves stay with the buyer's and the sellers' members."""
    return bool(actor.is_authenticated and actor.is_moderator)


def _visible_rfqs(actor: Actor) -> QuerySet[Rfq]:
    if _reads_every_rfq(actor):
        return Rfq.objects.all()
    companies = actor_companies(actor=actor)
    if not companies.all_ids:
        return Rfq.objects.none()
    return Rfq.objects.filter(Q(buyer_id__in=sorted(companies.all_ids)) | rfq_answerable_q(companies.seller_ids)
                              | _quoted_q(companies.seller_ids))


def rfq_list(*, actor: Actor, role: str | None = None, status: str | None = None) -> QuerySet[Rfq]:
    """Newest first. `role` "buyer": the requests of the actor's companies; "seller": those the
    actor's selling companies may answer now or have quoted on; none: both (every request for a
    moderator)."""
    companies = actor_companies(actor=actor)
    if role not in (None, "", "buyer", "seller"):
        message = _("Choose buyer or seller.")
        raise field_error("role", message)
    if status and status not in RfqStatus.values:
        raise choice_error("status", RfqStatus.choices)
    if not role and _reads_every_rfq(actor):
        qs = Rfq.objects.all()
    elif not companies.all_ids:
        return Rfq.objects.none()
    else:
        as_buyer = Q(buyer_id__in=sorted(companies.all_ids))
        as_seller = rfq_answerable_q(companies.seller_ids) | _quoted_q(companies.seller_ids)
        condition = as_buyer if role == "buyer" else as_seller if role == "seller" else as_buyer | as_seller
        qs = Rfq.objects.filter(condition)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("buyer", "category").order_by("-created_at", "-pk")


def rfq_board_for_seller(*, seller: Company) -> QuerySet[Rfq]:
    """The requests the selling company may quote on now, soonest deadline first."""
    if not (seller.sells and seller.verification_status == VerificationStatus.VERIFIED):
        return Rfq.objects.none()
    return (Rfq.objects.filter(rfq_answerable_q([seller.pk])).select_related("buyer", "category")
            .order_by("deadline", "pk"))


def rfq_list_for_buyer(*, actor: Actor, buyer: Company) -> QuerySet[Rfq]:
    """The buying company's requests, newest first; 404 for a non-member."""
    if not is_member(actor=actor, company_id=buyer.pk):
        raise Http404
    return Rfq.objects.filter(buyer=buyer).select_related("buyer", "category").order_by("-created_at", "-pk")


def rfq_get(*, actor: Actor, pk) -> Rfq:
    """One request the actor may see; 404 otherwise."""
    rfq = _visible_rfqs(actor).filter(pk=_int(pk)).select_related("buyer", "category", "created_by").first()
    if rfq is None:
        raise Http404
    return rfq


@dataclass(frozen=True)
class RfqAccess:
    """How the actor stands to one request: a member of the buyer, and the selling companies of
    the actor that may see it (may_answer: those that may also quote now)."""

    is_buyer: bool
    seller_ids: tuple[int, ...]
    may_answer: tuple[int, ...]


def rfq_access(*, actor: Actor, rfq: Rfq) -> RfqAccess:
    """Two queries for a buyer, a few more per selling company of the actor."""
    companies = actor_companies(actor=actor)
    sellers = tuple(pk for pk in companies.seller_ids if pk != rfq.buyer_id)
    may_answer = tuple(pk for pk in sellers
                       if Rfq.objects.filter(pk=rfq.pk).filter(rfq_answerable_q([pk])).exists())
    quoted = set(Quote.objects.filter(rfq=rfq, seller_id__in=sellers).values_list("seller_id", flat=True)) \
        if sellers else set()
    return RfqAccess(is_buyer=rfq.buyer_id in companies.all_ids,
                     seller_ids=tuple(pk for pk in sellers if pk in may_answer or pk in quoted),
                     may_answer=may_answer)


# --- quotes --------------------------------------------------------------------------------------

def _visible_quotes(actor: Actor) -> QuerySet[Quote]:
    """The quotes on the actor's companies' requests and the actor's companies' own quotes (every
    quote for a moderator)."""
    if _reads_every_rfq(actor):
        return Quote.objects.all()
    companies = actor_companies(actor=actor)
    if not companies.all_ids:
        return Quote.objects.none()
    ids = sorted(companies.all_ids)
    return Quote.objects.filter(Q(rfq__buyer_id__in=ids) | Q(seller_id__in=ids))


def quote_list(*, actor: Actor, rfq_id=None, status: str | None = None) -> QuerySet[Quote]:
    qs = _visible_quotes(actor)
    if rfq_id not in (None, ""):
        qs = qs.filter(rfq_id=_int(rfq_id))
    if status:
        if status not in QuoteStatus.values:
            raise choice_error("status", QuoteStatus.choices)
        qs = qs.filter(status=status)
    return qs.select_related("seller", "rfq").order_by("-created_at", "-pk")


def quote_get(*, actor: Actor, pk) -> Quote:
    quote = _visible_quotes(actor).filter(pk=_int(pk)).select_related("seller", "rfq").first()
    if quote is None:
        raise Http404
    return quote


def quote_is_expired(quote: Quote, today: date | None = None) -> bool:
    return quote.valid_until < (today or timezone.localdate())


def rfq_is_open(rfq: Rfq, now: datetime | None = None) -> bool:
    """Open and before its deadline: sellers may quote, the buyer may accept."""
    return rfq.status == RfqStatus.OPEN and rfq.deadline > (now or timezone.now())


# A seller may send a quote when it has none, or a new one after withdrawing; it revises a submitted one.
QUOTABLE_STATUSES = (QuoteStatus.SUBMITTED, QuoteStatus.WITHDRAWN)


@dataclass(frozen=True)
class RfqPage:
    """What the page of one request shows its viewer: the buyer's side (the comparison), or one of the
    viewer's selling companies with its quote, and whether that company may quote (or revise) now."""

    access: RfqAccess
    is_buyer: bool
    is_open: bool
    seller_id: int | None
    my_quote: Quote | None
    may_quote: bool
    revising: bool


def rfq_page(*, actor: Actor, rfq: Rfq, company_id: int) -> RfqPage:
    """The viewer's side of the request: a member of the buyer sees the buyer's side; otherwise the
    viewer's company `company_id` when it may see the request, else its first selling company that may."""
    access = rfq_access(actor=actor, rfq=rfq)
    is_open = rfq_is_open(rfq)
    seller_id = None
    if not access.is_buyer and access.seller_ids:
        seller_id = company_id if company_id in access.seller_ids else access.seller_ids[0]
    my_quote = quote_of_seller(rfq=rfq, seller_id=seller_id) if seller_id is not None else None
    may_quote = (seller_id is not None and is_open and seller_id in access.may_answer
                 and (my_quote is None or my_quote.status in QUOTABLE_STATUSES))
    revising = may_quote and my_quote is not None and my_quote.status == QuoteStatus.SUBMITTED
    return RfqPage(access=access, is_buyer=access.is_buyer, is_open=is_open, seller_id=seller_id,
                   my_quote=my_quote, may_quote=may_quote, revising=revising)


@dataclass
class QuoteRow:
    """One quote in the buyer's comparison: its terms in the seller's currency and the unit price
    and total converted to the display currency (None when no rate is known)."""

    quote: Quote
    seller: Company
    total: Decimal
    unit_price_display: Decimal | None
    total_display: Decimal | None
    expired: bool
    can_accept: bool
    payment_terms: list[Terms]  # the terms the seller offers this buyer, the first the default


@dataclass
class QuoteComparison:
    rfq: Rfq
    display_currency: str
    fx_as_of: date | None
    rows: list[QuoteRow]
    rates: FxFreshness  # how old the newest stored rate is: a stale one makes the converted prices rough estimates


def quote_comparison(*, actor: Actor, rfq: Rfq, currency: str | None = None) -> QuoteComparison:
    """The live and decided quotes on the buyer's request side by side, cheapest (converted) first;
    withdrawn quotes are left out. Members of the buyer only (404 for anyone else). Queries: the
    membership, the quotes with their sellers, and one per distinct quote currency other than the
    display currency, whatever the number of quotes, one for the rates' freshness, and one or two for
    the payment terms the sellers offer the buyer."""
    if not is_member(actor=actor, company_id=rfq.buyer_id):
        raise Http404
    display = (currency or rfq.buyer.default_currency).strip().upper()
    quotes = list(Quote.objects.filter(rfq=rfq).exclude(status=QuoteStatus.WITHDRAWN).select_related("seller")
                  .order_by("pk"))
    fx = {}
    for code in sorted({quote.currency for quote in quotes}):
        try:
            fx[code] = fx_quote(base=code, quote=display)
        except ApplicationError:
            fx[code] = None
    today = timezone.localdate()
    open_now = rfq_is_open(rfq)
    terms = payment_terms_offered(seller_ids=sorted({quote.seller_id for quote in quotes}), buyer_id=rfq.buyer_id)
    rows = []
    for quote in quotes:
        rate = fx[quote.currency]
        total = quote.unit_price * rfq.quantity
        expired = quote_is_expired(quote, today)
        rows.append(QuoteRow(
            quote=quote, seller=quote.seller, total=total,
            unit_price_display=convert(quote.unit_price, rate.rate) if rate else None,
            total_display=convert(total, rate.rate) if rate else None, expired=expired,
            can_accept=open_now and quote.status == QuoteStatus.SUBMITTED and not expired,
            payment_terms=terms[quote.seller_id]))
    rows.sort(key=lambda row: (row.total_display is None, row.total_display or Decimal(0), row.quote.pk))
    return QuoteComparison(rfq=rfq, display_currency=display, fx_as_of=fx_quotes_as_of(fx.values()), rows=rows,
                           rates=fx_freshness())


def quote_of_seller(*, rfq: Rfq, seller_id: int) -> Quote | None:
    """The seller's live quote on the request, else its latest one."""
    quotes = list(Quote.objects.filter(rfq=rfq, seller_id=seller_id).order_by("-pk")[:5])
    live = [quote for quote in quotes if quote.status in (QuoteStatus.SUBMITTED, QuoteStatus.ACCEPTED)]
    return live[0] if live else (quotes[0] if quotes else None)


# --- messages ------------------------------------------------------------------------------------

def message_list_rfq(*, actor: Actor, rfq: Rfq, seller_id: int | None = None,
                     access: RfqAccess | None = None) -> QuerySet[Message]:
    """The messages of a request, oldest first: all threads (or the one with `seller_id`) for the
    buyer's members, the actor's companies' own threads for a seller; 404 for anyone else. A caller
    that has already read the actor's `access` to this request passes it on."""
    access = access or rfq_access(actor=actor, rfq=rfq)
    qs = Message.objects.filter(rfq=rfq)
    if access.is_buyer:
        if seller_id is not None:
            qs = qs.filter(seller_id=seller_id)
    elif access.seller_ids:
        allowed = [pk for pk in access.seller_ids if seller_id is None or pk == seller_id]
        qs = qs.filter(seller_id__in=allowed)
    else:
        raise Http404
    return qs.select_related("author", "company").order_by("created_at", "pk")


def order_party_id(*, actor: Actor, order_id) -> int:
    """The id of an order the actor's companies buy or sell in, in two queries; 404 otherwise
    (moderators included: the messages of an order are the parties' own)."""
    order_id = _int(order_id)
    companies = actor_companies(actor=actor)
    order = Order.objects.filter(pk=order_id).values("buyer_id", "seller_id").first()
    if order is None or not ({order["buyer_id"], order["seller_id"]} & companies.all_ids):
        raise Http404
    return order_id


def message_list_order(*, actor: Actor, order_id) -> QuerySet[Message]:
    """The messages of an order, oldest first, for the members of its buyer and seller."""
    order_id = order_party_id(actor=actor, order_id=order_id)
    return Message.objects.filter(order_id=order_id).select_related("author", "company").order_by("created_at", "pk")
