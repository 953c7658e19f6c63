"""The catalogue in the Django admin. Listings change only through the services: their content is
shown read-only and every decision is an admin action. Text written by sellers or buyers is always
shown escaped, including the sanitised description HTML."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import apply_service, reasoned_action

from . import selectors, services
from .models import (
    Category,
    Certificate,
    Listing,
    ListingDecision,
    ListingImage,
    ListingImport,
    ListingIncoterm,
    ListingReport,
    PriceTier,
    ShipsToCountry,
)


class ReadOnlyAdminMixin:
    """Shown, never added, changed or deleted here: the rows are written by the services."""

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields or [])

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The tree loaded by the migrations, in tree order."""

    list_display = ["indented_name", "slug", "path", "depth", "position"]
    search_fields = ["name", "path"]
    ordering = ["path"]
    list_select_related = ["parent"]
    fields = ["name", "slug", "parent", "path", "depth", "position"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, category: Category) -> str:
        return format_html("{}{}", "\u2014 " * category.depth, category.name)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class PriceTierInline(ReadOnlyInline):
    model = PriceTier
    fields = ["min_quantity", "unit_price"]


class IncotermInline(ReadOnlyInline):
    model = ListingIncoterm
    fields = ["incoterm"]
    verbose_name = _("Incoterm")
    verbose_name_plural = _("Incoterms")


class ShipsToCountryInline(ReadOnlyInline):
    model = ShipsToCountry
    fields = ["country"]
    verbose_name = _("listed country")
    verbose_name_plural = _("listed countries (see 'ships to')")


class CertificateInline(ReadOnlyInline):
    model = Certificate
    fields = ["name", "issuer", "number", "valid_until"]


class ImageInline(ReadOnlyInline):
    model = ListingImage
    fields = ["image", "position"]


class DecisionInline(ReadOnlyInline):
    model = ListingDecision
    fields = ["created_at", "actor", "from_status", "to_status", "reason", "applied_changes"]
    ordering = ["-created_at", "-pk"]


class ReportInline(ReadOnlyInline):
    model = ListingReport
    fields = ["created_at", "reporter", "reason", "resolved_at", "resolved_by"]
    ordering = ["-created_at", "-pk"]


class ModerationQueueFilter(admin.SimpleListFilter):
    """The listings waiting for a moderator; with it the list is ordered oldest first."""

    title = _("moderation queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("all", _("Everything waiting")), ("submitted", _("Submitted for review")),
                ("changes", _("Changes to published listings")), ("reported", _("Reported"))]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        kind = "" if self.value() == "all" else self.value()
        waiting = selectors.listing_moderation_queue(actor=request.user, kind=kind)
        return queryset.filter(pk__in=waiting.values("pk"))


