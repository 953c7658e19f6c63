"""Catalogue search: the search document, every filter and sort, text search on SQLite and on
PostgreSQL, pagination and a query count that does not grow with the number of results."""
from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Company, VerificationStatus
from marketplace import search, selectors, services
from marketplace.models import Category, Listing, ListingStatus, ShipsToMode
from marketplace.selectors import SearchParams, listing_search
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from fx.models import FxRate, FxSource
from tests.factories.marketplace import ListingFactory, PublishedListingFactory
from tests.marketplace.conftest import ship_to

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")


def ids(qs) -> list[int]:
    return [listing.pk for listing in qs]


def cat(path: str) -> Category:
    return Category.objects.get(path=path)


class Catalogue:
    """Five visible listings with distinct values for every filter, plus hidden ones."""

    def __init__(self) -> None:
        now = timezone.now()
        # Rates of today, so prices in EUR are round: 4.20 TRY = 0.105 EUR, 0.80 CNY = 0.10 EUR, 12 KES = 0.12 EUR.
        FxRate.objects.bulk_create([FxRate(date=timezone.localdate(), currency=currency, rate=Decimal(rate),
                                           source=FxSource.MANUAL)
                                    for currency, rate in (("TRY", "40"), ("CNY", "8"), ("KES", "100"))])
        self.anatolia = CompanyFactory(legal_name="Anatolia Textiles", country="TR",
                                       verification_status=VerificationStatus.VERIFIED)
        self.shenzhen = CompanyFactory(legal_name="Shenzhen Bright Circuits", country="CN", default_currency="CNY",
                                       verification_status=VerificationStatus.VERIFIED)
        self.nairobi = CompanyFactory(legal_name="Nairobi Highland Coffee", country="KE", default_currency="KES",
                                      verification_status=VerificationStatus.PENDING)
        suspended = CompanyFactory(legal_name="Gone Towels", country="TR",
                                   verification_status=VerificationStatus.VERIFIED)
        for company in (self.anatolia, self.shenzhen, self.nairobi, suspended):
            ship_to(company, ["DE", "FR", "US", "RU", "KE", "UG"])

        self.towel = PublishedListingFactory(
            seller=self.anatolia, title="Cotton bath towel", description="Soft **terry** loops, 500 g/m2.",
            category="textiles/home-textiles", origin_country="TR", hs_code="630260", moq=100,
            unit_price="4.20", incoterms=["FOB", "EXW"], ships_to_mode=ShipsToMode.ALL_EXCEPT,
            ships_to_countries=["RU"], published_at=now - timedelta(days=5))
        self.denim = PublishedListingFactory(
            seller=self.anatolia, title="Indigo denim fabric", description="Selvedge, 14 oz.",
            category="textiles/fabrics", origin_country="TR", hs_code="520942", moq=500, unit_price="6.50",
            incoterms=["EXW"], ships_to_mode=ShipsToMode.ONLY, ships_to_countries=["DE", "FR"],
            published_at=now - timedelta(days=4))
        self.pcb = PublishedListingFactory(
            seller=self.shenzhen, title="Double-sided PCB", description="FR-4, lead-free finish.",
            category="electronics/pcb", origin_country="CN", hs_code="853400", moq=1000, unit_price="0.80",
            incoterms=["FOB", "CIF"], ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=[],
            published_at=now - timedelta(days=3))
        self.coffee = PublishedListingFactory(
            seller=self.nairobi, title="Arabica coffee beans", description="Washed AA grade.",
            category="food-agriculture/coffee-tea", origin_country="KE", hs_code="090111", moq=60,
            unit_price="12.00", incoterms=["DAP"], ships_to_mode=ShipsToMode.ONLY,
            ships_to_countries=["KE", "UG"], published_at=now - timedelta(days=2))
        self.tshirt = PublishedListingFactory(
            seller=self.shenzhen, title="Cotton T-shirt", description="Combed jersey.",
            category="textiles/garments", origin_country="BD", hs_code="610910", moq=200, unit_price="2.10",
            incoterms=["FOB"], ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=["US"],
            published_at=now - timedelta(days=1))

        # Never found: a draft, an archived listing and a suspended seller's published listing.
        self.draft = ListingFactory(seller=self.anatolia, title="Cotton towel draft")
        self.archived = ListingFactory(seller=self.anatolia, title="Cotton towel archived",
                                       status=ListingStatus.ARCHIVED)
        self.hidden = PublishedListingFactory(seller=suspended, title="Cotton towel of a suspended seller")
        suspended.verification_status = VerificationStatus.SUSPENDED
        suspended.save()

    def by_newest(self) -> list[int]:
        return [self.tshirt.pk, self.coffee.pk, self.pcb.pk, self.denim.pk, self.towel.pk]


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue()


