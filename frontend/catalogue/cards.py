"""The listing card of the catalogue pages, rendered in Python: 24 of them through the template
engine cost more CPU than the rest of a page (about 0.8 ms each, most of it in variable look-ups and
translation calls), written out here they cost a few hundredths of that. The markup and the
messages (the same msgids as the templates, so the same translations) are those the card template
had; tests/frontend/test_catalogue_cards.py pins them.

Everything a card shows is read before it is rendered (marketplace.selectors.listing_card_rows, the
page's Incoterms and pictures, the category from the page's category tree): rendering makes no query."""
from __future__ import annotations

import html
from decimal import Decimal
from typing import NamedTuple

from django.template.defaultfilters import floatformat
from django.templatetags.static import static
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_noop as N_

from accounts.models import VerificationStatus
from marketplace.models import Listing, Unit
from marketplace.selectors import listing_card_picture_url


class Card(NamedTuple):
    """What one card shows: the listing (its seller, performance and category loaded), its price in
    the display currency (None without an exchange rate), its Incoterms and the stored name of its
    first picture (None or empty without one)."""

    listing: Listing
    converted: Decimal | None
    incoterms: list[str] | tuple[str, ...]
    picture: str | None


_PK_MARK = 2_147_483_647  # no address of the site holds it except where the id goes
# The card's fixed messages, translated once per page (_Words).
_VERIFIED_SELLER = N_("Verified seller")
_NOT_ENOUGH_ORDERS = N_("Seller performance: not enough orders yet")
_MINIMUM_ORDER = N_("Minimum order")
_ORIGIN = N_("Origin")
_HS_CODE = N_("HS code")
_INCOTERMS = N_("Incoterms")
_NO_PICTURE = N_("No picture yet")
_FROM_PRICE = N_("from <strong>%(price)s %(currency)s</strong> per %(unit)s")
_APPROX = N_("approx. %(price)s %(currency)s at the latest exchange rate")
_NO_RATE = N_("no exchange rate to show it in %(currency)s")


class _Words:
    """Translations asked many times on one page (the same few labels on every card), each looked up
    once per page: the language does not change while a page renders."""

    def __init__(self) -> None:
        self.found: dict[tuple, str] = {}

    def __call__(self, message: str) -> str:
        key = ("t", message)
        if key not in self.found:
            self.found[key] = gettext(message)
        return self.found[key]

    def category(self, name: str) -> str:
        """A category's name, translated and escaped."""
        key = ("category", name)
        if key not in self.found:
            self.found[key] = _text(gettext(name))
        return self.found[key]

    def unit(self, listing: Listing) -> str:
        key = ("u", listing.unit)
        if key not in self.found:
            self.found[key] = _text(_unit(listing))
        return self.found[key]

    def country(self, instance, field: str) -> str:
        """The name of a country field's country, looked up once per page for each code (the raw
        code is read, so no Country is made per card)."""
        key = ("c", instance.__dict__.get(field))
        if key not in self.found:
            self.found[key] = _text(getattr(instance, field).name)
        return self.found[key]

    def seller(self, seller) -> str:
        """The seller line of a card and its performance line's body, once per page for each seller."""
        key = ("seller", seller.pk)
        if key not in self.found:
            verified = (f'<span class="badge badge-verified">{self(_VERIFIED_SELLER)}</span>'
                        if seller.verification_status == VerificationStatus.VERIFIED else "")
            self.found[key] = (
                f'  <p class="seller-line">\n'
                f'    <span class="seller-name">{_text(seller.legal_name)}</span>\n'
                f'    <span class="muted">{self.country(seller, "country")}</span>\n'
                f'    {verified}\n'
                f'  </p>\n', _performance_body(seller, self))
        return self.found[key]

    def detail_url(self, pk: int) -> str:
        """The listing page's address: reversed once per page, the id put in."""
        key = ("url", "listing_detail")
        if key not in self.found:
            self.found[key] = reverse("frontend:listing_detail", args=[_PK_MARK])
        return self.found[key].replace(str(_PK_MARK), str(pk))

    def number(self, value) -> str:
        """A number as _text prints it (localize, then escape), the language's separators looked up
        once per page."""
        if type(value) not in (Decimal, int):
            return _text(value)
        if type(value) is int:  # a minimum order: the same few on a page
            known = self.found.get(("int", value))
            if known is None:
                known = self.found[("int", value)] = self._formatted(value)
            return known
        return self._formatted(value)

    def _formatted(self, value: Decimal | int) -> str:
        key = ("number format",)
        if key not in self.found:
            language = get_language()
            self.found[key] = (get_format("DECIMAL_SEPARATOR", language), get_format("NUMBER_GROUPING", language),
                               get_format("THOUSAND_SEPARATOR", language))
        decimal_separator, grouping, thousand_separator = self.found[key]
        return conditional_escape(numberformat.format(value, decimal_separator, None, grouping, thousand_separator,
                                                      use_l10n=True))

    def no_picture(self) -> str:
        key = ("static", "no-picture")
        if key not in self.found:
            self.found[key] = conditional_escape(static("frontend/no-picture.svg"))
        return self.found[key]


