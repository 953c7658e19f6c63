"""Forms of the seller's bank-statement pages. They only shape input; the statements services
check the file, the order and the reason."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from statements.models import EntryOutcome
from statements.selectors import REVIEW

from .forms import ServiceErrorsMixin


class StatementUploadForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("Bank statement"), max_length=255,
                           help_text=_("An ISO 20022 camt.053 file (XML) or a SWIFT MT940 file, as your bank "
                                       "exports it; at most 20 MB and 20,000 entries."),
                           error_messages={"required": _("Choose the statement file."),
                                           "empty": _("The file is empty.")},
                           widget=forms.FileInput(attrs={"accept": ".xml,.sta,.mt940,.940,.txt,text/xml"}))


class EntryFilterForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Show"), required=False,
                                choices=[("", _("All entries")), (REVIEW, _("To review")), *EntryOutcome.choices])

    def outcome_value(self) -> str | None:
        return (self.cleaned_data.get("outcome") or None) if self.is_valid() else None


class EntryAssignForm(ServiceErrorsMixin, forms.Form):
    order_id = forms.TypedChoiceField(label=_("Order"), coerce=int, choices=(),
                                      error_messages={"required": _("Choose one of your orders."),
                                                      "invalid_choice": _("Choose one of your orders.")})

    def __init__(self, *args, orders: list[dict] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order_id"].choices = [
            (row["pk"], _("%(reference)s – %(buyer)s – %(owed)s %(currency)s owed")
             % {"reference": row["payment_reference"] or row["pk"], "buyer": row["buyer__legal_name"],
                "owed": row["owed"], "currency": row["currency"]}) for row in orders]


class EntryDismissForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             error_messages={"required": _("Say why you dismiss this entry.")},
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. excess refunded to the buyer")}))
