"""Slug addresses made without reversing each link (newsroom.addresses) are the ones
reverse() makes, in every language and under a script prefix."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from newsroom.addresses import slug_url

VIEWS = ["articles:detail", "articles:rubric", "articles:tag", "authors:detail"]


@pytest.mark.parametrize("language", ["ky", "ru"])
@pytest.mark.parametrize("view_name", VIEWS)
def test_the_address_is_the_reversed_one(view_name, language):
    with translation.override(language):
        for slug in ["bishkek-saylov-2025", "a", "s_underscore-9"]:
            assert slug_url(view_name, slug) == reverse(view_name, kwargs={"slug": slug})


def test_each_language_and_script_prefix_has_its_own_address():
    with translation.override("ky"):
        assert slug_url("articles:detail", "jangylyk") == "/ky/news/jangylyk/"
    with translation.override("ru"):
        assert slug_url("articles:detail", "jangylyk") == "/ru/news/jangylyk/"
    set_script_prefix("/newsroom/")
    try:
        with translation.override("ru"):
            assert slug_url("articles:rubric", "politika") == "/newsroom/ru/rubric/politika/"
    finally:
        clear_script_prefix()
    with translation.override("ru"):
        assert slug_url("articles:rubric", "politika") == "/ru/rubric/politika/"


def test_what_is_not_a_slug_is_refused_as_reverse_refuses_it():
    with translation.override("ky"), pytest.raises(NoReverseMatch):
        slug_url("articles:detail", "")
    with translation.override("ky"), pytest.raises(NoReverseMatch):
        slug_url("articles:detail", "two/parts")


def test_the_pattern_is_reversed_once_per_view_and_language(monkeypatch):
    from newsroom import addresses

    calls = []
    real = addresses.reverse
    monkeypatch.setattr(addresses, "reverse", lambda *a, **k: calls.append(a) or real(*a, **k))
    addresses._around_slug.cache_clear()
    with translation.override("ru"):
        links = [slug_url("articles:detail", f"novost-{n}") for n in range(20)]
    assert links[3] == "/ru/news/novost-3/"
    assert len(calls) == 1


def test_a_template_link_follows_the_language_and_the_script_prefix():
    """The public templates' url() keeps a view's path per language and prefix."""
    from django.template import engines

    footer_link = engines["jinja2"].from_string("{{ url('articles:archive') }}")
    with translation.override("ky"):
        assert footer_link.render() == reverse("articles:archive") == "/ky/archive/"
    with translation.override("ru"):
        assert footer_link.render() == "/ru/archive/"
    set_script_prefix("/newsroom/")
    try:
        with translation.override("ru"):
            assert footer_link.render() == "/newsroom/ru/archive/"
    finally:
        clear_script_prefix()
    with translation.override("ru"):
        assert footer_link.render() == "/ru/archive/"
