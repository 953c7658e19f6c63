"""Input shapes and output shapes of the catalogue API. The services check the values; these classes
only refuse keys that may not be sent, coerce types and shape rows that the selectors loaded."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api import StrictInputMixin
from core.pagination import COUNT_CAP
from marketplace.models import (
    Category,
    Certificate,
    Incoterm,
    Listing,
    ListingDecision,
    ListingImage,
    ListingReport,
    ListingStatus,
)
from marketplace.selectors import RESPONDS_WITHIN_HOURS, SORTS, listing_price_in, listing_shipping_warnings

# --- input ----------------------------------------------------------------------------------------


class PriceTierInputSerializer(StrictInputMixin, serializers.Serializer):
    min_quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)


class CertificateInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    issuer = serializers.CharField(max_length=200, trim_whitespace=False)
    number = serializers.CharField(max_length=100, required=False, allow_blank=True, trim_whitespace=False)
    valid_until = serializers.DateField(required=False, allow_null=True)


class ListingInputSerializer(StrictInputMixin, serializers.Serializer):
    """A listing's editable fields. Anything else (status, seller, currency, price_from, ...) is refused."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True, trim_whitespace=False)
    category = serializers.IntegerField(required=False)
    unit = serializers.CharField(max_length=10, required=False)
    stock = serializers.IntegerField(required=False)
    moq = serializers.IntegerField(required=False)
    order_multiple = serializers.IntegerField(required=False)
    lead_time_days = serializers.IntegerField(required=False)
    origin_country = serializers.CharField(max_length=60, required=False, allow_blank=True)
    hs_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    weight_kg = serializers.DecimalField(max_digits=10, decimal_places=3, required=False)
    length_cm = serializers.DecimalField(max_digits=8, decimal_places=1, required=False, allow_null=True)
    width_cm = serializers.DecimalField(max_digits=8, decimal_places=1, required=False, allow_null=True)
    height_cm = serializers.DecimalField(max_digits=8, decimal_places=1, required=False, allow_null=True)
    ships_to_mode = serializers.CharField(max_length=10, required=False)
    ships_to_countries = serializers.ListField(child=serializers.CharField(max_length=60), required=False,
                                               allow_empty=True, max_length=300)
    incoterms = serializers.ListField(child=serializers.CharField(max_length=10), required=False, allow_empty=True,
                                      max_length=len(Incoterm.values))
    price_tiers = PriceTierInputSerializer(many=True, required=False, allow_empty=True, max_length=20)
    certificates = CertificateInputSerializer(many=True, required=False, allow_empty=True, max_length=20)


class ListingCreateSerializer(ListingInputSerializer):
    seller = serializers.IntegerField(required=False, help_text="The selling company; default: your first company.")


class ListingReasonSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EmptySerializer(StrictInputMixin, serializers.Serializer):
    """An action that takes no input still refuses keys, so nothing can be smuggled in."""


class ImageUploadSerializer(StrictInputMixin, serializers.Serializer):
    image = serializers.FileField(allow_empty_file=False)


class BulkApproveSerializer(StrictInputMixin, serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=200)


class CountryCodeField(serializers.CharField):
    default_error_messages = {"invalid_country": _("{value} is not an ISO 3166 country code.")}

    def to_internal_value(self, data):
        code = super().to_internal_value(data).strip().upper()
        if code and code not in dict(countries):
            self.fail("invalid_country", value=data)
        return code


