from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.images import stored_extension
from core.models import TimeStampedModel
from core.validators import CURRENCY_CHOICES, validate_currency_code, validate_image_upload, validate_plain_text

HS_CODE_VALIDATOR = RegexValidator(r"^\d{6}$", _("An HS code has exactly 6 digits."), code="invalid_hs_code")


class Category(models.Model):
    """A node of the category tree. `path` is the slugs from the root joined by '/', so a
    category and all its descendants are one prefix query."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "slug"], name="marketplace_category_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Incoterm(models.TextChoices):
    EXW = "EXW", _("EXW – Ex Works")
    FCA = "FCA", _("FCA – Free Carrier")
    CPT = "CPT", _("CPT – Carriage Paid To")
    CIP = "CIP", _("CIP – Carriage and Insurance Paid To")
    DAP = "DAP", _("DAP – Delivered at Place")
    DPU = "DPU", _("DPU – Delivered at Place Unloaded")
    DDP = "DDP", _("DDP – Delivered Duty Paid")
    FAS = "FAS", _("FAS – Free Alongside Ship")
    FOB = "FOB", _("FOB – Free on Board")
    CFR = "CFR", _("CFR – Cost and Freight")
    CIF = "CIF", _("CIF – Cost, Insurance and Freight")


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    KG = "kg", _("kilogram")
    TONNE = "tonne", _("tonne")
    METRE = "m", _("metre")
    SQUARE_METRE = "m2", _("square metre")
    LITRE = "l", _("litre")
    BOX = "box", _("box")
    CARTON = "carton", _("carton")
    PALLET = "pallet", _("pallet")
    SET = "set", _("set")
    PAIR = "pair", _("pair")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Pending review")
    PUBLISHED = "published", _("Published")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


class ShipsToMode(models.TextChoices):
    ONLY = "only", _("Only the listed countries")
    ALL_EXCEPT = "all_except", _("All countries except the listed ones")


class Listing(TimeStampedModel):
    """The version of a listing that buyers see. Changes to a published listing wait in
    `pending_changes` until a moderator approves them, so the approved version stays visible."""

    seller = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_text])
    description = models.TextField(_("description (Markdown)"), max_length=20000, blank=True)
    description_html = models.TextField(editable=False, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="listings")
    unit = models.CharField(_("unit of sale"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    stock = models.PositiveIntegerField(_("available quantity"), default=0)
    moq = models.PositiveIntegerField(_("minimum order quantity"), default=1, validators=[MinValueValidator(1)])
    order_multiple = models.PositiveIntegerField(_("order multiple"), default=1, validators=[MinValueValidator(1)])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES,
                                validators=[validate_currency_code])
    price_from = models.DecimalField(_("lowest unit price"), max_digits=14, decimal_places=2, null=True,
                                     editable=False, db_index=True)
    # price_from converted to EUR at the latest rates, so that browse filters and sorts listings in every
    # currency on one column. Set by the listing services when prices are saved and refreshed for every
    # listing after new rates are stored (services.listing_price_eur_refresh); NULL when the listing has
    # no price or its currency has no rate.
    price_eur = models.DecimalField(_("lowest unit price in EUR"), max_digits=22, decimal_places=8, null=True,
                                    editable=False)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time in days"), default=7)
    origin_country = CountryField(_("country of origin"))
    hs_code = models.CharField(_("HS code"), max_length=6, validators=[HS_CODE_VALIDATOR], db_index=True)
    weight_kg = models.DecimalField(_("weight per unit (kg)"), max_digits=10, decimal_places=3,
                                    validators=[MinValueValidator(Decimal("0.001"))])
    length_cm = models.DecimalField(_("length (cm)"), max_digits=8, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(_("width (cm)"), max_digits=8, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(_("height (cm)"), max_digits=8, decimal_places=1, null=True, blank=True)
    ships_to_mode = models.CharField(_("ships to"), max_length=10, choices=ShipsToMode.choices,
                                     default=ShipsToMode.ALL_EXCEPT)
    status = models.CharField(_("status"), max_length=20, choices=ListingStatus.choices,
                              default=ListingStatus.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_reason = models.TextField(_("reason of the last decision"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    pending_changes = models.JSONField(null=True, blank=True, editable=False)
    pending_changes_at = models.DateTimeField(null=True, blank=True)
    # Title, description, category names, seller name and HS code in one column for text search.
    search_document = models.TextField(blank=True, editable=False)
    source_import = models.ForeignKey("ListingImport", on_delete=models.SET_NULL, null=True, blank=True,
                                      editable=False, related_name="listings")
    source_row = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="listing_status_published_idx"),
            # The category filter of the public catalogue: with the id, the ships-to mode, the seller, the
            # origin and the price in the index, counting a category's published listings, also from one
            # country or in a price range, never reads the table (bench/million.py).
            models.Index(fields=["category"],
                         include=["id", "ships_to_mode", "seller", "origin_country", "price_eur"],
                         condition=Q(status="published"), name="listing_published_category_idx"),
            # Price bounds and price order of the public catalogue in any display currency: counting the
            # published listings in a price range reads this index only.
            models.Index(fields=["price_eur"], include=["seller"], condition=Q(status="published"),
                         name="listing_published_price_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="marketplace_listing_status"),
            models.CheckConstraint(condition=Q(moq__gte=1) & Q(order_multiple__gte=1),
                                   name="marketplace_listing_moq_positive"),
            # A row of an import creates at most one listing, however often the task runs.
            models.UniqueConstraint(fields=["source_import", "source_row"], name="marketplace_listing_import_row"),
        ]

    def __str__(self) -> str:
        return self.title


class ShipsToCountry(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="ships_to_countries")
    country = CountryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing", "country"], name="marketplace_shipsto_unique")]


class ListingIncoterm(models.Model):
    """One row per Incoterm a listing offers, for filtering on any database."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="incoterm_rows")
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing", "incoterm"], name="marketplace_incoterm_unique")]


