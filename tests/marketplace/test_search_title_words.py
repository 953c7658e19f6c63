"""The words of the published titles (migration 0013, PostgreSQL): triggers keep how many published
titles hold each word, and "did you mean" reads its closest word from them."""
from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import VerificationStatus
from marketplace import search
from marketplace.models import Listing, ListingStatus
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL title words")]


def counts(*words: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT word, published FROM {search.TITLE_WORDS_TABLE} WHERE word = ANY(%s)", [list(words)])
        return {word: published for word, published in cursor.fetchall() if published}


@pytest.fixture
def seller():
    return CompanyFactory(verification_status=VerificationStatus.VERIFIED)


def test_published_titles_count_their_words_once_each(seller):
    PublishedListingFactory(seller=seller, title="Cotton bath towel, cotton 500 g/m²")
    PublishedListingFactory(seller=seller, title="Linen tea towel")
    ListingFactory(seller=seller, title="Secret prototype towel")  # a draft
    assert counts("cotton", "bath", "towel", "linen", "tea", "secret", "prototype") == {
        "cotton": 1, "bath": 1, "towel": 2, "linen": 1, "tea": 1}


def test_a_title_edit_an_unpublishing_and_a_deletion_take_the_words_away(seller):
    towel = PublishedListingFactory(seller=seller, title="Cotton bath towel")
    tea = PublishedListingFactory(seller=seller, title="Linen tea towel")
    Listing.objects.filter(pk=towel.pk).update(title="Cotton beach towel")
    assert counts("bath", "beach", "cotton", "towel") == {"beach": 1, "cotton": 1, "towel": 2}
    Listing.objects.filter(pk=tea.pk).update(status=ListingStatus.ARCHIVED)
    assert counts("linen", "tea", "towel") == {"towel": 1}
    Listing.objects.filter(pk=tea.pk).update(status=ListingStatus.PUBLISHED)
    assert counts("linen", "tea", "towel") == {"linen": 1, "tea": 1, "towel": 2}
    Listing.objects.filter(pk=towel.pk).delete()
    assert counts("beach", "cotton", "towel") == {"towel": 1}


def test_writes_that_leave_titles_and_statuses_alone_change_nothing(seller):
    towel = PublishedListingFactory(seller=seller, title="Cotton bath towel")
    Listing.objects.update(moq=7)
    Listing.objects.filter(pk=towel.pk).update(title="Cotton bath towel", status=ListingStatus.PUBLISHED)
    assert counts("cotton", "bath", "towel") == {"cotton": 1, "bath": 1, "towel": 1}


def test_did_you_mean_follows_the_published_titles(seller):
    prototype = ListingFactory(seller=seller, title="Prototype blanket")
    assert search.did_you_mean("prototipe") is None
    Listing.objects.filter(pk=prototype.pk).update(status=ListingStatus.PUBLISHED)
    assert search.did_you_mean("prototipe") == "prototype"
    Listing.objects.filter(pk=prototype.pk).update(status=ListingStatus.ARCHIVED)
    assert search.did_you_mean("prototipe") is None


def test_the_closest_word_is_looked_up_in_the_words_trigram_index(seller):
    PublishedListingFactory(seller=seller, title="Cotton bath towel")
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):  # left with bitmap scans only
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN SELECT word FROM {search.TITLE_WORDS_TABLE} WHERE word %%> %s", ["cottn"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "title_word_trgm_gin" in plan
