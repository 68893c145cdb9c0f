"""The public site. Every view reads stories through Article.objects.live()."""

import functools
import re
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, JSONObject, RowNumber
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, RedirectView, TemplateView

from authors.models import Author
from newsroom.pagecache import add_tags, story_tags
from newsroom.prepared import PreparedQuery

from . import workflow
from .cache import archive_tag
from .dateline import agency_name
from .models import (
    LANGUAGE_CODES,
    Article,
    Byline,
    Photo,
    RetiredSlug,
    Rubric,
    StoryNote,
    Tag,
    TaggedArticle,
    in_language,
)
from .readership import record_read
from .search import (
    MAX_QUERY_LENGTH,
    clean_query,
    has_words,
    highlighted_title,
    search_articles,
    similar_titles,
    snippet,
)

# The link to the same story in another language, written in the reader's language.

READ_IN = {
    "ky": gettext_lazy("Read this story in Kyrgyz"),
    "ru": gettext_lazy("Read this story in Russian"),
}
# A tag's columns, in the model's order (what Model.from_db expects).
TAG_FIELDS = [field.attname for field in Tag._meta.concrete_fields]
BYLINE_FIELDS = [field.attname for field in Byline._meta.concrete_fields]
AUTHOR_FIELDS = [field.attname for field in Author._meta.concrete_fields]
NOTE_FIELDS = [field.attname for field in StoryNote._meta.concrete_fields]
PHOTO_FIELDS = [field.attname for field in Photo._meta.concrete_fields]
DATETIME_FIELDS = {
    model: {f.attname for f in model._meta.concrete_fields if isinstance(f, DateTimeField)}
    for model in (Tag, Byline, Author, StoryNote, Photo)
}
BOT_USER_AGENT = re.compile(r"bot|crawl|spider|slurp|preview|fetch|monitor", re.IGNORECASE)


def language_home(request):
    """`/`: the reader's saved language, else the browser's, else Kyrgyz."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = redirect("articles:home")
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def legacy_kyrgyz_prefix(request, rest=""):
    """The old site's `/kg/...` addresses live on under `/ky/...`."""
    target = f"/ky/{rest}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target)


def old_address_redirect(request, *, kind: str, slug: str):
    """A 301 from a story's or tag's old address (`kind`: "article" or "tag") in the
    active language to its current one, or None when `slug` is nobody's old address.

    Only to what the reader may see, so a draft's new address is not given away.
    Readers' redirects are permanent like the published slugs they lead to; neither
    the page cache nor Varnish keeps them (no `xkey`), so they never go stale.
    """
    language = translation.get_language()
    old = (
        RetiredSlug.objects.filter(language=language, slug=slug, **{f"{kind}__isnull": False})
        .select_related(kind)
        .first()
    )
    target = getattr(old, kind, None)
    if target is None or not getattr(target, f"slug_{language}", None):
        return None
    preview = False
    if kind == "article":
        if not (target.is_live and target.has_language(language)):
            if not workflow.can(workflow.Action.PREVIEW, article=target, user=request.user):
                return None
            preview = True
    elif not getattr(target, f"name_{language}", None):
        return None
    url = target.get_absolute_url()
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    response = HttpResponsePermanentRedirect(url)
    if preview:
        add_never_cache_headers(response)
    return response


class OldAddressMixin:
    """A page found by its slug whose old slugs answer with a redirect (RetiredSlug)."""

    old_address_kind = None

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Costs one query, on a miss only.
            response = old_address_redirect(
                request, kind=self.old_address_kind, slug=self.kwargs["slug"]
            )
            if response is None:
                raise
            return response


class PublicPageMixin:
    """Shared by every public page: the same page's address in each language.

    `alternate_urls` lists only languages where this very page exists; the
    language switch falls back to that language's home page for the others.
    """

    def get_alternate_urls(self):
        match = self.request.resolver_match
        urls = {}
        for code in LANGUAGE_CODES:
            with translation.override(code):
                urls[code] = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        return urls

    # What every page's header and sidebar show (the rates widget, the rubric menu);
    # the most-read box tags its own stories.
    page_tags = ("rates", "menu")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["alternate_urls"] = self.get_alternate_urls()
        add_tags(self.request, *self.page_tags, *self.get_cache_tags(context))
        return context

    def get_cache_tags(self, context):
        """What this page shows, for the page cache's purges."""
        return []


