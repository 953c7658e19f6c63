"""Writes for shipping: a seller's members create, change and delete the company's shipping zones.

Every write locks the seller's company row first, so two writes for one seller cannot both pass the
"country already in another zone" check; the unique (seller, country) constraint backs it up."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company, User
from accounts.selectors import is_member, user_primary_membership
from core.exceptions import Conflict, Forbidden
from core.inputs import country_code, field_error

from .models import ShippingRate, ShippingZone, ShippingZoneCountry
from .selectors import country_name, plain_number


def _lock_seller(*, seller: Company, actor: User, must_sell: bool = True) -> Company:
    if not is_member(actor=actor, company_id=seller.pk):
        raise Forbidden(_("Only members of the selling company can do that."))
    locked = Company.objects.select_for_update().get(pk=seller.pk)
    if must_sell and not locked.sells:
        raise Forbidden(_("Only seller companies can define shipping zones."))
    return locked


def _clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise field_error("name", _("This field is required."))
    try:
        ShippingZone._meta.get_field("name").clean(name, None)
    except ValidationError as exc:
        raise field_error("name", exc.messages[0]) from None
    return name


def _clean_countries(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise field_error("countries", _("Give at least one country."))
    return sorted({country_code(code, field="countries") for code in value})


def _clean_rates(value: Any) -> list[tuple[Decimal, Decimal]]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise field_error("rates", _("Give at least one rate."))
    weight_field = ShippingRate._meta.get_field("max_weight_kg")
    price_field = ShippingRate._meta.get_field("price")
    rates = []
    for row in value:
        if not isinstance(row, Mapping) or "max_weight_kg" not in row or "price" not in row:
            raise field_error("rates", _("Each rate needs max_weight_kg and price."))
        try:
            weight = Decimal(str(row["max_weight_kg"]))
            price = Decimal(str(row["price"]))
        except (InvalidOperation, ValueError):
            raise field_error("rates", _("Enter max_weight_kg and price as numbers.")) from None
        if not weight.is_finite() or weight <= 0:
            raise field_error("rates", _("A maximum weight must be greater than zero."))
        if not price.is_finite() or price < 0:
            raise field_error("rates", _("A price cannot be negative."))
        for field, number in ((weight_field, weight), (price_field, price)):
            try:
                field.run_validators(number)
            except ValidationError as exc:
                raise field_error("rates", f"{field.name}: {exc.messages[0]}") from None
        rates.append((weight, price))
    rates.sort()
    for (weight, _price), (next_weight, _next_price) in zip(rates, rates[1:]):
        if weight == next_weight:
            raise field_error("rates", _("Two rates have the same maximum weight (%(weight)s kg).")
                         % {"weight": plain_number(weight)})
    return rates


def _check_free(*, seller: Company, name: str | None, countries: list[str] | None,
                zone: ShippingZone | None) -> None:
    """Refuses a name or a country the seller already uses in another zone."""
    others = ShippingZone.objects.filter(seller=seller)
    if zone is not None:
        others = others.exclude(pk=zone.pk)
    if name is not None and others.filter(name=name).exists():
        message = _("You already have a shipping zone named “%(name)s”.") % {"name": name}
        raise Conflict(message, code="duplicate_zone_name", fields={"name": [message]})
    if countries:
        taken = (ShippingZoneCountry.objects.filter(seller=seller, country__in=countries)
                 .exclude(zone=zone).select_related("zone").order_by("country"))
        messages = [_("%(country)s (%(code)s) is already in your zone “%(zone)s”.")
                    % {"country": country_name(str(row.country)), "code": row.country, "zone": row.zone.name}
                    for row in taken]
        if messages:
            raise Conflict(messages[0], code="country_in_other_zone", fields={"countries": messages})


def _write(*, zone: ShippingZone, countries: list[str] | None, rates: list[tuple[Decimal, Decimal]] | None) -> None:
    try:
        with transaction.atomic():
            zone.save()
            if countries is not None:
                zone.countries.all().delete()
                ShippingZoneCountry.objects.bulk_create(
                    ShippingZoneCountry(zone=zone, seller_id=zone.seller_id, country=code) for code in countries)
            if rates is not None:
                zone.rates.all().delete()
                ShippingRate.objects.bulk_create(
                    ShippingRate(zone=zone, max_weight_kg=weight, price=price) for weight, price in rates)
    except IntegrityError as exc:
        message = _("Another change to your shipping zones was saved at the same time. Try again.")
        raise Conflict(message) from exc


@transaction.atomic
def shipping_zone_create(*, seller: Company, actor: User, name: str, countries: list[str],
                         rates: list[Mapping[str, Any]]) -> ShippingZone:
    """A member of a selling company adds a zone: a name, its countries (ISO codes, each in at most
    one zone of the seller) and its weight bands ({"max_weight_kg", "price"} in the seller's currency)."""
    seller = _lock_seller(seller=seller, actor=actor)
    cleaned_name = _clean_name(name)
    cleaned_countries = _clean_countries(countries)
    cleaned_rates = _clean_rates(rates)
    _check_free(seller=seller, name=cleaned_name, countries=cleaned_countries, zone=None)
    zone = ShippingZone(seller=seller, name=cleaned_name)
    _write(zone=zone, countries=cleaned_countries, rates=cleaned_rates)
    return zone


def shipping_zone_create_for_actor(*, actor: User, seller_id: int | None = None, name: str, countries: list[str],
                                   rates: list[Mapping[str, Any]]) -> ShippingZone:
    """Creates a zone for the company the actor names, or by default for the actor's first company."""
    if seller_id is None:
        membership = user_primary_membership(user=actor)
        seller = membership.company if membership is not None else None
    else:
        seller = Company.objects.filter(pk=seller_id, memberships__user=actor).first()
    if seller is None:
        raise Forbidden(_("Only members of the selling company can do that."))
    return shipping_zone_create(seller=seller, actor=actor, name=name, countries=countries, rates=rates)


@transaction.atomic
def shipping_zone_update(*, zone: ShippingZone, actor: User, name: str | None = None,
                         countries: list[str] | None = None,
                         rates: list[Mapping[str, Any]] | None = None) -> ShippingZone:
    """Changes what is given: None leaves the name, the countries or the rates as they are; a list
    replaces them all."""
    seller = _lock_seller(seller=zone.seller, actor=actor)
    locked = ShippingZone.objects.select_for_update().filter(pk=zone.pk, seller=seller).first()
    if locked is None:
        raise Http404
    cleaned_name = None if name is None else _clean_name(name)
    cleaned_countries = None if countries is None else _clean_countries(countries)
    cleaned_rates = None if rates is None else _clean_rates(rates)
    _check_free(seller=seller, name=cleaned_name, countries=cleaned_countries, zone=locked)
    if cleaned_name is not None:
        locked.name = cleaned_name
    _write(zone=locked, countries=cleaned_countries, rates=cleaned_rates)
    return locked


@transaction.atomic
def shipping_zone_delete(*, zone: ShippingZone, actor: User) -> None:
    seller = _lock_seller(seller=zone.seller, actor=actor, must_sell=False)
    ShippingZone.objects.filter(pk=zone.pk, seller=seller).delete()
