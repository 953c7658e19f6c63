"""Text search over listings.

Every listing carries `search_document`: its title, description, category and parent category names,
the seller's legal name and its HS code with the chapter and heading, Chinese written as
two-character words (build_search_document and index_text, called by the listing services whenever
they write a listing). On PostgreSQL the document is read with three text-search configurations
whose words make one vector (document_vector), which PostgreSQL stores in the `search_vector`
column, GIN-indexed (migration 0012; StoredVector reads it): "sme_simple" keeps every word as
written with its accents removed ("cafe" finds "Café", HS codes stay whole), "english" and "turkish"
add the Snowball stems of English and Turkish words ("towels" finds "towel", "havlular" finds
"havlu"). A query matches when all its words match in one of the three (text_query); Turkish stems
are looked up only for a query with a word that reads as Turkish. When the exact words find nothing,
each misspelt word also stands for the words of the titles that are similar to it (trigram word
similarity, looked up in a GIN gin_trgm_ops index on the title), so a misspelt word still finds its
listings, and did_you_mean offers the corrected query, the closest word of the published titles
(read from a trigram-indexed table of their words, migration 0013). A page sorted by relevance
ranks the newest COUNT_CAP + 1 matches (_ranked_candidates), read once per list with their rank
(RankedCandidates): the count takes their number and a page reads its own rows by pk, so a common
word at a million listings costs one bounded walk, not a walk of every match. SQLite uses FTS5
(marketplace.search_sqlite), with the same expectations (tests/marketplace/test_search_relevance.py).
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple
from contextlib import contextmanager
from functools import reduce

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    CombinedSearchQuery,
    CombinedSearchVector,
    SearchQuery,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.db.models import BooleanField, Case, CharField, Expression, F, FloatField, Func, Q, QuerySet, Value, When
from django.conf import settings
from django.db import OperationalError, connection, connections, router, transaction
from django.utils.translation import gettext as _
from django.db.models.expressions import RawSQL

from core.exceptions import ApplicationError
from core.pagination import COUNT_CAP

from .models import Category, Listing, ListingStatus

# Text-search configuration of the exact words (migration 0009): "simple" (lower-cased words without
# stemming or stop words, which suits a catalogue written in many languages) with accents removed.
SEARCH_CONFIG = "sme_simple"
# Configurations whose stems are added to the exact words, in the document and in the query.
STEMMED_CONFIGS = ("english", "turkish")
SEARCH_CONFIGS = (SEARCH_CONFIG, *STEMMED_CONFIGS)
_NOT_TURKISH = tuple(config for config in SEARCH_CONFIGS if config != "turkish")
# Letters only Turkish writes, and plural endings (with a case ending): see reads_as_turkish.
_TURKISH_LETTERS = re.compile("[çğıöşü]")
_TURKISH_PLURAL = re.compile(r"(lar|ler)(ı|i|a|e|da|de|dan|den|ın|in)?$")
# Longest query text and most words that are looked at; the rest is ignored.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
# Shorter words must be spelt right: a trigram of two letters is similar to too many titles.
MIN_SIMILAR_WORD_LENGTH = 4
# Shorter stems say too little to rank a title by ("denim" is "de" to the Turkish stemmer).
MIN_STEM_LENGTH = 4
# The words of the published titles with how many published titles hold each (migration 0013),
# trigram-indexed: what a misspelt word may stand for, and what "did you mean" suggests.
TITLE_WORDS_TABLE = "marketplace_title_word"
# Most matches ranked for a page sorted by relevance: the newest ones (_ranked_candidates), one more
# than a page ever shows so that it still says "more than COUNT_CAP".
RANKED_CANDIDATES = COUNT_CAP + 1
# The order of a list sorted by relevance: the rank, then the newest published, then the highest pk.
RELEVANCE_ORDER = ("-rank", "-published_at", "-pk")
# Longest a catalogue search read may take on PostgreSQL, in ms (settings.SEARCH_STATEMENT_TIMEOUT_MS,
# kept within these bounds; see search_time_limit).
DEFAULT_STATEMENT_TIMEOUT_MS = 3000
STATEMENT_TIMEOUT_BOUNDS_MS = (50, 30000)
# Markdown punctuation that carries no words.
_MARKDOWN_PUNCTUATION = re.compile(r"[*_#>`|~\[\]()!]+")
_WHITESPACE = re.compile(r"\s+")
_DOTTED_HS_CODE = re.compile(r"\b(\d{4})\.(\d{2})\b")
# A run of CJK ideographs (unified, extension A, compatibility, extensions B to H).
_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# Quotes, a leading minus or the word "or" make a web-search query more than a list of words.
_WEB_SEARCH_OPERATORS = re.compile(r'"|(?:^|\s)-\S|(?:^|\s)or(?:\s|$)', re.IGNORECASE)


def _plain(text: str) -> str:
    return _WHITESPACE.sub(" ", _MARKDOWN_PUNCTUATION.sub(" ", text or "")).strip()


def _cjk_bigrams(match: re.Match) -> str:
    run, text = match.group(), match.string
    words = run if len(run) == 1 else " ".join(run[i:i + 2] for i in range(len(run) - 1))
    before = " " if match.start() > 0 and not text[match.start() - 1].isspace() else ""
    after = " " if match.end() < len(text) and not text[match.end()].isspace() else ""
    return f"{before}{words}{after}"


def index_text(text: str) -> str:
    """The text with every run of CJK ideographs written as its overlapping two-character
    bigrams, a word each ("纯棉毛巾" -> "纯棉 棉毛 毛巾"; a single character stays), so that Chinese,
    written without spaces, is found by any two or more of its characters: both the documents and
    the queries go through it, and a query's bigrams are then words that must all appear.
    Other text is left as it is; applying it twice changes nothing."""
    return _CJK_RUN.sub(_cjk_bigrams, text or "")


def hs_code_terms(hs_code: str) -> str:
    """The code with its heading and chapter ("630260" -> "630260 6302 63"), so a search for the
    heading or the chapter finds every listing under it."""
    code = (hs_code or "").strip()
    if len(code) < 6 or not code.isdigit():
        return code
    return f"{code} {code[:4]} {code[:2]}"


def build_search_document(listing: Listing) -> str:
    """The text a listing is found by, one line per source, markup removed."""
    category: Category | None = listing.category if listing.category_id else None
    parts = [
        _plain(listing.title),
        _plain(listing.description),
        category.name if category else "",
        category.parent.name if category and category.parent_id else "",
        listing.seller.legal_name if listing.seller_id else "",
        hs_code_terms(listing.hs_code),
    ]
    return index_text("\n".join(part for part in parts if part))


def _reindex(qs: QuerySet[Listing], *, batch_size: int = 500) -> int:
    """Rebuilds the documents of the given listings; returns how many changed."""
    changed = []
    for listing in qs.select_related("seller", "category", "category__parent").only(
            "pk", "title", "description", "hs_code", "search_document", "seller__legal_name",
            "category__name", "category__parent__name").order_by("pk").iterator(chunk_size=batch_size):
        document = build_search_document(listing)
        if document != listing.search_document:
            listing.search_document = document
            changed.append(listing)
    Listing.objects.bulk_update(changed, ["search_document"], batch_size=batch_size)
    return len(changed)


def search_reindex_seller(company_id: int) -> int:
    """Rebuilds the documents of every listing of a company, e.g. after its legal name changed."""
    return _reindex(Listing.objects.filter(seller_id=company_id))


def search_reindex_category(category_id: int) -> int:
    """Rebuilds the documents of the listings in a category and its children, after a rename.
    A category that no longer exists has nothing left to rebuild."""
    category = Category.objects.filter(pk=category_id).only("path").first()
    if category is None:
        return 0
    return _reindex(Listing.objects.filter(
        Q(category__path=category.path) | Q(category__path__startswith=f"{category.path}/")))


# --- PostgreSQL ---------------------------------------------------------------------------------

def document_vector() -> CombinedSearchVector:
    """The words of the document in each of SEARCH_CONFIGS, to_tsvector('sme_simple',
    COALESCE(search_document, '')) || to_tsvector('english', ...) || to_tsvector('turkish', ...):
    the expression PostgreSQL stores in the `search_vector` column (migration 0012), for a
    document that is not stored yet. Queries read the column (StoredVector)."""
    return reduce(operator.add, [SearchVector("search_document", config=config) for config in SEARCH_CONFIGS])


class StoredVector(Expression):
    """The listing's `search_vector` column (PostgreSQL only, migration 0012): document_vector()
    stored by PostgreSQL whenever the document is written, GIN-indexed. Matching a row reads its
    stored words instead of parsing its document in three configurations, so neither the re-check
    of a lossy bitmap page nor a per-row test costs a parse. The model does not declare the column
    (SQLite has no such expression), so it is read through this expression."""

    output_field = SearchVectorField()
    column = "search_vector"

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(self.column)}", []


def reads_as_turkish(word: str) -> bool:
    """Whether a query word reads as Turkish: a letter only Turkish writes (ç ğ ı ö ş ü) or a plural
    ending (-lar, -ler, with a case ending). Only such words are looked up by their Turkish stems:
    the Turkish algorithm would cut English words too ("denim" to "de", "seller" to "sel")."""
    word = word.lower()
    return bool(_TURKISH_LETTERS.search(word) or _TURKISH_PLURAL.search(word))


def text_query(text: str, *, search_type: str = "plain") -> CombinedSearchQuery:
    """The tsquery of a query text: its words as written (accents removed) or as English stems, or,
    when a word reads as Turkish (reads_as_turkish), as Turkish stems; all of them in one
    configuration. A -negated word of a web-search query must match in none of them, so
    "cotton -towel" does not find "cotton towels" by its exact words."""
    negated: list[str] = []
    if search_type == "websearch":
        kept = []
        for token in text.split():
            if token.startswith("-") and len(token) > 1 and '"' not in token:
                negated.append(token[1:])
            else:
                kept.append(token)
        text = " ".join(kept)
    configs = SEARCH_CONFIGS if any(reads_as_turkish(word) for word in text.split()) else _NOT_TURKISH
    query = reduce(operator.or_, [SearchQuery(text, search_type=search_type, config=config) for config in configs])
    for word in negated:
        for config in SEARCH_CONFIGS:
            query &= ~SearchQuery(word, search_type="plain", config=config)
    return query


def clean_query(text: str) -> str:
    """The query text, shortened, with single spaces, HS codes written "6302.60" as "630260" and
    Chinese written as the documents are (index_text)."""
    text = _WHITESPACE.sub(" ", index_text((text or "")[:MAX_QUERY_LENGTH])).strip()
    return _DOTTED_HS_CODE.sub(r"\1\2", text)


def _stem_patterns(word: str) -> RawSQL:
    """ILIKE patterns of the English stem of a word, and its Turkish stem when it reads as Turkish,
    that differ from it and have MIN_STEM_LENGTH letters or more ("towels" -> '%towel%', "havlular"
    -> '%havlu%'); ts_lexize is immutable, so PostgreSQL works them out once per query, not once
    per row."""
    stems = "ts_lexize('english_stem', %s)" + (" || ts_lexize('turkish_stem', %s)" if reads_as_turkish(word) else "")
    params = (word, word) if reads_as_turkish(word) else (word,)
    return RawSQL(f"ARRAY(SELECT '%%' || stem || '%%' FROM unnest({stems}) AS stem"
                  " WHERE length(stem) >= %s AND stem <> lower(%s))",
                  (*params, MIN_STEM_LENGTH, word), output_field=ArrayField(CharField()))


def _title_has(word: str) -> Q:
    """The title contains the word, ignoring case, or one of its English or Turkish stems, so a
    plural finds its singular in the title as the document index did."""
    in_title = Q(title__icontains=word)
    if word.isalpha() and not _CJK_RUN.search(word):
        in_title |= Q(_condition(F("title"), "ILIKE ANY", _stem_patterns(word)))
    return in_title


def _title_word_share(words: list[str], also: list[list[str]] | None = None) -> Expression:
    """The share of the words (0 to 1) that the title contains (_title_has). `also`, one per word,
    is the words a misspelt word stands for: the title also counts as containing it when it contains
    one of them."""
    hits = []
    for index, word in enumerate(words):
        in_title = _title_has(word)
        extra = also[index] if also else None
        if extra:
            patterns = Value([f"%{similar}%" for similar in extra], output_field=ArrayField(CharField()))
            in_title |= Q(_condition(F("title"), "ILIKE ANY", Func(
                patterns, template="(%(expressions)s::text[])", output_field=ArrayField(CharField()))))
        hits.append(Case(When(in_title, then=Value(1.0)), default=Value(0.0), output_field=FloatField()))
    if not hits:
        return Value(0.0, output_field=FloatField())
    return reduce(operator.add, hits) / Value(float(len(hits)), output_field=FloatField())


def _positive_words(text: str) -> list[str]:
    """The words a web-search query asks for: not excluded ones, not the operator "or"."""
    words = []
    for token in text.replace('"', " ").split():
        if token.startswith("-") or token.lower() == "or":
            continue
        words.append(token)
    return words[:MAX_QUERY_WORDS]


def _without_costly_negations(text: str) -> str:
    """The query without its -excluded words when nothing else narrows it down (no word that must
    appear, or an "or"): a negation alone matches nearly every listing and makes PostgreSQL parse
    every document to count them."""
    tokens = text.split()
    if _positive_words(text) and not any(token.lower() == "or" for token in tokens):
        return text
    kept: list[str] = []
    for token in tokens:
        if token.startswith("-"):
            continue
        if token.lower() == "or" and (not kept or kept[-1].lower() == "or"):
            continue
        kept.append(token)
    if kept and kept[-1].lower() == "or":
        kept.pop()
    return " ".join(kept)


class TitleWordsLike(NamedTuple):
    """What the words of the published titles say about a (maybe misspelt) word."""

    similar: list[str]  # the words it may stand for, as the document index stores them
    closest: str | None  # the title word most similar to it, as the titles write it


def _title_words_like_sql(word: str) -> tuple[str, tuple]:
    """SQL of one row, TitleWordsLike of a word, from the words of the published titles
    (TITLE_WORDS_TABLE, letters only) that are similar to it (trigram word similarity of at least
    pg_trgm.word_similarity_threshold, 0.6 by default):
    - `similar`: those words as the document index stores them (in SEARCH_CONFIG, accents removed)
      that are themselves similar to it, in alphabetical order: what a misspelt word stands for in
      the typo-forgiving search;
    - `closest`: the one with the highest trigram similarity to the whole word (then the first in
      alphabetical order): what "did you mean" suggests for it.
    Only words a published title holds are read, so a draft's words are never suggested. The
    table's own trigram index answers: a few thousand distinct words, not a million titles."""
    sql = ("SELECT array_agg(DISTINCT similar_word ORDER BY similar_word) FILTER (WHERE %s <%% similar_word),"
           " (array_agg(word ORDER BY similarity(%s, word) DESC, word))[1]"
           f" FROM {TITLE_WORDS_TABLE} CROSS JOIN LATERAL"
           " unnest(tsvector_to_array(to_tsvector(%s::regconfig, word))) AS similar_word"
           " WHERE word %%> %s AND published > 0")
    return sql, (word, word, SEARCH_CONFIG, word)


