"""Search relevance over the demo catalogue, with the same expectations on every database: each query
of the table names the listings that must be on the first page of results (a title containing the
text), those that must not be found, and, where it matters, the "did you mean" suggestion.

The table covers exact words, plurals, several words, typos, HS codes (code, heading, dotted code,
chapter), seller and category names, Turkish words with suffixes, Chinese by its characters, mixed
case, accents and the dotted İ, and queries that must find nothing."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction

from frontend.catalogue.views import LISTINGS_PAGE_SIZE
from marketplace import search
from marketplace.models import Listing, ListingStatus
from marketplace.selectors import SearchParams, listing_search

pytestmark = pytest.mark.django_db

# Marks a row whose suggestion is not asserted.
UNCHECKED = object()


@dataclass(frozen=True)
class Row:
    query: str
    first_page: tuple[str, ...] = ()  # a title on the first page contains each
    never: tuple[str, ...] = ()  # no title found contains any
    did_you_mean: object = UNCHECKED  # the suggestion (None: none), unless UNCHECKED
    nothing: bool = False  # nothing is found at all

    def __str__(self) -> str:
        return self.query


TOWELS = ("Turkish cotton bath towel", "Peshtemal hammam towel")
PUMPS = ("Centrifugal pump", "Rotary gear pump", "Submersible drainage pump")

TABLE = [
    # Exact words, in the title, the description, both.
    Row("towel", TOWELS, never=("bathrobe", "T-shirt"), did_you_mean=None),
    Row("bathrobe", ("Waffle-weave cotton bathrobe", "Terry bathrobe with shawl collar"), never=("towel,",)),
    Row("macadamia", ("Macadamia nuts",), never=("coffee",)),
    Row("selvedge", ("Denim fabric, 14 oz, selvedge",)),
    # Plurals and singulars (English stems).
    Row("towels", TOWELS, did_you_mean=None),
    Row("pumps", PUMPS),
    Row("bearings", ("Deep-groove ball bearing",)),
    Row("rose", ("Cut roses",)),
    Row("avocado", ("Hass avocados",)),
    # Several words: every one must appear.
    Row("cotton towels", ("Turkish cotton bath towel",), never=("T-shirt", "poplin", "Pamuklu")),
    Row("stainless steel saucepan", ("Stainless steel saucepan",), never=("stockpot", "保温杯")),
    Row("green coffee beans", ("Kenya", "green coffee beans"), never=("roasted",)),
    Row("LED bulb E27", ("LED bulb, A60 E27",), never=("panel", "floodlight")),
    # Typos, with a suggestion from the catalogue's words.
    Row("towl", ("Turkish cotton bath towel",), did_you_mean="towel"),
    Row("cotton towl", ("Turkish cotton bath towel",), never=("T-shirt",), did_you_mean="cotton towel"),
    Row("bathrbe", ("Waffle-weave cotton bathrobe",), did_you_mean="bathrobe"),
    Row("centrifugl pump", ("Centrifugal pump",), never=("Rotary gear pump",), did_you_mean="centrifugal pump"),
    Row("chrysanthemum", ("Chrysanthemums",)),
    # HS codes: the code, its heading, the code written with a dot, its chapter.
    Row("630260", ("Turkish cotton bath towel", "Pamuklu havlu"), never=("Peshtemal",)),
    Row("6302", ("Turkish cotton bath towel", "Peshtemal hammam towel", "Percale bed linen set", "Pamuklu havlu")),
    Row("6302.60", ("Turkish cotton bath towel", "Pamuklu havlu"), never=("Peshtemal", "Percale")),
    Row("853400", ("FR-4 printed circuit board", "Flexible printed circuit")),
    Row("68", ("Granite slab", "Quartzite slab", "Granite paving setts")),
    Row("4419", ("Bamboo cutting board", "竹制砧板"), never=("saucepan",)),
    # Seller names.
    Row("Naivasha Bloom", ("Cut roses", "Carnations", "Chrysanthemums"), never=("coffee",)),
    Row("cerrado", ("Brazilian green coffee", "Brazilian roasted coffee", "Decaffeinated green coffee")),
    Row("Espirito Santo Granitos", ("Granite slab", "Quartzite slab"), never=("coffee",)),
    # Category names.
    Row("lighting", ("LED ceiling panel", "LED floodlight", "LED 筒灯")),
    Row("printed circuit boards", ("FR-4 printed circuit board", "Flexible printed circuit")),
    Row("stone and marble", ("Granite kitchen countertop", "Quartzite slab")),
    # Turkish words with suffixes.
    Row("havlular", ("Pamuklu havlu",)),
    Row("havluları", ("Pamuklu havlu",)),
    Row("eşarplar", ("İpek eşarp",)),
    Row("kazaklar", ("Yün kazak",), never=("havlu",)),
    Row("pamuklu havlu", ("Pamuklu havlu",), never=("eşarp", "kazak")),
    Row("denim", ("Denim fabric",), never=("coffee", "Granite")),  # not cut to "de" (Sul de Minas)
    # Chinese by its characters.
    Row("保温杯", ("不锈钢保温杯",), never=("竹制砧板", "saucepan")),
    Row("不锈钢", ("不锈钢保温杯",), never=("竹制砧板",)),
    Row("砧板", ("竹制砧板",), never=("Bamboo cutting board", "保温杯")),
    Row("筒灯", ("LED 筒灯",), never=("LED bulb",)),
    Row("LED 筒灯", ("LED 筒灯",), never=("LED bulb", "LED strip")),
    Row("铝制外壳", ("LED 筒灯",)),
    # Mixed case.
    Row("GRANITE Slab", ("Granite slab",), never=("countertop",)),
    Row("Led Bulb", ("LED bulb",)),
    # Accents and the dotted İ, either way.
    Row("ipek", ("İpek eşarp",)),
    Row("IPEK ESARP", ("İpek eşarp",)),
    Row("yun kazak", ("Yün kazak",)),
    Row("patrocinio", ("Brazilian roasted coffee",), never=("Kenya",)),
    Row("café", ("Brazilian green coffee",), never=("Kenya",)),
    Row("cafe", ("Brazilian green coffee",), never=("Kenya",)),
    # Nothing: unknown words, words that never meet, unpublished listings, unknown codes.
    Row("unobtainium", nothing=True, did_you_mean=None),
    Row("towel granite", nothing=True),
    Row("茶杯", nothing=True),
    Row("999999", nothing=True, did_you_mean=None),
    Row("dried figs", nothing=True),  # the seller is not verified yet: drafts only
]


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """seed_demo once for the module, on the empty test database, in a transaction rolled back at the
    end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def first_page(query: str) -> list[str]:
    return [listing.title for listing in listing_search(params=SearchParams(q=query))[:LISTINGS_PAGE_SIZE]]


def test_the_demo_has_turkish_and_chinese_titles(demo_catalogue):
    published = Listing.objects.filter(status=ListingStatus.PUBLISHED)
    assert published.filter(title__startswith="Pamuklu havlu").count() == 2
    assert published.filter(title__startswith="不锈钢保温杯").count() == 2


def test_the_table_covers_at_least_forty_queries():
    assert len({row.query for row in TABLE}) == len(TABLE) >= 40


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_relevance(demo_catalogue, row):
    titles = first_page(row.query)
    if row.nothing:
        assert titles == []
    for text in row.first_page:
        assert any(text in title for title in titles), (text, titles)
    for text in row.never:
        found = [title for title in listing_search(params=SearchParams(q=row.query)).values_list("title", flat=True)]
        assert not any(text in title for title in found), (text, found)
    if row.did_you_mean is not UNCHECKED:
        assert search.did_you_mean(row.query) == row.did_you_mean
