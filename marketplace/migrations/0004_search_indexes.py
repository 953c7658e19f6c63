"""Indexes of the catalogue search on PostgreSQL; nothing happens on other databases.

- GIN on to_tsvector('simple', COALESCE(search_document, '')), the expression that
  marketplace.search.document_vector() queries;
- GIN trigram (gin_trgm_ops) on the title, for typo-tolerant word similarity;
- a partial index of the published listings' sellers, so counting the public catalogue reads the
  index only, not the table;
- (country, listing) of ships-to countries and (incoterm, listing) of Incoterms, so the ships-to
  and Incoterm filters look their rows up once instead of scanning the table or probing per listing.

They are not declared on the models because other databases cannot build the first two, and all
five are created together so that a PostgreSQL catalogue has the same plans everywhere. The small
category table is analyzed once (see create_indexes). Documents of listings saved before
search_document was filled are built here as well.
"""
import re

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "listing_search_document_gin": "marketplace_listing USING gin "
                                   "((to_tsvector('simple'::regconfig, COALESCE(\"search_document\", ''))))",
    "listing_title_trgm_gin": "marketplace_listing USING gin (\"title\" gin_trgm_ops)",
    "listing_published_seller_idx": "marketplace_listing (\"seller_id\") WHERE \"status\" = 'published'",
    "shipsto_country_listing_idx": "marketplace_shipstocountry (\"country\", \"listing_id\")",
    "incoterm_term_listing_idx": "marketplace_listingincoterm (\"incoterm\", \"listing_id\")",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    # The category tree is too small ever to reach autovacuum's analyze threshold; without
    # statistics PostgreSQL guesses that a category filter matches almost no listing and picks
    # nested loops that are slow when a top-level category holds a fifth of the catalogue.
    schema_editor.execute("ANALYZE marketplace_category")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def plain(text):
    return re.sub(r"\s+", " ", re.sub(r"[*_#>`|~\[\]()!]+", " ", text or "")).strip()


def hs_terms(code):
    code = (code or "").strip()
    return f"{code} {code[:4]} {code[:2]}" if len(code) == 6 and code.isdigit() else code


def fill_documents(apps, schema_editor):
    """The text of marketplace.search.build_search_document (as of this migration) for listings
    that have none yet."""
    Listing = apps.get_model("marketplace", "Listing")
    pending = Listing.objects.filter(search_document="").select_related("seller", "category", "category__parent")
    changed = []
    for listing in pending.iterator(chunk_size=500):
        category = listing.category
        parts = [plain(listing.title), plain(listing.description), category.name,
                 category.parent.name if category.parent_id else "", listing.seller.legal_name,
                 hs_terms(listing.hs_code)]
        listing.search_document = "\n".join(part for part in parts if part)
        changed.append(listing)
    Listing.objects.bulk_update(changed, ["search_document"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0003_search_document_and_imports")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
