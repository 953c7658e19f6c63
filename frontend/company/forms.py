"""Forms of the web pages. They only coerce and shape input; the services decide what is allowed."""
from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import CompanyKind, DocumentKind, Language, MembershipRole, VerificationStatus

from ..common import ServiceErrorsMixin, country_choices, currency_choices

COMPANY_FIELDS = (
    "legal_name", "country", "registration_number", "address", "website", "description", "default_currency",
    "kind",
)


def _kind_choices():
    return [("", _("Choose a trading role")), *CompanyKind.choices]


class SignupForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"password": "password1"}

    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 10 characters; not a common or an all-digit password."))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices,
                                           initial=Language.EN)
    legal_name = forms.CharField(label=_("Company legal name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices(_("Choose a country")))
    registration_number = forms.CharField(label=_("Registration number"), max_length=64)
    address = forms.CharField(label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    website = forms.URLField(label=_("Website"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    default_currency = forms.ChoiceField(label=_("Default currency"), choices=currency_choices(_("Choose a currency")))
    kind = forms.ChoiceField(label=_("Trading role"), choices=_kind_choices)

    PERSON_FIELDS = ("email", "full_name", "password1", "password2", "preferred_language")

    def person_fields(self):
        return [self[name] for name in self.PERSON_FIELDS]

    def company_fields(self):
        return [self[name] for name in self.fields if name not in self.PERSON_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned

    def register_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        company = {name: data[name] for name in COMPANY_FIELDS}
        company["preferred_language"] = data["preferred_language"]
        return {"email": data["email"], "password": data["password1"], "full_name": data["full_name"],
                "preferred_language": data["preferred_language"], "company": company}


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class PasswordResetConfirmForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"new_password": "new_password1"}

    new_password1 = forms.CharField(label=_("New password"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("New password again"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords do not match."))
        return cleaned


class CompanyForm(ServiceErrorsMixin, forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices(_("Choose a country")))
    registration_number = forms.CharField(label=_("Registration number"), max_length=64)
    tax_number = forms.CharField(label=_("Tax number"), max_length=64, required=False,
                                 help_text=_("Needed to ask for verification. Checked against your country's "
                                             "format where we know it (for example VKN, USCC, CNPJ, VAT)."))
    address = forms.CharField(label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    website = forms.URLField(label=_("Website"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    default_currency = forms.ChoiceField(label=_("Default currency"), choices=currency_choices(_("Choose a currency")))
    preferred_language = forms.ChoiceField(label=_("Language of e-mails to the company"), choices=Language.choices)
    kind = forms.ChoiceField(label=_("Trading role"), choices=_kind_choices)
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG, JPEG, WebP or GIF, at most 2 MB."),
                           widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}))

    @classmethod
    def for_company(cls, company, *args, **kwargs) -> CompanyForm:
        """The form filled with the company's profile. Identity changes waiting for review are shown
        as asked, so that saving other fields keeps them waiting (and putting back the reviewed
        value withdraws one)."""
        initial = {name: getattr(company, name) for name in (*COMPANY_FIELDS, "tax_number", "preferred_language")}
        initial["country"] = company.country.code
        initial.update(company.pending_changes or {})
        return cls(*args, initial=initial, **kwargs)

    def update_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("logo"):
            data.pop("logo", None)
        return data


class VerificationDocumentForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=[("", _("Choose the kind of document")),
                                                           *DocumentKind.choices])
    file = forms.FileField(label=_("File"), max_length=255,
                           widget=forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A PDF (at most %(pdf)s MB) or a PNG, JPEG or WebP image (at most "
                                          "%(image)s MB).") % {
            "pdf": settings.VERIFICATION_DOCUMENT_MAX_BYTES // (1024 * 1024),
            "image": settings.LOGO_MAX_BYTES // (1024 * 1024)}


class InviteForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.STAFF)


class InviteSignupForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"password": "password1"}

    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


class ModerationFilterForm(forms.Form):
    STATUS_CHOICES = [(VerificationStatus.VERIFIED, _("Verified")), (VerificationStatus.SUSPENDED, _("Suspended"))]

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False,
                                choices=country_choices(_("All countries")))

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"status": data.get("status") or VerificationStatus.VERIFIED, "country": data.get("country") or None}


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("Say what uses it, for example the ERP's nightly sync."))
    expires_in_days = forms.IntegerField(label=_("Expires after (days)"), min_value=1, max_value=3650, required=False,
                                         help_text=_("Empty: 90 days."))
