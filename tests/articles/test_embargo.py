"""Embargo: a time before which no one can publish a story. Until then it is on no
page, feed, sitemap or search, and not in any cache; editors see it in their list;
only a senior editor may lift it early, and that is written in the story's history."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from articles import workflow
from articles.cache import NEXT_SCHEDULED_KEY
from articles.models import Article
from tests.articles.admin_client import change_url, page_form
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

Status = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")


def ky(message, **values):
    with translation.override("ky"):
        text = gettext(message)
    return text % values if values else text


def when(moment):
    with translation.override("ky"):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def split(moment):
    local = timezone.localtime(moment)
    return {"embargo_until_0": local.date().isoformat(), "embargo_until_1": local.strftime("%H:%M")}


def minute(moment):
    return moment.replace(second=0, microsecond=0)


@pytest.fixture
def senior_editor():
    return make_user("aisuluu", role="Senior editor")


def test_a_published_story_under_embargo_is_not_live_until_the_embargo_ends(time_machine):
    """Even a story whose publication time has passed stays hidden while embargoed."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    story = make_article(embargo_until=start + timedelta(hours=2))
    assert story not in Article.objects.published()
    assert story not in Article.objects.live("ky")
    assert story in Article.objects.scheduled()
    assert workflow.state_of(story) == workflow.State.SCHEDULED
    time_machine.move_to(start + timedelta(hours=2, seconds=1), tick=False)
    assert story in Article.objects.live("ky")
    assert story.is_live


def test_publishing_now_under_embargo_is_refused_with_the_reason(editor):
    until = timezone.now() + timedelta(hours=3)
    story = make_article(status=Status.SUBMITTED, embargo_until=until)
    with pytest.raises(ValidationError) as refused:
        workflow.publish(article=story, user=editor)
    expected = ky(
        "This story is under embargo until %(time)s. Schedule it for that time or later.",
        time=when(until),
    )
    with translation.override("ky"):
        assert expected in refused.value.messages
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED


def test_scheduling_before_the_embargo_is_refused_and_at_it_allowed(editor):
    until = timezone.now() + timedelta(hours=3)
    story = make_article(status=Status.SUBMITTED, embargo_until=until)
    with pytest.raises(ValidationError):
        workflow.publish(article=story, user=editor, at=until - timedelta(minutes=1))
    workflow.publish(article=story, user=editor, at=until)
    story.refresh_from_db()
    assert (story.status, story.published_at) == (Status.PUBLISHED, until)
    assert story not in Article.objects.published()


def test_bulk_publish_leaves_an_embargoed_story_alone_and_says_why(client, editor):
    until = timezone.now() + timedelta(hours=3)
    story = make_article(status=Status.SUBMITTED, embargo_until=until, title_ky="Эмбарго")
    client.force_login(editor)
    response = client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [story.pk]},
        follow=True,
    )
    story.refresh_from_db()
    assert story.status == Status.SUBMITTED
    assert (
        ky(
            "This story is under embargo until %(time)s. Schedule it for that time or later.",
            time=when(until),
        )
        in response.content.decode()
    )


def test_editor_sets_an_embargo_and_schedules_without_a_time_it_goes_live_at_the_embargo(
    client, editor
):
    story = make_article(status=Status.SUBMITTED)
    until = minute(timezone.now() + timedelta(days=1))
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), **split(until))
    response = client.post(action, data | {"_schedule": "1"})
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.embargo_until, story.published_at) == (
        Status.PUBLISHED,
        until,
        until,
    )
    listing = client.get(CHANGELIST).content.decode()
    assert ky("Embargoed until %(time)s", time=when(until)) in listing
    history = client.get(reverse("admin:articles_article_history", args=[story.pk]))
    assert ky("Under embargo until %(time)s.", time=when(until)) in history.content.decode()


