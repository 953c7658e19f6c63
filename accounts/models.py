from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.images import stored_extension
from core.models import TimeStampedModel
from core.names import name_normalise, name_skeleton
from core.validators import CURRENCY_CHOICES, validate_currency_code, validate_image_upload, validate_plain_text

MODERATORS_GROUP = "moderators"


class Language(models.TextChoices):
    EN = "en", _("English")
    TR = "tr", _("Turkish")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with an e-mail address; there is no username."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, validators=[validate_plain_text])
    preferred_language = models.CharField(_("language"), max_length=10, choices=Language.choices,
                                          default=Language.EN)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person opened the link of the verification e-mail (or of an invite). Until then
    # their companies do not trade through them (accounts.selectors.user_require_verified_email).
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_moderator(self) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        cached = getattr(self, "_is_moderator", None)
        if cached is None:
            cached = self.is_staff and self.groups.filter(name=MODERATORS_GROUP).exists()
            self._is_moderator = cached
        return cached


class CompanyKind(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    BOTH = "both", _("Buyer and seller")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    PENDING = "pending", _("Pending review")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Verification expired")


def company_logo_path(instance: Company, filename: str) -> str:
    """A name made here; the extension is that of the image's decoded format (core.images)."""
    ext = stored_extension(filename)
    return f"logos/{instance.country}/{timezone.now():%Y%m}/{instance.registration_number}.{ext}"


class Company(TimeStampedModel):
    legal_name = models.CharField(_("legal name"), max_length=200, validators=[MinLengthValidator(2),
                                                                             validate_plain_text])
    country = CountryField(_("country"))
    registration_number = models.CharField(_("registration number"), max_length=64,
                                           validators=[validate_plain_text])
    address = models.TextField(_("address"), max_length=500, validators=[validate_plain_text])
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True,
                                   validators=[validate_plain_text])
    logo = models.ImageField(_("logo"), upload_to=company_logo_path, blank=True,
                             validators=[validate_image_upload])
    default_currency = models.CharField(_("default currency"), max_length=3, choices=CURRENCY_CHOICES,
                                        validators=[validate_currency_code])
    preferred_language = models.CharField(_("preferred language"), max_length=10, choices=Language.choices,
                                          default=Language.EN)
    kind = models.CharField(_("kind"), max_length=10, choices=CompanyKind.choices)
    verification_status = models.CharField(_("verification status"), max_length=12,
                                           choices=VerificationStatus.choices,
                                           default=VerificationStatus.UNVERIFIED, db_index=True)
    verification_changed_at = models.DateTimeField(_("verification changed at"), null=True, blank=True)
    verification_reason = models.TextField(_("reason of the last decision"), blank=True)
    # Stored compact (accounts/registry_numbers.py); blank until the company asks for verification.
    tax_number = models.CharField(_("tax number"), max_length=64, blank=True, validators=[validate_plain_text])
    # Set when a moderator verifies (or renews); the company's verification expires at this time.
    verified_until = models.DateTimeField(_("verified until"), null=True, blank=True, db_index=True)
    # The `verified_until` whose expiry reminder was sent: one reminder per verification period.
    expiry_reminder_sent_for = models.DateTimeField(null=True, blank=True, editable=False)
    # A verified company asked to renew its verification before it expires (it keeps its badge).
    renewal_requested_at = models.DateTimeField(_("renewal requested at"), null=True, blank=True, editable=False)
    # Identity under review: changes to the identity fields of a verified (or suspended) company wait
    # here for a moderator; the company keeps its reviewed identity until they are approved.
    pending_changes = models.JSONField(_("identity changes waiting for review"), null=True, blank=True,
                                       editable=False)
    pending_changes_at = models.DateTimeField(_("identity changes submitted at"), null=True, blank=True)
    # Confusable names: the name's skeleton (core/names.py) and the verified company it looks like.
    name_skeleton = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    confusable_with = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                        editable=False, related_name="+",
                                        verbose_name=_("name confusable with"))

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["country", "registration_number"],
                                    name="accounts_company_country_regno_unique"),
            models.CheckConstraint(condition=Q(kind__in=CompanyKind.values), name="accounts_company_kind_valid"),
            models.CheckConstraint(condition=Q(verification_status__in=VerificationStatus.values),
                                   name="accounts_company_verification_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.country})"

    def clean(self) -> None:
        """The legal name is stored normalised (core/names.py) with the skeleton it is compared by."""
        super().clean()
        if self.legal_name:  # an empty one is already refused as blank
            try:
                self.legal_name = name_normalise(self.legal_name)
            except ValidationError as exc:
                raise ValidationError({"legal_name": exc.messages}) from exc
        self.name_skeleton = name_skeleton(self.legal_name)
        self._clean_numbers()

    def _clean_numbers(self) -> None:
        """The registration and tax numbers are checked against the country's format where it is
        known (accounts/registry_numbers.py) and stored compact."""
        from .registry_numbers import REGISTRATION, TAX, number_normalise

        if not self.country:
            return
        errors = {}
        for field, kind in (("registration_number", REGISTRATION), ("tax_number", TAX)):
            value = getattr(self, field)
            if not value:
                continue
            try:
                setattr(self, field, number_normalise(country=str(self.country), kind=kind, number=value).number)
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def sells(self) -> bool:
        return self.kind in (CompanyKind.SELLER, CompanyKind.BOTH)

    @property
    def buys(self) -> bool:
        return self.kind in (CompanyKind.BUYER, CompanyKind.BOTH)

    @property
    def can_publish_listings(self) -> bool:
        return self.sells and self.is_verified


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="accounts_membership_user_company_unique"),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="accounts_membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"