def title_words_like(word: str) -> TitleWordsLike:
    """TitleWordsLike of a word (_title_words_like_sql), read in one query where the router reads
    listings from (a replica during a catalogue request, when there is one). The similar words are
    read before the search so that its query holds them as constants: the planner then knows from
    its statistics how many documents hold them (a walk of the newest listings for a common word,
    the index for a rare one) instead of guessing."""
    sql, params = _title_words_like_sql(word)
    with connections[router.db_for_read(Listing)].cursor() as cursor:
        cursor.execute(sql, params)
        similar, closest = cursor.fetchone()
    return TitleWordsLike(similar or [], closest)


def _condition(lhs: Expression, sql_operator: str, rhs: Expression) -> Func:
    """`lhs <sql_operator> rhs` as a condition."""
    return Func(lhs, rhs, template="%(expressions)s", arg_joiner=f" {sql_operator} ", output_field=BooleanField())


def postgresql_text_search(qs: QuerySet[Listing], text: str, *, by_relevance: bool = True,
                           whole_catalogue: bool = False) -> QuerySet[Listing]:
    """Listings matching the query, annotated with `rank` (0 to 1, higher is better).

    Strict first: full-text search of the document with web-search syntax (words that must all
    appear, "quoted phrases", -excluded words, or), ranked by the share of the words the title
    contains, so a listing that names them in its title comes before one that has them only in its
    description or seller name.

    Only when that finds nothing among `qs` and the query is plain words, the search forgives
    typos: each word of four letters or more may also be any of the words of the published titles
    similar to it (see _title_words_like_sql), so "bath towl" finds "Cotton bath towel". The words are
    looked up once per misspelt word (title_words_like, one query), in the table of the title words
    and its trigram index, and the documents are then matched with the stored vectors, in one
    tsquery, as in a strict search; the
    rank is the share of the words the title contains, a misspelt word counting when the title
    contains one of the words it stands for.

    With `by_relevance` (the page is sorted by rank) only the newest RANKED_CANDIDATES matches, in
    the order the page uses for ties, are ranked (RankedCandidates): they are read once, when the
    first query of the list (its count) is compiled, and the count and the page then read those
    rows by pk. Another sort decides strict or forgiving with one EXISTS query and reads every
    match in its own order.

    Why: the stored vectors answer a strict query exactly, so testing a row costs no parse.
    Matching every title by trigram similarity instead would re-check the similarity of every
    candidate row (a misspelt common word is similar to thousands of titles) and compute it again
    to rank them; ts_rank, likewise, would read the whole vector of every match. Both cost tens of
    milliseconds per thousand matches."""
    text = _without_costly_negations(clean_query(text))
    if not _positive_words(text):
        return qs.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if by_relevance:
        candidates = RankedCandidates(qs, text, whole_catalogue=whole_catalogue)
        ranked = qs.filter(Q(candidates.condition())).annotate(rank=candidates.rank())
        candidates.where = ranked.query.where
        ranked.query.capped_count = candidates.count
        ranked.query.ranked_candidates = candidates
        return ranked
    strict = _matches(text, search_type="websearch")
    if not _forgives(text, found_as_written=lambda: qs.filter(strict).exists()):
        return qs.filter(strict).annotate(rank=_title_word_share(_positive_words(text)))
    forgiving = _forgiving_words(text)
    return qs.filter(_forgiving_condition(forgiving)).annotate(rank=_title_word_share(
        [word for word, _like in forgiving], [like.similar for _word, like in forgiving]))