class ListingSearchQuerySerializer(serializers.Serializer):
    """Query parameters of the public listing search; turned into marketplace.selectors.SearchParams."""

    q = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, default=None)
    origin_country = CountryCodeField(required=False, allow_blank=True, default="")
    seller_country = CountryCodeField(required=False, allow_blank=True, default="")
    price_min = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                         default=None, help_text="Lowest price_from, in the display currency.")
    price_max = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                         default=None, help_text="Highest price_from, in the display currency.")
    moq_max = serializers.IntegerField(min_value=1, required=False, default=None)
    incoterm = serializers.ChoiceField(choices=Incoterm.values, required=False, allow_blank=True, default="")
    ships_to = CountryCodeField(required=False, allow_blank=True, default="",
                                help_text="ISO 3166 code: listings whose effective destinations include it (the "
                                          "listing's ships-to setting and a shipping zone of the seller with a rate).")
    verified_only = serializers.BooleanField(required=False, default=False)
    responds_within = serializers.ChoiceField(
        choices=RESPONDS_WITHIN_HOURS, required=False, default=None,
        error_messages={"invalid_choice": _("Choose 24, 48 or 72 hours.")},
        help_text="Hours: sellers whose median time to accept an order over the last 90 days is at most this "
                  "(sellers with fewer than 5 accepted orders are left out).")
    on_time_min = serializers.IntegerField(
        min_value=0, max_value=100, required=False, default=None,
        help_text="Percent: sellers who shipped at least this share of their orders within the lead time over "
                  "the last 90 days (sellers with fewer than 5 orders to judge are left out).")
    rating_min = serializers.IntegerField(
        min_value=1, max_value=5, required=False, default=None,
        help_text="Sellers whose average rating from reviews is at least this (sellers without reviews are "
                  "left out).")
    sort = serializers.ChoiceField(choices=SORTS, required=False, allow_blank=True, default="relevance",
                                   help_text="Empty means relevance. fastest_response: the sellers' median hours "
                                             "to accept, shortest first; most_on_time: the on-time shipping "
                                             "share, highest first; best_rated: the sellers' average rating, "
                                             "highest first (sellers without enough orders or reviews last).")
    currency = serializers.CharField(required=False, allow_blank=True, default="EUR", max_length=3,
                                     help_text="Display currency (ISO 4217, default EUR): price_min, price_max and "
                                               "the price sorts are in it, and each row's display_price. A currency "
                                               "without an exchange rate is a 400 on this field.")

    def to_internal_value(self, data):
        if hasattr(data, "copy") and "incoterm" in data:
            data = data.copy()
            data["incoterm"] = str(data["incoterm"]).strip().upper()
        return super().to_internal_value(data)

    def validate_sort(self, value: str) -> str:
        return value or "relevance"


class SellerListingQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ListingStatus.values, required=False, allow_blank=True, default="")


class ModerationQueueQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["submitted", "changes", "reported"], required=False, allow_blank=True,
                                   default="")
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, default=None)
    seller_country = CountryCodeField(required=False, allow_blank=True, default="")


# --- output ---------------------------------------------------------------------------------------


@extend_schema_field({"allOf": [{"type": "string", "enum": ListingStatus.values}]})
class ListingStatusField(serializers.CharField):
    """A listing state. Its choices stay inline in the schema so they are not merged with the other
    apps' `status` enums under a generated name."""


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent", "path", "depth", "position"]
        read_only_fields = fields


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "path"]
        read_only_fields = fields


class SellerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    legal_name = serializers.CharField(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    verified = serializers.BooleanField(source="is_verified", read_only=True)


class PriceTierSerializer(serializers.Serializer):
    min_quantity = serializers.IntegerField(read_only=True)
    max_quantity = serializers.IntegerField(read_only=True, allow_null=True,
                                            help_text="The next tier's minimum minus one; null for the last tier.")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


def _tiers(listing: Listing) -> list[dict]:
    """The price tiers with their upper bound, from the rows the selector prefetched."""
    rows = sorted(listing.price_tiers.all(), key=lambda tier: tier.min_quantity)
    return [{"min_quantity": tier.min_quantity,
             "max_quantity": rows[index + 1].min_quantity - 1 if index + 1 < len(rows) else None,
             "unit_price": tier.unit_price} for index, tier in enumerate(rows)]


class ListingRowSerializer(serializers.ModelSerializer):
    """One row of a listing list; everything comes from the selector's joins and prefetches."""

    category = CategoryRefSerializer(read_only=True)
    seller = SellerRefSerializer(read_only=True)
    origin_country = serializers.CharField(source="origin_country.code", read_only=True)
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code of the seller's currency.")
    price_tiers = serializers.SerializerMethodField()
    incoterms = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = ["id", "title", "category", "seller", "origin_country", "hs_code", "unit", "moq", "order_multiple",
                  "currency", "price_from", "price_tiers", "incoterms", "lead_time_days", "stock", "published_at"]
        read_only_fields = fields

    @extend_schema_field(PriceTierSerializer(many=True))
    def get_price_tiers(self, listing: Listing) -> list[dict]:
        return PriceTierSerializer(_tiers(listing), many=True).data

    def get_incoterms(self, listing: Listing) -> list[str]:
        return sorted(row.incoterm for row in listing.incoterm_rows.all())


class DisplayPriceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=22, decimal_places=2, read_only=True, allow_null=True,
                                      help_text="price_from converted at the latest rate; null without a rate.")
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code of the display currency.")
    approximate = serializers.BooleanField(read_only=True,
                                           help_text="True when converted from the listing's currency, which "
                                                     "is the currency the seller invoices in.")


