"""The seller's shipping zones: the list, a new zone, a zone's editor and its deletion. Thin views:
parse the form, call one service or selector, render or redirect. Any member of a selling company
manages its zones, as the trade services allow."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import ApplicationError
from trade import selectors, services
from trade.models import ShippingZone

from ..decorators import seller_required
from .forms import ShippingZoneForm


def _form_page(request, form: ShippingZoneForm, seller, zone: ShippingZone | None):
    return render(request, "frontend/shipping/zone_form.html",
                  {"form": form, "zone": zone, "seller": seller, "currency": seller.default_currency},
                  status=400 if form.is_bound else 200)


@seller_required
@require_safe
def shipping_zones(request, seller):
    zones = selectors.shipping_zone_list(actor=request.user, seller_id=seller.pk)
    return render(request, "frontend/shipping/zones.html",
                  {"seller": seller, "zones": zones, "currency": seller.default_currency})


@seller_required
@require_http_methods(["GET", "POST"])
def shipping_zone_new(request, seller):
    form = ShippingZoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.shipping_zone_create(seller=seller, actor=request.user, **form.zone_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The shipping zone “%(name)s” is saved.") % {"name": zone.name})
            return redirect("frontend:seller_shipping")
    return _form_page(request, form, seller, None)


@seller_required
@require_http_methods(["GET", "POST"])
def shipping_zone_edit(request, seller, pk: int):
    zone = selectors.shipping_zone_get(actor=request.user, pk=pk, seller_id=seller.pk)
    form = ShippingZoneForm.for_zone(zone, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.shipping_zone_update(zone=zone, actor=request.user, **form.zone_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The shipping zone “%(name)s” is saved.") % {"name": saved.name})
            return redirect("frontend:seller_shipping")
    return _form_page(request, form, seller, zone)


@seller_required
@require_POST
def shipping_zone_delete(request, seller, pk: int):
    zone = selectors.shipping_zone_get(actor=request.user, pk=pk, seller_id=seller.pk)
    try:
        services.shipping_zone_delete(zone=zone, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The shipping zone “%(name)s” is deleted.") % {"name": zone.name})
    return redirect("frontend:seller_shipping")