def found(**params) -> list[int]:
    return ids(listing_search(params=SearchParams(**params)))


# --- the search document --------------------------------------------------------------------------

def test_search_document_holds_title_description_categories_seller_and_hs_code(catalogue):
    assert catalogue.towel.search_document == (
        "Cotton bath towel\nSoft terry loops, 500 g/m2.\nHome textiles\nTextiles and apparel\n"
        "Anatolia Textiles\n630260 6302 63")
    assert Listing.objects.get(pk=catalogue.pcb.pk).search_document == (
        "Double-sided PCB\nFR-4, lead-free finish.\nPrinted circuit boards\nElectronics\n"
        "Shenzhen Bright Circuits\n853400 8534 85")


def test_search_document_of_a_top_level_category_and_an_empty_description(db):
    seller = CompanyFactory(legal_name="Ruhr Auto Teile", verification_status=VerificationStatus.VERIFIED)
    listing = ListingFactory(seller=seller, title="Brake disc", description="", category="automotive",
                             hs_code="870830")
    assert Listing.objects.get(pk=listing.pk).search_document == (
        "Brake disc\nAutomotive parts\nRuhr Auto Teile\n870830 8708 87")


def test_search_document_follows_an_edit_of_a_draft(catalogue):
    actor = MembershipFactory(company=catalogue.anatolia).user
    services.listing_update(listing=catalogue.draft, actor=actor,
                            data={"title": "Linen tablecloth", "category": cat("home-goods/home-decor").pk,
                                  "hs_code": "6302.51"})
    assert Listing.objects.get(pk=catalogue.draft.pk).search_document == (
        "Linen tablecloth\nMade to order.\nHome decor\nHome goods and furniture\nAnatolia Textiles\n"
        "630251 6302 63")


def test_pending_changes_of_a_published_listing_reach_the_document_only_when_approved(catalogue):
    actor = MembershipFactory(company=catalogue.anatolia).user
    before = Listing.objects.get(pk=catalogue.towel.pk).search_document
    services.listing_update(listing=catalogue.towel, actor=actor, data={"title": "Waffle bath towel"})

    assert Listing.objects.get(pk=catalogue.towel.pk).search_document == before
    assert found(q="waffle") == []

    services.listing_approve(listing=catalogue.towel, actor=ModeratorFactory())
    assert Listing.objects.get(pk=catalogue.towel.pk).search_document == before.replace(
        "Cotton bath towel", "Waffle bath towel")
    assert found(q="waffle") == [catalogue.towel.pk]


def test_reindex_of_a_seller_after_a_rename(catalogue):
    Company.objects.filter(pk=catalogue.anatolia.pk).update(legal_name="Bursa Weaving Mills")
    assert found(q="bursa") == []

    assert search.search_reindex_seller(catalogue.anatolia.pk) == 4  # towel, denim, draft, archived
    assert found(q="bursa", sort="newest") == [catalogue.denim.pk, catalogue.towel.pk]
    assert found(q="anatolia") == []
    assert Listing.objects.get(pk=catalogue.pcb.pk).search_document.endswith("Shenzhen Bright Circuits\n853400 8534 85")
    assert search.search_reindex_seller(catalogue.anatolia.pk) == 0  # nothing left to change