class CappedPaginator(Paginator):
    """Pages through at most the newest `cap` stories of a list (a day of the archive,
    search results), counted up to the cap: a bounded read. Rubric, tag and author
    pages count nothing at all (NewestPaginator). Older stories stay reachable through
    the archive by day and search.
    """

    cap = 1000

    @cached_property
    def count(self):
        if hasattr(self.object_list, "query"):
            return self.object_list[: self.cap].count()
        return min(len(self.object_list), self.cap)


class NewestPage(Page):
    """A page of a `NewestPaginator`: whether an older page follows is known from the
    one story read past this page, not from a count."""

    def __init__(self, object_list, number, paginator, *, more):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more

    def next_page_number(self):
        if not self.more:
            raise EmptyPage(self.paginator.error_messages["no_results"])
        return self.number + 1


class NewestPaginator(CappedPaginator):
    """Pages through the newest `cap` stories of a rubric, tag or author, newest first,
    reading the asked page and one story more: nothing is counted, so a page costs the
    same whatever the size of the archive. The pages say their number, not a total."""

    # The pagination says "Page 3", not "Page 3 of 50" (templates/includes/pagination.html).
    uncounted = True

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.cap)
        rows = list(self.object_list[bottom : top + 1 if top < self.cap else top])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return NewestPage(rows[: top - bottom], number, self, more=len(rows) > top - bottom)

    def validate_number(self, number) -> int:
        """A page number within the cap (Paginator's own would count the list)."""
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1 or (number - 1) * self.per_page >= self.cap:
            raise EmptyPage(self.error_messages["no_results"])
        return number


class StoryListMixin(PublicPageMixin):
    paginate_by = 20
    paginator_class = CappedPaginator
    context_object_name = "stories"

    def get_queryset(self):
        return Article.objects.live().for_listing()

    def get_cache_tags(self, context):
        return story_tags(context.get("stories") or [])


class NewestStoriesMixin(StoryListMixin):
    """The stories of a rubric, tag or author: newest first, never counted."""

    paginator_class = NewestPaginator

    def paginate_queryset(self, queryset, page_size):
        # "?page=last" would need the count this list never makes.
        if self.request.GET.get(self.page_kwarg) == "last":
            raise Http404
        return super().paginate_queryset(queryset, page_size)


class HomeView(PublicPageMixin, TemplateView):
    template_name = "articles/home.html"
    latest_count = 12
    per_rubric = 4
    rubric_block_days = 90

    def get_context_data(self, **kwargs):
        now = timezone.now()
        language = translation.get_language()
        newest, main = self.newest_and_main(language, now)
        # The editors' newest main story leads; without one, the newest story does.
        main = main or (newest[0] if newest else None)
        return super().get_context_data(
            main_story=main,
            latest=[story for story in newest if story != main][: self.latest_count],
            rubric_blocks=self.rubric_blocks(
                home_rubric_blocks(
                    shape=(language, self.per_rubric),
                    now=now,
                    since=now - timedelta(days=self.rubric_block_days),
                    main_id=main.pk if main else 0,
                )
            ),
            **kwargs,
        )

    def get_cache_tags(self, context):
        shown = [context["main_story"], *context["latest"]]
        for block in context["rubric_blocks"]:
            shown += block["stories"]
        return ["home", *story_tags(shown)]

    def newest_and_main(self, language, now):
        """The newest stories and the editors' newest main story, in one query where
        the database can combine the two index reads (else two)."""
        count = self.latest_count + 1
        if not connection.features.supports_slicing_ordering_in_compound:
            stories = Article.objects.live(language, now=now).for_listing()
            newest = stories.order_by("-published_at", "-id")
            main = stories.main_stories().order_by("-published_at", "-id")
            return list(newest[:count]), main.first()
        rows = home_newest_and_main(shape=(language, count), now=now)
        # The newest main story is among the newest, or it is the one row older than them.
        main_story = next((story for story in rows if story.is_main), None)
        return rows[:count], main_story

    @staticmethod
    def rubric_blocks(ranked):
        """The stories of home_rubric_blocks, grouped by rubric."""
        blocks = []
        for story in ranked:
            if not blocks or blocks[-1]["rubric"].pk != story.rubric_id:
                blocks.append({"rubric": story.rubric, "stories": []})
            blocks[-1]["stories"].append(story)
        return blocks