def _open_reports():
    return Coalesce(Subquery(
        ListingReport.objects.filter(listing=OuterRef("pk"), resolved_at__isnull=True).order_by()
        .values("listing").annotate(n=Count("pk")).values("n")[:1]), 0)


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "seller", "category", "status", "price_from", "currency", "waiting_since",
                    "pending", "open_reports", "published_at"]
    list_filter = [ModerationQueueFilter, "status", ("category", admin.RelatedOnlyFieldListFilter),
                   "origin_country"]
    list_select_related = ["seller", "category"]
    search_fields = ["title", "hs_code", "seller__legal_name"]
    actions = ["approve", "request_changes", "reject", "suspend"]
    inlines = [PriceTierInline, IncotermInline, ShipsToCountryInline, CertificateInline, ImageInline,
               DecisionInline, ReportInline]
    fieldsets = [
        (None, {"fields": ["title", "seller", "category", "origin_country", "hs_code"]}),
        (_("State"), {"fields": ["status", "status_changed_at", "status_reason", "published_at",
                                 "pending_changes", "pending_changes_at"]}),
        (_("Description"), {"fields": ["description", "description_preview"]}),
        (_("Sale"), {"fields": ["unit", "stock", "moq", "order_multiple", "currency", "price_from",
                                "lead_time_days", "ships_to_mode"]}),
        (_("Parcel"), {"fields": ["weight_kg", "length_cm", "width_cm", "height_cm"]}),
        (_("Origin of the record"), {"fields": ["source_import", "source_row", "created_at", "updated_at"]}),
    ]
    readonly_fields = ["title", "seller", "category", "origin_country", "hs_code", "status", "status_changed_at",
                       "status_reason", "published_at", "pending_changes", "pending_changes_at", "description",
                       "description_preview", "unit", "stock", "moq", "order_multiple", "currency", "price_from",
                       "lead_time_days", "ships_to_mode", "weight_kg", "length_cm", "width_cm", "height_cm",
                       "source_import", "source_row", "created_at", "updated_at"]

    def get_queryset(self, request):
        # Annotated before ordering, so the queue can be ordered by how long a listing has waited.
        return Listing.objects.annotate(
            waiting_since=Coalesce("pending_changes_at", "status_changed_at"), open_report_count=_open_reports(),
        ).order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        if request.GET.get(ModerationQueueFilter.parameter_name):
            return ["waiting_since", "pk"]
        return ["-updated_at", "-pk"]

    # Content is edited by the seller through the services and a listing ends by being archived;
    # the admin only decides.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_moderate_permission(self, request) -> bool:
        return request.user.is_moderator

    @admin.display(description=_("waiting since"), ordering="waiting_since")
    def waiting_since(self, listing: Listing):
        return listing.waiting_since

    @admin.display(description=_("changes waiting"), boolean=True)
    def pending(self, listing: Listing) -> bool:
        return listing.pending_changes is not None

    @admin.display(description=_("open reports"), ordering="open_report_count")
    def open_reports(self, listing: Listing) -> int:
        return listing.open_report_count

    @admin.display(description=_("description as rendered (HTML source, escaped)"))
    def description_preview(self, listing: Listing) -> str:
        return format_html("<pre>{}</pre>", listing.description_html)

    @admin.action(description=_("Approve selected listings or their waiting changes"), permissions=["moderate"])
    def approve(self, request, queryset):
        titles = {listing.pk: str(listing) for listing in queryset}
        outcome = services.listing_bulk_approve(listing_ids=sorted(titles), actor=request.user)
        done = 0
        for pk, result in sorted(outcome.items()):
            if result == "ok":
                done += 1
            else:
                self.message_user(request, f"{titles.get(pk, pk)}: {result}", messages.ERROR)
        if done:
            self.message_user(request, _listings_updated(done), messages.SUCCESS)

    @admin.action(description=_("Request changes to selected listings (with a reason)"), permissions=["moderate"])
    def request_changes(self, request, queryset):
        return reasoned_action(self, request, queryset, services.listing_request_changes, object_kwarg="listing",
                               title=_("Request changes"), action_name="request_changes",
                               done_message=_listings_updated)

    @admin.action(description=_("Reject selected listings (with a reason)"), permissions=["moderate"])
    def reject(self, request, queryset):
        return reasoned_action(self, request, queryset, services.listing_reject, object_kwarg="listing",
                               title=_("Reject listings"), action_name="reject", done_message=_listings_updated)

    @admin.action(description=_("Suspend selected listings (with a reason)"), permissions=["moderate"])
    def suspend(self, request, queryset):
        return reasoned_action(self, request, queryset, services.listing_suspend, object_kwarg="listing",
                               title=_("Suspend listings"), action_name="suspend", done_message=_listings_updated)


def _listings_updated(count: int) -> str:
    return ngettext("%(n)d listing updated.", "%(n)d listings updated.", count) % {"n": count}


class OpenReportFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("resolved", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(ListingReport)
class ListingReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["listing", "reporter", "reason", "created_at", "resolved_at", "resolved_by"]
    list_filter = [OpenReportFilter]
    list_select_related = ["listing", "reporter", "resolved_by"]
    search_fields = ["listing__title", "reporter__email", "reason"]
    ordering = ["created_at", "pk"]
    fields = ["listing", "reporter", "reason", "created_at", "resolved_at", "resolved_by"]
    actions = ["resolve"]

    def has_moderate_permission(self, request) -> bool:
        return request.user.is_moderator

    @admin.action(description=_("Resolve selected reports"), permissions=["moderate"])
    def resolve(self, request, queryset):
        apply_service(self, request, queryset, services.listing_report_resolve,
                      object_kwarg="report", done_message=_reports_resolved)


def _reports_resolved(count: int) -> str:
    return ngettext("%(n)d report resolved.", "%(n)d reports resolved.", count) % {"n": count}


@admin.register(ListingDecision)
class ListingDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["listing", "from_status", "to_status", "applied_changes", "actor", "created_at"]
    list_filter = ["to_status"]
    list_select_related = ["listing", "actor"]
    search_fields = ["listing__title", "actor__email", "reason"]
    fields = ["listing", "actor", "from_status", "to_status", "reason", "applied_changes", "created_at"]


@admin.register(ListingImport)
class ListingImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "seller", "status", "total_rows", "processed_rows", "imported_count",
                    "error_count", "created_at"]
    list_filter = ["status"]
    list_select_related = ["seller"]
    search_fields = ["original_name", "seller__legal_name"]
    fields = ["seller", "created_by", "file", "original_name", "status", "total_rows", "processed_rows",
              "imported_count", "error_count", "errors", "started_at", "finished_at", "created_at"]