def test_reindex_of_a_seller_queries_do_not_grow_with_listings(db):
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    ListingFactory(seller=seller)
    Company.objects.filter(pk=seller.pk).update(legal_name="First Name Ltd")
    with CaptureQueriesContext(connection) as one:
        assert search.search_reindex_seller(seller.pk) == 1
    for _ in range(9):
        ListingFactory(seller=seller)
    Company.objects.filter(pk=seller.pk).update(legal_name="Second Name Ltd")
    with CaptureQueriesContext(connection) as ten:
        assert search.search_reindex_seller(seller.pk) == 10
    assert len(ten) == len(one)


def test_reindex_of_a_category_covers_its_children(catalogue):
    Category.objects.filter(path="textiles").update(name="Textile goods")
    # towel, denim, t-shirt, draft, archived and the suspended seller's listing
    assert search.search_reindex_category(cat("textiles").pk) == 6
    assert "\nTextile goods\n" in Listing.objects.get(pk=catalogue.denim.pk).search_document
    assert "\nTextiles and apparel\n" not in Listing.objects.get(pk=catalogue.towel.pk).search_document
    assert search.search_reindex_category(cat("electronics").pk) == 0


@pytest.mark.parametrize(("text", "kept"), [
    ("cotton -towel", "cotton -towel"), ("-towel", ""), ("pcb or -towel", "pcb"), ("-a or pcb or -b", "pcb"),
    ("pcb or towel", "pcb or towel"), ('"bath towel" -red', '"bath towel" -red')])
def test_negations_are_kept_only_next_to_words_that_must_appear(text, kept):
    assert search._without_costly_negations(text) == kept


@pytest.mark.parametrize(("text", "cleaned"), [
    ("  Cotton   towel ", "Cotton towel"), ("6302.60", "630260"), ("HS 6302.60 towels", "HS 630260 towels"),
    ("x" * 300, "x" * 200)])
def test_clean_query(text, cleaned):
    assert search.clean_query(text) == cleaned


@pytest.mark.parametrize(("text", "indexed"), [
    ("纯棉毛巾", "纯棉 棉毛 毛巾"), ("巾", "巾"), ("LED 灯", "LED 灯"), ("毛巾abc 浴巾", "毛巾 abc 浴巾"),
    ("Towel\n土耳其纯棉浴巾\nAnatolia", "Towel\n土耳 耳其 其纯 纯棉 棉浴 浴巾\nAnatolia"), ("Çay bardağı", "Çay bardağı"), ("", "")])
def test_index_text_writes_chinese_as_bigrams(text, indexed):
    assert search.index_text(text) == indexed
    assert search.index_text(indexed) == indexed


def test_chinese_in_the_document_and_the_query_is_written_as_bigrams(db):
    listing = ListingFactory(title="纯棉毛巾 Cotton towel", description="", category="automotive", hs_code="630260")
    assert Listing.objects.get(pk=listing.pk).search_document.startswith("纯棉 棉毛 毛巾 Cotton towel\n")
    assert search.clean_query(" 棉毛巾  6302.60 ") == "棉毛 毛巾 630260"


def test_the_migration_writes_the_chinese_of_existing_documents_as_bigrams(db):
    listing = ListingFactory(title="保温杯", description="")
    Listing.objects.filter(pk=listing.pk).update(search_document="不锈钢保温杯\nKitchenware")
    migration = importlib.import_module("marketplace.migrations.0007_search_document_cjk_bigrams")
    migration.rewrite_documents(django_apps, None)
    assert Listing.objects.get(pk=listing.pk).search_document == "不锈 锈钢 钢保 保温 温杯\nKitchenware"


@pytest.mark.parametrize(("code", "terms"), [
    ("630260", "630260 6302 63"), ("090111", "090111 0901 09"), ("6302", "6302"), ("", "")])
def test_hs_code_terms(code, terms):
    assert search.hs_code_terms(code) == terms


# --- filters ------------------------------------------------------------------------------------

def test_without_text_or_filters_every_visible_listing_newest_first(catalogue):
    assert found() == catalogue.by_newest()
    assert found(sort="relevance") == catalogue.by_newest()


def test_category_includes_its_children(catalogue):
    c = catalogue
    assert found(category=cat("textiles")) == [c.tshirt.pk, c.denim.pk, c.towel.pk]
    assert found(category=cat("textiles/home-textiles")) == [c.towel.pk]
    assert found(category=cat("electronics")) == [c.pcb.pk]
    assert found(category=cat("machinery")) == []