def _home_newest_and_main(*, shape, now):
    """The `count` newest live stories and the newest main story, in one query."""
    language, count = shape
    stories = Article.objects.live(language, now=now).for_listing()
    newest = stories.order_by("-published_at", "-id")
    main = stories.main_stories().order_by("-published_at", "-id")
    ids = newest.values("pk")[:count].union(main.values("pk")[:1], all=True)
    return newest.filter(pk__in=ids)


def _home_rubric_blocks(*, shape, now, since, main_id):
    """The newest stories of every active rubric but the main story, in one query.

    Only stories since `since` are ranked, so the query reads a bounded slice of the
    archive however large it grows; a rubric silent for that long has no block.
    """
    language, per_rubric = shape
    recent = (
        Article.objects.live(language, now=now).exclude(pk=main_id).filter(published_at__gte=since)
    )
    if connection.vendor == "postgresql":
        # Each active rubric's newest, read from the rubric index (a few rows each).
        newest = recent.filter(rubric_id=OuterRef("pk")).order_by("-published_at", "-id")
        shown = Rubric.objects.active().annotate(
            story=Func(ArraySubquery(newest.values("pk")[:per_rubric]), function="unnest")
        )
    else:
        shown = (
            recent.filter(rubric__is_active=True)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("rubric_id")],
                    order_by=[F("published_at").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=per_rubric)
        )
    return (
        Article.objects.for_listing()
        .filter(pk__in=shown.values("story" if connection.vendor == "postgresql" else "pk"))
        .order_by("rubric__position", "rubric_id", "-published_at", "-id")
    )


# The home page's two queries, compiled once per process (newsroom.prepared).
home_newest_and_main = PreparedQuery(Article, _home_newest_and_main)
home_rubric_blocks = PreparedQuery(Article, _home_rubric_blocks)


class RubricView(NewestStoriesMixin, ListView):
    template_name = "articles/rubric_detail.html"

    def get_queryset(self):
        stories = super().get_queryset()
        self.rubric = get_object_or_404(Rubric.objects.active(), slug=self.kwargs["slug"])
        return stories.filter(rubric=self.rubric)

    def get_alternate_urls(self):
        urls = {}
        for code in LANGUAGE_CODES:
            if getattr(self.rubric, f"slug_{code}", ""):
                with translation.override(code):
                    urls[code] = self.rubric.get_absolute_url()
        return urls

    def get_context_data(self, **kwargs):
        return super().get_context_data(rubric=self.rubric, **kwargs)

    def get_cache_tags(self, context):
        pk = self.rubric.pk
        return [f"rubric-{pk}", f"rubric-list-{pk}", *super().get_cache_tags(context)]


class TagView(OldAddressMixin, NewestStoriesMixin, ListView):
    """Stories with a tag; the tag page exists in the languages the tag is named in,
    each at its own address (slug)."""

    template_name = "articles/tag_detail.html"
    old_address_kind = "tag"

    def get_queryset(self):
        language = translation.get_language()
        stories = super().get_queryset()
        self.tag = get_object_or_404(Tag, **{f"slug_{language}": self.kwargs["slug"]})
        if not self.tag.name:
            raise Http404
        if connection.vendor != "postgresql":
            return stories.filter(tags=self.tag)
        # Newest first from the tag links' own (tag, time) index (migration 0015): a
        # page's worth of links, however rare the tag is in the archive.
        return stories.filter(
            taggedarticle__tag=self.tag, taggedarticle__published_at__lte=timezone.now()
        ).order_by("-taggedarticle__published_at", "-taggedarticle__content_object_id")

    def get_alternate_urls(self):
        urls = {}
        for code in LANGUAGE_CODES:
            if getattr(self.tag, f"name_{code}", "") and getattr(self.tag, f"slug_{code}", ""):
                with translation.override(code):
                    urls[code] = self.tag.get_absolute_url()
        return urls

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)

    def get_cache_tags(self, context):
        pk = self.tag.pk
        return [f"tag-{pk}", f"tag-list-{pk}", *super().get_cache_tags(context)]


class ArchiveView(RedirectView):
    """The archive's date form lands here: off to that day, or to today."""

    def get_redirect_url(self, *args, **kwargs):
        try:
            day = date.fromisoformat(self.request.GET.get("date", ""))
        except ValueError:
            day = timezone.localdate()
        return reverse(
            "articles:archive_day", kwargs={"year": day.year, "month": day.month, "day": day.day}
        )


