"""Forms of the review pages. They only coerce and bound input; reviews.services decides who may
review, reply, report or hide."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import COMMENT_MAX_LENGTH, RATING_MAX, RATING_MIN, REASON_MAX_LENGTH, REPLY_MAX_LENGTH

from ..common import ServiceErrorsMixin

STARS = [(value, str(value)) for value in range(RATING_MAX, RATING_MIN - 1, -1)]
RATING_MESSAGES = {"required": _("Choose a rating from 1 to 5."), "invalid_choice": _("Choose a rating from 1 to 5.")}


def _stars(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=STARS, coerce=int, widget=forms.RadioSelect,
                                  error_messages=RATING_MESSAGES)


class ReviewForm(ServiceErrorsMixin, forms.Form):
    product = _stars(_("Product as described"))
    communication = _stars(_("Communication"))
    shipping = _stars(_("Shipping"))
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(ServiceErrorsMixin, forms.Form):
    reply = forms.CharField(label=_("Your reply"), max_length=REPLY_MAX_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"required": _("Write your reply.")})


class ReportForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("What is wrong with this review?"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason.")})


class HideForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for hiding, sent to both companies"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason.")})