def test_category_prefix_does_not_match_a_sibling_with_a_longer_slug(db):
    # "textiles" must not catch a top-level category whose slug starts with "textiles".
    longer = Category.objects.create(name="Textiles machinery", slug="textiles-machinery",
                                     path="textiles-machinery", position=99)
    inside = PublishedListingFactory(category="textiles/yarn")
    PublishedListingFactory(category=longer)
    assert found(category=cat("textiles")) == [inside.pk]


def test_origin_and_seller_country(catalogue):
    c = catalogue
    assert found(origin_country="CN") == [c.pcb.pk]
    assert found(origin_country="BD") == [c.tshirt.pk]
    assert found(seller_country="CN") == [c.tshirt.pk, c.pcb.pk]
    assert found(seller_country="TR") == [c.denim.pk, c.towel.pk]
    assert found(seller_country="BD") == []


def test_price_range_is_inclusive_on_the_lowest_unit_price_in_eur(catalogue):
    c = catalogue
    # In EUR, as shown: pcb 0.10, towel 0.11 (0.105), coffee 0.12, denim 0.16 (0.1625), t-shirt 0.26 (0.2625).
    assert found(price_min=Decimal("0.11")) == [c.tshirt.pk, c.coffee.pk, c.denim.pk, c.towel.pk]
    assert found(price_max=Decimal("0.12")) == [c.coffee.pk, c.pcb.pk, c.towel.pk]
    assert found(price_min=Decimal("0.11"), price_max=Decimal("0.16")) == [c.coffee.pk, c.denim.pk, c.towel.pk]
    assert found(price_min=Decimal("0.27")) == []


def test_price_range_in_the_listings_own_currency(catalogue):
    c = catalogue
    lira = selectors.display_currency_get("TRY")
    # In TRY: pcb 4.00, towel 4.20, coffee 4.80, denim 6.50, t-shirt 10.50.
    assert found(price_min=Decimal("4.20"), price_max=Decimal("6.50"), display=lira) == [
        c.coffee.pk, c.denim.pk, c.towel.pk]
    assert found(price_min=Decimal("4.21"), price_max=Decimal("6.49"), display=lira) == [c.coffee.pk]


def test_price_from_is_the_lowest_tier(db):
    listing = PublishedListingFactory(moq=10, price_tiers=[{"min_quantity": 10, "unit_price": "9.00"},
                                                           {"min_quantity": 1000, "unit_price": "7.25"}])
    assert listing.price_from == Decimal("7.25")
    lira = selectors.display_currency_get("TRY")
    assert found(price_max=Decimal("7.25"), display=lira) == [listing.pk]
    assert found(price_max=Decimal("7.24"), display=lira) == []


def test_moq_at_most(catalogue):
    c = catalogue
    assert found(moq_max=200) == [c.tshirt.pk, c.coffee.pk, c.towel.pk]
    assert found(moq_max=99) == [c.coffee.pk]
    assert found(moq_max=59) == []


def test_incoterm(catalogue):
    c = catalogue
    assert found(incoterm="FOB") == [c.tshirt.pk, c.pcb.pk, c.towel.pk]
    assert found(incoterm="CIF") == [c.pcb.pk]
    assert found(incoterm="DDP") == []


def test_ships_to_in_both_modes(catalogue):
    c = catalogue
    # towel: all except RU; denim: only DE, FR; pcb: everywhere; coffee: only KE, UG; t-shirt: all except US
    assert found(ships_to="DE") == [c.tshirt.pk, c.pcb.pk, c.denim.pk, c.towel.pk]
    assert found(ships_to="US") == [c.pcb.pk, c.towel.pk]
    assert found(ships_to="RU") == [c.tshirt.pk, c.pcb.pk]
    assert found(ships_to="KE") == [c.tshirt.pk, c.coffee.pk, c.pcb.pk, c.towel.pk]
    assert found(ships_to="UG") == [c.tshirt.pk, c.coffee.pk, c.pcb.pk, c.towel.pk]
    assert found(ships_to="FR") == [c.tshirt.pk, c.pcb.pk, c.denim.pk, c.towel.pk]