class ArchiveDayView(StoryListMixin, ListView):
    template_name = "articles/archive_day.html"
    paginate_by = 30

    def get_queryset(self):
        try:
            self.day = date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
            self.start = datetime.combine(
                self.day, time.min, tzinfo=timezone.get_current_timezone()
            )
            self.end = self.start + timedelta(days=1)
        except (ValueError, OverflowError) as error:
            raise Http404 from error
        return super().get_queryset().published_between(self.start, self.end)

    def get_context_data(self, **kwargs):
        previous, following = self.neighbours()
        return super().get_context_data(
            day=self.day,
            today=timezone.localdate(),
            previous_day=self.local_day(previous),
            next_day=self.local_day(following),
            **kwargs,
        )

    def neighbours(self):
        """The last story before this day and the first after it (either may be None),
        in one query where the database can combine the two index reads."""
        live = Article.objects.live().values_list("published_at", flat=True)
        before = live.filter(published_at__lt=self.start).order_by("-published_at")[:1]
        after = live.filter(published_at__gte=self.end).order_by("published_at")[:1]
        if not connection.features.supports_slicing_ordering_in_compound:
            return before.first(), after.first()
        moments = list(before.union(after, all=True))
        return (
            next((moment for moment in moments if moment < self.start), None),
            next((moment for moment in moments if moment >= self.end), None),
        )

    def get_cache_tags(self, context):
        return [archive_tag(self.day), *super().get_cache_tags(context)]

    @staticmethod
    def local_day(moment):
        return timezone.localdate(moment) if moment else None


class SearchView(StoryListMixin, ListView):
    """Search in the reader's language; empty, absurd or huge queries get a friendly page."""

    template_name = "articles/search.html"
    paginate_by = 10

    def get(self, request, *args, **kwargs):
        raw = request.GET.get("q", "")
        self.query = clean_query(raw)[:MAX_QUERY_LENGTH]
        self.problem = None
        if not self.query:
            self.problem = "empty"
        elif len(raw) > MAX_QUERY_LENGTH * 5:
            self.problem = "too_long"
        elif not has_words(self.query):
            self.problem = "no_words"
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.problem:
            return Article.objects.none()
        return search_articles(query=self.query, language=translation.get_language())

    def get_paginator(self, queryset, *args, **kwargs):
        # Nothing found as typed: page through titles with words like the
        # query's instead, as a reader who made a typo wants. Costs a query only then.
        paginator = super().get_paginator(queryset, *args, **kwargs)
        self.approximate = False
        common_words = getattr(queryset, "only_common_words", False)
        if not self.problem and paginator.count == 0 and not common_words:
            similar = similar_titles(query=self.query, language=translation.get_language())
            similar_paginator = super().get_paginator(similar, *args, **kwargs)
            if similar_paginator.count:
                self.approximate = True
                return similar_paginator
        return paginator

    def get_alternate_urls(self):
        suffix = "?" + self.request.GET.urlencode() if self.request.GET else ""
        return {code: url + suffix for code, url in super().get_alternate_urls().items()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query, problem=self.problem, **kwargs)
        context["approximate"] = approximate = getattr(self, "approximate", False)
        context["common_words"] = getattr(self.object_list, "only_common_words", False)
        # Whether the search was cut to its newest MAX_RESULTS stories.
        context["capped"] = not approximate and getattr(self.object_list, "capped", False)
        language = translation.get_language()
        for story in context["stories"]:
            story.snippet = snippet(story, query=self.query, language=language)
            story.highlighted_title = highlighted_title(story, query=self.query, language=language)
        return context

    def get_cache_tags(self, context):
        return ["search", *super().get_cache_tags(context)]


def json_rows(queryset, prefix, fields, **joined):
    """An array of JSON objects, one per row of `queryset` in its order: related rows
    read in the same query as their story. `joined` adds a related object's fields
    under its name (name=(relation, fields))."""
    columns = {field: f"{prefix}__{field}" if prefix else field for field in fields}
    for name, (relation, related_fields) in joined.items():
        columns[name] = JSONObject(**{field: f"{relation}__{field}" for field in related_fields})
    return ArraySubquery(queryset.values(row=JSONObject(**columns)))