def _forgives(text: str, *, found_as_written: Callable[[], bool]) -> bool:
    """Whether a search forgives typos (the one rule, for every sort): when the query is plain words
    (no web-search operators) and the strict search finds nothing among the listings asked about.
    `found_as_written` is asked only for plain words."""
    return not _WEB_SEARCH_OPERATORS.search(text) and not found_as_written()


def _forgiving_words(text: str) -> list[tuple[str, TitleWordsLike]]:
    """Each word of a plain query with what the title words say about it (title_words_like, one
    query per word of MIN_SIMILAR_WORD_LENGTH letters or more; nothing for a shorter one)."""
    return [(word, title_words_like(word) if len(word) >= MIN_SIMILAR_WORD_LENGTH else TitleWordsLike([], None))
            for word in text.split()[:MAX_QUERY_WORDS]]


def _forgiving_condition(forgiving: list[tuple[str, TitleWordsLike]]) -> Expression:
    """Every word matches the stored vector, as written or as one of the words it stands for: one
    tsquery, so that each row walked is tested once (`vector @@ (('cottn' | 'cottn') | 'cotton')`),
    not once per word and per similar word."""
    queries = []
    for word, like in forgiving:
        query = text_query(word)
        if like.similar:
            query |= SearchQuery(" | ".join(like.similar), search_type="raw", config=SEARCH_CONFIG)
        queries.append(query)
    return SearchVectorExact(StoredVector(), reduce(operator.and_, queries))