def test_verified_sellers_only(catalogue):
    c = catalogue
    assert found(verified_only=True) == [c.tshirt.pk, c.pcb.pk, c.denim.pk, c.towel.pk]
    assert found(verified_only=False) == c.by_newest()


def test_filters_combine(catalogue):
    c = catalogue
    assert found(category=cat("textiles"), incoterm="FOB", ships_to="DE") == [c.tshirt.pk, c.towel.pk]
    assert found(category=cat("textiles"), incoterm="FOB", ships_to="US") == [c.towel.pk]
    assert found(seller_country="CN", price_max=Decimal("0.10")) == [c.pcb.pk]
    assert found(q="cotton", moq_max=150) == [c.towel.pk]


# --- sorting ------------------------------------------------------------------------------------

def test_sort_by_price_and_newest(catalogue):
    c = catalogue
    # In EUR: pcb 0.10, towel 0.105, coffee 0.12, denim 0.1625, t-shirt 0.2625.
    cheapest_first = [c.pcb.pk, c.towel.pk, c.coffee.pk, c.denim.pk, c.tshirt.pk]
    assert found(sort="price_asc") == cheapest_first
    assert found(sort="price_desc") == cheapest_first[::-1]
    assert found(sort="newest") == c.by_newest()


def test_equal_prices_and_dates_keep_a_stable_order(db):
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    when = timezone.now() - timedelta(days=1)
    first, second, third = (PublishedListingFactory(seller=seller, unit_price="3.00", published_at=when)
                            for _ in range(3))
    assert found(sort="price_asc") == [third.pk, second.pk, first.pk]
    assert found(sort="price_desc") == [third.pk, second.pk, first.pk]
    assert found(sort="newest") == [third.pk, second.pk, first.pk]


def test_unknown_sort_falls_back_to_relevance(catalogue):
    assert found(sort="cheapest") == catalogue.by_newest()


# --- text (both databases) ------------------------------------------------------------------------

def test_text_matches_title_description_category_seller_and_hs_code(catalogue):
    c = catalogue
    assert found(q="towel") == [c.towel.pk]
    assert found(q="terry") == [c.towel.pk]
    assert found(q="fabrics") == [c.denim.pk]
    assert found(q="electronics") == [c.pcb.pk]
    assert found(q="anatolia", sort="newest") == [c.denim.pk, c.towel.pk]
    assert found(q="630260") == [c.towel.pk]
    assert found(q="6302.60") == [c.towel.pk]
    assert found(q="6302") == [c.towel.pk]
    assert found(q="61") == [c.tshirt.pk]


def test_every_word_must_match(catalogue):
    c = catalogue
    assert found(q="cotton", sort="newest") == [c.tshirt.pk, c.towel.pk]
    assert found(q="cotton towel") == [c.towel.pk]
    assert found(q="Cotton TOWEL") == [c.towel.pk]
    assert found(q="cotton coffee") == []


def test_text_never_finds_hidden_listings(catalogue):
    assert found(q="towel") == [catalogue.towel.pk]
    assert found(q="suspended") == []
    assert found(q="draft") == []


def test_blank_text_is_no_text(catalogue):
    assert found(q="   ") == catalogue.by_newest()
    qs, ranked = selectors._text_search(Listing.objects.all(), "  ")
    assert ranked is False


def test_text_with_sort_by_price(catalogue):
    c = catalogue
    assert found(q="cotton", sort="price_asc") == [c.towel.pk, c.tshirt.pk]
    assert found(q="cotton", sort="price_desc") == [c.tshirt.pk, c.towel.pk]


# --- PostgreSQL full-text and trigram search ------------------------------------------------------

@on_postgresql
def test_typos_in_the_title_are_forgiven(catalogue):
    c = catalogue
    assert found(q="towl") == [c.towel.pk]
    assert found(q="bath towl") == [c.towel.pk]
    assert found(q="arabika") == [c.coffee.pk]
    assert found(q="cotton towl") == [c.towel.pk]
    assert found(q="towl coffee") == []  # every word still has to match


