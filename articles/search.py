"""Story search in one language: PostgreSQL full-text search, icontains elsewhere.

PostgreSQL ranks title matches above lead and body matches and marks the hits in
a snippet. Russian gets PostgreSQL's `russian` stemming. Kyrgyz has no
PostgreSQL dictionary: the story's words are stemmed in Python when it is saved
(articles.kyrgyz_stemmer, stored in `search_ky`) and the query's words the same
way, so `мектептер` finds `мектеп`, `мектепте`, `мектебинде`.

When the exact search finds nothing, `similar_titles` looks for titles with
words close to the query's (pg_trgm), so a typo like `Бишкк` still finds
Бишкек's stories.
"""

import re
from collections.abc import Sequence

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape, strip_tags

from .kyrgyz_stemmer import stem
from .models import Article
from .search_document import quote_lexeme

MAX_QUERY_LENGTH = 200
RUSSIAN_CONFIG = "russian"
# Markers PostgreSQL puts around hits; unlikely in news text, replaced by <mark>.
START, STOP = "\u27e6", "\u27e7"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
WORD = re.compile(r"[^\W_]+")
# A Kyrgyz stem this long also matches longer stems, derivations of the same
# root (президент finds президенттик); a shorter one only itself, or ошон
# (ошондон, since then) would find every ошондой (such).
PREFIX_STEM_LENGTH = 6
# How alike a query word and a title word must be (pg_trgm word similarity):
# one swapped or missing letter in a six-letter word scores about 0.57.
TYPO_SIMILARITY = 0.5
# A query matching more stories ranks the newest this many (ten pages): finding
# and ranking every match of a common word would grow with the archive, and
# the page must answer within 50 ms at 100,000 stories (docs/benchmarks.md).
MAX_RESULTS = 100
# Typo search looks at words of this length and up, at most this many of them.
TYPO_MIN_LENGTH = 4
TYPO_MAX_WORDS = 5


