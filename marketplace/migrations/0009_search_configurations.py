"""Search on PostgreSQL in three text-search configurations; nothing happens on other databases.

- sme_simple: the "simple" configuration with accents removed first (unaccent), so "cafe" finds
  "Café" and "istanbul" "İstanbul", while every word, HS codes included, stays whole;
- the document index becomes a GIN index on the words of the document in sme_simple, english and
  turkish together, the expression marketplace.search.document_vector() queries, so English and
  Turkish words are also found by their Snowball stems ("towels", "havlular").
"""
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

INDEX = "listing_search_document_gin"
DOCUMENT = "COALESCE(\"search_document\", '')"
NEW_INDEX = (f"CREATE INDEX {INDEX} ON marketplace_listing USING gin (("
             f"to_tsvector('sme_simple'::regconfig, {DOCUMENT}) || to_tsvector('english'::regconfig, {DOCUMENT})"
             f" || to_tsvector('turkish'::regconfig, {DOCUMENT})))")
OLD_INDEX = f"CREATE INDEX {INDEX} ON marketplace_listing USING gin ((to_tsvector('simple'::regconfig, {DOCUMENT})))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'sme_simple'")
        exists = cursor.fetchone() is not None
    if not exists:
        schema_editor.execute("CREATE TEXT SEARCH CONFIGURATION sme_simple (COPY = simple)")
        schema_editor.execute("ALTER TEXT SEARCH CONFIGURATION sme_simple "
                              "ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple")
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(NEW_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(OLD_INDEX)
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS sme_simple")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0008_sqlite_full_text_search")]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(create, drop),
    ]