@on_postgresql
def test_short_words_must_be_spelt_right(catalogue):
    assert found(q="pcb") == [catalogue.pcb.pk]
    assert found(q="pcv") == []


@on_postgresql
def test_a_title_match_ranks_above_a_description_match(db):
    seller = CompanyFactory(legal_name="Ege Home", verification_status=VerificationStatus.VERIFIED)
    now = timezone.now()
    in_title = PublishedListingFactory(seller=seller, title="Hotel towel set", description="Six pieces.",
                                       published_at=now - timedelta(days=3))
    in_description = PublishedListingFactory(seller=seller, title="Bathrobe", description="Matches our towel sets.",
                                             published_at=now - timedelta(days=1))
    assert found(q="towel") == [in_title.pk, in_description.pk]
    assert found(q="towel", sort="newest") == [in_description.pk, in_title.pk]
    ranks = {listing.pk: listing.rank for listing in listing_search(params=SearchParams(q="towel"))}
    assert ranks == {in_title.pk: 1.0, in_description.pk: 0.0}
    # Two words: the share of them the title names.
    both = PublishedListingFactory(seller=seller, title="Hotel bath towel", published_at=now - timedelta(days=5))
    ranks = {listing.pk: listing.rank for listing in listing_search(params=SearchParams(q="hotel bath"))}
    assert ranks == {both.pk: 1.0}
    ranks = {listing.pk: listing.rank for listing in listing_search(params=SearchParams(q="towel hotel"))}
    assert ranks == {in_title.pk: 1.0, both.pk: 1.0}
    assert found(q="towel ege") == [in_title.pk, both.pk, in_description.pk]  # 0.5, 0.5 (older), 0.0
    # A plural counts when the title has its singular (its stem).
    ranks = {listing.pk: listing.rank for listing in listing_search(params=SearchParams(q="towels"))}
    assert ranks == {in_title.pk: 1.0, both.pk: 1.0, in_description.pk: 0.0}
    assert found(q="towels") == [in_title.pk, both.pk, in_description.pk]


@on_postgresql
def test_typos_are_forgiven_only_when_the_exact_words_find_nothing(db):
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    now = timezone.now()
    towel = PublishedListingFactory(seller=seller, title="Cotton towel", published_at=now - timedelta(days=2))
    towels = PublishedListingFactory(seller=seller, title="Beach towels", published_at=now - timedelta(days=1))
    assert found(q="towel") == [towels.pk, towel.pk]  # the same English stem, newest first
    assert found(q="towels") == [towels.pk, towel.pk]
    assert found(q="towl") == [towels.pk, towel.pk]  # equally similar (0.6), newest first
    assert found(q="cotton towl") == [towel.pk]
    # A word that is found as it is spelt is not corrected.
    rack = PublishedListingFactory(seller=seller, title="Towl wall rack", published_at=now - timedelta(days=3))
    assert found(q="towl") == [rack.pk]


@on_postgresql
def test_words_are_found_by_english_and_turkish_stems_and_without_accents(db):
    seller = CompanyFactory(legal_name="Ege Tekstil", verification_status=VerificationStatus.VERIFIED)
    now = timezone.now()
    havlu = PublishedListingFactory(seller=seller, title="Pamuklu havlu", published_at=now - timedelta(days=3))
    cafe = PublishedListingFactory(seller=seller, title="Café au lait cup", published_at=now - timedelta(days=2))
    kilim = PublishedListingFactory(seller=seller, title="İSTANBUL kilim", published_at=now - timedelta(days=1))
    assert found(q="havlular") == [havlu.pk]
    assert found(q="havluları") == [havlu.pk]
    assert found(q="cups") == [cafe.pk]
    assert found(q="cafe") == [cafe.pk]
    assert found(q="CAFÉ") == [cafe.pk]
    assert found(q="istanbul") == [kilim.pk]
    assert found(q="İstanbul kilimler") == [kilim.pk]
    assert found(q="tekstil", sort="newest") == [kilim.pk, cafe.pk, havlu.pk]
    assert found(q="havlular cups") == []
    # An English word is not cut by the Turkish algorithm ("denim" would be "de").
    coffee = PublishedListingFactory(seller=seller, title="Green coffee, Sul de Minas", published_at=now)
    assert found(q="denim") == []
    assert found(q="de") == [coffee.pk]
    # A title holding the stem counts as one holding the word.
    ranks = {listing.pk: listing.rank for listing in listing_search(params=SearchParams(q="havlular tekstil"))}
    assert ranks == {havlu.pk: 0.5}