def test_an_embargo_in_the_past_is_refused_on_the_field_and_the_text_is_kept(client, editor):
    story = make_article(status=Status.SUBMITTED, title_ky="Эски аталыш")
    client.force_login(editor)
    action, data = page_form(
        client.get(change_url(story)),
        title_ky="Жаңы терилген аталыш",
        **split(timezone.now() - timedelta(days=1)),
    )
    response = client.post(action, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert ky("The embargo must end in the future. Choose a later time or leave it empty.") in html
    assert "Жаңы терилген аталыш" in html
    story.refresh_from_db()
    assert (story.title_ky, story.embargo_until) == ("Эски аталыш", None)


def test_an_embargo_cannot_be_put_on_a_story_readers_already_have(client, editor):
    story = make_article()
    client.force_login(editor)
    action, data = page_form(
        client.get(change_url(story)), **split(timezone.now() + timedelta(days=1))
    )
    response = client.post(action, data)
    assert response.status_code == 200
    assert (
        ky("Readers already see this story: an embargo can only be set before publication.")
        in response.content.decode()
    )
    story.refresh_from_db()
    assert story.embargo_until is None


def test_an_editor_may_not_lift_an_embargo_early(client, editor):
    until = minute(timezone.now() + timedelta(days=1))
    story = make_article(status=Status.SUBMITTED, embargo_until=until, title_ky="Эмбарго")
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), title_ky="Өзгөрткөн аталыш")
    data |= {"embargo_until_0": "", "embargo_until_1": ""}
    response = client.post(action, data | {"_publish": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert ky("Only a senior editor may lift an embargo or shorten it.") in html
    assert "Өзгөрткөн аталыш" in html
    story.refresh_from_db()
    assert (story.embargo_until, story.status) == (until, Status.SUBMITTED)


def test_a_senior_editor_lifts_an_embargo_and_publishes_and_the_history_says_so(
    client, senior_editor
):
    until = minute(timezone.now() + timedelta(days=1))
    story = make_article(status=Status.SUBMITTED, embargo_until=until)
    client.force_login(senior_editor)
    action, data = page_form(client.get(change_url(story)))
    data |= {"embargo_until_0": "", "embargo_until_1": ""}
    assert client.post(action, data | {"_publish": "1"}).status_code == 302
    story.refresh_from_db()
    assert story.embargo_until is None and story.is_live
    history = client.get(reverse("admin:articles_article_history", args=[story.pk]))
    html = history.content.decode()
    assert ky("Embargo lifted early (it was to last until %(time)s).", time=when(until)) in html
    assert ky("Published.") in html


def test_lifting_an_embargo_is_a_step_of_its_own_in_the_workflow(editor, senior_editor):
    until = timezone.now() + timedelta(hours=5)
    story = make_article(status=Status.SUBMITTED, embargo_until=until)
    assert not workflow.may(workflow.Action.LIFT_EMBARGO, article=story, user=editor)
    workflow.lift_embargo(article=story, user=senior_editor)
    story.refresh_from_db()
    assert story.embargo_until is None
    workflow.publish(article=story, user=senior_editor)
    assert story.is_live


def test_an_embargoed_story_is_on_no_public_page_and_no_preview_leaks(client, journalist):
    story = make_article(
        title_ky="Жашыруун кабар",
        published_at=timezone.now() + timedelta(hours=2),
        embargo_until=timezone.now() + timedelta(hours=2),
    )
    for path in ("/ky/", "/ky/rss/", "/sitemap-stories.xml", "/ky/search/?q=Жашыруун"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Жашыруун кабар" not in page.content.decode(), path
        assert story.slug not in page.content.decode(), path
    assert client.get(f"/ky/news/{story.slug_ky}/").status_code == 404
    # A journalist who may not edit it gets the readers' 404, in the admin's preview too.
    client.force_login(journalist)
    assert client.get(f"/ky/news/{story.slug_ky}/").status_code == 404
    preview = reverse("admin:articles_article_preview", args=[story.pk, "ky"])
    assert client.get(preview).status_code in (403, 404)


def test_editors_filter_their_list_by_embargo(client, editor):
    make_article(title_ky="Эмбаргосу бар", embargo_until=timezone.now() + timedelta(hours=1))
    make_article(title_ky="Эркин кабар")
    client.force_login(editor)
    under = client.get(CHANGELIST, {"embargo": "yes"}).content.decode()
    assert "Эмбаргосу бар" in under and "Эркин кабар" not in under
    free = client.get(CHANGELIST, {"embargo": "no"}).content.decode()
    assert "Эркин кабар" in free and "Эмбаргосу бар" not in free


def test_an_embargo_ending_shows_the_story_on_cached_pages_without_a_purge(reader, time_machine):
    """Even a story once live, taken off and republished under embargo (its first
    publication time kept) appears when the embargo ends, as a scheduled one does."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    make_article(title_ky="Мурунку")
    make_article(
        title_ky="Эмбаргодон кийин",
        published_at=start - timedelta(days=1),
        embargo_until=start + timedelta(minutes=5),
    )
    cache.delete(NEXT_SCHEDULED_KEY)
    home = reader.get("/ky/")
    assert "Эмбаргодон кийин" not in home["body"]
    assert reader.get("/ky/")["hit"]
    seconds = int(re.search(r"s-maxage=(\d+)", home["headers"]["cache-control"]).group(1))
    assert 0 < seconds <= 5 * 60
    time_machine.move_to(start + timedelta(minutes=5, seconds=1), tick=False)
    home = reader.get("/ky/")
    assert not home["hit"] and "Эмбаргодон кийин" in home["body"]


def test_restoring_an_older_version_keeps_the_embargo(client, editor):
    from reversion.models import Version

    story = make_article(status=Status.SUBMITTED, title_ky="Биринчи")
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), title_ky="Экинчи")
    assert client.post(action, data).status_code == 302
    until = minute(timezone.now() + timedelta(days=1))
    action, data = page_form(client.get(change_url(story)), **split(until))
    assert client.post(action, data).status_code == 302
    oldest = Version.objects.get_for_object(story).last()
    url = reverse("admin:articles_article_revision", args=[story.pk, oldest.pk])
    action, data = page_form(client.get(url))
    assert client.post(action, data).status_code == 302
    story.refresh_from_db()
    assert (story.title_ky, story.embargo_until) == ("Экинчи", until)


def test_an_embargo_ending_after_the_scheduled_time_is_refused_until_rescheduled(client, editor):
    at = minute(timezone.now() + timedelta(hours=2))
    story = make_article(status=Status.PUBLISHED, published_at=at)
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), **split(at + timedelta(hours=1)))
    response = client.post(action, data)
    assert response.status_code == 200
    assert (
        ky(
            "The story is scheduled for %(time)s, before this embargo ends. Schedule it "
            "again for the embargo's end or later.",
            time=when(at),
        )
        in response.content.decode()
    )
    later = at + timedelta(hours=1)
    data |= {"publish_at_0": split(later)["embargo_until_0"]}
    data |= {"publish_at_1": split(later)["embargo_until_1"], "_schedule": "1"}
    assert client.post(action, data).status_code == 302
    story.refresh_from_db()
    assert (story.embargo_until, story.published_at) == (later, later)


def test_saving_the_form_as_shown_keeps_an_embargo_stored_to_the_second(client, editor):
    """The form shows minutes; sending the shown time back is not lifting the embargo."""
    until = timezone.now() + timedelta(days=1, seconds=29)
    story = make_article(status=Status.SUBMITTED, embargo_until=until, title_ky="Биринчи")
    client.force_login(editor)
    action, data = page_form(client.get(change_url(story)), title_ky="Экинчи")
    data |= split(until)
    assert client.post(action, data).status_code == 302
    story.refresh_from_db()
    assert story.title_ky == "Экинчи"
    assert abs(story.embargo_until - until) < timedelta(minutes=1)


def test_the_next_story_to_go_live_is_the_earliest_of_scheduled_and_embargoed_ones():
    """Every cacheable page is kept no longer than until then (articles.cache)."""
    from articles.cache import remember_next_scheduled

    now = timezone.now()
    make_article(published_at=now - timedelta(hours=1))  # live
    # Scheduled for 20 minutes, under embargo until 50: live at 50.
    make_article(
        published_at=now + timedelta(minutes=20), embargo_until=now + timedelta(minutes=50)
    )
    make_article(published_at=now + timedelta(minutes=30))  # scheduled: live at 30
    make_article(status=Article.Status.DRAFT, published_at=now + timedelta(minutes=5))
    assert remember_next_scheduled() == pytest.approx((now + timedelta(minutes=30)).timestamp())
    # Published an hour ago, under embargo for ten more minutes: live at 10.
    make_article(published_at=now - timedelta(hours=1), embargo_until=now + timedelta(minutes=10))
    assert remember_next_scheduled() == pytest.approx((now + timedelta(minutes=10)).timestamp())
