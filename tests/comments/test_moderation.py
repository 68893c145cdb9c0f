"""Moderation: services keep counts right, the admin queue, and who may do what."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from comments import services
from comments.models import Comment, StopWord
from tests.factories import make_article, make_user

from .helpers import post_comment, story_url

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/"


def add(article, text="Текст", status=Comment.Status.PENDING, **kwargs):
    kwargs.setdefault("name", "Окурман")
    kwargs.setdefault("language", "ky")
    return Comment.objects.create(article=article, text=text, status=status, **kwargs)


def test_approval_makes_the_comment_visible_at_once_and_raises_the_count(client):
    """The whole story: a reader posts, a moderator approves, the page shows it and the count."""
    article = make_article()
    post_comment(client, article, text="Окурмандын пикири")
    moderator = make_user(role="Moderator")
    comment = Comment.objects.get()

    services.comment_approve(comment=comment, user=moderator)

    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator
    assert comment.moderated_at is not None
    assert article.comment_count == 1
    page = client.get(story_url(article)).content.decode()
    assert "Окурмандын пикири" in page
    assert '<span class="comments__count">1</span>' in page


def test_reject_and_spam_keep_the_text_and_lower_the_count():
    article = make_article()
    user = make_user(role="Moderator")
    a = add(article, "Биринчи")
    b = add(article, "Экинчи")
    services.comment_approve(comment=a, user=user)
    services.comment_approve(comment=b, user=user)
    article.refresh_from_db()
    assert article.comment_count == 2

    services.comment_reject(comment=a, user=user)
    services.comment_mark_spam(comment=b, user=user)

    article.refresh_from_db()
    assert article.comment_count == 0
    assert Comment.objects.get(pk=a.pk).text == "Биринчи"
    assert Comment.objects.get(pk=b.pk).status == Comment.Status.SPAM
    assert Comment.objects.get(pk=b.pk).text == "Экинчи"


def test_replies_count_and_follow_their_parent():
    article = make_article()
    user = make_user(role="Moderator")
    top = add(article, status=Comment.Status.APPROVED)
    add(article, parent=top, status=Comment.Status.APPROVED)
    services.comment_counts_refresh(article_ids=[article.pk])
    article.refresh_from_db()
    assert article.comment_count == 2

    services.comment_reject(comment=top, user=user)
    article.refresh_from_db()
    assert article.comment_count == 0  # the reply is hidden with its thread


def test_moderating_again_keeps_the_first_record():
    article = make_article()
    first, second = make_user(role="Moderator"), make_user(role="Editor")
    comment = add(article)
    services.comment_approve(comment=comment, user=first)
    services.comment_approve(comment=comment, user=second)
    assert Comment.objects.get().moderated_by == first


def test_delete_lowers_the_count():
    article = make_article()
    add(article, status=Comment.Status.APPROVED)
    add(article, status=Comment.Status.APPROVED)
    services.comment_counts_refresh(article_ids=[article.pk])
    services.comments_delete(comments=Comment.objects.filter(pk=Comment.objects.first().pk))
    article.refresh_from_db()
    assert article.comment_count == 1


def test_counting_does_not_touch_the_story_version_or_modification_time():
    """Editors' optimistic locking must not trip because a comment was approved."""
    article = make_article()
    version, updated = article.version, article.updated_at
    services.comment_approve(comment=add(article), user=make_user(role="Moderator"))
    article.refresh_from_db()
    assert (article.version, article.updated_at) == (version, updated)


# The admin queue -----------------------------------------------------------------


@pytest.fixture
def moderator_client(client):
    client.force_login(make_user(role="Moderator"))
    return client


def test_queue_shows_pending_first_then_newest_with_story_and_language(moderator_client):
    article = make_article()
    add(article, "Эски күтүүдө")
    add(article, "Жактырылган", status=Comment.Status.APPROVED)
    add(article, "Жаңы күтүүдө", language="ru")
    page = moderator_client.get(QUEUE).content.decode()
    assert page.index("Жаңы күтүүдө") < page.index("Эски күтүүдө") < page.index("Жактырылган")
    assert str(article) in page
    assert "formaction" in page


def test_queue_filters_and_search(moderator_client):
    article = make_article()
    add(article, "Орусча пикир", language="ru")
    add(article, "Кыргызча пикир", status=Comment.Status.APPROVED)
    page = moderator_client.get(QUEUE, {"language__exact": "ru"}).content.decode()
    assert "Орусча пикир" in page and "Кыргызча пикир" not in page
    page = moderator_client.get(QUEUE, {"status__exact": "approved"}).content.decode()
    assert "Кыргызча пикир" in page and "Орусча пикир" not in page
    page = moderator_client.get(QUEUE, {"q": "Орусча"}).content.decode()
    assert "Орусча пикир" in page and "Кыргызча пикир" not in page
    page = moderator_client.get(QUEUE, {"article__id__exact": article.pk}).content.decode()
    assert "Орусча пикир" in page


