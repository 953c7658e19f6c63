"""Reviews in the Django admin, to look things up: the rows are written by reviews.services (the
moderators decide on the review moderation page or through the API, with a recorded reason)."""
from __future__ import annotations

from django.contrib import admin

from .models import Review, ReviewDecision, ReviewReport, SellerRating


class ReadOnlyAdminMixin:
    def get_readonly_fields(self, request, obj=None):
        return list(self.fields or [])

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "order", "buyer", "seller", "product", "communication", "shipping", "created_at",
                    "replied_at", "hidden_at"]
    list_select_related = ["order", "buyer", "seller"]
    search_fields = ["buyer__legal_name", "seller__legal_name", "comment", "reply"]
    fields = ["order", "buyer", "seller", "author", "product", "communication", "shipping", "comment",
              "created_at", "reply", "replied_by", "replied_at", "hidden_at", "hidden_by", "hidden_reason"]


@admin.register(ReviewReport)
class ReviewReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "review", "reporter", "company", "created_at", "resolved_at", "decision"]
    list_select_related = ["review", "reporter", "company"]
    fields = ["review", "reporter", "company", "reason", "created_at", "resolved_at", "resolved_by", "decision"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "review", "action", "moderator", "created_at"]
    list_select_related = ["review", "moderator"]
    fields = ["review", "action", "reason", "moderator", "created_at"]


@admin.register(SellerRating)
class SellerRatingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["seller", "review_count", "average", "product", "communication", "shipping", "updated_at"]
    list_select_related = ["seller"]
    fields = ["seller", "review_count", "average", "product", "communication", "shipping", "updated_at"]
