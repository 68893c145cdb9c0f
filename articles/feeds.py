"""RSS 2.0 feeds of each language's site: all stories, and one per rubric.

Each item names its authors in `dc:creator` (one element each, in byline order) and
carries the story's picture as an `<enclosure>` of its lead-size rendition.
"""

from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from newsroom.pagecache import add_tags

from .cache import FRAGMENT_TIMEOUT
from .dateline import agency_name
from .models import Article, Byline, Rubric

DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class RssWithCreators(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item.get("creators", ()):
            handler.addQuickElement("dc:creator", name)


def enclosure_of(story) -> Enclosure | None:
    """The story picture's fallback JPEG (address, size, type), remembered per file."""
    picture = story.picture
    if not picture:
        return None
    key = f"articles:enclosure:{picture.fallback['url']}"
    found = cache.get(key)
    if found is None:
        try:
            found = picture.fallback_file() or {}
        except Exception:  # A missing or broken file is an item without a picture.
            found = {}
        cache.set(key, found, FRAGMENT_TIMEOUT if found else 60)
    if not found:
        return None
    return Enclosure(found["url"], str(found["length"]), found["mime"])


class LatestStoriesFeed(Feed):
    feed_type = RssWithCreators
    item_count = 30

    def __call__(self, request, *args, **kwargs):
        # Any change to a live story purges "feed" (articles/signals.py).
        add_tags(request, "feed")
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return _("%(agency)s: latest news") % {"agency": self.agency()}

    def description(self):
        return _("The newest stories of the national news agency %(agency)s.") % {
            "agency": self.agency()
        }

    def link(self):
        return reverse("articles:home")

    def stories(self):
        return (
            Article.objects.live()
            .for_listing()
            .with_modified(get_language())
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    def items(self):
        return self.stories()[: self.item_count]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_categories(self, item):
        return [item.rubric.name] if item.rubric.name else []

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Syndication makes item links absolute but not enclosures.
        for item in feed.items:
            for enclosure in item["enclosures"]:
                enclosure.url = request.build_absolute_uri(enclosure.url)
        return feed

    def item_enclosures(self, item):
        enclosure = enclosure_of(item)
        return [enclosure] if enclosure else []

    def item_extra_kwargs(self, item):
        return {"creators": [str(byline.author) for byline in item.bylines.all()]}

    def agency(self):
        return agency_name(get_language())


class RubricFeed(LatestStoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Rubric.objects.active(), slug=slug)

    def title(self, rubric):
        return _("%(agency)s: %(rubric)s") % {"agency": self.agency(), "rubric": rubric.name}

    def description(self, rubric):
        return _("The newest stories in the rubric “%(rubric)s”.") % {"rubric": rubric.name}

    def link(self, rubric):
        return rubric.get_absolute_url()

    def items(self, rubric):
        return self.stories().filter(rubric=rubric)[: self.item_count]
