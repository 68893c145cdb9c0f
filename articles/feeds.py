"""RSS 2.0 feeds of each language's site: all stories, and one per rubric."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from newsroom.pagecache import add_tags

from .dateline import agency_name
from .models import Article, Rubric


class LatestStoriesFeed(Feed):
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
        return Article.objects.live().for_listing().with_modified(get_language())

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
