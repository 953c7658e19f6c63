"""Forms of the company webhook pages. They only coerce input; the notifications services decide
which URLs and events an endpoint may have and who may change it."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications import selectors
from notifications.models import WebhookEndpoint

from ..common import ServiceErrorsMixin


class WebhookEndpointForm(ServiceErrorsMixin, forms.Form):
    url = forms.CharField(label=_("Endpoint URL"), max_length=500,
                          widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
                          help_text=_("An HTTPS address of your system that accepts POST requests."))
    events = forms.MultipleChoiceField(label=_("Events"), required=False, choices=selectors.webhook_event_choices,
                                       widget=forms.CheckboxSelectMultiple)

    def create_data(self) -> dict[str, Any]:
        return {"url": self.cleaned_data["url"], "events": self.cleaned_data["events"]}


class WebhookEndpointEditForm(WebhookEndpointForm):
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("An inactive endpoint receives nothing until it is switched on again."))

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, *args, **kwargs) -> WebhookEndpointEditForm:
        return cls(*args, initial={"url": endpoint.url, "events": list(endpoint.events),
                                   "is_active": endpoint.is_active}, **kwargs)

    def update_data(self) -> dict[str, Any]:
        return {**self.create_data(), "is_active": self.cleaned_data["is_active"]}