class PriceTier(models.Model):
    """Unit price from `min_quantity` up to the next tier's minimum."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="price_tiers")
    min_quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "min_quantity"], name="marketplace_tier_unique"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="marketplace_tier_price_positive"),
        ]


class Certificate(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="certificates")
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    issuer = models.CharField(_("issuer"), max_length=200, validators=[validate_plain_text])
    number = models.CharField(_("number"), max_length=100, blank=True, validators=[validate_plain_text])
    valid_until = models.DateField(_("valid until"), null=True, blank=True)


def listing_image_path(instance: ListingImage, filename: str) -> str:
    """A name made here; the extension is that of the image's decoded format (core.images)."""
    return f"listings/{instance.listing_id}/{uuid.uuid4().hex}.{stored_extension(filename)}"


class ListingImage(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=listing_image_path, validators=[validate_image_upload])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class ListingDecision(models.Model):
    """Every move of a listing: who, when, from what to what, and why. Shown to the seller."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=ListingStatus.choices)
    to_status = models.CharField(max_length=20, choices=ListingStatus.choices)
    reason = models.TextField(blank=True)
    applied_changes = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class ListingReport(TimeStampedModel):
    """A buyer's report of a listing; open reports reach the moderation queue."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000, validators=[validate_plain_text])
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "reporter"], condition=Q(resolved_at__isnull=True),
                                    name="marketplace_report_one_open_per_reporter"),
        ]


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def listing_import_path(instance: ListingImport, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "csv"
    return f"imports/{instance.seller_id}/{timezone.now():%Y%m%d%H%M%S%f}.{ext}"


class ListingImport(TimeStampedModel):
    """A seller's CSV or XLSX upload of listings, imported row by row by a Celery task."""

    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="listing_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=listing_import_path)
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.DONE, ImportStatus.FAILED) else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
