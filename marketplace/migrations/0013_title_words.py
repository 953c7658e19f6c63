"""The words of the published titles, each with how many published titles hold it (PostgreSQL only;
nothing happens on other databases, where marketplace.search_sqlite keeps its own vocabulary).

"Did you mean" looks for the catalogue word closest to a misspelt one. Read from the titles, that is
a trigram search over a million titles, most of them similar for a common word (a sequential scan
of thousands of titles, about 50 ms at a million listings); read from this table, it searches a few
thousand distinct words through their own trigram index, in well under a millisecond.

`marketplace_title_word` holds each word of a published title as the 'simple' configuration writes
it (lower case, accents kept), letters only, with `published`, the number of published titles that
hold it. Triggers on the listings keep the numbers: rows inserted or deleted add or take away the
words of their published titles, in one upsert per statement in word order (statement triggers with
transition tables, so a COPY of thousands of listings costs one upsert per batch); a row whose title
or status an UPDATE changes does the same for its old and new title (a row trigger with a WHEN
clause, so an UPDATE of other columns, such as the prices in EUR of every listing, calls nothing and
keeps no transition table); a TRUNCATE of the listings empties it. A word no published title holds
any more stays with 0 and is never suggested.
"""
from django.db import migrations

TABLE = "marketplace_title_word"
INDEX = "title_word_trgm_gin"
FUNCTION = "marketplace_title_word_count"
TRUNCATE_FUNCTION = "marketplace_title_word_truncate"
LISTINGS = "marketplace_listing"
PUBLISHED = "published"

# The words of the published titles of a set of rows, each with +1 or -1: "rows" is a sub-select of
# (title, status, delta).
_CHANGES = (f"SELECT word, sum(delta) AS delta FROM (%s) AS changed"
            f" CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('simple'::regconfig, changed.title))) AS word"
            f" WHERE changed.status = '{PUBLISHED}' AND word ~ '^[[:alpha:]]+$' GROUP BY word HAVING sum(delta) <> 0")
_UPSERT = (f"INSERT INTO {TABLE} AS counted (word, published) SELECT word, delta FROM ({_CHANGES}) AS changes"
           f" ORDER BY word ON CONFLICT (word) DO UPDATE SET published = counted.published + EXCLUDED.published")
INSERTED = _UPSERT % "SELECT title, status, 1 AS delta FROM new_rows"
DELETED = _UPSERT % "SELECT title, status, -1 AS delta FROM old_rows"
UPDATED = _UPSERT % ("SELECT OLD.title AS title, OLD.status AS status, -1 AS delta"
                     " UNION ALL SELECT NEW.title, NEW.status, 1")
UPDATE_FUNCTION = "marketplace_title_word_update"

CREATE = [
    f"CREATE TABLE {TABLE} (word text PRIMARY KEY, published integer NOT NULL DEFAULT 0)",
    f"CREATE INDEX {INDEX} ON {TABLE} USING gin (word gin_trgm_ops)",
    f"""CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {INSERTED};
    ELSE
        {DELETED};
    END IF;
    RETURN NULL;
END $$""",
    f"""CREATE FUNCTION {UPDATE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPDATED};
    RETURN NULL;
END $$""",
    f"""CREATE FUNCTION {TRUNCATE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {TABLE};
    RETURN NULL;
END $$""",
    f"CREATE TRIGGER title_word_insert AFTER INSERT ON {LISTINGS} REFERENCING NEW TABLE AS new_rows"
    f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    f"CREATE TRIGGER title_word_delete AFTER DELETE ON {LISTINGS} REFERENCING OLD TABLE AS old_rows"
    f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    f"CREATE TRIGGER title_word_update AFTER UPDATE OF title, status ON {LISTINGS} FOR EACH ROW"
    f" WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.status IS DISTINCT FROM NEW.status)"
    f" EXECUTE FUNCTION {UPDATE_FUNCTION}()",
    f"CREATE TRIGGER title_word_truncate AFTER TRUNCATE ON {LISTINGS} FOR EACH STATEMENT"
    f" EXECUTE FUNCTION {TRUNCATE_FUNCTION}()",
    # The words of the listings there are.
    f"LOCK TABLE {LISTINGS} IN SHARE MODE",
    _UPSERT % f"SELECT title, status, 1 AS delta FROM {LISTINGS}",
    f"ANALYZE {TABLE}",
]
DROP = [
    *(f"DROP TRIGGER IF EXISTS title_word_{event} ON {LISTINGS}" for event in ("insert", "delete", "update", "truncate")),
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
    f"DROP FUNCTION IF EXISTS {UPDATE_FUNCTION}()",
    f"DROP FUNCTION IF EXISTS {TRUNCATE_FUNCTION}()",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0012_listing_search_vector")]

    operations = [migrations.RunPython(create, drop)]