def _ranked_candidates(matches: QuerySet[Listing]) -> QuerySet[Listing]:
    """The pks of the newest RANKED_CANDIDATES matches, in the order the page breaks ties in
    (newest published first, then the highest pk): the rows a page sorted by rank chooses from.

    The rank (the title share) is computed for each row it sorts; over every match of a common word
    at a million listings (86,594 for "cotton") that is a walk of most of the table. The pages stop
    at COUNT_CAP rows anyway, so the candidates are bounded: for a common word PostgreSQL walks the
    published listings newest first, testing each row's stored vector, until it has enough (about
    11,000 rows for a word in one listing of ten); for a rare word it reads its few matches from the
    document index and sorts them, so every match is ranked and the ranking stays global where it
    matters. One candidate more than COUNT_CAP lets the page still say "more than 1,000"."""
    return matches.order_by("-published_at", "-pk").values_list("pk", flat=True)[:RANKED_CANDIDATES]


def _ranked_candidates_by_rank(matches: QuerySet[Listing], rank: Expression) -> tuple[list[int], list[float]]:
    """The pks of _ranked_candidates in RELEVANCE_ORDER (the rank, then newest published first, then
    the highest pk), and the rank of each, in one query. PostgreSQL sorts the thousand candidates by
    their rank and sends the pks and the ranks as two texts, so the application neither converts a
    thousand rows of pk and rank nor sorts them (about 2 ms of CPU per search page)."""
    candidates = _ranked_candidates(matches).annotate(
        candidate_pk=F("pk"), candidate_published_at=F("published_at"), candidate_rank=rank).values_list(
        "candidate_pk", "candidate_published_at", "candidate_rank")
    sql, params = candidates.query.get_compiler(using=matches.db).as_sql()
    order = "ORDER BY candidate_rank DESC, candidate_published_at DESC, candidate_pk DESC"
    with connections[matches.db].cursor() as cursor:
        cursor.execute(f"SELECT string_agg(candidate_pk::text, ',' {order}),"
                       f" string_agg(candidate_rank::text, ',' {order}) FROM ({sql}) AS candidate", params)
        pks, ranks = cursor.fetchone()
    if not pks:
        return [], []
    return [int(pk) for pk in pks.split(",")], [float(rank) for rank in ranks.split(",")]


