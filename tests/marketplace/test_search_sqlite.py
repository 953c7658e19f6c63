"""Search on SQLite, the embedded default: the FTS5 index and its triggers, English stems, a query
that user text never breaks, bm25 with titles first, typos through the trigram vocabulary and
"Did you mean" (marketplace.search_sqlite)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace import search, search_sqlite, selectors
from marketplace.models import Listing, ListingStatus
from marketplace.selectors import SearchParams, listing_search
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory
from tests.marketplace.test_search import Catalogue

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5")]


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue()


def found(q: str, **params) -> list[int]:
    return [listing.pk for listing in listing_search(params=SearchParams(q=q, **params))]


def indexed_rowids(match: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {search_sqlite.FTS_TABLE} WHERE {search_sqlite.FTS_TABLE} MATCH %s"
                       " ORDER BY rowid", [match])
        return [row[0] for row in cursor.fetchall()]


# --- words, stems, codes, sellers ------------------------------------------------------------------

def test_plurals_and_several_words_find_the_singular(catalogue):
    c = catalogue
    assert found("towel") == [c.towel.pk]
    assert found("towels") == [c.towel.pk]
    assert found("cotton towels") == [c.towel.pk]
    assert found("Cotton TOWELS bath") == [c.towel.pk]
    assert found("cotton coffee") == []


def test_hs_code_heading_chapter_and_dotted_code(catalogue):
    c = catalogue
    assert found("630260") == [c.towel.pk]
    assert found("6302") == [c.towel.pk]
    assert found("6302.60") == [c.towel.pk]
    assert found("61") == [c.tshirt.pk]
    assert found("630") == []  # a code is matched by its code, heading or chapter, not any prefix


def test_seller_names_and_categories(catalogue):
    c = catalogue
    assert found("anatolia", sort="newest") == [c.denim.pk, c.towel.pk]
    assert found("shenzhen circuits", sort="newest") == [c.tshirt.pk, c.pcb.pk]
    assert found("garments") == [c.tshirt.pk]


def test_accents_are_folded():
    cafe = PublishedListingFactory(title="Café crème beans", description="Roasted.")
    assert found("cafe creme") == [cafe.pk]
    assert found("CAFÉ") == [cafe.pk]


def test_chinese_titles_are_found_by_their_characters():
    towel = PublishedListingFactory(title="纯棉毛巾 70×140", description="吸水")
    PublishedListingFactory(title="毛衣", description="羊毛")
    assert found("毛巾") == [towel.pk]
    assert found("纯棉毛巾") == [towel.pk]
    assert found("棉毛") == [towel.pk]
    assert found("毛巾 70") == [towel.pk]
    assert found("纯毛") == []


def test_hidden_listings_are_never_found(catalogue):
    assert found("towel") == [catalogue.towel.pk]
    assert found("draft") == []
    assert found("suspended") == []


# --- web-search syntax and hostile text ------------------------------------------------------------

def test_phrases_exclusions_and_or(catalogue):
    c = catalogue
    assert found('"bath towel"') == [c.towel.pk]
    assert found('"towel bath"') == []
    assert found("cotton -towel") == [c.tshirt.pk]
    assert found("towel or pcb", sort="newest") == [c.pcb.pk, c.towel.pk]
    assert found("t-shirt") == [c.tshirt.pk]
    assert found("-towel") == []  # nothing asked for, nothing found


@pytest.mark.parametrize("text", [
    '"', '""', '"cotton', "cotton\"", "'", "*", "cotton*", "^cotton", "(", ")", "(cotton", "cotton)",
    "NEAR(cotton towel)", "NEAR", "cotton NEAR towel", "title:cotton", "{title}: cotton", "- title : towel",
    "AND", "OR", "NOT", "cotton AND", "OR cotton", "NOT towel", "cotton NOT", "cotton + towel", ":", "+",
    "\\", "%", "_", "cotton;DROP TABLE marketplace_listing", "\x00", "a" * 500, "towel " * 50,
])
def test_fts5_syntax_in_user_text_is_plain_text(catalogue, text):
    result = found(text)  # no OperationalError
    assert set(result) <= set(catalogue.by_newest())
    assert Listing.objects.count() == 8


def test_operators_and_punctuation_are_words_not_syntax(catalogue):
    c = catalogue
    assert found("cotton*") == found("cotton")
    assert found("(towel)") == [c.towel.pk]
    assert found("NEAR(towel bath)") == []  # "near" is a word no listing holds
    assert found("towel AND") == [c.towel.pk]  # a word of "Textiles and apparel", no operator
    assert found("towel NOT") == []  # a word too, that no towel's document holds


# --- ranking ---------------------------------------------------------------------------------------

def test_a_title_match_ranks_before_a_description_match():
    in_description = PublishedListingFactory(title="Hotel bathrobe", description="Matches our linen towel sets.")
    in_title = PublishedListingFactory(title="Linen towel", description="Stonewashed.")
    assert found("towel") == [in_title.pk, in_description.pk]
    assert found("linen towel") == [in_title.pk, in_description.pk]


def test_search_is_ranked_with_bm25(catalogue):
    qs, ranked = selectors._text_search(selectors.listing_public_queryset(), "cotton")
    assert ranked is True
    ranks = {listing.pk: listing.rank for listing in qs}
    assert set(ranks) == {catalogue.towel.pk, catalogue.tshirt.pk}
    assert all(isinstance(rank, float) for rank in ranks.values())


# --- the index follows every write ------------------------------------------------------------------

def test_index_follows_inserts_updates_bulk_updates_and_deletes(catalogue):
    c = catalogue
    Listing.objects.filter(pk=c.towel.pk).update(title="Linen tea towel")
    assert found("linen") == [c.towel.pk]
    assert indexed_rowids('title : "bath"') == []  # the old title is gone from the index
    assert indexed_rowids('title : "linen"') == [c.towel.pk]
    c.denim.search_document = "Indigo denim fabric\nZebra stripes"
    Listing.objects.bulk_update([c.denim], ["search_document"])
    assert found("zebra") == [c.denim.pk]
    assert found("selvedge") == []
    Listing.objects.filter(pk=c.coffee.pk).delete()
    assert indexed_rowids('"arabica"') == []
    fresh = PublishedListingFactory(title="Arabica green beans")
    assert found("arabica") == [fresh.pk]


def test_a_migration_that_rebuilds_the_table_gets_its_triggers_back(catalogue):
    with connection.cursor() as cursor:
        for name in search_sqlite.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    Listing.objects.filter(pk=catalogue.towel.pk).update(title="Linen tea towel")  # unseen by the index
    assert found("linen") == []

    assert search_sqlite.ensure_triggers() == list(search_sqlite.TRIGGERS)

    assert found("linen") == [catalogue.towel.pk]
    assert search_sqlite.ensure_triggers() == []
    Listing.objects.filter(pk=catalogue.towel.pk).update(title="Velvet tea towel")
    assert found("velvet") == [catalogue.towel.pk]


# --- typos and "Did you mean" ---------------------------------------------------------------------

def test_a_misspelt_word_finds_its_listings_and_is_corrected(catalogue):
    c = catalogue
    assert found("towl") == [c.towel.pk]
    assert found("bath towl") == [c.towel.pk]
    assert found("cotten", sort="newest") == [c.tshirt.pk, c.towel.pk]
    assert search.did_you_mean("towl") == "towel"
    assert search.did_you_mean("Cotton towl") == "cotton towel"
    assert search.did_you_mean("arabika cofee") == "arabica coffee"
    assert search.did_you_mean("indgo dnim") is None or search.did_you_mean("indgo dnim") == "indigo denim"


def test_no_suggestion_when_every_word_is_known_or_nothing_is_close(catalogue):
    assert search.did_you_mean("cotton towel") is None
    assert search.did_you_mean("towels") is None  # a stem of a known word
    assert search.did_you_mean("xylophone") is None
    assert search.did_you_mean("tow") is None  # too short to correct
    assert search.did_you_mean('"bath towl"') is None  # web-search syntax is left as it is
    assert search.did_you_mean("") is None
    assert found("xylophone") == []


def test_the_strict_search_comes_first(catalogue):
    """A word the catalogue holds is never widened: "denim" finds denim only, not similar words."""
    PublishedListingFactory(title="Denims overstock")
    assert len(found("denim")) == 2
    assert found("denimm") != []


def test_a_drafts_words_are_never_suggested(catalogue):
    ListingFactory(title="Zanzibar spice blend")  # a draft
    assert search.did_you_mean("zanzibr") is None
    published = PublishedListingFactory(title="Zanzibar clove buds")
    assert search.did_you_mean("zanzibr") == "zanzibar"
    assert found("zanzibr") == [published.pk]


def test_the_vocabulary_catches_up_with_new_and_renamed_titles_without_a_rebuild(catalogue):
    search.did_you_mean("towl")  # reads every pending title
    assert search_sqlite.refresh_vocabulary() == 0
    listing = PublishedListingFactory(title="Bamboo cutting board")
    Listing.objects.filter(pk=catalogue.denim.pk).update(title="Walnut serving board")
    Listing.objects.filter(pk=catalogue.pcb.pk).update(stock=5)  # not a title: nothing to read
    assert search.did_you_mean("bambo boad") == "bamboo board"
    assert search.did_you_mean("walnutt") == "walnut"
    assert search_sqlite.refresh_vocabulary() == 0
    assert found("bambo") == [listing.pk]


def test_edit_distance_counts_swaps_as_one():
    assert search_sqlite.edit_distance("towel", "towel") == 0
    assert search_sqlite.edit_distance("towl", "towel") == 1
    assert search_sqlite.edit_distance("towle", "towel") == 1
    assert search_sqlite.edit_distance("cottn", "cotton") == 1
    assert search_sqlite.edit_distance("kitten", "sitting") == 3


def test_a_typo_search_costs_a_few_queries_whatever_the_number_of_matches():
    seller = CompanyFactory()
    for number in range(30):
        PublishedListingFactory(seller=seller, title=f"Cotton towel {number}")
    search.did_you_mean("towl")  # the vocabulary is read once
    with CaptureQueriesContext(connection) as captured:
        assert len(found("towl")) == 30
    # strict EXISTS, is "towl" a word, anything pending, its closest words, the rows; prices and Incoterms
    assert len(captured) == 7
    with CaptureQueriesContext(connection) as captured:
        assert search.did_you_mean("towl") == "towel"
    assert len(captured) == 4  # is "towl" a published word, anything pending, closest words, "towel" published


def test_status_changes_do_not_touch_the_vocabulary(catalogue):
    search_sqlite.refresh_vocabulary()
    Listing.objects.filter(pk=catalogue.towel.pk).update(status=ListingStatus.ARCHIVED)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {search_sqlite.PENDING_TABLE}")
        assert cursor.fetchone()[0] == 0


# --- Turkish --------------------------------------------------------------------------------------

def test_turkish_words_with_suffixes_find_their_base_form():
    towel = PublishedListingFactory(title="Pamuklu havlu, 50×90 cm", description="Yumuşak.")
    scarf = PublishedListingFactory(title="İpek eşarp", description="El yapımı.")
    assert found("havlular") == [towel.pk]
    assert found("havluları") == [towel.pk]
    assert found("eşarplar") == [scarf.pk]
    assert found("İPEK") == [scarf.pk]
    assert found("ipek esarp") == [scarf.pk]
    assert found("kazaklar") == []
    assert search.did_you_mean("havlular") is None  # a Turkish plural is not a typo


def test_turkish_stems_are_only_alternatives():
    assert search_sqlite.word_forms(["havlular", "towel", "6302", "毛巾"]) == {"havlular": ["havlu"]}
    assert search_sqlite.word_forms(["havluları", "eşarplar", "kenarlar"]) == {
        "havluları": ["havlu"], "eşarplar": ["eşarp"], "kenarlar": ["kenar"]}
    # English words the Turkish algorithm would cut: cotton -> cotto, denim -> de, seller -> sel, solar -> so
    assert search_sqlite.word_forms(["cotton", "denim", "seller", "solar", "collar", "white", "piece"]) == {}
    assert search_sqlite.parse_query("havlular -kazaklar").match(
        search_sqlite.word_forms(["havlular"])) == '("havlular" OR "havlu") NOT ("kazaklar")'


# --- plans ----------------------------------------------------------------------------------------

def test_the_count_and_the_page_read_the_index_once_then_the_listings_by_key(catalogue):
    """Never a full-text query per listing: SQLite would otherwise probe the index for each
    published listing when counting."""
    qs = listing_search(params=SearchParams(q="cotton"))
    for run in (qs.count, lambda: list(qs[:24]), lambda: search_sqlite._is_indexed("cotton", published=True)):
        with CaptureQueriesContext(connection) as captured:
            run()
        sql = next(query["sql"] for query in captured if search_sqlite.FTS_TABLE in query["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[3] for row in cursor.fetchall()]
        assert plan[0].startswith(f"SCAN {search_sqlite.FTS_TABLE} VIRTUAL TABLE INDEX 0:M"), plan
        assert any(step.endswith("listing USING INTEGER PRIMARY KEY (rowid=?)") for step in plan), plan


def test_a_repeated_misspelt_word_is_looked_up_once(catalogue):
    search.did_you_mean("towl")
    with CaptureQueriesContext(connection) as once:
        assert search.did_you_mean("towl") == "towel"
    with CaptureQueriesContext(connection) as repeated:
        assert search.did_you_mean("towl towl towl") == "towel towel towel"
    assert len(repeated) == len(once)


def test_the_vocabulary_reads_pending_titles_in_batches(catalogue, monkeypatch):
    monkeypatch.setattr(search_sqlite, "REFRESH_BATCH", 3)
    assert search_sqlite.refresh_vocabulary() == 8  # every listing of the catalogue, three at a time
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT word FROM {search_sqlite.WORD_TABLE} ORDER BY word")
        words = [row[0] for row in cursor.fetchall()]
    assert {"arabica", "beans", "bath", "cotton", "denim", "towel", "shirt", "suspended"} <= set(words)
    assert "t" not in words and "pcb" in words


def test_a_deleted_listings_words_are_no_longer_suggested(catalogue):
    listing = PublishedListingFactory(title="Zanzibar clove buds")
    assert search.did_you_mean("zanzibr") == "zanzibar"
    listing.delete()
    assert search.did_you_mean("zanzibr") is None
    assert found("zanzibr") == []
