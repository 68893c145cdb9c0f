"""RSS feeds, sitemap.xml and robots.txt, read by real parsers."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_rubric

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_language_feed_is_valid_rss_with_that_languages_live_stories(client, language):
    both = make_article(lead_ru="Цитата: «кавычки» & <амперсанд>")
    only_ky = make_article(languages=("ky",))
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=timezone.now() + timedelta(hours=1))
    response = client.get(f"/{language}/rss/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.language == language
    links = [entry.link for entry in feed.entries]
    both_url = f"http://testserver/{language}/news/{getattr(both, f'slug_{language}')}/"
    assert both_url in links
    assert (f"http://testserver/{language}/news/{only_ky.slug_ky}/" in links) == (language == "ky")
    assert len(feed.entries) == (2 if language == "ky" else 1)
    entry = feed.entries[links.index(both_url)]
    assert entry.title == getattr(both, f"title_{language}")
    assert entry.published_parsed is not None


def test_rubric_feed_lists_only_that_rubric(client):
    rubric = make_rubric(slug_ru="ekonomika")
    inside = make_article(rubric=rubric)
    make_article()
    feed = feedparser.parse(client.get("/ru/rss/ekonomika/").content)
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == [inside.title_ru]
    assert rubric.name_ru in feed.feed.title
    assert client.get("/ru/rss/no-such-rubric/").status_code == 404


def test_sitemap_lists_each_story_in_its_languages_with_hreflang_alternates(client):
    both = make_article()
    only_ru = make_article(languages=("ru",))
    hidden = make_article(status=Article.Status.UNPUBLISHED)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = [
        loc.text
        for loc in ET.fromstring(index.content).iter(f"{SITEMAP}loc")  # noqa: S314 (ours)
    ]
    assert "http://testserver/sitemap-stories.xml" in sections
    nodes = []
    for section in sections:
        response = client.get(section.removeprefix("http://testserver"))
        assert response.status_code == 200
        nodes.extend(ET.fromstring(response.content).iter(f"{SITEMAP}url"))  # noqa: S314
    entries = {}
    for node in nodes:
        alternates = {link.get("hreflang"): link.get("href") for link in node.iter(f"{XHTML}link")}
        entries[node.find(f"{SITEMAP}loc").text] = alternates
    base = "http://testserver"
    assert entries[f"{base}/ky/news/{both.slug_ky}/"] == {
        "ky": f"{base}/ky/news/{both.slug_ky}/",
        "ru": f"{base}/ru/news/{both.slug_ru}/",
    }
    assert f"{base}/ru/news/{both.slug_ru}/" in entries
    assert entries[f"{base}/ru/news/{only_ru.slug_ru}/"] == {
        "ru": f"{base}/ru/news/{only_ru.slug_ru}/"
    }
    assert not only_ru.slug_ky  # no Kyrgyz title, no Kyrgyz address
    assert not any(hidden.slug_ky in loc or hidden.slug_ru in loc for loc in entries)
    assert f"{base}/ky/" in entries and f"{base}/ru/" in entries


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text