def _text(value) -> str:
    """A value as the template engine prints it: localized, then escaped. (Translated literals are
    printed as they are, as {% translate "..." %} does.) A plain string needs no localizing and is
    escaped as django.utils.html.escape does."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(localize(value))


def _unit(listing: Listing) -> str:
    """get_unit_display without translating every unit's label to find one."""
    try:
        return Unit(listing.unit).label
    except ValueError:
        return listing.unit


def _performance_body(seller, words: _Words) -> str:
    """The compact line of the seller's 90-day performance (no figures: not enough orders yet)."""
    try:
        performance = seller.performance
    except seller.__class__.performance.RelatedObjectDoesNotExist:
        performance = None
    figures = performance.last_90_days if performance is not None else {}
    hours, on_time = figures.get("median_hours_to_accept"), figures.get("on_time_pct")
    if hours is None and on_time is None:
        body = words(_NOT_ENOUGH_ORDERS)
    else:
        parts = []
        if hours is not None:
            parts.append('<span class="performance-accept">%s</span>' % (
                gettext("Accepts orders in %(hours)s h (median)") % {"hours": _text(floatformat(hours, "-1"))}))
        if on_time is not None:
            parts.append(' <span class="performance-on-time">%s</span>' % (
                gettext("%(pct)s%% shipped on time") % {"pct": _text(floatformat(on_time, "-1"))}))
        orders = figures.get("orders")
        parts.append(' <span class="performance-base">%s</span>' % (
            ngettext("last 90 days, %(counter)s order", "last 90 days, %(counter)s orders", orders or 0)
            % {"counter": _text(orders)}))
        return "".join(parts)
    return body


def _picture(listing: Listing, picture: str | None, words: _Words) -> str:
    if picture:
        alt = gettext("%(title)s, picture %(number)s") % {"title": _text(listing.title), "number": _text(1)}
        return (f'<img src="{conditional_escape(listing_card_picture_url(picture))}" alt="{alt}" width="240" '
                f'height="150" loading="lazy">')
    return (f'<img class="no-picture" src="{words.no_picture()}" alt="{words(_NO_PICTURE)}" width="240" '
            f'height="150">')


def _prices(listing: Listing, converted: Decimal | None, display, words: _Words) -> str:
    if listing.price_from is None:
        return ""
    price = words(_FROM_PRICE) % {
        "price": words.number(listing.price_from), "currency": _text(listing.currency), "unit": words.unit(listing)}
    markup = f'\n    <p class="price">{price}</p>\n    '
    if display and listing.currency != display.code:
        if converted is not None:
            text = words(_APPROX) % {
                "price": words.number(converted), "currency": _text(display.code)}
        else:
            text = words(_NO_RATE) % {"currency": _text(display.code)}
        markup += f'\n      <p class="price-converted muted">{text}</p>\n    '
    return markup + "\n  "


def listing_card(card: Card, display, words: _Words | None = None) -> SafeString:
    """One card: the listing's picture, title, category, seller, performance, price from (and in the
    display currency when it differs) and its facts."""
    words = words or _Words()
    listing, converted = card.listing, card.converted
    seller_line, performance = words.seller(listing.seller)
    incoterms = ", ".join(_text(incoterm) for incoterm in card.incoterms)
    return mark_safe(
        f'<article class="card listing-card" id="listing-{listing.pk}">\n'
        f'  <div class="listing-thumb">{_picture(listing, card.picture, words)}</div>\n'
        f'  <h2 class="listing-title"><a href="{words.detail_url(listing.pk)}">'
        f'{_text(listing.title)}</a></h2>\n'
        f'  <p class="muted listing-category">{words.category(listing.category.name)}</p>\n'
        f'{seller_line}'
        f'  <p class="performance-line muted" id="performance-{listing.pk}">{performance}</p>\n\n'
        f'  {_prices(listing, converted, display, words)}\n'
        f'  <dl class="facts">\n'
        f'    <dt>{words(_MINIMUM_ORDER)}</dt><dd>{words.number(listing.moq)} {words.unit(listing)}</dd>\n'
        f'    <dt>{words(_ORIGIN)}</dt><dd>{words.country(listing, "origin_country")}</dd>\n'
        f'    <dt>{words(_HS_CODE)}</dt><dd>{_text(listing.hs_code)}</dd>\n'
        f'    <dt>{words(_INCOTERMS)}</dt><dd>{incoterms}</dd>\n'
        f'  </dl>\n'
        f'</article>\n')


def listing_cards(cards: list[Card], display) -> SafeString:
    """The cards of a page."""
    words = _Words()
    return mark_safe("".join(listing_card(card, display, words) for card in cards))
