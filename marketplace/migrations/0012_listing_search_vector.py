"""The words of each search document are stored in a column (PostgreSQL only; nothing happens on
other databases).

`search_vector` is a stored generated column holding exactly the vector migration 0009 indexed,
the document's words in sme_simple, english and turkish together; the GIN index is built on the
column instead of on the expression. The vectors stay in the table's rows (STORAGE MAIN), not in
its TOAST table, so that a walk of the newest listings testing each row's vector reads one page per
row, not two. A query then matches a row by reading its stored vector: no
re-check of a lossy bitmap page and no per-row test parses a document in three configurations
again (at a million listings a common word cost tens of seconds that way). PostgreSQL keeps the
column up to date whenever `search_document` is written; the model does not declare it, so Django
never writes it.

The planner keeps statistics of 10,000 words of the column (statistics target 1,000, as migration
0010 set on the expression index it replaces), so a word no document has is reckoned rare and
looked up in the index.
"""
from django.db import migrations

TABLE = "marketplace_listing"
COLUMN = "search_vector"
INDEX = "listing_search_vector_gin"
OLD_INDEX = "listing_search_document_gin"
DOCUMENT = "COALESCE(search_document, '')"
VECTOR = (f"to_tsvector('sme_simple'::regconfig, {DOCUMENT}) || to_tsvector('english'::regconfig, {DOCUMENT})"
          f" || to_tsvector('turkish'::regconfig, {DOCUMENT})")
STATISTICS = 1000  # x 10 words kept by ANALYZE of a tsvector


def store(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Dropped first, so that the table rewrite does not rebuild it.
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    # One statement, so that the table is rewritten once, with the vectors kept in the rows (STORAGE
    # MAIN: the longer text columns go to TOAST first), so that testing a row's vector reads no TOAST.
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS ({VECTOR}) STORED,"
                          f" ALTER COLUMN {COLUMN} SET STORAGE MAIN, ALTER COLUMN {COLUMN} SET STATISTICS {STATISTICS}")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin ({COLUMN})")
    schema_editor.execute(f"ANALYZE {TABLE} ({COLUMN})")


def unstore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")
    schema_editor.execute(f"CREATE INDEX {OLD_INDEX} ON {TABLE} USING gin (({VECTOR}))")
    schema_editor.execute(f"ALTER INDEX {OLD_INDEX} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0011_listing_published_category_idx_origin_price")]

    operations = [migrations.RunPython(store, unstore)]
