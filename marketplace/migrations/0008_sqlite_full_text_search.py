"""Full-text search on SQLite (marketplace.search_sqlite); nothing happens on other databases.

- marketplace_listing_fts: an external-content FTS5 index of the title and search_document of
  every listing, English stems ('porter unicode61 remove_diacritics 2'), filled from the existing
  rows ('rebuild');
- marketplace_search_word with marketplace_search_word_trigram (FTS5 tokenize='trigram'): the
  vocabulary of the titles, to find the closest words to a misspelt one; it is filled from the
  listings named in marketplace_search_word_pending, where every listing starts;
- triggers on marketplace_listing that keep the index right on insert, update and delete, and list
  the listings whose title changed in the pending table; a trigger on the vocabulary keeps its
  trigram index right.
"""
from django.db import migrations

STATEMENTS = [
    "CREATE VIRTUAL TABLE marketplace_listing_fts USING fts5(title, search_document,"
    " content='marketplace_listing', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO marketplace_listing_fts (marketplace_listing_fts) VALUES ('rebuild')",
    "CREATE TABLE marketplace_search_word (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE,"
    " listings INTEGER NOT NULL DEFAULT 0)",
    "CREATE VIRTUAL TABLE marketplace_search_word_trigram USING fts5(word, content='marketplace_search_word',"
    " content_rowid='id', tokenize='trigram')",
    "CREATE TABLE marketplace_search_word_pending (listing_id INTEGER PRIMARY KEY)",
    "INSERT INTO marketplace_search_word_pending (listing_id) SELECT id FROM marketplace_listing",
    """CREATE TRIGGER marketplace_listing_fts_insert AFTER INSERT ON marketplace_listing BEGIN
        INSERT INTO marketplace_listing_fts (rowid, title, search_document)
            VALUES (new.id, new.title, new.search_document);
        INSERT OR IGNORE INTO marketplace_search_word_pending (listing_id) VALUES (new.id);
    END""",
    """CREATE TRIGGER marketplace_listing_fts_delete AFTER DELETE ON marketplace_listing BEGIN
        INSERT INTO marketplace_listing_fts (marketplace_listing_fts, rowid, title, search_document)
            VALUES ('delete', old.id, old.title, old.search_document);
    END""",
    """CREATE TRIGGER marketplace_listing_fts_update AFTER UPDATE OF title, search_document ON marketplace_listing
    WHEN old.title IS NOT new.title OR old.search_document IS NOT new.search_document BEGIN
        INSERT INTO marketplace_listing_fts (marketplace_listing_fts, rowid, title, search_document)
            VALUES ('delete', old.id, old.title, old.search_document);
        INSERT INTO marketplace_listing_fts (rowid, title, search_document)
            VALUES (new.id, new.title, new.search_document);
    END""",
    """CREATE TRIGGER marketplace_listing_title_words AFTER UPDATE OF title ON marketplace_listing
    WHEN old.title IS NOT new.title BEGIN
        INSERT OR IGNORE INTO marketplace_search_word_pending (listing_id) VALUES (new.id);
    END""",
    """CREATE TRIGGER marketplace_search_word_trigram_insert AFTER INSERT ON marketplace_search_word BEGIN
        INSERT INTO marketplace_search_word_trigram (rowid, word) VALUES (new.id, new.word);
    END""",
    """CREATE TRIGGER marketplace_search_word_trigram_delete AFTER DELETE ON marketplace_search_word BEGIN
        INSERT INTO marketplace_search_word_trigram (marketplace_search_word_trigram, rowid, word)
            VALUES ('delete', old.id, old.word);
    END""",
]

DROP = [
    "DROP TRIGGER IF EXISTS marketplace_search_word_trigram_delete",
    "DROP TRIGGER IF EXISTS marketplace_search_word_trigram_insert",
    "DROP TRIGGER IF EXISTS marketplace_listing_title_words",
    "DROP TRIGGER IF EXISTS marketplace_listing_fts_update",
    "DROP TRIGGER IF EXISTS marketplace_listing_fts_delete",
    "DROP TRIGGER IF EXISTS marketplace_listing_fts_insert",
    "DROP TABLE IF EXISTS marketplace_search_word_pending",
    "DROP TABLE IF EXISTS marketplace_search_word_trigram",
    "DROP TABLE IF EXISTS marketplace_search_word",
    "DROP TABLE IF EXISTS marketplace_listing_fts",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in STATEMENTS:
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in DROP:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0007_search_document_cjk_bigrams")]

    operations = [migrations.RunPython(create, drop)]