class ListingSearchRowSerializer(ListingRowSerializer):
    """A row of the public search, with its lowest unit price in the display currency (context["display"])."""

    display_price = serializers.SerializerMethodField()

    class Meta(ListingRowSerializer.Meta):
        fields = [*ListingRowSerializer.Meta.fields, "display_price"]
        read_only_fields = fields

    @extend_schema_field(DisplayPriceSerializer)
    def get_display_price(self, listing: Listing) -> dict:
        display = self.context["display"]
        return DisplayPriceSerializer({"amount": listing_price_in(listing, display), "currency": display.code,
                                       "approximate": listing.currency != display.code}).data


@extend_schema_serializer(many=False)
class ListingSearchPageSerializer(serializers.Serializer):
    """A page of the public search (the shape only: the view answers the paginated page and adds
    did_you_mean)."""

    count = serializers.IntegerField(help_text=f"How many listings match, counted up to {COUNT_CAP}; see "
                                               "count_capped.")
    count_capped = serializers.BooleanField(help_text="True when more listings match than count says; the pages "
                                                      "then end at count.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ListingSearchRowSerializer(many=True)
    did_you_mean = serializers.CharField(
        allow_null=True, help_text='The query with its misspelt words corrected ("cotton towl" -> "cotton towel"), '
                                   "to offer as a new search; null when no word of q is misspelt.")


class SellerListingRowSerializer(ListingRowSerializer):
    """A row of the seller's own list: also the state of review."""

    has_pending_changes = serializers.SerializerMethodField()

    status = ListingStatusField(read_only=True)

    class Meta(ListingRowSerializer.Meta):
        fields = [*ListingRowSerializer.Meta.fields, "status", "status_reason", "has_pending_changes", "updated_at"]
        read_only_fields = fields

    def get_has_pending_changes(self, listing: Listing) -> bool:
        return listing.pending_changes is not None


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(read_only=True, help_text="The input field, as the listing API names it.")
    label = serializers.CharField(read_only=True, help_text="The field's name in the reader's language.")
    old = serializers.CharField(read_only=True, help_text="The approved value, as text.")
    new = serializers.CharField(read_only=True, help_text="The proposed value, as text.")


class ModerationListingRowSerializer(SellerListingRowSerializer):
    open_reports = serializers.IntegerField(read_only=True)
    waiting_since = serializers.DateTimeField(read_only=True)
    pending_changes = serializers.JSONField(read_only=True)
    changes = serializers.SerializerMethodField(
        help_text="For an edit of a published listing: each changed field, approved and proposed value.")

    class Meta(SellerListingRowSerializer.Meta):
        fields = [*SellerListingRowSerializer.Meta.fields, "open_reports", "waiting_since", "pending_changes",
                  "changes"]
        read_only_fields = fields

    @extend_schema_field(FieldChangeSerializer(many=True))
    def get_changes(self, listing) -> list[dict]:
        detail = (self.context.get("details") or {}).get(listing.pk)
        return FieldChangeSerializer(detail.changes if detail else [], many=True).data


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "name", "issuer", "number", "valid_until"]
        read_only_fields = fields


class ListingImageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingImage
        fields = ["id", "image", "position"]
        read_only_fields = fields


