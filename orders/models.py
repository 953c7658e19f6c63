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
                                help_text=_("Goods, shipping, insurance, duty and VAT, whoever pays them."))
    buyer_pays = models.DecimalField(_("buyer pays"), **MONEY)
    seller_pays = models.DecimalField(_("seller pays"), **MONEY)
    buyer_pays_in_buyer_currency = models.DecimalField(_("buyer pays, in the buyer's currency"), **MONEY)
    payer = models.JSONField(_("who pays each component"), default=dict)
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
                                   | (Q(refund_amount__gte=0) & Q(refund_amount__lte=F("buyer_pays"))),
                                   name="orders_order_refund_within_paid"),
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


class Payment(models.Model):
    """The seller's record that the buyer's payment arrived."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="payment")
    reference = models.CharField(_("reference"), max_length=100)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
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
