"""sitemap.xml, an index of sections: each story in the languages it exists in,
with hreflang alternates. Sections split into pages of 50,000 addresses by themselves."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.urls import reverse

from .models import LANGUAGE_CODES, Article, Rubric


class ArticleSitemap(Sitemap):
    i18n = True
    alternates = True
    changefreq = "never"

    def items(self):
        return (
            Article.objects.published()
            .filter(Q(has_ky=True) | Q(has_ru=True))
            .only("slug_ky", "slug_ru", "updated_at", "published_at", "has_ky", "has_ru")
            .with_modified()
            .order_by("-published_at", "-id")
        )

    def get_languages_for_item(self, item):
        return item.languages

    def lastmod(self, item):
        # Publication or the last correction or update; a trivial save does not count.
        return item.modified_at


class RubricSitemap(Sitemap):
    i18n = True
    alternates = True
    changefreq = "hourly"

    def items(self):
        return Rubric.objects.active()

    def get_languages_for_item(self, item):
        return [code for code in LANGUAGE_CODES if getattr(item, f"slug_{code}")]


class HomeSitemap(Sitemap):
    i18n = True
    alternates = True
    changefreq = "always"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)


sitemaps = {"home": HomeSitemap, "rubrics": RubricSitemap, "stories": ArticleSitemap}