class RankedCandidates:
    """The candidates of a page sorted by relevance (_ranked_candidates) of a query text among the
    listings of `qs`, read once and shared by every query of the list.

    The walk that finds them is the costly part of a common word's search at a million listings; a
    count and a page that each held it as a sub-select walked twice. Here the first read of the list
    reads the pks first, one query in place of the EXISTS that decides between a strict and a
    forgiving search: the strict candidates, and only when there are none and the query is plain
    words, the forgiving ones (after title_words_like). Every query of the list then reads
    `id = ANY(pks)` and the words' similar words as constants, and a CappedPaginator counts the
    list without a query (count: the candidates are all there is). The reads happen when the list
    is read, under the caller's search_time_limit. The querysets made from the list (count, page,
    their clones) share this object, so a list read again shows the same candidates."""

    def __init__(self, qs: QuerySet[Listing], text: str, *, whole_catalogue: bool = False) -> None:
        self.qs = qs
        self.text = text
        self.whole_catalogue = whole_catalogue  # qs is every public listing (no filter)
        self.words = _positive_words(text)
        self.pks: list[int] | None = None  # in RELEVANCE_ORDER
        self.ranks: list[float] = []  # the rank of each
        self.found_as_written = False  # the strict search found candidates (read)
        self.closest: dict[str, str | None] = {}  # each word's closest title word, when read
        self.where = None  # the filters of the list made from them (postgresql_text_search)

    def __deepcopy__(self, memo) -> RankedCandidates:
        return self  # shared by every copy of the queries that hold it

    def read(self, using: str) -> list[int]:
        """The candidate pks in RELEVANCE_ORDER, read on the first call (one query; a forgiving search
        adds its similar words and a second one)."""
        if self.pks is None:
            qs = self.qs.using(using)
            pks, ranks = _ranked_candidates_by_rank(qs.filter(_matches(self.text, search_type="websearch")),
                                                    _title_word_share(self.words))
            self.found_as_written = bool(pks)
            if _forgives(self.text, found_as_written=lambda: bool(pks)):
                forgiving = _forgiving_words(self.text)
                self.closest = {word: like.closest for word, like in forgiving}
                pks, ranks = _ranked_candidates_by_rank(
                    qs.filter(_forgiving_condition(forgiving)),
                    _title_word_share(self.words, [like.similar for _word, like in forgiving]))
            self.pks, self.ranks = pks, ranks
        return self.pks

    def pks_for(self, query) -> list[int]:
        """The candidates a query of the list needs: for a slice of the list in RELEVANCE_ORDER (a
        page), those up to the slice's end in that order, as the rank of each is known (the page
        then reads 24 rows, not 1,001); otherwise all of them. After read."""
        if query.high_mark is not None and tuple(query.order_by) == RELEVANCE_ORDER:
            return self.pks[:query.high_mark]
        return self.pks

    def count(self, listings: QuerySet[Listing]) -> int | None:
        """How many listings a list made from these candidates holds (core.pagination's
        `capped_count`): as many as there are candidates, when the list has the filters it had when
        it was made and no slice or DISTINCT; otherwise None (the list is counted by a query)."""
        query = listings.query
        if query.where != self.where or query.low_mark or query.high_mark is not None or query.distinct \
                or query.combinator:
            return None
        return len(self.read(listings.db))

    def condition(self) -> Expression:
        """The listing is a candidate: `id = ANY(pks)`."""
        return _Candidate(self)

    def rank(self) -> Expression:
        """Each candidate's rank as the candidates' query worked it out (the share of the words the
        title contains, _title_word_share), looked up by pk: not worked out again per query."""
        return _CandidateRank(self)


