"""Bank accounts sellers are paid into.

An account is identified either by an IBAN (countries whose banks use IBANs) or by an account
number with the bank's SWIFT/BIC (countries without IBANs, such as China or the United States).
Archived accounts are kept, so orders that named one can still show it, but they are no longer
offered for new payments."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.validators import CURRENCY_CHOICES, validate_currency_code, validate_plain_text


class BankAccount(TimeStampedModel):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="bank_accounts")
    label = models.CharField(_("label"), max_length=100, validators=[validate_plain_text],
                             help_text=_("A name for you, e.g. “EUR main account”."))
    account_holder = models.CharField(_("account holder"), max_length=140, validators=[validate_plain_text])
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    bic = models.CharField(_("SWIFT/BIC"), max_length=11)
    bank_name = models.CharField(_("bank name"), max_length=140, validators=[validate_plain_text])
    bank_country = CountryField(_("bank country"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES,
                                validators=[validate_currency_code])
    is_default = models.BooleanField(_("default for its currency"), default=False)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["company_id", "currency", "-is_default", "label", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(iban="") | ~Q(account_number=""),
                                   name="payments_bankaccount_iban_or_number"),
            models.UniqueConstraint(fields=["company", "currency"],
                                    condition=Q(is_default=True, archived_at__isnull=True),
                                    name="payments_bankaccount_one_default_per_currency"),
        ]
        indexes = [models.Index(fields=["company", "archived_at"], name="payments_ba_company_live_idx")]

    def __str__(self) -> str:
        return f"{self.label} ({self.currency})"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def iban_display(self) -> str:
        """The IBAN in groups of four, as printed on paper."""
        return iban_display(self.iban)

    @property
    def account_display(self) -> str:
        return self.iban_display or self.account_number


def iban_display(iban: str) -> str:
    """An IBAN in groups of four characters, as printed on paper."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
