"""Carts, purchase groups, orders with their lines, payments and the timeline of every move.

Amounts of an order are in the seller's currency (`currency`); the rate to the buyer's currency is
taken once, when the order is placed, and kept with its date and source."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.validators import CURRENCY_CHOICES, validate_plain_text
from marketplace.models import HS_CODE_VALIDATOR, Incoterm, Unit

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    DISPUTED = "disputed", _("Disputed")
    RESOLVED = "resolved", _("Resolved")
    COMPLETED = "completed", _("Completed")


class OrderRole(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    MODERATOR = "moderator", _("Moderator")
    SYSTEM = "system", _("System")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    LETTER_OF_CREDIT = "letter_of_credit", _("Letter of credit")
    CARD = "card", _("Card")


class PaymentTermKind(models.TextChoices):
    # xgettext:no-python-format
    ADVANCE = "advance", _("100% in advance")
    DEPOSIT = "deposit", _("Deposit with the order, balance before shipment")
    LETTER_OF_CREDIT = "letter_of_credit", _("Letter of credit")
    NET = "net", _("Net days after delivery")


class InstalmentDue(models.TextChoices):
    ON_ACCEPTANCE = "on_acceptance", _("when the seller accepts the order")
    BEFORE_SHIPMENT = "before_shipment", _("before shipment")
    ON_DOCUMENTS = "on_documents", _("against the shipping documents")
    AFTER_DELIVERY = "after_delivery", _("after delivery")


# Instalments the seller is owed before it ships the goods.
DUE_BEFORE_SHIPMENT = frozenset({InstalmentDue.ON_ACCEPTANCE, InstalmentDue.BEFORE_SHIPMENT})


# States in which the goods are no longer promised to the buyer: their stock went back to the listing.
RELEASED_STATUSES = frozenset({OrderStatus.REFUSED, OrderStatus.CANCELLED})


class Cart(TimeStampedModel):
    """The cart of a buying company, shared by all its members."""

    buyer = models.OneToOneField("accounts.Company", on_delete=models.CASCADE, related_name="cart")

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart of company {self.buyer_id}"


class CartLine(TimeStampedModel):
    """A listing and a quantity. The price is not kept here: it is the listing's tier price at the
    moment the cart is read or checked out. A blank Incoterm is chosen at checkout."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey("marketplace.Listing", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "listing"], name="orders_cartline_one_per_listing"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_cartline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x listing {self.listing_id}"


class PurchaseGroup(TimeStampedModel):
    """One checkout: the orders it placed, one per seller. The buyer's Idempotency-Key is unique per
    buyer, so a retried request finds this group instead of placing the orders again; the fingerprint
    of the request tells a retry from a different request that reuses the key."""

    buyer = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="purchase_groups")
    idempotency_key = models.CharField(_("idempotency key"), max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("purchase group")
        verbose_name_plural = _("purchase groups")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "idempotency_key"], name="orders_purchasegroup_key_unique"),
        ]

    def __str__(self) -> str:
        return f"purchase {self.pk} of company {self.buyer_id}"