def from_row(model, fields, row):
    """A model instance from one of json_rows' objects (JSON gives times as text)."""
    values = []
    for name in fields:
        value = row[name]
        if isinstance(value, str) and name in DATETIME_FIELDS.get(model, ()):
            value = datetime.fromisoformat(value)
        values.append(value)
    return model.from_db("default", fields, values)


def story_row_queries():
    """What a story page reads with the story (see ArticleDetailView.get_queryset)."""
    return {
        "tag_rows": json_rows(
            TaggedArticle.objects.filter(content_object=OuterRef("pk")), "tag", TAG_FIELDS
        ),
        "byline_rows": json_rows(
            Byline.objects.filter(article=OuterRef("pk")).order_by("position", "id"),
            None,
            BYLINE_FIELDS,
            author=("author", AUTHOR_FIELDS),
        ),
        "note_rows": json_rows(
            StoryNote.objects.rewrite(False)
            .filter(article=OuterRef("pk"))
            .order_by("noted_at", "id"),
            None,
            NOTE_FIELDS,
        ),
        "photo_rows": json_rows(
            Photo.objects.rewrite(False).filter(article=OuterRef("pk")).order_by("position", "id"),
            None,
            PHOTO_FIELDS,
        ),
    }


@functools.cache
def compiled_story_rows():
    """story_row_queries() as SQL, compiled once per process: resolving and compiling
    those four subqueries of JSON objects was a fifth of a story page's time. They
    depend on nothing but the models (the outer story is the query's base table), so
    the SQL is the same for every request."""
    query = Article.objects.annotate(**story_row_queries()).query
    compiler = query.get_compiler(connection=connection)
    compiler.setup_query()
    return {
        name: (*compiler.compile(expression), expression.output_field)
        for name, expression in query.annotations.items()
    }


def story_rows():
    """The annotations that read a story's related rows with it (PostgreSQL)."""
    return {
        # Django compiled this SQL itself from the querysets above: no reader input in it.
        name: RawSQL(sql, params, output_field=output_field)  # noqa: S611
        for name, (sql, params, output_field) in compiled_story_rows().items()
    }


def read_with_story(story):
    """Fill the story's bylines and notes from the JSON rows read with it, as if they had
    been prefetched, so templates and the JSON-LD use them without a query."""
    bylines, notes = getattr(story, "byline_rows", None), getattr(story, "note_rows", None)
    photos = getattr(story, "photo_rows", None)
    if bylines is None or notes is None or photos is None:
        return story
    signed = []
    for row in bylines:
        byline = from_row(Byline, BYLINE_FIELDS, row)
        byline.author = from_row(Author, AUTHOR_FIELDS, row["author"])
        signed.append(byline)
    story._prefetched_objects_cache = getattr(story, "_prefetched_objects_cache", {}) | {
        "bylines": signed,
        "notes": [from_row(StoryNote, NOTE_FIELDS, row) for row in notes],
        "photos": [from_row(Photo, PHOTO_FIELDS, row) for row in photos],
    }
    return story


def story_notes(story, language):
    """The notes readers of `language` see under the story, and its modification time:
    the last significant note's (see StoryNote), else the publication time, so a
    trivial save moves neither the "Updated" line nor dateModified."""
    notes = [note for note in story.notes.all() if note.has_language(language)]
    times = [note.noted_at for note in notes if note.is_significant]
    if story.published_at:
        times.append(story.published_at)
    return notes, max(times) if times else story.updated_at