class SellerPerformanceSummarySerializer(serializers.Serializer):
    """The seller's last 90 days as /sellers/{id}/performance/ gives them in full; a figure resting on
    fewer than 5 orders is null."""

    orders_90d = serializers.IntegerField(min_value=0, help_text="Orders placed with the seller in the last 90 days.")
    accept_hours_90d = serializers.FloatField(allow_null=True, min_value=0,
                                              help_text="Median hours from placing to acceptance.")
    on_time_pct_90d = serializers.FloatField(allow_null=True, min_value=0, max_value=100,
                                             help_text="Share of orders shipped within the lead time (%).")
    dispute_free_pct_90d = serializers.FloatField(allow_null=True, min_value=0, max_value=100,
                                                  help_text="Share of delivered orders never disputed (%).")


NO_PERFORMANCE = {"orders_90d": 0, "accept_hours_90d": None, "on_time_pct_90d": None, "dispute_free_pct_90d": None}


class ListingDetailSerializer(SellerListingRowSerializer):
    """A whole listing. `description_html` was sanitised when it was rendered; `pending_changes` is
    only filled in for the seller's members and moderators (context["show_private"])."""

    ships_to_countries = serializers.SerializerMethodField()
    effective_ships_to = serializers.SerializerMethodField()
    certificates = CertificateSerializer(many=True, read_only=True)
    images = ListingImageSerializer(many=True, read_only=True)
    pending_changes = serializers.SerializerMethodField()
    shipping_warnings = serializers.SerializerMethodField()
    seller_performance = serializers.SerializerMethodField()

    class Meta(SellerListingRowSerializer.Meta):
        fields = [*SellerListingRowSerializer.Meta.fields, "description", "description_html", "weight_kg",
                  "length_cm", "width_cm", "height_cm", "ships_to_mode", "ships_to_countries", "effective_ships_to",
                  "certificates", "images", "pending_changes", "shipping_warnings", "seller_performance"]
        read_only_fields = fields

    @extend_schema_field(SellerPerformanceSummarySerializer)
    def get_seller_performance(self, listing: Listing) -> dict:
        # Loaded with the listing (select_related "seller__performance"); absent while nothing was measured.
        performance = getattr(listing.seller, "performance", None)
        if performance is None:
            return dict(NO_PERFORMANCE)
        return SellerPerformanceSummarySerializer(performance).data

    def get_ships_to_countries(self, listing: Listing) -> list[str]:
        return sorted(row.country.code for row in listing.ships_to_countries.all())

    @extend_schema_field({"type": "array", "items": {"type": "string"},
                          "description": "The countries buyers can order it to: the ships-to setting (mode and "
                                         "countries) intersected with the countries of the seller's shipping "
                                         "zones that have a rate. Empty when the seller has no shipping rate."})
    def get_effective_ships_to(self, listing: Listing) -> list[str]:
        return self.context["ships_to"].countries

    @extend_schema_field({"type": "array", "items": {"type": "string"},
                          "description": "For the seller's members and moderators: destinations of the ships-to "
                                         "setting that have no shipping rate, in words. Always empty for others."})
    def get_shipping_warnings(self, listing: Listing) -> list[str]:
        if not self.context.get("show_private"):
            return []
        return listing_shipping_warnings(self.context["ships_to"])

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": {},
                          "description": "Edits waiting for a moderator (the seller's members and moderators "
                                         "only; else null)."})
    def get_pending_changes(self, listing: Listing) -> dict | None:
        return listing.pending_changes if self.context.get("show_private") else None


class ListingDecisionSerializer(serializers.ModelSerializer):
    actor_email = serializers.EmailField(source="actor.email", read_only=True)
    from_status = ListingStatusField(read_only=True)
    to_status = ListingStatusField(read_only=True)

    class Meta:
        model = ListingDecision
        fields = ["id", "from_status", "to_status", "reason", "applied_changes", "actor_email", "created_at"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    reporter_email = serializers.EmailField(source="reporter.email", read_only=True)

    class Meta:
        model = ListingReport
        fields = ["id", "listing", "listing_title", "reporter_email", "reason", "created_at", "resolved_at"]
        read_only_fields = fields


class BulkApproveResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    outcome = serializers.CharField(read_only=True, help_text='"ok", or why the listing was not approved.')


class BulkApproveResponseSerializer(serializers.Serializer):
    results = BulkApproveResultSerializer(many=True, read_only=True)