def _array_literal(values: list[int] | list[float]) -> str:
    """Numbers as one text literal of an array: psycopg would adapt a list of a thousand of them one
    by one, in Python."""
    return "{" + ",".join(map(str, values)) + "}"


def _pk_column(compiler, connection) -> str:
    """The listing's pk column in the query being compiled."""
    return f"{compiler.quote_name(compiler.query.get_initial_alias())}.{connection.ops.quote_name(Listing._meta.pk.column)}"


class _Candidate(Expression):
    """`"marketplace_listing"."id" = ANY(%s)`, the pks of RankedCandidates, read when compiled."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, candidates: RankedCandidates) -> None:
        super().__init__()
        self.candidates = candidates

    def as_sql(self, compiler, connection):
        self.candidates.read(compiler.using)
        pks = self.candidates.pks_for(compiler.query)
        if not pks:
            return "FALSE", []
        return f"{_pk_column(compiler, connection)} = ANY(%s::bigint[])", [_array_literal(pks)]


class _CandidateRank(Expression):
    """The rank of the row among the RankedCandidates the query reads (pks_for), from the ranks
    read with them: `(ranks)[array_position(pks, id)]`."""

    output_field = FloatField()

    def __init__(self, candidates: RankedCandidates) -> None:
        super().__init__()
        self.candidates = candidates

    def as_sql(self, compiler, connection):
        self.candidates.read(compiler.using)
        pks = self.candidates.pks_for(compiler.query)
        if not pks:
            return "0.0::float8", []
        return (f"(%s::float8[])[array_position(%s::bigint[], {_pk_column(compiler, connection)})]",
                [_array_literal(self.candidates.ranks[:len(pks)]), _array_literal(pks)])


def _matches(text: str, *, search_type: str = "plain") -> SearchVectorExact:
    """The condition that a listing's stored vector matches the query text, as the document index
    answers it."""
    return SearchVectorExact(StoredVector(), text_query(text, search_type=search_type))


def _is_catalogue_word(word: str) -> bool:
    """Whether a published listing's document holds the word (one look-up in the document index)."""
    return Listing.objects.filter(_matches(word), status=ListingStatus.PUBLISHED).exists()