def _related_stories(*, shape, story_id, rubric_id, moment, now, tag_ids):
    """Live stories sharing the most tags with the story, then the same rubric's newest.

    Only the `window` stories published around it are ranked, half before and half
    after: the window's ends are the times of the half-th story each way (two index
    range scans), and the stories between them are read by a third instead of each
    being looked up by its key. The cost does not grow with the archive. Stories
    published at the very minute of an end are all in the window.
    """
    language, window, count = shape
    live = Article.objects.live(language, now=now).exclude(pk=story_id)
    half = window // 2
    # The time of the half-th story each way: the stories' order among those of one
    # minute does not change that time, so the index gives it without a sort.
    times = live.order_by().values("published_at")
    first = times.filter(published_at__lte=moment).order_by("-published_at")
    last = times.filter(published_at__gt=moment).order_by("published_at")
    # With fewer than `half` stories on a side, the window reaches the archive's end.
    around = Q(
        published_at__gte=Coalesce(Subquery(first[half - 1 : half]), Value(ARCHIVE_START)),
        published_at__lte=Coalesce(Subquery(last[half - 1 : half]), Value(now)),
    )
    same_rubric = Q(rubric_id=rubric_id)
    if not tag_ids:
        return (
            live.for_cards(language)
            .filter(around, same_rubric)
            .annotate(shared=Value(0))
            .order_by("-published_at", "-id")[:count]
        )
    # The tags each story of the window shares with this one, counted per story (an
    # index lookup each), never by reading every story carrying those tags: an EXISTS
    # here let PostgreSQL read all the links of the story's tags at once, which it
    # chose on a 100,000-story archive (1,500 links for two tags), so the page grew
    # with the archive.
    tagged = TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__in=tag_ids)
    shared = Coalesce(
        Subquery(
            tagged.order_by().values("content_object").annotate(count=Count("tag")).values("count")
        ),
        0,
    )
    return (
        live.for_cards(language)
        .filter(around)
        .annotate(shared=shared)
        .filter(same_rubric | Q(shared__gt=0))
        .order_by("-shared", "-published_at", "-id")[:count]
    )


# Before any story: the window's start when fewer stories precede the moment.
ARCHIVE_START = datetime(1, 1, 1, tzinfo=UTC)


# Compiled once per process and shape (newsroom.prepared): building and compiling this
# query was an eighth of a story page's time.
related_stories = PreparedQuery(Article, _related_stories)


def _story_by_slug(*, shape, slug, now):
    """The story at `slug` in `language`: live ones only, unless for staff (previews)."""
    language, staff = shape
    search_fields = [f"search_{code}" for code in LANGUAGE_CODES]
    # The page shows one language's text: the other languages' bodies stay in the
    # database, and so does modeltranslation's copy of the default language's, `body`
    # (deferred on the query itself: the queryset's defer() reads a bare "body" as the
    # page language's; the page reads its body through body_<language>).
    other_bodies = [f"body_{code}" for code in LANGUAGE_CODES if code != language]
    stories = Article.objects.select_related("rubric", "place").defer(*search_fields, *other_bodies)
    stories.query.add_deferred_loading(["body"])
    if connection.vendor == "postgresql":
        # The story's tags, bylines, notes and photos come with it, as JSON rows:
        # four queries fewer per page (see read_with_story).
        stories = stories.annotate(**story_rows())
    else:
        stories = stories.prefetch_related(
            "tags",
            "photos",
            Prefetch("notes", queryset=StoryNote.objects.order_by("noted_at", "id")),
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
        )
    if not staff:
        stories = stories.live(language, now=now)
    return stories.filter(**{f"slug_{language}": slug})[:1]


# Compiled once per process (newsroom.prepared).
story_by_slug = PreparedQuery(Article, _story_by_slug)


