"""The catalogue's cards (frontend.catalogue.cards) and the search form's cached selects
(frontend.catalogue.widgets): the markup is the one the templates produced, translated, escaped,
with the request's choices selected, and a changed category tree is shown at once."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import VerificationStatus
from frontend.catalogue import forms
from frontend.catalogue.widgets import CachedSelect, form_markup_cache, markup_cache
from marketplace.models import Category, ListingImage
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory
from trust.models import SellerPerformance

pytestmark = pytest.mark.django_db


def _card(response, pk: int) -> str:
    match = re.search(rf'<article class="card listing-card" id="listing-{pk}">.*?</article>\n',
                      response.content.decode(), re.S)
    assert match, f"no card of listing {pk}"
    return match.group(0)


@pytest.fixture
def listing():
    seller = CompanyFactory(legal_name="Ege <Tekstil> & Co", country="TR", default_currency="TRY",
                            verification_status=VerificationStatus.VERIFIED)
    listing = PublishedListingFactory(seller=seller, title='Bath towel "Deluxe" <500 g>', moq=200,
                                      hs_code="630260", origin_country="TR", incoterms=["FOB", "EXW"],
                                      price_tiers=[{"min_quantity": 200, "unit_price": "1234.50"}])
    ListingImage.objects.create(listing=listing, image="listings/towel.jpg", position=0)
    SellerPerformance.objects.create(seller=seller, figures={"90d": {"median_hours_to_accept": 5.25,
                                                                     "on_time_pct": 97.0, "orders": 12}})
    return listing


def test_a_card_with_a_picture_figures_and_a_converted_price(client, listing):
    card = _card(client.get("/listings/?currency=EUR"), listing.pk)

    assert card == (
        f'<article class="card listing-card" id="listing-{listing.pk}">\n'
        '  <div class="listing-thumb"><img src="/media/listings/towel.jpg" alt="Bath towel &quot;Deluxe&quot; '
        '&lt;500 g&gt;, picture 1" width="240" height="150" loading="lazy"></div>\n'
        f'  <h2 class="listing-title"><a href="/listings/{listing.pk}/">Bath towel &quot;Deluxe&quot; &lt;500 g&gt;'
        '</a></h2>\n'
        f'  <p class="muted listing-category">{listing.category.name}</p>\n'
        '  <p class="seller-line">\n'
        '    <span class="seller-name">Ege &lt;Tekstil&gt; &amp; Co</span>\n'
        '    <span class="muted">Türkiye</span>\n'
        '    <span class="badge badge-verified">Verified seller</span>\n'
        '  </p>\n'
        f'  <p class="performance-line muted" id="performance-{listing.pk}"><span class="performance-accept">'
        'Accepts orders in 5.3 h (median)</span> <span class="performance-on-time">97% shipped on time</span> '
        '<span class="performance-base">last 90 days, 12 orders</span></p>\n'
        '\n'
        '  \n'
        '    <p class="price">from <strong>1234.50 TRY</strong> per piece</p>\n'
        '    \n'
        f'      <p class="price-converted muted">{_converted(client, listing)}</p>\n'
        '    \n'
        '  \n'
        '  <dl class="facts">\n'
        '    <dt>Minimum order</dt><dd>200 piece</dd>\n'
        '    <dt>Origin</dt><dd>Türkiye</dd>\n'
        '    <dt>HS code</dt><dd>630260</dd>\n'
        '    <dt>Incoterms</dt><dd>EXW, FOB</dd>\n'
        '  </dl>\n'
        '</article>\n')


def _converted(client, listing) -> str:
    converted = client.get("/listings/?currency=EUR").context["cards"][0][1]
    if converted is None:
        return "no exchange rate to show it in EUR"
    return f"approx. {converted} EUR at the latest exchange rate"


def test_a_card_in_turkish_with_too_few_orders_and_no_picture(client, listing):
    ListingImage.objects.all().delete()
    SellerPerformance.objects.all().delete()
    client.cookies["django_language"] = "tr"

    card = _card(client.get("/listings/?currency=TRY", HTTP_ACCEPT_LANGUAGE="tr"), listing.pk)

    with translation.override("tr"):
        assert translation.gettext("Seller performance: not enough orders yet") in card
        assert translation.gettext("from <strong>%(price)s %(currency)s</strong> per %(unit)s") % {
            "price": "1234,50", "currency": "TRY", "unit": translation.gettext("piece")} in card
        assert f'alt="{translation.gettext("No picture yet")}"' in card
    assert "price-converted" not in card  # shown in its own currency


def _search_form(data, tree=None):
    return forms.SearchForm(data, categories=tree or forms.CategoryTree.read())


def test_the_selects_mark_the_chosen_option_as_django_does():
    form = _search_form({"origin_country": "DE", "ships_to": "", "category": "textiles/fabrics", "sort": "newest"})
    html = str(form["origin_country"]) + str(form["ships_to"]) + str(form["category"]) + str(form["sort"])
    plain = forms.SearchForm({"origin_country": "DE", "ships_to": "", "category": "textiles/fabrics",
                              "sort": "newest"}, categories=forms.CategoryTree.read())
    for name in ("origin_country", "ships_to", "category", "sort"):
        plain.fields[name].widget.__class__ = CachedSelect.__bases__[0]  # forms.Select, uncached

    assert html == (str(plain["origin_country"]) + str(plain["ships_to"]) + str(plain["category"])
                    + str(plain["sort"]))
    assert html.count(" selected") == 4
    assert '<option value="DE" selected>Germany</option>' in html
    assert '<option value="textiles/fabrics" selected>' in html


def test_a_value_that_is_no_option_selects_nothing_and_is_a_form_error():
    form = _search_form({"origin_country": '"><script>', "category": "no/such"})

    assert " selected" not in str(form["origin_country"])
    assert "<script>" not in str(form["origin_country"])
    assert set(form.errors) == {"origin_country", "category"}
    assert form.errors["category"] == ["Select a valid choice. That choice is not one of the available choices."]


def test_the_cached_markup_follows_the_language():
    english = str(_search_form({})["origin_country"])
    with translation.override("tr"):
        turkish = str(_search_form({})["origin_country"])

    assert "Germany" in english and "Almanya" in turkish


def test_a_new_or_renamed_category_shows_at_once():
    before = str(_search_form({})["category"])
    Category.objects.create(name="Umbrellas", slug="umbrellas", path="umbrellas", depth=0)
    Category.objects.filter(path="textiles").update(name="Textiles and clothing")

    after = str(_search_form({})["category"])

    assert "Umbrellas" not in before and "Umbrellas" in after
    assert "Textiles and clothing" in after


def test_the_cache_stays_small():
    markup_cache.clear()
    for number in range(300):
        str(_search_form({}, forms.CategoryTree([(number, f"c{number}", f"C{number}", 0, None)]))["category"])

    assert len(markup_cache.entries) <= 256


def test_a_price_in_turkish_uses_its_decimal_comma(client, listing):
    response = client.get("/listings/?currency=TRY", HTTP_ACCEPT_LANGUAGE="tr")

    assert "1234,50 TRY" in _card(response, listing.pk)
    assert Decimal("1234.50") == listing.price_tiers.get().unit_price


def test_a_renamed_category_shows_at_once_on_the_cards_and_the_category_page(client, listing):
    category = listing.category
    assert f'<p class="muted listing-category">{category.name}</p>' in _card(client.get("/listings/"), listing.pk)
    Category.objects.filter(pk=category.pk).update(name="Towels and more")

    assert '<p class="muted listing-category">Towels and more</p>' in _card(client.get("/listings/"), listing.pk)
    assert "<h1>Towels and more</h1>" in client.get(f"/categories/{category.path}/").content.decode()


def test_the_category_objects_kept_stay_few():
    for number in range(10):
        forms.CategoryTree([(number, f"c{number}", f"C{number}", 0, None)]).get(f"c{number}")

    assert len(forms._CATEGORY_OBJECTS) <= forms._CATEGORY_OBJECTS_KEPT


def test_a_large_moq_and_price_are_localized_on_the_card(client, listing):
    listing.moq = 12000
    listing.save(update_fields=["moq"])

    card = _card(client.get("/listings/?currency=TRY", HTTP_ACCEPT_LANGUAGE="tr"), listing.pk)

    with translation.override("tr"):
        from django.utils.formats import localize
        assert f"<dd>{localize(12000)} " in card
        assert f"{localize(Decimal('1234.50'))} TRY" in card


def test_a_card_shows_the_first_picture_by_position_and_every_incoterm_in_order(client, listing):
    ListingImage.objects.create(listing=listing, image="listings/second.jpg", position=1)
    ListingImage.objects.filter(image="listings/towel.jpg").update(position=2)
    listing.incoterm_rows.create(incoterm="CIF")

    card = _card(client.get("/listings/"), listing.pk)

    assert '<img src="/media/listings/second.jpg"' in card and "towel.jpg" not in card
    assert "<dt>Incoterms</dt><dd>CIF, EXW, FOB</dd>" in card


def _full_fields(form) -> str:
    from django.template.loader import render_to_string
    return render_to_string(forms.FIELDS_TEMPLATE, {"form": form})


@pytest.mark.parametrize("query", [
    "currency=EUR",
    "currency=EUR&q=cotton",
    "currency=EUR&q=%3Cb%3E%22towel%27%26",
    "currency=EUR&q=%20%20&origin_country=TR&incoterm=FOB&verified=on&sort=price_asc&rating_min=4",
    "currency=EUR&category=textiles&responds_within=48&on_time_min=90&moq_max=50&price_min=1&price_max=9",
])
@pytest.mark.parametrize("language", ["en", "tr", "zh-hans"])
def test_the_kept_search_form_is_the_full_render_for_any_search_text(query, language):
    from django.http import QueryDict
    form_markup_cache.clear()
    with translation.override(language):
        first = _search_form(QueryDict(query))
        assert str(first.fields_markup()) == _full_fields(first)
        # Another search text with the same filters reuses the kept markup, with its own text in it.
        other = _search_form(QueryDict(query.replace("q=", "x=") + "&q=a%22%3Cb%3E%26c"))
        kept = str(other.fields_markup())
        assert len(form_markup_cache.entries) == (1 if "q=" in query else 2)
        assert kept == _full_fields(other)
        assert 'value="a&quot;&lt;b&gt;&amp;c"' in kept


def test_a_search_form_with_errors_is_rendered_in_full_and_not_kept():
    from django.http import QueryDict
    form_markup_cache.clear()
    form = _search_form(QueryDict("currency=EUR&price_min=x&q=towel"))

    markup = str(form.fields_markup())

    assert markup == _full_fields(form)
    assert 'class="field field-invalid"' in markup
    assert not form_markup_cache.entries


def test_the_kept_search_forms_stay_few():
    from django.http import QueryDict
    form_markup_cache.clear()
    for number in range(100):
        _search_form(QueryDict(f"currency=EUR&moq_max={number + 1}")).fields_markup()

    assert len(form_markup_cache.entries) <= 64