@pytest.mark.parametrize(
    ("action", "status", "count"),
    [
        ("approve_selected", Comment.Status.APPROVED, 2),
        ("reject_selected", Comment.Status.REJECTED, 0),
        ("mark_selected_spam", Comment.Status.SPAM, 0),
    ],
)
def test_bulk_moderation(moderator_client, action, status, count):
    article = make_article()
    a, b = add(article, "A"), add(article, "B")
    untouched = add(article, "C")
    response = moderator_client.post(QUEUE, {"action": action, "_selected_action": [a.pk, b.pk]})
    assert response.status_code == 302
    assert set(Comment.objects.filter(status=status).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Comment.objects.get(pk=untouched.pk).status == Comment.Status.PENDING
    assert Comment.objects.get(pk=a.pk).text == "A"
    article.refresh_from_db()
    assert article.comment_count == count


def test_one_click_approve_and_reject(moderator_client):
    article = make_article()
    comment = add(article)
    url = reverse("admin:comments_comment_approve", args=[comment.pk])
    assert moderator_client.get(url).status_code == 405
    assert moderator_client.post(url).status_code == 302
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert article.comment_count == 1
    moderator_client.post(reverse("admin:comments_comment_reject", args=[comment.pk]))
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert article.comment_count == 0


def test_changing_status_in_the_change_form_goes_through_moderation(moderator_client):
    article = make_article()
    moderator = make_user(role="Editor")
    moderator_client.force_login(moderator)
    comment = add(article, "Өзгөрбөйт")
    response = moderator_client.post(
        f"{QUEUE}{comment.pk}/change/", {"status": "approved", "allow_links": "on"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    article.refresh_from_db()
    assert (comment.status, comment.allow_links, comment.moderated_by) == (
        "approved",
        True,
        moderator,
    )
    assert comment.text == "Өзгөрбөйт"
    assert article.comment_count == 1


def test_comments_from_the_same_address_are_one_click_away(moderator_client):
    article = make_article()
    first = add(article, "Биринчи", ip_hash=services.address_hash("203.0.113.1"))
    add(article, "Экинчи", ip_hash=services.address_hash("203.0.113.1"))
    add(article, "Башка", ip_hash=services.address_hash("203.0.113.2"))
    page = moderator_client.get(f"{QUEUE}{first.pk}/change/").content.decode()
    link = f"{QUEUE}?ip_hash={first.ip_hash}"
    assert link in page
    page = moderator_client.get(link).content.decode()
    assert "Экинчи" in page and "Башка" not in page


def test_one_click_needs_csrf():
    from django.test import Client

    article = make_article()
    comment = add(article)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(make_user(role="Moderator"))
    response = csrf_client.post(reverse("admin:comments_comment_approve", args=[comment.pk]))
    assert response.status_code == 403
    assert Comment.objects.get().status == Comment.Status.PENDING


# Permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "can_moderate"),
    [(None, False), ("Journalist", False), ("Moderator", True), ("Editor", True)],
)
def test_permission_matrix(client, role, can_moderate):
    article = make_article()
    comment = add(article)
    if role:
        client.force_login(make_user(role=role))

    queue = client.get(QUEUE)
    approve = client.post(reverse("admin:comments_comment_approve", args=[comment.pk]))
    bulk = client.post(QUEUE, {"action": "approve_selected", "_selected_action": [comment.pk]})
    stopwords = client.get("/admin/comments/stopword/")

    if can_moderate:
        assert queue.status_code == 200
        assert stopwords.status_code == 200
        assert Comment.objects.get().status == Comment.Status.APPROVED
    else:
        expected = 302 if role is None else 403  # anonymous readers are sent to log in
        assert queue.status_code == expected
        assert approve.status_code == expected
        assert bulk.status_code == expected
        assert stopwords.status_code == expected
        assert Comment.objects.get().status == Comment.Status.PENDING


def test_moderators_cannot_edit_stories(client):
    client.force_login(make_user(role="Moderator"))
    article = make_article()
    url = f"/admin/articles/article/{article.pk}/change/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"title_ky": "Өзгөрдү", "_publish": "1"}).status_code == 403
    article.refresh_from_db()
    assert article.title_ky != "Өзгөрдү"
    assert client.get(QUEUE).status_code == 200


def test_nobody_adds_comments_in_the_admin(moderator_client):
    assert moderator_client.get(f"{QUEUE}add/").status_code == 403


def test_stop_words_are_managed_in_the_admin(moderator_client):
    response = moderator_client.post("/admin/comments/stopword/add/", {"word": "Казино"})
    assert response.status_code == 302
    assert StopWord.objects.get().word == "казино"
    response = moderator_client.post("/admin/comments/stopword/add/", {"word": "казино"})
    assert response.status_code == 200  # the same word in another case is refused
    assert StopWord.objects.count() == 1


# The admin front page's count --------------------------------------------------------


def render_pending(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return Template('{% include "comments/includes/admin_pending.html" %}').render(
        Context({"request": request, "user": user})
    )


def test_front_page_count_for_moderators():
    article = make_article()
    add(article)
    add(article)
    add(article, status=Comment.Status.APPROVED)
    with translation.override("ky"):
        html = render_pending(make_user(role="Moderator"))
        expected = ngettext(
            "%(counter)s comment is waiting for moderation.",
            "%(counter)s comments are waiting for moderation.",
            2,
        ) % {"counter": 2}
    assert expected in " ".join(html.split())
    assert "/admin/comments/comment/?status__exact=pending" in html


@pytest.mark.parametrize("role", [None, "Journalist"])
def test_front_page_count_is_silent_for_others(role):
    from django.contrib.auth.models import AnonymousUser

    add(make_article())
    user = make_user(role=role) if role else AnonymousUser()
    assert render_pending(user).strip() == ""


def test_admin_index_renders_for_a_journalist(client):
    client.force_login(make_user(role="Journalist"))
    assert client.get("/admin/").status_code == 200


def test_queue_query_count_does_not_grow_with_the_comments(moderator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_queue():
        with CaptureQueriesContext(connection) as ctx:
            assert moderator_client.get(QUEUE).status_code == 200
        return len(ctx.captured_queries)

    for _n in range(3):
        add(make_article(), moderated_by=make_user())
    few = queries_for_queue()
    for _n in range(12):
        add(make_article(), moderated_by=make_user())
    assert queries_for_queue() == few
