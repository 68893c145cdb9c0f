import pytest
from django.contrib import auth
from django.core.management import call_command
from django.test import RequestFactory

from articles.models import Article, Rubric

pytestmark = pytest.mark.django_db


def authenticate(**credentials):
    # The login throttle (django-axes) counts per request, so logins come with one.
    return auth.authenticate(RequestFactory().post("/admin/login/"), **credentials)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_DIR = tmp_path
    # One width is enough here: the demo loads forty photos per test.
    settings.NEWSROOM_RENDITION_WIDTHS = [320]


def test_load_demo_twice_changes_nothing(monkeypatch):
    """The run command loads the demo on every start: the second load adds nothing."""
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    first = {
        (a.slug_ky, a.slug_ru): (a.published_at, a.title_ky, a.title_ru)
        for a in Article.objects.all()
    }
    call_command("load_demo", verbosity=0)
    second = {
        (a.slug_ky, a.slug_ru): (a.published_at, a.title_ky, a.title_ru)
        for a in Article.objects.all()
    }
    assert first == second
    assert len(first) >= 40
    assert Rubric.objects.count() == 8


def test_demo_has_stories_in_one_language_and_in_both(monkeypatch):
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    both = Article.objects.live("ky").filter(has_ru=True).count()
    ky_only = Article.objects.live("ky").filter(has_ru=False).count()
    ru_only = Article.objects.live("ru").filter(has_ky=False).count()
    assert both >= 25 and ky_only >= 3 and ru_only >= 3
    assert Article.objects.exclude(image="").count() >= 40
    assert Article.objects.filter(tags__isnull=False).distinct().count() >= 40


def test_reference_story_is_loaded_as_on_the_agency_page(monkeypatch):
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    story = Article.objects.get(title_ky__startswith="Министр Руслан Казакбаев")
    assert story.languages == ["ky"]
    assert story.rubric.name_ky == "Саясат"
    assert story.get_dateline("ky") == "Бишкек, 19.05.21. /Кабар/."
    assert story.body_ky.startswith("<p>Бүгүн, 19-майда Душанбеде")
    # The page furniture is left out.
    for furniture in ("Пикир", "Оставить комментарий", "86.5", "Саясат 0", "/Кабар/"):
        assert furniture not in story.body_ky


def test_demo_users_get_the_password_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo")
    out = capsys.readouterr().out
    for username in ("journalist", "editor", "moderator", "admin"):
        assert authenticate(username=username, password="demo-pass-123")
        assert username in out
    assert (
        authenticate(username="journalist", password="demo-pass-123")
        .groups.filter(name="Journalist")
        .exists()
    )


def test_demo_password_is_generated_once_and_printed(monkeypatch, capsys):
    monkeypatch.delenv("NEWSROOM_DEMO_PASSWORD", raising=False)
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    second = capsys.readouterr().out
    password = first.split("password: ")[1].split()[0]
    assert len(password) >= 12
    assert f"password: {password}" in second
    assert authenticate(username="editor", password=password)


def test_demo_comments_are_in_a_language_their_story_has(monkeypatch):
    from comments.models import Comment

    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    comments = Comment.objects.select_related("article")
    assert comments.filter(status=Comment.Status.APPROVED).exists()
    assert comments.filter(status=Comment.Status.PENDING).exists()
    for comment in comments:
        assert comment.article.has_language(comment.language), comment.text


def test_demo_photo_credit_is_said_once(client, monkeypatch):
    """The page writes "Photo:" before the credit; the demo's credit is the name alone."""
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    story = Article.objects.live("ru").exclude(image="").first()
    html = client.get(f"/ru/news/{story.slug_ru}/").content.decode()
    assert "Фото: Кабар" in html
    assert "Фото: Фото" not in html


def test_demo_shows_a_corrected_story_and_one_under_embargo(monkeypatch, client):
    from articles.models import StoryNote

    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    correction = StoryNote.objects.get(kind=StoryNote.Kind.CORRECTION)
    page = client.get(f"/ru/news/{correction.article.slug_ru}/").content.decode()
    assert correction.text_ru in page
    assert correction.text_ru in client.get("/ru/corrections/").content.decode()
    embargoed = Article.objects.get(embargo_until__isnull=False)
    assert embargoed.is_embargoed and embargoed not in Article.objects.published()
    call_command("load_demo", verbosity=0)
    assert StoryNote.objects.count() == 2
    assert Article.objects.filter(embargo_until__isnull=False).count() == 1


def test_demo_stories_are_signed_by_staff_a_correspondent_and_a_partner_agency(monkeypatch, client):
    """Contributors without accounts sign demo stories, and have their author pages."""
    from authors.models import Author

    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    external = Author.objects.filter(user=None)
    assert set(external.values_list("kind", flat=True)) == {"correspondent", "agency"}
    for author in external:
        assert author.bylines.exists()
        assert client.get(f"/ru/author/{author.slug}/").status_code == 200
    staff = Author.objects.get(user__username="journalist")
    assert (staff.name_ky, staff.kind) == ("Айгүл Асанова", "staff")
    assert Article.objects.filter(bylines__isnull=True).count() == 0
    assert Article.objects.filter(bylines__position=1).exists()


def test_the_main_demo_story_has_a_gallery_a_photo_in_the_text_and_a_video(client, monkeypatch):
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    story = Article.objects.live("ru").get(is_main=True)
    assert story.photos.count() == 3, "a second load adds no photos"
    html = client.get(f"/ru/news/{story.slug_ru}/").content.decode()
    body = html.split('class="story-body"')[1].split('class="gallery"')[0]
    assert "<picture>" in body and 'class="embed"' in body and "[фото" not in body
    gallery = html.split('class="gallery"')[1].split("</section>")[0]
    assert gallery.count("<picture>") == 2
    assert "Рынок в Оше" in gallery and "Фото: Кабар" in gallery