class ArticleDetailView(OldAddressMixin, PublicPageMixin, DetailView):
    """A story, at its address in the reader's language (an old address redirects).
    Readers see it only while it is live in their language; staff preview it.

    The page itself writes nothing, so it can be cached whole: readers are counted by
    the small request `count_read` answers (static/js/site.js sends it).
    """

    related_count = 4
    # Stories published just before this one that may be related: a bounded slice,
    # so the page costs the same with a thousand stories or a million.
    related_window = 200
    old_address_kind = "article"

    def get_object(self, queryset=None):
        found = story_by_slug(
            shape=(translation.get_language(), self.request.user.is_staff),
            slug=self.kwargs["slug"],
            now=timezone.now(),
        )
        if not found:
            raise Http404("No story at this address")
        story = read_with_story(found[0])
        self.preview = not (story.is_live and story.has_language(translation.get_language()))
        # Whoever may not edit a story that is not live gets the readers' 404.
        if self.preview and not workflow.can(
            workflow.Action.PREVIEW, article=story, user=self.request.user
        ):
            raise Http404
        return story

    def get_alternate_urls(self):
        urls = {}
        for code in self.object.languages:
            with translation.override(code):
                urls[code] = self.object.get_absolute_url()
        return urls

    def get_context_data(self, **kwargs):
        story = self.object
        language = translation.get_language()
        names = {tag: in_language(tag, "name", language) for tag in self.story_tags(story)}
        tags = sorted((tag for tag, name in names.items() if name), key=names.__getitem__)
        notes, modified_at = story_notes(story, language)
        return super().get_context_data(
            preview=self.preview,
            tags=tags,
            notes=notes,
            modified_at=modified_at,
            related=self.related(story),
            other_languages=self.other_languages(story),
            json_ld=self.json_ld(story, notes=notes, modified_at=modified_at),
            **kwargs,
        )

    @staticmethod
    def story_tags(story):
        """The story's tags: from the JSON rows read with it, else from the prefetch."""
        rows = getattr(story, "tag_rows", None)
        if rows is None:
            return list(story.tags.all())
        return [from_row(Tag, TAG_FIELDS, row) for row in rows]

    def other_languages(self, story):
        current = translation.get_language()
        links = []
        for code, url in self.get_alternate_urls().items():
            if code != current:
                links.append({"code": code, "url": url, "label": READ_IN[code]})
        return links

    def json_ld(self, story, *, notes, modified_at):
        """schema.org NewsArticle, for search engines' news results."""
        build = self.request.build_absolute_uri
        language = translation.get_language()
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": in_language(story, "title", language),
            "description": in_language(story, "lead", language),
            "inLanguage": language,
            "datePublished": timezone.localtime(story.published_at).isoformat()
            if story.published_at
            else None,
            "dateModified": timezone.localtime(modified_at).isoformat(),
            "articleSection": in_language(story.rubric, "name", language),
            "mainEntityOfPage": build(story.get_absolute_url()),
            "publisher": {
                "@type": "Organization",
                "name": agency_name(language),
                "logo": {"@type": "ImageObject", "url": build(static("img/logo.svg"))},
            },
        }
        if story.image:
            # The largest cropped JPEG, as og:image: not the upload, which may be huge.
            picture = story.picture
            data["image"] = [build(picture.largest_jpeg_url if picture else story.image.url)]
        corrections = [note for note in notes if note.kind in StoryNote.ON_CORRECTIONS_PAGE]
        if corrections:
            data["correction"] = [
                {
                    "@type": "CorrectionComment",
                    "text": note.text,
                    "datePublished": timezone.localtime(note.noted_at).isoformat(),
                }
                for note in corrections
            ]
        authors = [byline.author for byline in story.bylines.all()]
        if authors:
            data["author"] = [
                {
                    "@type": "Organization" if author.is_organization else "Person",
                    "name": str(author),
                    "url": build(author.get_absolute_url()),
                }
                for author in authors
            ]
        return data

    def related(self, story):
        """Stories sharing the most tags with this one, then the same rubric's newest
        (see related_stories)."""
        return related_stories(
            shape=(translation.get_language(), self.related_window, self.related_count),
            story_id=story.pk,
            rubric_id=story.rubric_id,
            moment=story.published_at or timezone.now(),
            now=timezone.now(),
            tag_ids=[tag.pk for tag in self.story_tags(story)],
        )

    def get_cache_tags(self, context):
        story = self.object
        tags = [f"story-{story.pk}", f"rubric-{story.rubric_id}"]
        if story.place_id:
            tags.append(f"place-{story.place_id}")
        tags += [f"tag-{tag.pk}" for tag in context["tags"]]
        tags += [f"author-{byline.author_id}" for byline in story.bylines.all()]
        return [*tags, *story_tags(context["related"])]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.preview:
            add_never_cache_headers(response)
        return response


class CorrectionsView(PublicPageMixin, ListView):
    """The corrections and clarifications of one language's site, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "notes"
    paginate_by = 20

    def get_queryset(self):
        body_fields = [
            f"article__{name}"
            for name in ("body", *(f"body_{code}" for code in LANGUAGE_CODES))
            + tuple(f"search_{code}" for code in LANGUAGE_CODES)
        ]
        return (
            StoryNote.objects.public()
            .corrections()
            .select_related("article")
            .defer(*body_fields)
            .order_by("-noted_at", "-id")
        )

    def get_cache_tags(self, context):
        return ["corrections", *story_tags(note.article for note in context["notes"])]


@csrf_exempt
@require_POST
def count_read(request, pk):
    """One reader read story `pk` (sent by the story page's script, not by robots).

    Exempt from CSRF: it only adds one to a counter, and the page that sends it is the
    same for every reader. Bots and staff are not counted.
    """
    user_agent = request.headers.get("User-Agent", "")
    if not (BOT_USER_AGENT.search(user_agent) or request.user.is_staff):
        record_read(article_id=pk)
    return HttpResponse(status=204)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
