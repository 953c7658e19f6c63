"""The planner keeps statistics of many more words of the search documents (PostgreSQL only).

With the default statistics target ANALYZE keeps the frequencies of the 1,000 most common words of
the document vectors and reckons that any other word is in about half as many documents as the
least common of those. In a catalogue of a million listings that is thousands of documents, so for
"is there any listing with this word" (LIMIT 1) the planner reads the table in order and parses
every document, hoping to meet one soon: for a misspelt word, which no document has, that is every
document, minutes instead of a millisecond in the document index. With 10,000 words the rarer
words have frequencies of their own, an unknown word is reckoned rare, and the index answers.
"""
from django.db import migrations

INDEX = "listing_search_document_gin"
STATISTICS = 1000  # x 10 words kept by ANALYZE of a tsvector


def raise_target(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {INDEX} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")


def default_target(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {INDEX} ALTER COLUMN 1 SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0009_search_configurations")]

    operations = [migrations.RunPython(raise_target, default_target)]