class Invite(TimeStampedModel):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invite")
        verbose_name_plural = _("invites")
        constraints = [
            # At most one open invite per company and address.
            models.UniqueConstraint(Lower("email"), "company", condition=Q(accepted_at__isnull=True),
                                    name="accounts_invite_one_open_per_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} -> {self.company}"


class DocumentKind(models.TextChoices):
    REGISTRATION_CERTIFICATE = "registration_certificate", _("Registration certificate")
    TAX_CERTIFICATE = "tax_certificate", _("Tax certificate")
    OTHER = "other", _("Other document")


def private_storage():
    """Files no URL serves (STORAGES["private"], under PRIVATE_MEDIA_ROOT)."""
    from django.core.files.storage import storages

    return storages["private"]


def verification_document_path(instance: VerificationDocument, filename: str) -> str:
    """A name made here; the extension is that of the decoded content (accounts/documents.py)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"verification/{instance.company_id}/{uuid.uuid4().hex}.{extension}"


class VerificationDocument(models.Model):
    """Evidence a company uploads for its verification (a PDF or an image), kept privately: only the
    company's members and the moderators can fetch it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="verification_documents")
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to=verification_document_path,
                            max_length=200)
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = models.CharField(_("original file name"), max_length=150, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values),
                                   name="accounts_verificationdocument_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.get_kind_display()} ({self.original_name})"


class VerificationDecision(models.Model):
    """Every move of a company's verification state: who (none for a move of the system: an
    expiry), when, from what to what, why, and the documents it rested on."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="verification_decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                              blank=True)
    documents = models.ManyToManyField(VerificationDocument, through="DecisionDocument", related_name="decisions",
                                       blank=True)
    from_status = models.CharField(max_length=12, choices=VerificationStatus.choices)
    to_status = models.CharField(max_length=12, choices=VerificationStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # A decision on identity changes (the status stays): the changes reviewed, and whether applied.
    identity_changes = models.JSONField(null=True, blank=True)
    applied_changes = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification decision")
        verbose_name_plural = _("verification decisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.company}: {self.from_status} -> {self.to_status}"


class DecisionDocument(models.Model):
    """A document a decision rested on. Such a document cannot be deleted (PROTECT)."""

    decision = models.ForeignKey(VerificationDecision, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(VerificationDocument, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "document"],
                                               name="accounts_decisiondocument_unique")]


class LoginThrottle(models.Model):
    """Sign-in bookkeeping of one key: an account ("account:<e-mail>"), a known device
    ("device:<id>"), or a client address ("ip:<address>", whose row only serialises the address's
    checks; its failures are ThrottleHit rows).

    An account's or device's failures give the next attempt a delay that doubles per failure; the
    row is read and written under a row lock, so parallel attempts cannot slip past the delay."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    next_allowed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class ThrottleHit(models.Model):
    """One counted event inside a sliding window: a failed sign-in from an address (subject: the
    account tried), a password reset request or a registration. Rows older than the window are
    deleted as the key is next checked, and by the hourly purge."""

    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="accounts_throttlehit_key_at")]

    def __str__(self) -> str:
        return f"{self.key} {self.subject} {self.at:%Y-%m-%d %H:%M:%S}"


class ApiToken(models.Model):
    """A named API key of one user. Only the SHA-256 of the secret is stored; the secret is shown
    once, when the token is created, and later known by its first characters (prefix)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_text])
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_apitoken_user_live")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
