"""What the pages of several areas share: service errors onto form fields, the country and currency
choices, and
a moderator's decision with a reason on one company or listing."""
from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_countries import countries

from core.exceptions import ApplicationError
from core.validators import CURRENCY_CHOICES

from .decorators import moderator_required, safe_next


def country_choices(empty_label):
    """Choices of a country field, read when the form is shown: the empty choice, then every country."""
    return lambda: [("", empty_label), *countries]


def currency_choices(empty_label):
    """Choices of a currency field, read when the form is shown: the empty choice, then every currency."""
    return lambda: [("", empty_label), *CURRENCY_CHOICES]


class ServiceErrorsMixin:
    """Puts the field errors of an ApplicationError onto the form's own fields."""

    field_aliases: dict[str, str] = {}

    def add_service_error(self, exc: ApplicationError) -> None:
        if not exc.fields:
            self.add_error(None, exc.message)
            return
        for key, errors in exc.fields.items():
            name = key.removeprefix("company.")
            name = self.field_aliases.get(name, name)
            self.add_error(name if name in self.fields else None, list(errors))


class ReasonForm(forms.Form):
    """The reason of a moderator's decision. Whether one is needed is the service's call."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def moderation_action(service: Callable, done_message, *, fetch: Callable, argument: str, name_of: Callable,
                      placeholder: str, back: str):
    """A moderator's POST view that takes one decision with a reason: `fetch(actor=, pk=)` reads the
    company or listing, `service(<argument>=it, actor=, reason=)` decides, `name_of(it)` names it in
    the messages (`done_message` gets it as `%(<placeholder>)s`), then back to the `next` or the
    queue named `back`."""

    @moderator_required
    @require_POST
    def view(request, pk: int):
        target = fetch(actor=request.user, pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["reason"][0])
        else:
            try:
                service(**{argument: target}, actor=request.user, reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                messages.error(request, f"{name_of(target)}: {exc.message}")
            else:
                messages.success(request, str(done_message) % {placeholder: name_of(target)})
        return redirect(safe_next(request, reverse(back)))

    return view
