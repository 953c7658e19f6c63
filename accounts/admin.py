from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import apply_service, reasoned_action

from . import hooks, services
from .admin_site import PasswordSetRevokingTokensForm
from .models import ApiToken, Company, Invite, LoginThrottle, Membership, ThrottleHit, User, VerificationDecision


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_superuser", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    change_password_form = PasswordSetRevokingTokensForm


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class DecisionInline(admin.TabularInline):
    model = VerificationDecision
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_status", "to_status", "reason", "email_sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _companies_updated(count: int) -> str:
    return ngettext("%(n)d company updated.", "%(n)d companies updated.", count) % {"n": count}


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "country", "kind", "verification_status", "verification_changed_at", "created_at"]
    list_filter = ["verification_status", "kind", "country"]
    search_fields = ["legal_name", "registration_number"]
    readonly_fields = ["verification_status", "verification_changed_at", "verification_reason", "created_at",
                       "updated_at", "pending_changes", "pending_changes_at", "confusable_with"]
    inlines = [MembershipInline, DecisionInline]
    actions = ["verify", "reject", "suspend", "reinstate"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "legal_name" in form.changed_data:
            # Inside the admin's transaction: what listens queues its work after commit.
            hooks.company_renamed(obj.pk)

    @admin.action(description=_("Verify selected companies"))
    def verify(self, request, queryset):
        apply_service(self, request, queryset, services.company_verify, object_kwarg="company",
                      done_message=_companies_updated)

    @admin.action(description=_("Reject selected companies (with a reason)"))
    def reject(self, request, queryset):
        return reasoned_action(self, request, queryset, services.company_reject, object_kwarg="company",
                               title=_("Reject companies"), action_name="reject", done_message=_companies_updated)

    @admin.action(description=_("Suspend selected companies (with a reason)"))
    def suspend(self, request, queryset):
        return reasoned_action(self, request, queryset, services.company_suspend, object_kwarg="company",
                               title=_("Suspend companies"), action_name="suspend", done_message=_companies_updated)

    @admin.action(description=_("Reinstate selected suspended companies"))
    def reinstate(self, request, queryset):
        apply_service(self, request, queryset, services.company_reinstate, object_kwarg="company",
                      done_message=_companies_updated)


@admin.register(VerificationDecision)
class VerificationDecisionAdmin(admin.ModelAdmin):
    list_display = ["company", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["company__legal_name", "actor__email", "reason"]
    readonly_fields = ["company", "actor", "from_status", "to_status", "reason", "created_at", "email_sent_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "company__legal_name"]
    autocomplete_fields = ["user", "company"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "role", "expires_at", "accepted_at"]
    search_fields = ["email", "company__legal_name"]
    readonly_fields = ["token", "email_sent_at", "accepted_at", "accepted_by"]


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    list_display = ["key", "failures", "last_failure_at", "next_allowed_at"]
    search_fields = ["key"]


@admin.register(ThrottleHit)
class ThrottleHitAdmin(admin.ModelAdmin):
    list_display = ["key", "subject", "at"]
    search_fields = ["key", "subject"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens by name and first characters; the key itself is never stored, so never shown."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count})