@pytest.mark.parametrize(("word", "turkish"), [
    ("havlular", True), ("HAVLULARI", True), ("eşarp", True), ("kilimlerden", True), ("Işık", True),
    ("denim", False), ("cotton", False), ("bearings", False), ("towels", False)])
def test_reads_as_turkish(word, turkish):
    assert search.reads_as_turkish(word) is turkish


@on_postgresql
def test_a_negated_word_is_left_out_in_every_configuration(db):
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    PublishedListingFactory(seller=seller, title="Cotton beach towels")
    shirt = PublishedListingFactory(seller=seller, title="Cotton shirt")
    assert found(q="cotton -towel") == [shirt.pk]
    assert found(q="cotton -towels") == [shirt.pk]
    assert found(q="cotton -TOWELS") == [shirt.pk]


@on_postgresql
def test_did_you_mean_replaces_misspelt_words_with_catalogue_words(catalogue):
    assert search.did_you_mean("towl") == "towel"
    assert search.did_you_mean("cotton towl") == "cotton towel"
    assert search.did_you_mean("Arabika cofee") == "arabica coffee"
    assert search.did_you_mean("towel") is None
    assert search.did_you_mean("cotton towel") is None
    assert search.did_you_mean("pcv") is None  # too short to correct
    assert search.did_you_mean("630261") is None
    assert search.did_you_mean("zzzzqqq") is None  # nothing close
    assert search.did_you_mean('"towl"') is None
    assert search.did_you_mean("") is None


@on_postgresql
def test_did_you_mean_never_suggests_words_of_unpublished_listings(catalogue):
    ListingFactory(seller=catalogue.anatolia, title="Secret prototype blanket")
    assert search.did_you_mean("prototipe") is None


@on_postgresql
def test_web_search_syntax(catalogue):
    c = catalogue
    assert found(q='"bath towel"') == [c.towel.pk]
    assert found(q='"towel bath"') == []
    assert found(q="cotton -towel") == [c.tshirt.pk]
    assert sorted(found(q="towel or pcb")) == sorted([c.towel.pk, c.pcb.pk])


@on_postgresql
def test_a_negation_needs_a_word_that_must_appear(catalogue):
    c = catalogue
    assert found(q="-cotton") == []
    assert found(q="pcb or -cotton") == [c.pcb.pk]
    assert found(q="pcb -cotton") == [c.pcb.pk]
    assert found(q="cotton -shirt") == [c.towel.pk]


@on_postgresql
def test_text_search_is_ranked_on_postgresql(catalogue):
    qs, ranked = selectors._text_search(selectors.listing_public_queryset(), "cotton")
    assert ranked is True
    assert {listing.pk for listing in qs} == {catalogue.towel.pk, catalogue.tshirt.pk}
    assert all(listing.rank > 0 for listing in qs)


def plan(qs) -> str:
    sql, sql_params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Left with bitmap scans only, the planner shows whether it can match the index expressions.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", sql_params)
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
def test_text_queries_can_use_the_gin_indexes(catalogue):
    # Sorted otherwise than by relevance, the list's own query matches the stored vectors.
    exact = plan(search.postgresql_text_search(Listing.objects.order_by(), "towel", by_relevance=False).values("pk"))
    assert "listing_search_vector_gin" in exact
    assert "listing_title_trgm_gin" not in exact
    forgiving = plan(search.postgresql_text_search(Listing.objects.order_by(), "towl", by_relevance=False).values("pk"))
    assert "listing_search_vector_gin" in forgiving
    # Sorted by relevance, the candidates are read first, and the list reads them by pk.
    with CaptureQueriesContext(connection) as captured:
        ranked = plan(search.postgresql_text_search(Listing.objects.order_by(), "towl").values("pk"))
    assert "listing_pkey" in ranked and "search_vector" not in ranked
    assert [query["sql"] for query in captured.captured_queries if "search_vector" in query["sql"]]
    # The words a misspelt word stands for are read first, from the trigram index of the title words.
    sql, sql_params = search._title_words_like_sql("towl")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", sql_params)
        assert "title_word_trgm_gin" in "\n".join(row[0] for row in cursor.fetchall())
    assert search.title_words_like("towl") == search.TitleWordsLike(["towel"], "towel")


