"""Input shapes and output shapes. Validation of values lives on the models (run by the services);
these classes only refuse keys that may not be sent and coerce types."""
from __future__ import annotations

from rest_framework import serializers

from accounts.models import Company, Invite, Language, Membership, MembershipRole, User, VerificationDecision
from core.api import StrictInputMixin


class CompanyInputSerializer(StrictInputMixin, serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2)
    registration_number = serializers.CharField(max_length=64)
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


class CompanySerializer(serializers.ModelSerializer):
    country_name = serializers.CharField(source="country.name", read_only=True)

    class Meta:
        model = Company
        fields = ["id", "legal_name", "country", "country_name", "registration_number", "address", "website",
                  "description", "logo", "default_currency", "preferred_language", "kind", "verification_status",
                  "verification_changed_at", "verification_reason", "created_at"]
        read_only_fields = fields


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
    actor_email = serializers.EmailField(source="actor.email", read_only=True)

    class Meta:
        model = VerificationDecision
        fields = ["id", "from_status", "to_status", "reason", "actor_email", "created_at"]
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
