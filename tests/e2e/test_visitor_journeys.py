"""A visitor browses, searches and filters the catalogue in another currency and language, on a wide
screen and on a 390 px phone; axe-core checks the pages as they are shown."""
import re

import pytest
from django.utils import translation

from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import category_tree, log_in
from tests.orders.helpers import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def _card_titles(page) -> list[str]:
    return page.locator(".listing-card .listing-title").all_inner_texts()


@pytest.fixture
def world():
    category_tree()
    return build_world()


def test_visitor_browses_searches_filters_in_another_currency_and_switches_language(live_server, page, world):
    base = live_server.url
    page.goto(f"{base}/listings/")
    assert sorted(_card_titles(page)) == ["Bath towel", "Copper cable"]
    assert page.inner_text("#result-count") == "2 listings"
    assert page.locator("#filter-panel form#search-form").is_visible()  # open on a wide screen
    # A card without a picture shows the placeholder, with words for those who do not see it.
    placeholder = page.locator(f"#listing-{world.towel.pk} img.no-picture")
    assert placeholder.get_attribute("alt") == "No picture yet"
    assert page.evaluate("(img) => img.naturalWidth > 0", placeholder.element_handle())
    assert_accessible(page)

    page.fill("#id_q", "towel")
    with page.expect_navigation():
        page.click("#search-form [type=submit]")
    assert _card_titles(page) == ["Bath towel"]
    assert page.inner_text("#result-count") == "1 listing"

    # 100.00 TRY at 40 TRY per euro and 1.25 USD per euro: 3.13 USD (half up).
    page.fill("#id_q", "")
    page.select_option("#id_currency", "USD")
    page.select_option("#id_incoterm", "FOB")
    page.select_option("#id_sort", "price_asc")
    with page.expect_navigation():
        page.click("#search-form [type=submit]")
    towel_card = page.locator(f"#listing-{world.towel.pk}")
    assert "from 80.00 TRY per piece" in towel_card.inner_text() or "from 80.00 TRY" in towel_card.inner_text()
    assert re.search(r"approx\. [\d.]+ USD at the latest exchange rate", towel_card.inner_text())
    assert page.inner_text("#result-count") == "2 listings"

    page.select_option("#language-select", "tr")
    with page.expect_navigation():
        page.click("#language-submit")
    assert page.evaluate("document.documentElement.lang") == "tr"
    with translation.override("tr"):
        browse = translation.gettext("Browse listings")
        minimum = translation.gettext("Minimum order")
    assert page.inner_text("h1") == browse
    assert minimum in towel_card.inner_text()
    assert "USD" in towel_card.inner_text()  # the display currency stays chosen
    # Long Turkish labels wrap inside their card: no label or value reaches past the card's edge, and
    # no value is squeezed into a sliver beside its label.
    misplaced = page.evaluate("""() => [...document.querySelectorAll('.listing-card')].flatMap(card => {
        const box = card.getBoundingClientRect();
        return [...card.querySelectorAll('dt, dd')].filter(e => {
            const r = e.getBoundingClientRect();
            return r.right > box.right + 0.5 || (e.tagName === 'DD' && r.width < box.width * 0.3);
        }).map(e => e.textContent);
    })""")
    assert misplaced == []
    assert_accessible(page)

    page.select_option("#language-select", "zh-hans")
    with page.expect_navigation():
        page.click("#language-submit")
    with translation.override("zh-hans"):
        assert page.inner_text("h1") == translation.gettext("Browse listings")
    assert_accessible(page)


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_phone_browse_listing_and_checkout_fit_a_390_px_screen(live_server, phone, world):
    base = live_server.url
    page = phone
    page.goto(f"{base}/listings/")
    assert page.locator("#filter-panel summary").is_visible()
    assert not page.locator("#search-form").is_visible()  # collapsed above the results
    first_card = page.locator(".listing-card").first.bounding_box()
    assert first_card["y"] < 844  # the results start on the first screen
    _no_horizontal_scroll(page)
    page.click("#filter-panel summary")
    assert page.locator("#search-form").is_visible()
    _no_horizontal_scroll(page)

    log_in(page, base, world.buyer_owner.email, next_url=f"/listings/{world.towel.pk}/")
    page.goto(f"{base}/listings/{world.towel.pk}/")
    order_box = page.locator("#add-to-cart").bounding_box()
    title = page.locator("#listing h1").bounding_box()
    specification = page.locator("#specifications").bounding_box()
    assert title["y"] < order_box["y"] < specification["y"]
    _no_horizontal_scroll(page)

    page.fill("#add-to-cart-quantity", "20")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/checkout/")
    assert page.locator("#place-button").is_visible()
    _no_horizontal_scroll(page)