def read_candidates(listings: QuerySet[Listing]) -> RankedCandidates | None:
    """The RankedCandidates of a list made by postgresql_text_search, sorted by relevance, once they
    have been read (the list's page or count was read); None otherwise."""
    candidates = getattr(listings.query, "ranked_candidates", None)
    return candidates if candidates is not None and candidates.pks is not None else None


def _may_be_misspelt(word: str) -> bool:
    return len(word) >= MIN_SIMILAR_WORD_LENGTH and word.isalpha() and not _CJK_RUN.search(word)


def did_you_mean(text: str, *, candidates: RankedCandidates | None = None) -> str | None:
    """The query with each misspelt word replaced by the closest word of the catalogue ("cotton
    towl" -> "cotton towel"), or None when no word is misspelt or nothing closer exists.

    A word is misspelt when it has four letters or more, no published listing's document holds it
    and a word of the published titles is similar to it (pg_trgm, as the typo-forgiving search; the
    closest of them is suggested, TitleWordsLike). Digits, short words and queries with web-search
    operators are left as they are. Other databases ask marketplace.search_sqlite.

    `candidates`, those a search of the same text has read (read_candidates), saves the look-ups
    they answer: when they hold every word as written, no word is misspelt; when the search was of
    one word over every public listing and found none holding it, that word is in no public
    listing's document; and a forgiving search has read each word's closest title word already."""
    if connection.vendor != "postgresql":
        from . import search_sqlite

        return search_sqlite.did_you_mean(text)
    text = clean_query(text)
    if not text or _WEB_SEARCH_OPERATORS.search(text):
        return None
    if candidates is not None and candidates.found_as_written:
        return None
    words = text.split()[:MAX_QUERY_WORDS]
    known = candidates.closest if candidates is not None else {}
    absent = (candidates is not None and candidates.whole_catalogue and len(words) == 1
              and candidates.words == words)
    suggested = []
    for word in words:
        closest = None
        if _may_be_misspelt(word) and (absent or not _is_catalogue_word(word)):
            closest = known[word] if word in known else title_words_like(word).closest
        suggested.append(closest or word)
    suggestion = " ".join(suggested)
    return suggestion if suggestion.lower() != " ".join(words).lower() else None


