"""Input shapes and output shapes. Validation of values lives on the models (run by the services);
these classes only refuse keys that may not be sent and coerce types."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from django.urls import reverse

from accounts.models import (
    ApiToken,
    Company,
    DocumentKind,
    Invite,
    Language,
    Membership,
    MembershipRole,
    User,
    VerificationDecision,
    VerificationDocument,
)
from accounts.registry_numbers import INVALID, MISSING, NOT_CHECKED, NUMBER_KINDS, VALID, company_number_checks
from core.api import StrictInputMixin


class CompanyInputSerializer(StrictInputMixin, serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2)
    registration_number = serializers.CharField(max_length=64)
    tax_number = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                       help_text="Checked against the country's format where it is known; "
                                                 "required before asking for verification.")
    address = serializers.CharField(max_length=500)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    logo = serializers.FileField(required=False, allow_empty_file=False)
    default_currency = serializers.CharField(max_length=3)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)
    kind = serializers.ChoiceField(choices=Company._meta.get_field("kind").choices)

    def validate_country(self, value: str) -> str:
        return value.strip().upper()

    def validate_default_currency(self, value: str) -> str:
        return value.strip().upper()


class NumberCheckSerializer(serializers.Serializer):
    """What the check of a registration or tax number found (accounts/registry_numbers.py)."""

    kind = serializers.ChoiceField(choices=NUMBER_KINDS)
    number = serializers.CharField()
    result = serializers.ChoiceField(choices=[(VALID, "valid"), (NOT_CHECKED, "format not checked"),
                                              (INVALID, "invalid"), (MISSING, "missing")])
    format = serializers.CharField(source="name", help_text="The format's short name (VKN, USCC ...), or empty.")
    label = serializers.CharField(help_text="The result in words, e.g. \"VKN valid\", \"format not checked\".")


class VerificationDocumentSerializer(serializers.ModelSerializer):
    """A verification document. `in_use`: a decision rested on it, so it cannot be deleted."""

    in_use = serializers.BooleanField(read_only=True, default=False)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = VerificationDocument
        fields = ["id", "kind", "content_type", "size", "sha256", "original_name", "uploaded_at", "in_use",
                  "download_url"]
        read_only_fields = fields

    def get_download_url(self, document: VerificationDocument) -> str:
        return reverse("api:company-download-document", args=[document.company_id, document.pk])


class DocumentUploadSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(allow_empty_file=False, max_length=255,
                                 help_text="A PDF or a PNG, JPEG, WebP or GIF image; its type is read from its "
                                           "content.")


class LookalikeCompanySerializer(serializers.ModelSerializer):
    """The verified company whose name another company's reads like."""

    class Meta:
        model = Company
        fields = ["id", "legal_name", "country"]
        read_only_fields = fields


class CompanySerializer(serializers.ModelSerializer):
    """A company profile. The identity shown is the reviewed one; `pending_changes` holds identity
    changes waiting for a moderator (shown to members and moderators, else null) and
    `confusable_with` the verified company whose name this one's reads like (moderators only)."""

    country_name = serializers.CharField(source="country.name", read_only=True)
    pending_changes = serializers.SerializerMethodField()
    pending_changes_at = serializers.SerializerMethodField()
    confusable_with = serializers.SerializerMethodField()
    tax_number = serializers.SerializerMethodField()
    number_checks = serializers.SerializerMethodField()
    renewal_requested_at = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = ["id", "legal_name", "country", "country_name", "registration_number", "tax_number", "address",
                  "website", "description", "logo", "default_currency", "preferred_language", "kind",
                  "verification_status", "verification_changed_at", "verification_reason", "verified_until",
                  "renewal_requested_at", "created_at", "pending_changes", "pending_changes_at", "confusable_with",
                  "number_checks"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True,
                          "description": "The tax number (members and moderators; else null)."})
    def get_tax_number(self, company: Company) -> str | None:
        return company.tax_number if self.context.get("show_private") else None

    @extend_schema_field(NumberCheckSerializer(many=True, allow_null=True))
    def get_number_checks(self, company: Company) -> list | None:
        """The checks of the registration and tax numbers (members and moderators; else null)."""
        if not self.context.get("show_private"):
            return None
        return NumberCheckSerializer(list(company_number_checks(company).values()), many=True).data

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_renewal_requested_at(self, company: Company):
        return company.renewal_requested_at if self.context.get("show_private") else None

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": {"type": "string"},
                          "description": "Identity fields waiting for review and their new values."})
    def get_pending_changes(self, company: Company) -> dict | None:
        return company.pending_changes if self.context.get("show_private") else None

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_pending_changes_at(self, company: Company):
        return company.pending_changes_at if self.context.get("show_private") else None

    @extend_schema_field(LookalikeCompanySerializer(allow_null=True))
    def get_confusable_with(self, company: Company) -> dict | None:
        if not self.context.get("moderator") or company.confusable_with is None:
            return None
        return LookalikeCompanySerializer(company.confusable_with).data


class ModerationCompanySerializer(CompanySerializer):
    """A company in the moderators' queue, with its documents beside the checks of its numbers."""

    documents = serializers.SerializerMethodField()

    class Meta(CompanySerializer.Meta):
        fields = [*CompanySerializer.Meta.fields, "documents"]
        read_only_fields = fields

    @extend_schema_field(VerificationDocumentSerializer(many=True))
    def get_documents(self, company: Company) -> list:
        return VerificationDocumentSerializer(company.verification_documents.all(), many=True).data


class RegisterSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    full_name = serializers.CharField(max_length=150)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.EN)
    company = CompanyInputSerializer()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "preferred_language", "is_moderator", "date_joined"]
        read_only_fields = fields


class MeInputSerializer(StrictInputMixin, serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)


class LoginSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(trim_whitespace=False, max_length=4096)


class PasswordResetSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmSerializer(StrictInputMixin, serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(trim_whitespace=False, max_length=4096)


class ReasonSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DecisionSerializer(serializers.ModelSerializer):
    """A verification decision; for a decision on identity changes, the changes and whether they
    were applied (else both null)."""

    actor_email = serializers.EmailField(source="actor.email", read_only=True, allow_null=True,
                                         help_text="Null for a move of the system (an expiry).")
    identity_changes = serializers.JSONField(read_only=True, allow_null=True)
    documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True,
                                                   help_text="The ids of the documents the decision rested on.")

    class Meta:
        model = VerificationDecision
        fields = ["id", "from_status", "to_status", "reason", "actor_email", "created_at", "identity_changes",
                  "applied_changes", "documents"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = fields


class InviteInputSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=MembershipRole.choices, required=False, default=MembershipRole.STAFF)


class InviteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invite
        fields = ["id", "email", "role", "expires_at", "created_at"]
        read_only_fields = fields


class InviteAcceptSerializer(StrictInputMixin, serializers.Serializer):
    token = serializers.CharField(max_length=64)
    password = serializers.CharField(required=False, trim_whitespace=False, max_length=4096)
    full_name = serializers.CharField(required=False, max_length=150)


class TokenRequestSerializer(LoginSerializer):
    name = serializers.CharField(max_length=100, required=False, default="API token")
    expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=3650, allow_null=False)


class TokenInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=3650, allow_null=False,
                                               help_text="Days until the token expires (default 90).")


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: its name and first characters, never the secret."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret. Shown only now; store it safely.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class EmailVerificationSerializer(StrictInputMixin, serializers.Serializer):
    token = serializers.CharField(max_length=512)