class Order(TimeStampedModel):
    buyer = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="orders_placed")
    seller = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="orders_received")
    purchase_group = models.ForeignKey(PurchaseGroup, on_delete=models.PROTECT, related_name="orders")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED,
                              db_index=True)

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    buyer_currency = models.CharField(_("buyer's currency"), max_length=3, choices=CURRENCY_CHOICES)
    fx_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8,
                                  help_text=_("Amount in the buyer's currency = amount in the order currency x rate."))
    fx_rate_date = models.DateField(_("exchange rate date"))
    fx_source = models.CharField(_("exchange rate source"), max_length=10)

    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    destination_country = CountryField(_("destination country"))
    destination_address = models.TextField(_("destination address"), max_length=500)

    goods_total = models.DecimalField(_("goods"), **MONEY)
    shipping = models.DecimalField(_("shipping"), **MONEY)
    insurance = models.DecimalField(_("insurance"), **MONEY)
    duty = models.DecimalField(_("import duty"), **MONEY)
    vat = models.DecimalField(_("import VAT"), **MONEY)
    total = models.DecimalField(_("landed cost"), **MONEY,
                                help_text=_("Goods, shipping, insurance, duty and VAT, whoever pays them: the invoice "
                                            "total plus the buyer's estimated costs paid to others."))
    invoice_total = models.DecimalField(
        _("invoice total, payable to the seller"), **MONEY,
        help_text=_("The goods plus what the seller arranges and charges under the Incoterm."))
    buyer_other_costs = models.DecimalField(
        _("buyer's estimated costs paid to others"), **MONEY,
        help_text=_("What the buyer pays the carrier, the insurer and customs under the Incoterm; not paid to the "
                    "seller."))
    invoice_total_in_buyer_currency = models.DecimalField(_("invoice total, in the buyer's currency"), **MONEY)
    buyer_other_costs_in_buyer_currency = models.DecimalField(
        _("buyer's estimated costs paid to others, in the buyer's currency"), **MONEY)
    payer = models.JSONField(_("who pays each component"), default=dict)

    payment_terms = models.CharField(_("payment terms"), max_length=20, choices=PaymentTermKind.choices,
                                     default=PaymentTermKind.ADVANCE)
    deposit_percent = models.PositiveSmallIntegerField(_("deposit (%)"), null=True, blank=True)
    net_days = models.PositiveSmallIntegerField(_("net days after delivery"), null=True, blank=True)
    due_before_shipment = models.DecimalField(
        _("due before shipment"), **MONEY, default=ZERO,
        help_text=_("What the buyer must pay the seller before the goods are shipped, under the payment terms."))
    amount_paid = models.DecimalField(_("paid to the seller"), **MONEY, default=ZERO)
    payment_reference = models.CharField(_("payment reference"), max_length=35, blank=True,
                                         help_text=_("ISO 11649 structured creditor reference (RF)."))
    pay_to = models.JSONField(_("account to pay into"), default=dict, blank=True)
    total_weight_kg = models.DecimalField(_("total weight (kg)"), max_digits=12, decimal_places=3)

    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    shipping_documents = models.JSONField(_("shipping documents"), default=list, blank=True)
    refund_amount = models.DecimalField(_("refund"), **MONEY, null=True, blank=True)

    placed_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        indexes = [
            models.Index(fields=["buyer", "-placed_at"], name="orders_order_buyer_idx"),
            models.Index(fields=["seller", "-placed_at"], name="orders_order_seller_idx"),
            # The timed moves scan one state by the age of the timestamp that started it.
            models.Index(fields=["status", "placed_at"], name="orders_placed_scan_idx"),
            models.Index(fields=["status", "accepted_at"], name="orders_accepted_scan_idx"),
            models.Index(fields=["status", "shipped_at"], name="orders_shipped_scan_idx"),
            models.Index(fields=["status", "delivered_at"], name="orders_delivered_scan_idx"),
            models.Index(fields=["status", "resolved_at"], name="orders_resolved_scan_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="orders_order_status_valid"),
            models.CheckConstraint(condition=~Q(buyer=F("seller")), name="orders_order_buyer_not_seller"),
            models.CheckConstraint(condition=Q(goods_total__gte=0) & Q(shipping__gte=0) & Q(insurance__gte=0)
                                   & Q(duty__gte=0) & Q(vat__gte=0), name="orders_order_amounts_not_negative"),
            models.CheckConstraint(condition=Q(fx_rate__gt=0), name="orders_order_fx_rate_positive"),
            models.CheckConstraint(condition=Q(refund_amount__isnull=True)
                                   | (Q(refund_amount__gte=0) & Q(refund_amount__lte=F("invoice_total"))),
                                   name="orders_order_refund_within_invoice"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("invoice_total")),
                                   name="orders_order_paid_within_invoice"),
            models.CheckConstraint(condition=Q(payment_terms__in=PaymentTermKind.values),
                                   name="orders_order_payment_terms_valid"),
            models.UniqueConstraint(fields=["payment_reference"], condition=~Q(payment_reference=""),
                                    name="orders_order_payment_reference_unique"),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"


class OrderLine(models.Model):
    """What was bought, as the listing described it when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey("marketplace.Listing", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    listing_ref = models.PositiveIntegerField(_("listing id"))
    title = models.CharField(_("title"), max_length=200)
    hs_code = models.CharField(_("HS code"), max_length=6)
    origin_country = CountryField(_("country of origin"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    line_total = models.DecimalField(_("line total"), **MONEY)
    unit_weight_kg = models.DecimalField(_("weight per unit (kg)"), max_digits=10, decimal_places=3)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_orderline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"


class SellerPaymentTerm(TimeStampedModel):
    """Payment terms a seller offers. Net terms are offered only to buyers the seller trusts
    (TrustedBuyer). A seller with no live terms offers 100% in advance."""

    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="payment_terms")
    kind = models.CharField(_("terms"), max_length=20, choices=PaymentTermKind.choices)
    deposit_percent = models.PositiveSmallIntegerField(_("deposit (%)"), default=0,
                                                       help_text=_("Deposit terms only: 1 to 99."))
    net_days = models.PositiveSmallIntegerField(_("net days after delivery"), default=0,
                                                help_text=_("Net terms only: 1 to 180."))
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        ordering = ["seller_id", "kind", "deposit_percent", "net_days", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PaymentTermKind.values), name="orders_paymentterm_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind=PaymentTermKind.DEPOSIT) & Q(deposit_percent__gte=1) & Q(deposit_percent__lte=99)
                           & Q(net_days=0))
                | (Q(kind=PaymentTermKind.NET) & Q(net_days__gte=1) & Q(net_days__lte=180) & Q(deposit_percent=0))
                | (Q(kind__in=[PaymentTermKind.ADVANCE, PaymentTermKind.LETTER_OF_CREDIT])
                   & Q(deposit_percent=0) & Q(net_days=0)),
                name="orders_paymentterm_numbers_fit_kind"),
            models.UniqueConstraint(fields=["seller", "kind", "deposit_percent", "net_days"],
                                    condition=Q(archived_at__isnull=True),
                                    name="orders_paymentterm_unique_live"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of company {self.seller_id}"


class TrustedBuyer(models.Model):
    """A buyer a seller trusts with net terms."""

    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="trusted_buyers")
    buyer = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="trusted_by")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("trusted buyer")
        verbose_name_plural = _("trusted buyers")
        ordering = ["seller_id", "buyer_id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "buyer"], name="orders_trustedbuyer_unique"),
            models.CheckConstraint(condition=~Q(seller=F("buyer")), name="orders_trustedbuyer_not_self"),
        ]

    def __str__(self) -> str:
        return f"company {self.seller_id} trusts company {self.buyer_id}"


class InstalmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")


class Instalment(models.Model):
    """One part of an order's payment schedule, owed to the seller in the order currency. It is due
    at an event of the order (`due`); `due_date` is set once that event has a date (net terms: the
    delivery plus the net days)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due = models.CharField(_("due"), max_length=20, choices=InstalmentDue.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    paid_amount = models.DecimalField(_("paid"), **MONEY, default=ZERO)
    status = models.CharField(_("status"), max_length=12, choices=InstalmentStatus.choices,
                              default=InstalmentStatus.OPEN)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["order_id", "sequence"]
        indexes = [models.Index(fields=["status", "due_date"], name="orders_instalment_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="orders_instalment_sequence_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_instalment_amount_positive"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("amount")),
                                   name="orders_instalment_paid_within_amount"),
            models.CheckConstraint(condition=Q(due__in=InstalmentDue.values), name="orders_instalment_due_valid"),
        ]

    def __str__(self) -> str:
        return f"instalment {self.sequence} of order {self.order_id}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid_amount


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Recorded by the seller")
    STATEMENT = "statement", _("Matched from a bank statement")


class Payment(models.Model):
    """Money the seller received for an order, put against one instalment. A transfer that covers
    several instalments is recorded as one row per instalment, with the same reference."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="payments")
    reference = models.CharField(_("reference"), max_length=100)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    source = models.CharField(_("source"), max_length=10, choices=PaymentSource.choices,
                              default=PaymentSource.MANUAL)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=PaymentMethod.values), name="orders_payment_method_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for order {self.order_id}"


class OrderEvent(models.Model):
    """One move of an order: who (none for the system), in which role, from what to what, why, and
    the details of the move. `sent_at` is set once the other party has been told."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    role = models.CharField(max_length=10, choices=OrderRole.choices)
    from_status = models.CharField(max_length=10, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=OrderStatus.choices)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"order {self.order_id}: {self.from_status or '-'} -> {self.to_status}"


# --- requests for quotation, quotes and messages --------------------------------------------------------

class RfqStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class RfqAudience(models.TextChoices):
    CATEGORY = "category", _("Sellers of the category")
    INVITED = "invited", _("Chosen sellers only")


class QuoteStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# A seller has at most one quote in these states per request for quotation.
LIVE_QUOTE_STATUSES = (QuoteStatus.SUBMITTED, QuoteStatus.ACCEPTED)


class Rfq(TimeStampedModel):
    """A buyer's request for quotation. Sellers of the category see it (or only the chosen sellers,
    the recipients, when the audience is "invited") while it is open and before its deadline. When
    the buyer accepts a quote the request is awarded and `order` is the order it became."""

    buyer = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="rfqs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("product"), max_length=200, validators=[validate_plain_text])
    description = models.TextField(_("description"), max_length=5000, blank=True, validators=[validate_plain_text])
    category = models.ForeignKey("marketplace.Category", on_delete=models.PROTECT, related_name="rfqs")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    target_price = models.DecimalField(_("target unit price"), **MONEY, null=True, blank=True)
    target_currency = models.CharField(_("target price currency"), max_length=3, choices=CURRENCY_CHOICES,
                                       blank=True)
    destination_country = CountryField(_("destination country"))
    destination_address = models.TextField(_("destination address"), max_length=500, blank=True,
                                           validators=[validate_plain_text],
                                           help_text=_("Blank: the buyer's own address."))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    deadline = models.DateTimeField(_("deadline"))
    audience = models.CharField(_("audience"), max_length=10, choices=RfqAudience.choices,
                                default=RfqAudience.CATEGORY)
    status = models.CharField(_("status"), max_length=10, choices=RfqStatus.choices, default=RfqStatus.OPEN)
    order = models.OneToOneField(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="rfq")
    closed_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request for quotation")
        verbose_name_plural = _("requests for quotation")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="orders_rfq_deadline_scan_idx"),
            models.Index(fields=["buyer", "-created_at"], name="orders_rfq_buyer_idx"),
            models.Index(fields=["category", "status"], name="orders_rfq_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RfqStatus.values), name="orders_rfq_status_valid"),
            models.CheckConstraint(condition=Q(audience__in=RfqAudience.values), name="orders_rfq_audience_valid"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_rfq_quantity_positive"),
            models.CheckConstraint(condition=Q(target_price__isnull=True)
                                   | (Q(target_price__gte=0) & ~Q(target_currency="")),
                                   name="orders_rfq_target_price_with_currency"),
            models.CheckConstraint(condition=(Q(status=RfqStatus.AWARDED) & Q(order__isnull=False))
                                   | (~Q(status=RfqStatus.AWARDED) & Q(order__isnull=True)),
                                   name="orders_rfq_awarded_has_order"),
        ]

    def __str__(self) -> str:
        return f"RFQ {self.pk}: {self.title}"


class RfqRecipient(models.Model):
    """A seller the buyer sent the request to."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="recipients")
    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="rfqs_received")

    class Meta:
        verbose_name = _("RFQ recipient")
        verbose_name_plural = _("RFQ recipients")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "seller"], name="orders_rfqrecipient_unique"),
        ]

    def __str__(self) -> str:
        return f"RFQ {self.rfq_id} to company {self.seller_id}"


class Quote(TimeStampedModel):
    """A seller's answer to a request for quotation, in the seller's currency. A seller has one live
    quote per request: revising it replaces its terms (and counts the revision); a withdrawn quote
    leaves room for a new one. HS code, origin and unit weight describe the goods for the order line
    (taken from `listing` when the seller names one of its listings)."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="quotes")
    seller = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="quotes")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey("marketplace.Listing", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    moq = models.PositiveIntegerField(_("minimum order quantity"), validators=[MinValueValidator(1)])
    lead_time_days = models.PositiveSmallIntegerField(_("lead time in days"))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    valid_until = models.DateField(_("valid until"))
    hs_code = models.CharField(_("HS code"), max_length=6, validators=[HS_CODE_VALIDATOR])
    origin_country = CountryField(_("country of origin"))
    unit_weight_kg = models.DecimalField(_("weight per unit (kg)"), max_digits=10, decimal_places=3,
                                         default=Decimal("0.000"))
    note = models.TextField(_("note"), max_length=2000, blank=True, validators=[validate_plain_text])
    status = models.CharField(_("status"), max_length=10, choices=QuoteStatus.choices,
                              default=QuoteStatus.SUBMITTED)
    revision = models.PositiveIntegerField(default=1)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["pk"]
        indexes = [models.Index(fields=["seller", "-created_at"], name="orders_quote_seller_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=QuoteStatus.values), name="orders_quote_status_valid"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="orders_quote_unit_price_positive"),
            models.CheckConstraint(condition=Q(moq__gte=1), name="orders_quote_moq_positive"),
            models.CheckConstraint(condition=Q(unit_weight_kg__gte=0), name="orders_quote_weight_not_negative"),
            models.UniqueConstraint(fields=["rfq", "seller"], condition=Q(status__in=LIVE_QUOTE_STATUSES),
                                    name="orders_quote_one_live_per_seller"),
        ]

    def __str__(self) -> str:
        return f"quote {self.pk} on RFQ {self.rfq_id}"


class Message(models.Model):
    """A message between a buyer and a seller: on a request for quotation (the thread of the buyer and
    `seller`) or on an order (its buyer and seller). `company` is the party the author wrote for."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, null=True, blank=True, related_name="messages")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="messages")
    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("message"), max_length=5000, validators=[validate_plain_text])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["rfq", "seller", "created_at"], name="orders_message_rfq_idx"),
            models.Index(fields=["order", "created_at"], name="orders_message_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=(Q(rfq__isnull=False) & Q(order__isnull=True))
                                   | (Q(rfq__isnull=True) & Q(order__isnull=False)),
                                   name="orders_message_on_rfq_or_order"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class MessageThreadRead(models.Model):
    """How far one person has read one message thread: the thread of an order, or the thread of a
    request for quotation with one seller. Each member of a company has their own mark; it only
    moves forward (`last_read_message_id` is the newest message they have seen)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    last_read_message_id = models.PositiveBigIntegerField()
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message thread read mark")
        verbose_name_plural = _("message thread read marks")
        constraints = [
            models.CheckConstraint(condition=(Q(order__isnull=False) & Q(rfq__isnull=True) & Q(seller__isnull=True))
                                   | (Q(order__isnull=True) & Q(rfq__isnull=False) & Q(seller__isnull=False)),
                                   name="orders_threadread_order_or_rfq_thread"),
            # NULLs are distinct: the order marks never collide with the request marks.
            models.UniqueConstraint(fields=["user", "order"], name="orders_threadread_order_unique"),
            models.UniqueConstraint(fields=["user", "rfq", "seller"], name="orders_threadread_rfq_unique"),
        ]

    def __str__(self) -> str:
        thread = f"order {self.order_id}" if self.order_id else f"RFQ {self.rfq_id}/company {self.seller_id}"
        return f"user {self.user_id} read {thread} up to message {self.last_read_message_id}"
