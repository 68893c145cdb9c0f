"""Story search in one language: PostgreSQL full-text search, icontains elsewhere.

PostgreSQL ranks title matches above lead and body matches and marks the hits in
a snippet. Russian gets `russian` stemming. Kyrgyz has no PostgreSQL dictionary:
it uses the `simple` configuration (lower-cased words) with prefix matching, so
`Бишкек` also finds the suffixed forms `Бишкекте`, `Бишкектен` of this
agglutinative language.
"""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape, strip_tags

from .models import Article

MAX_QUERY_LENGTH = 200
SEARCH_CONFIGS = {"ru": "russian", "ky": "simple"}
# Markers PostgreSQL puts around hits; unlikely in news text, replaced by <mark>.
START, STOP = "\u27e6", "\u27e7"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
WORD = re.compile(r"[^\W_]+")


def clean_query(raw: str) -> str:
    """The query as we search it: no control characters, single spaces."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", raw).split())


def has_words(query: str) -> bool:
    return bool(WORD.search(query))


def search_articles(*, query: str, language: str) -> QuerySet:
    stories = Article.objects.live(language).for_listing()
    if connection.vendor == "postgresql":
        return _full_text(stories, query=query, language=language)
    return _contains(stories, query=query, language=language)


def _full_text(stories: QuerySet, *, query: str, language: str) -> QuerySet:
    config = SEARCH_CONFIGS.get(language, "simple")
    if config == "simple":
        # \w+ keeps only letters and digits, so the raw tsquery cannot be malformed.
        prefixes = " & ".join(f"{word}:*" for word in WORD.findall(query))
        search_query = SearchQuery(prefixes, config=config, search_type="raw")
    else:
        search_query = SearchQuery(query, config=config, search_type="websearch")
    vector = (
        SearchVector(f"title_{language}", config=config, weight="A")
        + SearchVector(f"lead_{language}", config=config, weight="B")
        + SearchVector(f"body_{language}", config=config, weight="C")
    )
    text = Concat(f"lead_{language}", Value(" "), f"body_{language}", output_field=TextField())
    return (
        stories.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(search=search_query)
        .annotate(
            title_headline=SearchHeadline(
                f"title_{language}",
                search_query,
                config=config,
                start_sel=START,
                stop_sel=STOP,
                highlight_all=True,
            ),
            headline=SearchHeadline(
                text,
                search_query,
                config=config,
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by("-rank", "-published_at", "-id")
    )


def _contains(stories: QuerySet, *, query: str, language: str) -> QuerySet:
    matches = Q()
    for word in query.split():
        matches &= (
            Q(**{f"title_{language}__icontains": word})
            | Q(**{f"lead_{language}__icontains": word})
            | Q(**{f"body_{language}__icontains": word})
        )
    return stories.filter(matches)


def highlighted_title(article: Article, *, query: str) -> str:
    """Safe HTML: the title with the matched words in <mark>."""
    headline = getattr(article, "title_headline", None)
    if headline is not None:
        return _mark(escape(headline), START, STOP)
    return _mark_words(escape(article.title), query)


def snippet(article: Article, *, query: str) -> str:
    """Safe HTML: the matched passage with the query words in <mark>."""
    headline = getattr(article, "headline", None)
    if headline is not None:
        text = strip_tags(headline.replace("<", " <").replace(">", "> "))
        return _mark(escape(" ".join(text.split())), START, STOP)
    return _mark_words(escape(article.lead or ""), query)


def _mark_words(text: str, query: str) -> str:
    for word in sorted(set(query.split()), key=len, reverse=True):
        text = re.sub(
            f"({re.escape(escape(word))})", f"{START}\\1{STOP}", text, flags=re.IGNORECASE
        )
    return _mark(text, START, STOP)


def _mark(text: str, start: str, stop: str) -> str:
    return text.replace(start, "<mark>").replace(stop, "</mark>")
