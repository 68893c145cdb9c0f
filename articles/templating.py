"""What the public pages' templates (jinja2/) call: the data of their widgets, and filters.

A widget's template fetches its own data: `includes/rubric_menu.html` calls
`rubric_menu()`, `includes/most_read.html` calls `most_read()`.
"""

import json
from datetime import timedelta

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe
from jinja2 import pass_context

from articles.cache import FRAGMENT_TIMEOUT, MOST_READ_TIMEOUT, fragment_key
from articles.dateline import agency_name as dateline_agency_name
from articles.embeds import photo_ids, placeholders, video_for
from articles.models import LANGUAGE_CODES, Article, Rubric
from newsroom.dates import date_format
from newsroom.jinja2 import page_language, page_zone
from newsroom.pagecache import add_tags
from newsroom.prepared import PreparedQuery

MOST_READ_DAYS = 7
MOST_READ_COUNT = 5


def _active_rubric_names(*, shape):
    (language,) = shape
    return Rubric.objects.active().values_list(f"name_{language}", f"slug_{language}")


# Compiled once per process and language (newsroom.prepared).
active_rubric_names = PreparedQuery(Rubric, _active_rubric_names)


@pass_context
def rubric_menu(context):
    """The active rubrics, cached per language until a rubric or story changes."""
    language = translation.get_language()
    key = fragment_key("rubric-menu", language)
    items = cache.get(key)
    if items is None:
        items = [
            {"name": name, "url": Rubric.address(slug, language)}
            for name, slug in active_rubric_names(shape=(language,))
            if name and slug
        ]
        cache.set(key, items, FRAGMENT_TIMEOUT)
    request = context.get("request")
    return {"items": items, "current_path": request.path if request else ""}


def _most_read_stories(*, shape, now, since):
    language, count = shape
    return (
        Article.objects.live(language, now=now)
        .filter(published_at__gte=since)
        .order_by("-view_count", "-published_at")
        .only("title_ky", "title_ru", "slug_ky", "slug_ru")[:count]
    )


# Compiled once per process (newsroom.prepared).
most_read_stories = PreparedQuery(Article, _most_read_stories)


@pass_context
def most_read(context):
    """The most read live stories of the last week, cached per language."""
    language = translation.get_language()
    key = fragment_key("most-read-ids", language)
    items = cache.get(key)
    if items is None:
        now = timezone.now()
        items = [
            {"pk": story.pk, "title": story.title, "url": story.get_absolute_url()}
            for story in most_read_stories(
                shape=(language, MOST_READ_COUNT),
                now=now,
                since=now - timedelta(days=MOST_READ_DAYS),
            )
        ]
        cache.set(key, items, MOST_READ_TIMEOUT)
    add_tags(context.get("request"), *(f"story-{item['pk']}" for item in items))
    return items


def cards(stories, images="", leads=""):
    """The cards of a list of stories (the `story_cards` macro shows them).

    `images` and `leads`: "all" cards show theirs, the "first" only, or none ("").
    """
    language = translation.get_language()
    result = []
    for position, story in enumerate(stories):
        card = story.card(language)
        card["picture"] = story.picture if _shown(images, position) else None
        card["lead"] = card["lead"] if _shown(leads, position) else ""
        result.append(card)
    return result


def _shown(which, position):
    return which == "all" or (which == "first" and position == 0)


@pass_context
def language_links(context):
    """The language switch: the same page in each language, else that language's home."""
    alternates = context.get("alternate_urls") or {}
    current = translation.get_language()
    links = []
    for code in LANGUAGE_CODES:
        info = translation.get_language_info(code)
        if code in alternates:
            url, same_page = alternates[code], True
        else:
            with translation.override(code):
                url, same_page = reverse("articles:home"), False
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": url,
                "current": code == current,
                "same_page": same_page,
            }
        )
    return links


def agency_name():
    return dateline_agency_name(translation.get_language())


@pass_context
def press_date(context, value):
    """`19 мая 2021` in Russian, `19-май, 2021-ж.` in Kyrgyz."""
    return _press(context, value, "DATE_FORMAT")


@pass_context
def press_datetime(context, value):
    return _press(context, value, "DATETIME_FORMAT")


def _press(context, value, format_name):
    if not value:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value, page_zone(context))
    # Django's Kyrgyz month names are capitalised; the press writes them in lower case.
    return date_format(value, format_name, page_language(context)).lower()


@pass_context
def stream_time(context, value):
    """`14:05` for today's stories in the news stream, the date too for older ones."""
    zone = page_zone(context)
    local = timezone.localtime(value, zone)
    language = page_language(context)
    if local.date() == timezone.localdate(timezone=zone):
        return date_format(local, "TIME_FORMAT", language)
    return date_format(local, "SHORT_DATETIME_FORMAT", language)


def json_ld(value):
    """A dict as a JSON-LD script body that cannot break out of its <script>."""
    text = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return mark_safe(text.translate(_json_script_escapes))  # noqa: S308


@pass_context
def absolute_url(context, path):
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


def body_with_dateline(article):
    """The body with the dateline in bold at the start of its first paragraph, and
    its `[photo N]` and `[video URL]` lines shown as figures (articles.embeds).

    The body was sanitized when the story was saved, so it is safe to mark as such;
    what replaces the lines comes from our own templates.
    """
    dateline = format_html("<strong>{}</strong> ", article.get_dateline())
    body = _with_figures(article, (article.body or "").strip())
    if body.startswith("<p>"):
        return mark_safe(f"<p>{dateline}{body[3:]}")  # noqa: S308
    return mark_safe(f"<p>{dateline}</p>{body}")  # noqa: S308


def _with_figures(article, body):
    items = placeholders(body)
    if not items:
        return body
    photos = {photo.pk: photo for photo in article.photos.all()}
    parts, last = [], 0
    for item in items:
        parts.append(body[last : item.start])
        last = item.end
        if item.kind == "video":
            video = video_for(item.value)
            if video:
                parts.append(render_to_string("includes/embed.html", {"video": video}))
        elif item.value.isdigit() and int(item.value) in photos:
            photo = photos[int(item.value)]
            if photo.picture:
                parts.append(
                    render_to_string(
                        "includes/story_figure.html",
                        {
                            "picture": photo.picture,
                            "caption": photo.caption,
                            "credit": photo.credit,
                            "alt": photo.caption,
                            "lazy": True,
                        },
                    )
                )
    parts.append(body[last:])
    return "".join(parts).strip()


def gallery_photos(article):
    """The story's photos, in order, but those its text shows already."""
    in_text = set(photo_ids(article.body or ""))
    return [photo for photo in article.photos.all() if photo.pk not in in_text and photo.picture]


@pass_context
def iso_datetime(context, value):
    """A `datetime` attribute value: local time, whole seconds, with the UTC offset."""
    if not value:
        return ""
    return timezone.localtime(value, page_zone(context)).replace(microsecond=0).isoformat()


GLOBALS = {
    "absolute_url": absolute_url,
    "agency_name": agency_name,
    "cards": cards,
    "language_links": language_links,
    "most_read": most_read,
    "rubric_menu": rubric_menu,
    "localdate": timezone.localdate,
}

FILTERS = {
    "body_with_dateline": body_with_dateline,
    "gallery_photos": gallery_photos,
    "iso_datetime": iso_datetime,
    "json_ld": json_ld,
    "press_date": press_date,
    "press_datetime": press_datetime,
    "stream_time": stream_time,
}