def clean_query(raw: str) -> str:
    """The query as we search it: no control characters, single spaces."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", raw).split())


def has_words(query: str) -> bool:
    return bool(WORD.search(query))


def search_articles(*, query: str, language: str) -> "SearchResults":
    """The live stories of `language` matching `query`, as the search page lists them."""
    stories = Article.objects.live(language).for_listing()
    if connection.vendor != "postgresql":
        matches = _contains(stories, query=query, language=language)
        found_by = matches.order_by("-published_at", "-id").values_list("pk", flat=True)
        return SearchResults(list(found_by), stories, capped=False, found_by=found_by)
    if language == "ky":
        return _kyrgyz_full_text(stories, query=query)
    return _full_text(stories, query=query, language=language)


class SearchResults(Sequence):
    """The stories a search found, in the order they are listed.

    Their ids are read at once (at most MAX_RESULTS + 1 on PostgreSQL) by the
    `found_by` query, so the paginator counts them without a query; a page reads
    its own stories, with the snippets marked up for them only. `capped`: more
    stories matched than the newest MAX_RESULTS listed.
    """

    # Nothing found because every query word is a stop word (PostgreSQL's `russian`
    # dictionary drops между, как): no typo would explain it.
    only_common_words = False

    def __init__(self, ids: list[int], stories: QuerySet, *, capped: bool, found_by: QuerySet):
        self.ids = ids
        self.stories = stories
        self.capped = capped
        self.found_by = found_by

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        wanted = self.ids[index]
        if not wanted:
            return []
        found = {story.pk: story for story in self.stories.filter(pk__in=wanted)}
        # A story unpublished since the ids were read is left out.
        return [found[pk] for pk in wanted if pk in found]


def similar_titles(*, query: str, language: str) -> QuerySet:
    """Stories whose title has a word like each of the query's (PostgreSQL only).

    The fallback for a query that finds nothing, most likely for a typo. Every
    long enough query word must be close to a word of the title; the trigram
    index on titles (migration 0004) serves the `%>` lookup.
    """
    stories = Article.objects.live(language).for_listing()
    words = [word for word in WORD.findall(query) if len(word) >= TYPO_MIN_LENGTH]
    if connection.vendor != "postgresql" or not words:
        return stories.none()
    words = words[:TYPO_MAX_WORDS]
    field = f"title_{language}"
    with connection.cursor() as cursor:
        # The `%>` operator reads its threshold from this setting (0.6 by default).
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(TYPO_SIMILARITY)],
        )
    matches = Q()
    similarity = None
    for word in words:
        matches &= Q(**{f"{field}__trigram_word_similar": word})
        score = TrigramWordSimilarity(Value(word), field)
        similarity = score if similarity is None else similarity + score
    # No newest-first cap here: PostgreSQL would walk the date index computing
    # a similarity per story, slow for the rare match a typo search looks for.
    return (
        stories.filter(matches)
        .annotate(similarity=similarity)
        .order_by("-similarity", "-published_at", "-id")
    )


def _kyrgyz_terms(query: str) -> list[str]:
    return [stem(word) for word in WORD.findall(query)]


def _kyrgyz_full_text(stories: QuerySet, *, query: str) -> SearchResults:
    terms = [
        f"{quote_lexeme(term)}:*" if len(term) >= PREFIX_STEM_LENGTH else quote_lexeme(term)
        for term in _kyrgyz_terms(query)
    ]
    search_query = SearchQuery(" & ".join(terms), config="simple", search_type="raw")
    # The text itself is not stemmed: mark the words that begin like a query
    # stem, whichever way its last consonant is written (мектеп, мектеби).
    marked = " | ".join(
        f"{quote_lexeme(form)}:*" for term in _kyrgyz_terms(query) for form in _spellings(term)
    )
    headline_query = SearchQuery(marked, config="simple", search_type="raw")
    return _ranked(
        stories, search_query, headline_query=headline_query, config="simple", language="ky"
    )


def _spellings(term: str) -> list[str]:
    voiced = {"п": "б", "к": "г"}.get(term[-1:])
    return [term, term[:-1] + voiced] if voiced else [term]


def _full_text(stories: QuerySet, *, query: str, language: str) -> SearchResults:
    search_query = SearchQuery(query, config=RUSSIAN_CONFIG, search_type="websearch")
    results = _ranked(
        stories, search_query, headline_query=search_query, config=RUSSIAN_CONFIG, language=language
    )
    if not results:
        results.only_common_words = _only_stop_words(query)
    return results


def _only_stop_words(query: str) -> bool:
    """Whether the Russian dictionary drops every word of `query` (a query only when
    nothing was found: the typo search it saves ranks thousands of titles)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [RUSSIAN_CONFIG, query]
        )
        return cursor.fetchone()[0] == 0


def _ranked(
    stories: QuerySet,
    search_query: SearchQuery,
    *,
    headline_query: SearchQuery,
    config: str,
    language: str,
) -> SearchResults:
    """The newest MAX_RESULTS matches of `search_query` in the stored vector, best
    first (the newest first among equals), each page's stories marked up."""
    column = f"search_{language}"
    # Ranking reads each story's whole vector (most of a match's cost): only the
    # newest ones found are ranked, not every match looked at to find them.
    found_by = (
        Article.objects.filter(pk__in=_newest(stories.filter(**{column: search_query})))
        .annotate(rank=SearchRank(F(column), search_query))
        .order_by("-published_at", "-id")
        .values_list("pk", "rank")
    )
    rows = list(found_by)
    capped = len(rows) > MAX_RESULTS
    rows = rows[:MAX_RESULTS]
    # Python's sort is stable: equal ranks stay newest first.
    ids = [pk for pk, _rank in sorted(rows, key=lambda row: -row[1])]
    text = Concat(f"lead_{language}", Value(" "), f"body_{language}", output_field=TextField())
    page = stories.annotate(
        title_headline=SearchHeadline(
            f"title_{language}",
            headline_query,
            config=config,
            start_sel=START,
            stop_sel=STOP,
            highlight_all=True,
        ),
        headline=SearchHeadline(
            text,
            headline_query,
            config=config,
            start_sel=START,
            stop_sel=STOP,
            max_words=35,
            min_words=15,
        ),
    )
    return SearchResults(ids, page, capped=capped, found_by=found_by)