class SearchTooSlow(ApplicationError):
    """A catalogue search read ran past its time limit (search_time_limit) and was cancelled."""

    code = "search_too_slow"

    def __init__(self) -> None:
        message = _("The search took too long; add a word or a filter.")
        super().__init__(message, fields={"q": [message]})


def statement_timeout_ms() -> int:
    """settings.SEARCH_STATEMENT_TIMEOUT_MS within STATEMENT_TIMEOUT_BOUNDS_MS."""
    low, high = STATEMENT_TIMEOUT_BOUNDS_MS
    return max(low, min(high, int(getattr(settings, "SEARCH_STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS))))


@contextmanager
def search_time_limit(text: str) -> Iterator[None]:
    """Reads of a catalogue search for the text inside it may each take at most
    statement_timeout_ms() on PostgreSQL: a slower one is cancelled by the database and raises
    SearchTooSlow, so that no query holds a database core for seconds (the pages answer with a
    message, the API with a 400). The limit is `SET LOCAL` in a transaction on the database the
    router reads listings from, so it ends with the block: one more statement per search. A list
    without search text, another database, and a read inside a transaction already open (whose
    cancelled statement would abort it) are read without a limit."""
    alias = router.db_for_read(Listing)
    if connections[alias].vendor != "postgresql" or not clean_query(text) or connections[alias].in_atomic_block:
        yield
        return
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(statement_timeout_ms())])
            yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == "57014":  # query_canceled
            raise SearchTooSlow() from error
        raise
