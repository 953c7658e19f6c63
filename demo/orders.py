"""The ordering side of the demo data loaded by `manage.py seed_demo`, written through the services:

- shipping zones and weight bands for every demo seller (trade.services), so that the demo buyers'
  countries are reachable and a checkout shows a landed cost (the import duty and VAT examples come
  with trade's migrations);
- a default bank account for the demo sellers (payments.services), so that orders name the account
  to pay into, and payment terms of two sellers (a deposit, net terms for a trusted buyer, a letter of
  credit);
- a few purchases between the demo buyers and sellers, each put in the cart, placed with a fixed
  idempotency key and moved by the parties to its demo state: placed, accepted, paid, shipped,
  delivered, completed and disputed;
- an open request for quotation of a demo buyer with a quote from two demo sellers, and messages
  on one order.

Safe to run again: a purchase whose idempotency key the buyer has used is not placed again, a zone
name or a country the seller already uses is left alone, the request is posted again only when the
buyer has none with its title and a deadline still ahead, and a seller quotes or writes only once."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Company, Membership, MembershipRole, User, VerificationStatus
from core.exceptions import ApplicationError
from demo.marketplace import CATALOGUE, RATES
from marketplace.models import Listing, ListingStatus, Unit
from orders.models import CartLine, Message, Order, OrderStatus, PaymentMethod, PurchaseGroup, Quote, Rfq, RfqStatus
from orders.selectors import tier_price
from orders.services import cart, checkout, flow, messages
from orders.services import rfq as rfq_services
from reviews.models import Review
from reviews.services import review_post, review_reply
from trade import services as trade_services
from trade.models import ShippingZone, ShippingZoneCountry

logger = logging.getLogger(__name__)

S = OrderStatus

# --- shipping zones ------------------------------------------------------------------------------

REGIONS: dict[str, tuple[str, ...]] = {
    "Europe": ("AT", "BE", "CH", "CZ", "DE", "DK", "ES", "FI", "FR", "GB", "GR", "IE", "IT", "NL", "NO", "PL",
               "PT", "SE", "TR"),
    "Middle East and Africa": ("AE", "EG", "KE", "MA", "NG", "QA", "SA", "TZ", "UG", "ZA"),
    "Asia-Pacific": ("AU", "CN", "HK", "ID", "IN", "JP", "KR", "MY", "SG", "TH", "VN"),
    "Americas": ("AR", "BR", "CA", "CL", "CO", "MX", "PE", "US"),
}
DOMESTIC = "Domestic"
# Price of a consignment of up to so many kg, in euros, for the seller's own country; its own region
# costs REGION_FACTOR times as much and the other regions WORLD_FACTOR times.
BANDS_EUR = ((30, 20), (100, 45), (500, 120), (2000, 320), (10000, 1100), (26000, 2400))
REGION_FACTOR = Decimal("1.8")
WORLD_FACTOR = Decimal("3")


def zone_plan(country: str, currency: str) -> list[tuple[str, list[str], list[dict[str, str]]]]:
    """The zones of a seller in `country`: its own country, its region, every other region; each with
    its countries and its weight bands priced in `currency`."""
    rate = Decimal(str(RATES.get(currency, 1.0)))

    def bands(factor: Decimal) -> list[dict[str, str]]:
        return [{"max_weight_kg": str(weight),
                 "price": str((Decimal(price) * factor * rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP))}
                for weight, price in BANDS_EUR]

    plan = [(DOMESTIC, [country], bands(Decimal("1")))]
    for name, members in REGIONS.items():
        others = [code for code in members if code != country]
        plan.append((name, others, bands(REGION_FACTOR if country in members else WORLD_FACTOR)))
    return plan


# --- purchases -----------------------------------------------------------------------------------

# Demo buyers and sellers by registration number (see demo/management/commands/seed_demo.py).
RECIFE = "98765432000198"             # Recife Compras S.A. (BR), buyer
NINGBO = "91330201MA2H00002E"         # Ningbo Homeware Trading Co., Ltd. (CN), buys and sells
ANATOLIA = "TR-3481920"               # Anatolia Textiles A.Ş. (TR)
SHENZHEN = "91440300MA5F00001A"       # Shenzhen Bright Circuits Co., Ltd. (CN)
RHEIN = "HRB 104233"                  # Rhein Maschinenbau GmbH (DE)
BAVARIA = "HRB 221907"                # Bavaria Packaging Systems GmbH (DE)
NAIROBI = "PVT-2019-88341"            # Nairobi Highland Coffee Ltd (KE)
SAO_PAULO = "12345678000195"          # São Paulo Couro Ltda. (BR)
CERRADO = "23456789000195"            # Cerrado Café Exportadora Ltda. (BR)


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str
    documents: tuple[str, ...] = ("Commercial invoice", "Packing list", "Certificate of origin")


@dataclass(frozen=True)
class DemoReview:
    """The buyer's rating of a completed demo order (1 to 5 each) and the seller's reply."""

    product: int
    communication: int
    shipping: int
    comment: str
    reply: str = ""


@dataclass(frozen=True)
class DemoPurchase:
    """One checkout of one listing. `product` is the catalogue title with {v} for the variant: the
    first published variant is bought, in its MOQ plus `multiples` order multiples."""

    key: str
    buyer: str
    seller: str
    product: str
    multiples: int
    incoterm: str
    target: str
    shipment: Shipment | None = None
    dispute: str = ""
    messages: tuple[tuple[str, str], ...] = ()  # ("buyer" or "seller", body)
    review: DemoReview | None = None


PURCHASES = (
    DemoPurchase("demo-purchase-1", RECIFE, ANATOLIA, "Turkish cotton bath towel, {v}", 2, "FOB", S.PLACED),
    DemoPurchase("demo-purchase-2", NINGBO, NAIROBI, "Kenya {v} green coffee beans", 4, "FOB", S.ACCEPTED),
    DemoPurchase("demo-purchase-3", RECIFE, SHENZHEN, "FR-4 printed circuit board, {v}", 5, "FOB", S.PAID),
    DemoPurchase("demo-purchase-4", NINGBO, RHEIN, "Deep-groove ball bearing, {v}", 2, "FCA", S.SHIPPED,
                 shipment=Shipment("DHL Global Forwarding", "DGF-4471902518"),
                 messages=(("buyer", "Thank you for the tracking number. Could you e-mail us a copy of the "
                                     "certificate of origin? Our customs broker in Ningbo needs it before the "
                                     "goods arrive."),
                           ("seller", "Of course: the certificate of origin is in the shipping documents and we "
                                      "have sent a copy to your broker today."))),
    DemoPurchase("demo-purchase-5", RECIFE, BAVARIA, "Corrugated shipping box, {v}", 2, "FCA", S.DELIVERED,
                 shipment=Shipment("Hapag-Lloyd", "HLCUHAM260418807", ("Commercial invoice", "Packing list",
                                                                       "Bill of lading"))),
    DemoPurchase("demo-purchase-6", NINGBO, SAO_PAULO, "Leather wallet, {v}", 5, "FOB", S.COMPLETED,
                 shipment=Shipment("LATAM Cargo", "045-58213376"),
                 review=DemoReview(5, 4, 5, "The wallets match the samples: full-grain leather, even stitching. "
                                            "Answers took a day at times, but the goods left on the promised date.",
                                   "Thank you! We have added a second person to our export desk so that "
                                   "questions are answered the same day.")),
    DemoPurchase("demo-purchase-7", RECIFE, NAIROBI, "Kenya black tea, {v}", 10, "CIF", S.DISPUTED,
                 shipment=Shipment("Maersk", "MAEU2604117395", ("Commercial invoice", "Packing list",
                                                                "Bill of lading", "Phytosanitary certificate")),
                 dispute="Four of the cartons arrived crushed and the tea in them is damp. We ask for a partial "
                         "refund for the damaged quantity."),
)

# The moves from placed to each demo state, and who takes them.
PATHS: dict[str, tuple[str, ...]] = {
    S.PLACED: (),
    S.ACCEPTED: (S.ACCEPTED,),
    S.PAID: (S.ACCEPTED, S.PAID),
    S.SHIPPED: (S.ACCEPTED, S.PAID, S.SHIPPED),
    S.DELIVERED: (S.ACCEPTED, S.PAID, S.SHIPPED, S.DELIVERED),
    S.COMPLETED: (S.ACCEPTED, S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED),
    S.DISPUTED: (S.ACCEPTED, S.PAID, S.SHIPPED, S.DELIVERED, S.DISPUTED),
}

# --- request for quotation -----------------------------------------------------------------------

RFQ_BUYER = RECIFE
RFQ_TITLE = "Specialty green coffee for a new roastery"
RFQ_DESCRIPTION = ("Washed arabica, screen 15 and up, cupping score 84 or more, new crop. Delivered in "
                   "GrainPro-lined 60 kg jute bags, with samples for approval before shipment.")
RFQ_CATEGORY = "food-agriculture/coffee-tea"
RFQ_QUANTITY = 1200
RFQ_DEADLINE_DAYS = 21
# seller, product of the quoted listing, discount on its price for the quantity, lead time, Incoterm, note
RFQ_QUOTES = (
    (NAIROBI, "Kenya {v} green coffee beans", Decimal("0.95"), 35, "CIF",
     "AA grade from our Nyeri washing station; samples can go out by courier this week."),
    (CERRADO, "Brazilian green coffee, {v}", Decimal("0.97"), 14, "FCA",
     "Fully washed Cerrado Mineiro, current crop, sample roasted profile on request."),
)
QUOTE_VALID_DAYS = 30


# --- the loading ---------------------------------------------------------------------------------

@dataclass
class OrdersDemoResult:
    zones: int = 0
    bank_accounts: int = 0
    orders: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    rfqs: int = 0
    quotes: int = 0
    messages: int = 0
    reviews: int = 0
    skipped: list[str] = field(default_factory=list)


def _companies(keys: set[str]) -> dict[str, Company]:
    """The demo companies by registration number, each with `owners` (owner memberships, oldest first)."""
    owners = Membership.objects.filter(role=MembershipRole.OWNER).select_related("user").order_by("created_at", "pk")
    found = Company.objects.filter(registration_number__in=sorted(keys)).prefetch_related(
        Prefetch("memberships", queryset=owners, to_attr="owners")).order_by("pk")
    return {company.registration_number: company for company in found if company.owners}


def _owner(company: Company) -> User:
    return company.owners[0].user


def _find_listing(seller: Company, product: str) -> Listing | None:
    prefix, _, suffix = product.partition("{v}")
    return (Listing.objects.filter(seller=seller, status=ListingStatus.PUBLISHED, title__startswith=prefix,
                                   title__endswith=suffix).order_by("pk").first())


def seed_zones(companies: dict[str, Company], result: OrdersDemoResult) -> None:
    for key in CATALOGUE:
        seller = companies.get(key)
        if seller is None or not seller.sells:
            continue
        owner = _owner(seller)
        names = set(ShippingZone.objects.filter(seller=seller).values_list("name", flat=True))
        taken = {str(code) for code in ShippingZoneCountry.objects.filter(seller=seller).values_list(
            "country", flat=True)}
        for name, zone_countries, rates in zone_plan(str(seller.country), seller.default_currency):
            free = [code for code in zone_countries if code not in taken]
            if name in names or not free:
                continue
            trade_services.shipping_zone_create(seller=seller, actor=owner, name=name, countries=free, rates=rates)
            taken.update(free)
            result.zones += 1


def _move(order: Order, to_status: str, purchase: DemoPurchase, buyer: User, seller: User) -> Order:
    if to_status == S.ACCEPTED:
        return flow.order_accept(order_id=order.pk, actor=seller)
    if to_status == S.PAID:
        return flow.order_mark_paid(order_id=order.pk, actor=seller, reference=f"TT-{order.pk:06d}",
                                    amount=order.invoice_total, method=PaymentMethod.BANK_TRANSFER)
    if to_status == S.SHIPPED:
        shipment = purchase.shipment or Shipment("DHL Express", f"DHL-{order.pk:08d}")
        return flow.order_ship(order_id=order.pk, actor=seller, carrier=shipment.carrier,
                               tracking_number=shipment.tracking_number, documents=list(shipment.documents))
    if to_status == S.DELIVERED:
        return flow.order_confirm_delivery(order_id=order.pk, actor=buyer)
    if to_status == S.COMPLETED:
        return flow.order_complete(order_id=order.pk, actor=buyer)
    if to_status == S.DISPUTED:
        return flow.order_dispute(order_id=order.pk, actor=buyer, reason=purchase.dispute)
    raise ValueError(f"no demo move to {to_status}")


def _place(purchase: DemoPurchase, companies: dict[str, Company], result: OrdersDemoResult) -> None:
    buyer, seller = companies.get(purchase.buyer), companies.get(purchase.seller)
    if buyer is None or seller is None:
        result.skipped.append(f"{purchase.key}: a demo company is missing")
        return
    if PurchaseGroup.objects.filter(buyer=buyer, idempotency_key=purchase.key).exists():
        return
    if buyer.verification_status != VerificationStatus.VERIFIED:
        result.skipped.append(f"{purchase.key}: {buyer.legal_name} is not verified")
        return
    if CartLine.objects.filter(cart__buyer=buyer).exists():
        result.skipped.append(f"{purchase.key}: the cart of {buyer.legal_name} is not empty")
        return
    listing = _find_listing(seller, purchase.product)
    if listing is None:
        result.skipped.append(f"{purchase.key}: {seller.legal_name} has no published {purchase.product!r}")
        return
    buyer_user, seller_user = _owner(buyer), _owner(seller)
    quantity = listing.moq + purchase.multiples * listing.order_multiple
    with transaction.atomic():
        cart.cart_line_add(actor=buyer_user, buyer=buyer, listing_id=listing.pk, quantity=quantity,
                           incoterm=purchase.incoterm)
        placed = checkout.checkout_place(actor=buyer_user, buyer=buyer, idempotency_key=purchase.key)
        order = placed.group.orders.get()
        for to_status in PATHS[purchase.target]:
            order = _move(order, to_status, purchase, buyer_user, seller_user)
    result.orders += 1
    result.by_status[order.status] = result.by_status.get(order.status, 0) + 1


def _post_messages(purchase: DemoPurchase, companies: dict[str, Company], result: OrdersDemoResult) -> None:
    buyer, seller = companies.get(purchase.buyer), companies.get(purchase.seller)
    if not purchase.messages or buyer is None or seller is None:
        return
    order = Order.objects.filter(purchase_group__buyer=buyer, purchase_group__idempotency_key=purchase.key,
                                 seller=seller).first()
    if order is None:
        return
    for side, body in purchase.messages:
        author = _owner(buyer if side == "buyer" else seller)
        if Message.objects.filter(order=order, author=author, body=body).exists():
            continue
        messages.message_post_order(actor=author, order_id=order.pk, body=body)
        result.messages += 1


def _post_review(purchase: DemoPurchase, companies: dict[str, Company], result: OrdersDemoResult) -> None:
    """The buyer rates the seller of the completed purchase, and the seller replies, through the
    review services (a review is only possible on a completed order)."""
    buyer, seller = companies.get(purchase.buyer), companies.get(purchase.seller)
    if purchase.review is None or buyer is None or seller is None:
        return
    order = Order.objects.filter(purchase_group__buyer=buyer, purchase_group__idempotency_key=purchase.key,
                                 seller=seller, status=OrderStatus.COMPLETED).first()
    if order is None or Review.objects.filter(order=order).exists():
        return
    rating = purchase.review
    review = review_post(actor=_owner(buyer), order_id=order.pk, product=rating.product,
                         communication=rating.communication, shipping=rating.shipping, comment=rating.comment)
    if rating.reply:
        review_reply(actor=_owner(seller), review_id=review.pk, text=rating.reply)
    result.reviews += 1


def seed_rfq(companies: dict[str, Company], result: OrdersDemoResult) -> None:
    buyer = companies.get(RFQ_BUYER)
    if buyer is None or buyer.verification_status != VerificationStatus.VERIFIED:
        result.skipped.append("request for quotation: its demo buyer is missing or not verified")
        return
    now = timezone.now()
    request = Rfq.objects.filter(buyer=buyer, title=RFQ_TITLE, deadline__gt=now).order_by("-pk").first()
    if request is None:
        request = rfq_services.rfq_create(
            actor=_owner(buyer), buyer=buyer, title=RFQ_TITLE, description=RFQ_DESCRIPTION, category=RFQ_CATEGORY,
            quantity=RFQ_QUANTITY, unit=Unit.KG, incoterm="CIF", destination_country=str(buyer.country),
            deadline=now + timedelta(days=RFQ_DEADLINE_DAYS), target_price="42.00",
            target_currency=buyer.default_currency)
        result.rfqs += 1
    if request.status != RfqStatus.OPEN:
        return
    for key, product, discount, lead_time, incoterm, note in RFQ_QUOTES:
        seller = companies.get(key)
        if seller is None or Quote.objects.filter(rfq=request, seller=seller).exists():
            continue
        listing = _find_listing(seller, product)
        if listing is None:
            result.skipped.append(f"quote of {seller.legal_name}: no published {product!r}")
            continue
        tiers = list(listing.price_tiers.order_by("min_quantity").values_list("min_quantity", "unit_price"))
        price = tier_price(tiers, RFQ_QUANTITY) or tiers[0][1]
        try:
            with transaction.atomic():
                rfq_services.quote_submit(
                    actor=_owner(seller), seller=seller, rfq_id=request.pk,
                    unit_price=(price * discount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                    moq=min(listing.moq * 5, RFQ_QUANTITY), lead_time_days=lead_time, incoterm=incoterm,
                    valid_until=timezone.localdate() + timedelta(days=QUOTE_VALID_DAYS), listing_id=listing.pk,
                    note=note)
        except ApplicationError as exc:
            result.skipped.append(f"quote of {seller.legal_name}: {exc.message}")
            continue
        result.quotes += 1


# --- bank accounts and payment terms ------------------------------------------------------------

# The bank of each demo seller's country: SWIFT/BIC, name, and the IBAN bank code where the country
# uses IBANs (an empty code: an account number instead).
DEMO_BANKS = {
    "TR": ("TCZBTR2A", "T.C. Ziraat Bankası A.Ş.", "00010"),
    "DE": ("COBADEFFXXX", "Commerzbank AG", "37040044"),
    "CN": ("BKCHCNBJ", "Bank of China", ""),
    "KE": ("KCBLKENX", "KCB Bank Kenya Limited", ""),
}
# Terms some demo sellers offer, and the buyers they trust with net terms.
DEMO_TERMS = {ANATOLIA: ["advance", "deposit_30", "net_30"], SHENZHEN: ["advance", "letter_of_credit"]}
DEMO_TRUST = {ANATOLIA: [RECIFE]}


def _demo_account_fields(seller: Company) -> dict[str, str] | None:
    from schwifty import IBAN

    bank = DEMO_BANKS.get(str(seller.country))
    if bank is None:
        return None
    bic, name, iban_bank = bank
    number = f"{seller.pk:010d}"
    fields = {"label": f"{seller.default_currency} main account", "account_holder": seller.legal_name,
              "bank_name": name, "bank_country": str(seller.country), "currency": seller.default_currency,
              "bic": bic, "is_default": True}
    if iban_bank:
        length = {"TR": 16, "DE": 10}[str(seller.country)]
        fields["iban"] = str(IBAN.generate(str(seller.country), bank_code=iban_bank, account_code=number.zfill(length)))
    else:
        fields["account_number"] = f"6217{number}"
    return fields


def seed_payments(companies: dict[str, Company], result: OrdersDemoResult) -> None:
    """A default bank account for each demo seller in a country the demo knows a bank of, and the
    payment terms and trusted buyers of DEMO_TERMS and DEMO_TRUST. Existing ones are left alone."""
    from payments import services as payment_account_services
    from payments.models import BankAccount

    from orders.services import payments as payment_services

    for key in CATALOGUE:
        seller = companies.get(key)
        if seller is None or not seller.sells:
            continue
        fields = _demo_account_fields(seller)
        if fields and not BankAccount.objects.filter(company=seller, archived_at__isnull=True).exists():
            try:
                payment_account_services.bank_account_create(company=seller, actor=_owner(seller), **fields)
                result.bank_accounts += 1
            except ApplicationError as exc:
                result.skipped.append(f"bank account of {seller.legal_name}: {exc.message}")
        for code in DEMO_TERMS.get(key, []):
            payment_services.payment_term_add(actor=_owner(seller), seller=seller, code=code)
        for buyer_key in DEMO_TRUST.get(key, []):
            buyer = companies.get(buyer_key)
            if buyer is not None:
                payment_services.trusted_buyer_set(actor=_owner(seller), seller=seller, buyer_id=buyer.pk,
                                                   trusted=True)


def seed_orders() -> OrdersDemoResult:
    """Loads what is missing of the demo shipping zones, orders, request for quotation and messages.
    A purchase the services refuse (say, its listing sold out) is reported in `skipped`, not raised."""
    result = OrdersDemoResult()
    keys = set(CATALOGUE) | {p.buyer for p in PURCHASES} | {p.seller for p in PURCHASES} | {RFQ_BUYER}
    companies = _companies(keys)
    with transaction.atomic():
        seed_zones(companies, result)
        seed_payments(companies, result)
    for purchase in PURCHASES:
        try:
            _place(purchase, companies, result)
            _post_messages(purchase, companies, result)
            _post_review(purchase, companies, result)
        except ApplicationError as exc:
            result.skipped.append(f"{purchase.key}: {exc.message}")
            logger.warning("Demo purchase %s not placed: %s", purchase.key, exc.message)
    try:
        with transaction.atomic():
            seed_rfq(companies, result)
    except ApplicationError as exc:
        result.skipped.append(f"request for quotation: {exc.message}")
        logger.warning("Demo request for quotation not posted: %s", exc.message)
    return result