def _newest(matches: QuerySet) -> QuerySet:
    """The ids of the newest MAX_RESULTS + 1 `matches`, as a subquery.

    For a common word PostgreSQL walks the date index and stops early, for a
    rarer one it takes the matches from the GIN index and sorts them, reading
    each one's row but not its search vector. (Searching date windows newest
    first, as one UNION ALL under a LIMIT, was tried: the planner then walked
    the date index through whole windows, reading a vector per story, and a
    word in 1% of 100,000 stories took 100 ms instead of 4.)
    """
    return matches.order_by("-published_at", "-id").values("pk")[: MAX_RESULTS + 1]


def _contains(stories: QuerySet, *, query: str, language: str) -> QuerySet:
    matches = Q()
    if language == "ky":
        # The stored document is lower-cased stems, so this matches any case
        # and any ending, as PostgreSQL does.
        for term in _kyrgyz_terms(query):
            lexeme = f"'{term}" if len(term) >= PREFIX_STEM_LENGTH else f"'{term}':"
            matches &= Q(search_ky__contains=lexeme)
        return stories.filter(matches)
    for word in query.split():
        matches &= (
            Q(**{f"title_{language}__icontains": word})
            | Q(**{f"lead_{language}__icontains": word})
            | Q(**{f"body_{language}__icontains": word})
        )
    return stories.filter(matches)


def highlighted_title(article: Article, *, query: str, language: str) -> str:
    """Safe HTML: the title with the matched words in <mark>."""
    headline = getattr(article, "title_headline", None)
    if headline is not None:
        return _mark(escape(headline), START, STOP)
    return _mark_words(article.title, query, language=language)


def snippet(article: Article, *, query: str, language: str) -> str:
    """Safe HTML: the matched passage with the query words in <mark>."""
    headline = getattr(article, "headline", None)
    if headline is not None:
        text = strip_tags(headline.replace("<", " <").replace(">", "> "))
        return _mark(escape(" ".join(text.split())), START, STOP)
    return _mark_words(article.lead or "", query, language=language)


def _mark_words(text: str, query: str, *, language: str) -> str:
    """`text` escaped, with each word that matches a query word in <mark>.

    A word matches when it begins with the query word (or, in Kyrgyz, with its
    stem), or when it is as close to it as a typo search needs.
    """
    query_words = [word.lower() for word in WORD.findall(query)]
    prefixes = list(query_words)
    if language == "ky":
        prefixes += [form for term in _kyrgyz_terms(query) for form in _spellings(term)]
    out = []
    position = 0
    for match in WORD.finditer(text):
        word = match.group().lower()
        out.append(escape(text[position : match.start()]))
        if any(word.startswith(prefix) for prefix in prefixes) or any(
            _word_similarity(query_word, word) >= TYPO_SIMILARITY for query_word in query_words
        ):
            out.append(f"<mark>{escape(match.group())}</mark>")
        else:
            out.append(escape(match.group()))
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _word_similarity(query_word: str, word: str) -> float:
    """Roughly pg_trgm's word_similarity for one word against one word."""
    if len(query_word) < TYPO_MIN_LENGTH:
        return 0.0
    wanted = _trigrams(query_word)
    return len(wanted & _trigrams(word)) / len(wanted)


def _mark(text: str, start: str, stop: str) -> str:
    return text.replace(start, "<mark>").replace(stop, "</mark>")