# --- pagination and query counts ------------------------------------------------------------------

def make_listings(count: int) -> list[Listing]:
    sellers = [CompanyFactory(verification_status=VerificationStatus.VERIFIED) for _ in range(3)]
    for seller in sellers:
        ship_to(seller, ["DE"])
    paths = ["textiles/home-textiles", "textiles/fabrics", "electronics/pcb", "automotive"]
    return [PublishedListingFactory(seller=sellers[n % 3], category=paths[n % 4], title=f"Cotton sample {n}",
                                    incoterms=["FOB", "EXW"], moq=100,
                                    price_tiers=[{"min_quantity": 100, "unit_price": "3.00"},
                                                 {"min_quantity": 500, "unit_price": "2.50"}])
            for n in range(count)]


def render_cards(params: SearchParams, per_page: int = 50) -> tuple[int, list[tuple]]:
    """What a result page shows: the total, and for each row its tiers, Incoterms, seller and category."""
    paginator = Paginator(listing_search(params=params), per_page)
    page = paginator.page(1)
    rows = [(listing.title, [(t.min_quantity, t.unit_price) for t in listing.price_tiers.all()],
             [i.incoterm for i in listing.incoterm_rows.all()], listing.seller.legal_name, listing.category.name,
             listing.category.parent.name if listing.category.parent else None)
            for listing in page.object_list]
    return paginator.count, rows


SEARCHES = [
    pytest.param(SearchParams(), id="browse"),
    pytest.param(SearchParams(q="cotton"), id="text"),
    pytest.param(SearchParams(q="cotton", incoterm="FOB", ships_to="DE", verified_only=True,
                              price_max=Decimal("10"), moq_max=1000, sort="price_asc"), id="text-and-filters"),
]


def expected_queries(params: SearchParams) -> int:
    """Count, page, price tiers, Incoterms (seller and category come with the page), and the
    EXISTS check of a text search that decides whether typos need forgiving."""
    return 4 + (1 if params.q else 0)


@pytest.mark.parametrize("params", SEARCHES)
def test_query_count_is_the_same_for_one_and_fifty_results(db, params, django_assert_num_queries):
    make_listings(1)
    with django_assert_num_queries(expected_queries(params)):
        total, rows = render_cards(params)
    assert total == 1
    assert rows[0][1:3] == ([(100, Decimal("3.00")), (500, Decimal("2.50"))], ["EXW", "FOB"])

    make_listings(49)
    with django_assert_num_queries(expected_queries(params)):
        total, rows = render_cards(params)
    assert total == 50
    assert len(rows) == 50
    assert all(row[1] == [(100, Decimal("3.00")), (500, Decimal("2.50"))] and row[2] == ["EXW", "FOB"]
               for row in rows)


def test_query_count_with_a_category_filter(db, django_assert_num_queries):
    make_listings(2)
    params = SearchParams(category=cat("textiles"))
    with django_assert_num_queries(4):
        first = render_cards(params)
    make_listings(30)
    with django_assert_num_queries(4):
        second = render_cards(params)
    assert (first[0], second[0]) == (2, 18)


def test_paginated_results_with_a_total_count(db):
    listings = make_listings(45)
    paginator = Paginator(listing_search(params=SearchParams(sort="newest")), 20)
    assert paginator.count == 45
    assert paginator.num_pages == 3
    newest_first = [listing.pk for listing in reversed(listings)]
    assert ids(paginator.page(2).object_list) == newest_first[20:40]
    assert ids(paginator.page(3).object_list) == newest_first[40:]
