"""Text search over listings on SQLite, the embedded default (FTS5).

Tables (created by migration 0007 on SQLite only, kept current by SQL triggers on
marketplace_listing, so every write path, bulk_update and raw SQL included, keeps them right):

- marketplace_listing_fts: an external-content FTS5 index of each listing's title and
  search_document, tokenized with 'porter unicode61 remove_diacritics 2' (English stems: "towels"
  finds "towel"; accents folded: "cafe" finds "Café"). A match is ranked with bm25, title words
  weighing TITLE_WEIGHT times the document's, so a listing naming the words in its title comes
  first, as on PostgreSQL.
- marketplace_search_word: the vocabulary of the titles (one row per word, with the number of
  title writes that carried it), indexed by marketplace_search_word_trigram (FTS5
  tokenize='trigram'), to find the words closest to a misspelt one.
- marketplace_search_word_pending: the listings whose title was written since the vocabulary was
  last read; the triggers add them and refresh_vocabulary() reads their titles (a cheap incremental
  refresh, done before a misspelt word is looked up, never a full rebuild).

Turkish: porter stems English only, so a query word that reads as Turkish also stands for its
Turkish Snowball stem (the algorithm of PostgreSQL's turkish dictionary, from snowballstemmer):
"havlular" and "havluları" find "havlu", "eşarplar" finds "eşarp" (see word_forms). The stem is matched against the index as any word, so a Turkish query
finds the listings that hold the word's base form.

A query is built from the user's words only: each word is a quoted FTS5 string, so quotes, stars,
parentheses, NEAR, column filters and lone operators are plain text and never an FTS5 syntax
error. "Quoted phrases", -excluded words and "or" keep their web-search meaning, as on PostgreSQL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from django.db import connection, transaction
from django.db.models import QuerySet

from . import search
from .models import Listing, ListingStatus

FTS_TABLE = "marketplace_listing_fts"
WORD_TABLE = "marketplace_search_word"
TRIGRAM_TABLE = "marketplace_search_word_trigram"
PENDING_TABLE = "marketplace_search_word_pending"
# bm25 weights of the title and of the document (which repeats the title).
TITLE_WEIGHT = 10.0
DOCUMENT_WEIGHT = 1.0
# Words closest to a misspelt one that a typo-forgiving search also accepts.
SIMILAR_WORDS = 3
# Vocabulary words read per misspelt word (the trigram index's best), before the edit distance.
CANDIDATE_WORDS = 200
# Titles read per batch when the vocabulary catches up.
REFRESH_BATCH = 2000

# A word as the unicode61 tokenizer splits text: letters and digits, anything else separates.
_WORD = re.compile(r"[^\W_]+")
# A vocabulary word: letters only, three or more, no CJK (Chinese is found by bigrams, not spelt).
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,}")
_QUERY_TOKEN = re.compile(r'"[^"]*"?|\S+')


# The triggers of migration 0008. SQLite drops a table's triggers when a migration rebuilds the table
# (altering or removing a column copies it into a new one), so ensure_triggers() puts back any that
# is missing after every migrate.
TRIGGERS = {
    "marketplace_listing_fts_insert": f"""AFTER INSERT ON marketplace_listing BEGIN
        INSERT INTO {FTS_TABLE} (rowid, title, search_document) VALUES (new.id, new.title, new.search_document);
        INSERT OR IGNORE INTO {PENDING_TABLE} (listing_id) VALUES (new.id);
    END""",
    "marketplace_listing_fts_delete": f"""AFTER DELETE ON marketplace_listing BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, search_document)
            VALUES ('delete', old.id, old.title, old.search_document);
    END""",
    "marketplace_listing_fts_update": f"""AFTER UPDATE OF title, search_document ON marketplace_listing
    WHEN old.title IS NOT new.title OR old.search_document IS NOT new.search_document BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, search_document)
            VALUES ('delete', old.id, old.title, old.search_document);
        INSERT INTO {FTS_TABLE} (rowid, title, search_document) VALUES (new.id, new.title, new.search_document);
    END""",
    "marketplace_listing_title_words": f"""AFTER UPDATE OF title ON marketplace_listing
    WHEN old.title IS NOT new.title BEGIN
        INSERT OR IGNORE INTO {PENDING_TABLE} (listing_id) VALUES (new.id);
    END""",
}


def ensure_triggers(*, using: str = "default", **kwargs) -> list[str]:
    """Creates the listing triggers that are missing (post_migrate) and then, since writes went
    unseen, rebuilds the index and reads every title into the vocabulary again. Returns the names
    created. Nothing happens before migration 0008 or on other databases."""
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return []
    with db.cursor() as cursor:
        names = [*TRIGGERS, FTS_TABLE]
        cursor.execute(f"SELECT name FROM sqlite_master WHERE name IN ({', '.join(['%s'] * len(names))})", names)
        present = {name for (name,) in cursor.fetchall()}
        if FTS_TABLE not in present:
            return []
        missing = [name for name in TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {TRIGGERS[name]}")
        if missing:
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
            cursor.execute(f"INSERT OR IGNORE INTO {PENDING_TABLE} (listing_id) SELECT id FROM marketplace_listing")
    return missing


# --- the query ------------------------------------------------------------------------------------

def _quoted(words: list[str]) -> str:
    """An FTS5 string of the words (a phrase when several); the words hold no quote."""
    return '"' + " ".join(words) + '"'


def _lower(word: str) -> str:
    """Lower case, the dotted capital İ as a plain i (not i and a combining dot)."""
    return word.replace("İ", "i").lower()


@dataclass(frozen=True)
class ParsedQuery:
    """A web-search query: clauses that must all match (each a list of alternatives joined by
    "or", each alternative a list of words forming a phrase) and excluded phrases."""
    clauses: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]

    @property
    def single_words(self) -> list[str]:
        """The words that are a phrase of their own (the ones that may stand for other words)."""
        return [phrase[0] for clause in self.clauses for phrase in clause if len(phrase) == 1]

    @property
    def plain_words(self) -> list[str] | None:
        """The words when the query is plain words (no phrase, "or" or exclusion), else None."""
        if self.excluded or any(len(clause) > 1 or len(clause[0]) > 1 for clause in self.clauses):
            return None
        return [clause[0][0] for clause in self.clauses]

    def match(self, alternatives: dict[str, list[str]] | None = None) -> str:
        """The FTS5 MATCH expression; `alternatives` adds, for a word, other words it may stand for."""
        alternatives = alternatives or {}
        parts = []
        for clause in self.clauses:
            options = []
            for phrase in clause:
                options.append(_quoted(list(phrase)))
                if len(phrase) == 1:
                    options.extend(_quoted([word]) for word in alternatives.get(phrase[0], []))
            parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        expression = " AND ".join(parts)
        if self.excluded:
            expression += " NOT (" + " OR ".join(_quoted(list(phrase)) for phrase in self.excluded) + ")"
        return expression


@lru_cache(maxsize=8192)
def turkish_stem(word: str) -> str:
    """The Turkish Snowball stem of a lower-case word ("havlular" -> "havlu")."""
    return snowballstemmer.stemmer("turkish").stemWord(word)


def word_forms(words: list[str]) -> dict[str, list[str]]:
    """For each word that reads as Turkish (search.reads_as_turkish: a letter only Turkish writes, or
    a plural ending) and whose Turkish stem is a shorter beginning of it of at least
    search.MIN_STEM_LENGTH letters, [the stem]:
    another word it stands for in every search ("havlular" -> ["havlu"]). English words are left
    alone: the Turkish algorithm would cut "denim" to "de" and "seller" to "sel"."""
    forms = {}
    for word in words:
        if not word.isalpha() or search._CJK_RUN.search(word):
            continue
        if not search.reads_as_turkish(word):
            continue
        stem = turkish_stem(word)
        if stem != word and word.startswith(stem) and len(stem) >= search.MIN_STEM_LENGTH:
            forms[word] = [stem]
    return forms


def _merged(*alternatives: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for mapping in alternatives:
        for word, others in mapping.items():
            merged.setdefault(word, [])
            merged[word] += [other for other in others if other not in merged[word] and other != word]
    return merged


def parse_query(text: str) -> ParsedQuery:
    """The query text (cleaned and with CJK bigrams, as the documents) read as web search: words
    must all appear, "quoted words" as a phrase, -word excluded, "or" between two alternatives.
    A token of several words ("T-shirt", "g/m2") is a phrase. At most search.MAX_QUERY_WORDS
    phrases count."""
    text = search.index_text(search.clean_query(text))
    clauses: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    join_next = False
    for token in _QUERY_TOKEN.findall(text):
        if token.lower() == "or":
            join_next = bool(clauses)
            continue
        negative = token.startswith("-") and len(token) > 1 and not token.startswith('"')
        words = tuple(_lower(word) for word in _WORD.findall(token[1:] if negative else token))
        if not words:
            continue
        if negative:
            excluded.append(words)
        elif join_next and clauses:
            clauses[-1].append(words)
        else:
            clauses.append([words])
        join_next = False
        if len(clauses) + len(excluded) >= search.MAX_QUERY_WORDS:
            break
    return ParsedQuery(tuple(tuple(clause) for clause in clauses), tuple(excluded))


# --- search ---------------------------------------------------------------------------------------

def _matching(qs: QuerySet[Listing], match: str) -> QuerySet[Listing]:
    """The listings of `qs` whose title or document matches, annotated with `rank` (higher is
    better): the bm25 score with title words weighing more. A join on the FTS5 table, so the
    index is read once and every row's score comes with it; the unary + on its rowid keeps SQLite
    from probing the index once per listing (a full-text query each) when a filter of the listing
    table looks selective, as it does in the count."""
    table = Listing._meta.db_table
    return qs.extra(  # noqa: S610 -- the only user text is the MATCH parameter
        select={"rank": f"-bm25({FTS_TABLE}, %s, %s)"}, select_params=(TITLE_WEIGHT, DOCUMENT_WEIGHT),
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE} MATCH %s", f"{table}.id = +{FTS_TABLE}.rowid"], params=[match])


def text_search(qs: QuerySet[Listing], text: str) -> QuerySet[Listing]:
    """Listings of `qs` matching the query, annotated with `rank` (higher is better).

    Strict first: every word (English stem) must appear in the title or document. Only when that
    finds nothing among `qs` (one EXISTS query) and the query is plain words, each misspelt word
    (one no listing's document holds, of four letters or more) also stands for the SIMILAR_WORDS
    closest words of the titles, so "bath towl" finds "Cotton bath towel"."""
    parsed = parse_query(text)
    if not parsed.clauses:
        return qs.none().extra(select={"rank": "0.0"})
    forms = word_forms(parsed.single_words)
    strict = _matching(qs, parsed.match(forms))
    words = parsed.plain_words
    if words is None or strict.exists():
        return strict
    similar = {word: closest for word in dict.fromkeys(words) if _may_be_misspelt(word) and not _is_indexed(word)
               for closest in [closest_words(word)] if closest}
    if not similar:
        return strict
    return _matching(qs, parsed.match(_merged(forms, similar)))


# --- typos ----------------------------------------------------------------------------------------

def _may_be_misspelt(word: str) -> bool:
    return len(word) >= search.MIN_SIMILAR_WORD_LENGTH and _VOCABULARY_WORD.fullmatch(word) is not None \
        and not search._CJK_RUN.search(word)


def _is_indexed(word: str, *, published: bool = False) -> bool:
    """Whether a listing's title or document holds the word (or a word of the same English stem, or
    its Turkish stem); `published`: a published listing's."""
    sql = f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    params: list = [" OR ".join(_quoted([form]) for form in [word, *word_forms([word]).get(word, [])])]
    if published:
        sql = (f"SELECT 1 FROM {FTS_TABLE} JOIN {Listing._meta.db_table} AS listing ON listing.id = +{FTS_TABLE}.rowid"
               f" WHERE {FTS_TABLE} MATCH %s AND listing.status = %s")
        params.append(ListingStatus.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", params)
        return cursor.fetchone() is not None


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbouring letters each count one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _allowed_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def _trigrams(word: str) -> list[str]:
    return sorted({word[i:i + 3] for i in range(len(word) - 2)})


def closest_words(word: str, *, limit: int = SIMILAR_WORDS) -> list[str]:
    """The vocabulary words closest to a misspelt word, best first: at most one edit away for a
    word of up to five letters, two for a longer one; among equals the more frequent word first.
    Candidates are the words sharing a trigram with it, best bm25 first (the trigram index)."""
    word = word.lower()
    refresh_vocabulary()
    match = " OR ".join(_quoted([trigram]) for trigram in _trigrams(word))
    low, high = len(word) - _allowed_distance(word), len(word) + _allowed_distance(word)
    sql = (f"SELECT w.word, w.listings FROM {TRIGRAM_TABLE} JOIN {WORD_TABLE} AS w ON w.id = {TRIGRAM_TABLE}.rowid"
           f" WHERE {TRIGRAM_TABLE} MATCH %s AND length(w.word) BETWEEN %s AND %s"
           f" ORDER BY {TRIGRAM_TABLE}.rank LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, low, high, CANDIDATE_WORDS])
        rows = cursor.fetchall()
    scored = []
    for candidate, listings in rows:
        distance = edit_distance(word, candidate)
        if 0 < distance <= _allowed_distance(word):
            scored.append((distance, -listings, candidate))
    return [candidate for _, _, candidate in sorted(scored)[:limit]]


def did_you_mean(text: str) -> str | None:
    """The query with each misspelt word replaced by the closest word of the titles that a
    published listing holds ("cotton towl" -> "cotton towel"), or None when no word is misspelt or
    nothing closer exists. A word is misspelt when it has four letters or more and no published
    listing holds it; queries with web-search operators are left as they are (as on PostgreSQL)."""
    parsed = parse_query(text)
    words = parsed.plain_words
    if not words:
        return None
    corrected: dict[str, str] = {}
    for word in dict.fromkeys(words):
        closest = None
        if _may_be_misspelt(word) and not _is_indexed(word, published=True):
            closest = next((candidate for candidate in closest_words(word, limit=5)
                            if _is_indexed(candidate, published=True)), None)
        corrected[word] = closest or word
    suggested = [corrected[word] for word in words]
    return " ".join(suggested) if suggested != words else None


# --- the vocabulary -------------------------------------------------------------------------------

def vocabulary_words(title: str) -> set[str]:
    """The words of a title that the vocabulary keeps: letters only, three or more, lower case."""
    return {word.lower() for word in _VOCABULARY_WORD.findall(title or "") if not search._CJK_RUN.search(word)}


def refresh_vocabulary() -> int:
    """Adds the words of the titles written since the last refresh to the vocabulary (the triggers
    list their listings in the pending table); returns how many listings were read. Words of
    changed or deleted titles stay: a suggestion is only made when a published listing holds it."""
    done = 0
    while _has_pending():  # read first: the write transaction below takes SQLite's write lock
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT p.listing_id, l.title FROM {PENDING_TABLE} AS p LEFT JOIN"
                           f" {Listing._meta.db_table} AS l ON l.id = p.listing_id ORDER BY p.listing_id LIMIT %s",
                           [REFRESH_BATCH])
            rows = cursor.fetchall()
            if not rows:
                break
            counts: dict[str, int] = {}
            for _, title in rows:
                for word in vocabulary_words(title):
                    counts[word] = counts.get(word, 0) + 1
            cursor.executemany(f"INSERT INTO {WORD_TABLE} (word, listings) VALUES (%s, %s) ON CONFLICT (word)"
                               " DO UPDATE SET listings = listings + excluded.listings", list(counts.items()))
            cursor.execute(f"DELETE FROM {PENDING_TABLE} WHERE listing_id <= %s", [rows[-1][0]])
        done += len(rows)
    return done


def _has_pending() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {PENDING_TABLE} LIMIT 1")
        return cursor.fetchone() is not None
