"""The admin speaks only the user's admin language, also where scripts draw it.

Every admin page type is opened in Chromium in Kyrgyz and in Russian, with the rich-text
editor's paragraph menu and a Select2 dropdown opened, and the rendered page is read for
Latin words: in visible text, in the title, alt, aria-label and placeholder a user meets,
and in the page title. What the newsroom typed (usernames, slugs, e-mail addresses, file
names, video addresses) is data, not interface, and is left out; so are the few words allowed below.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from reversion.models import Version

from articles.embeds import placeholders
from articles.models import Article, Photo, Tag
from authors.models import Author
from comments.models import Comment
from rates import services as rates_services
from rates.models import Currency

from .helpers import admin_login

pytestmark = pytest.mark.usefixtures("demo")

# Words allowed in Latin letters, each for a reason.
ALLOWED = {
    "ISO": "the name of the standard behind the currency codes",
    "RSS": "the feed format's name, written so in Kyrgyz and Russian",
    "Control": "a key as printed on the keyboard (Django's multiple-choice help text)",
    "Command": "a key as printed on the keyboard (Django's multiple-choice help text)",
    "Mac": "a brand (Django's multiple-choice help text)",
    "CTRL": "a key as printed on the keyboard (Django's Kyrgyz multiple-choice help text)",
    "Cmd": "a key as printed on the keyboard (Django's Kyrgyz multiple-choice help text)",
}

# The text, attributes and title a user meets, read from the rendered page.
READ_PAGE = """() => {
  const chunks = [document.title];
  const skipped = (el) => el.closest(
      'script, style, template, textarea, bdi, [hidden]') ||
      /Material/.test(getComputedStyle(el).fontFamily);  // icon ligatures draw a picture
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    if (node.parentElement && !skipped(node.parentElement)
        && !node.parentElement.closest('[lang]:not(html)[lang]:not([lang="' +
                                        document.documentElement.lang + '"])')) {
      chunks.push(node.textContent);
    }
  }
  for (const el of document.body.querySelectorAll('[title], [alt], [aria-label], [placeholder]')) {
    for (const name of ['title', 'alt', 'aria-label', 'placeholder']) {
      if (el.getAttribute(name)) chunks.push(el.getAttribute(name));
    }
  }
  for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) {
    chunks.push(el.value);
  }
  return chunks.join('\\n');
}"""

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def data_values():
    """What the newsroom typed: it may be Latin, and it is not the interface."""
    values = set(Currency.objects.values_list("code", flat=True))
    for user in User.objects.all():
        values |= {user.username, user.email}
    for code in ("ky", "ru"):
        values |= set(Tag.objects.values_list(f"slug_{code}", flat=True))
    values |= set(Comment.objects.values_list("email", flat=True))
    values |= set(Author.objects.values_list("slug", flat=True))
    for article in Article.objects.all():
        values |= {article.slug_ky, article.slug_ru, article.image.name}
        for code in ("ky", "ru"):
            body = getattr(article, f"body_{code}") or ""
            values |= {item.value for item in placeholders(body) if item.kind == "video"}
    values |= {photo.image.name for photo in Photo.objects.all()}
    return sorted((value for value in values if value), key=len, reverse=True)


def latin_words(text, data):
    for value in data:
        text = text.replace(value, " ")
    return sorted({word for word in LATIN_WORD.findall(text) if word not in ALLOWED})


def admin_pages():
    """One address of every admin page type, for the demo's content."""
    story = Article.objects.filter(tags__isnull=False, image__gt="").distinct().first()
    first, second = Version.objects.get_for_object(story).order_by("pk")[:2]
    pages = {
        "index": reverse("admin:index"),
        "password change": reverse("admin:password_change"),
        "translations": reverse("admin:articles_article_translations"),
        "recover list": reverse("admin:articles_article_recoverlist"),
        "compare": reverse("admin:articles_article_compare", args=[story.pk])
        + f"?version_id1={first.pk}&version_id2={second.pk}",
        "revision": reverse("admin:articles_article_revision", args=[story.pk, first.pk]),
    }
    superuser = User.objects.filter(is_superuser=True).first()
    asking = RequestFactory().get(reverse("admin:index"))
    asking.user = superuser
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        obj = story if model is Article else model.objects.order_by("pk").first()
        pages[f"{name} list"] = reverse(f"admin:{name}_changelist")
        # Comments and login records are never added by hand (their admins refuse it).
        if model is not Comment and model_admin.has_add_permission(asking):
            pages[f"{name} add"] = reverse(f"admin:{name}_add")
        if obj is not None:
            pages[f"{name} change"] = reverse(f"admin:{name}_change", args=[obj.pk])
            pages[f"{name} history"] = reverse(f"admin:{name}_history", args=[obj.pk])
            if opts.app_label != "auth":
                # Django's user and group delete pages list its internal link rows
                # ("User_groups object (2)"); left as Django writes them.
                pages[f"{name} delete"] = reverse(f"admin:{name}_delete", args=[obj.pk])
    return pages


def edit_the_story_twice(page, story):
    """Two saves in the browser, so that History and the compare page have lines to show."""
    for title in ("Биринчи оңдоо", "Экинчи оңдоо"):
        page.goto(reverse("admin:articles_article_change", args=[story.pk]))
        page.locator('a[href="#tab_id_title_ky"]').click()
        page.locator("#id_title_ky").fill(f"{title}: {story.title_ky}")
        page.locator("input[name=_continue]").click()
        page.wait_for_load_state()


def open_scripted_widgets(page):
    """Open what scripts draw only on demand: the editor's paragraph menu, a Select2 list."""
    # The icon buttons keep their icon (its name in the icon font), only their
    # tooltip and aria-label are translated.
    bold = page.locator(".prose-menubar__button.material-icons:visible", has_text="format_bold")
    assert bold.count() == 1
    assert bold.get_attribute("aria-label") != "bold"
    page.locator(".prose-menubar__selected:visible").first.click()
    search = page.locator(".select2-selection--multiple:visible").first
    search.click()
    page.keyboard.type("жжжжжж")
    page.locator(".select2-results__message").wait_for()


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_admin_page_speaks_only_the_users_language(new_page, language, monkeypatch):
    # The National Bank is out of reach: nothing listens on port 9.
    monkeypatch.setattr(rates_services, "DEFAULT_FEED_URLS", ("http://127.0.0.1:9/daily.xml",))
    page = new_page(locale="ky")
    admin_login(page, "admin")
    if language == "ru":
        # The user's own choice, made in the admin's user tools.
        page.locator("#admin-language").select_option("ru")
        page.locator("#admin-language-form button[type=submit]").click()
        page.wait_for_load_state()
    story = Article.objects.filter(tags__isnull=False, image__gt="").distinct().first()
    edit_the_story_twice(page, story)
    data = data_values()
    leaks = {}

    def scan(page, name):
        assert page.locator("html").get_attribute("lang") == language, name
        words = latin_words(page.evaluate(READ_PAGE), data)
        if words:
            leaks[name] = words

    for name, url in admin_pages().items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        if name == "articles_article change":
            open_scripted_widgets(page)
        scan(page, name)

    # A story form sent back with errors.
    page.goto(reverse("admin:articles_article_add"))
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert page.locator(".errornote").count() == 1
    scan(page, "story form with errors")

    # The exchange-rate import, which cannot reach the National Bank from here.
    page.goto(reverse("admin:rates_rate_changelist"))
    page.locator("form[action$='/fetch/'] button, form[action$='/fetch/'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .error").count() == 1
    scan(page, "rates import failure")

    # A refusal, and the login page.
    journalist = new_page(locale=language)
    admin_login(journalist, "journalist")
    response = journalist.goto(reverse("admin:articles_article_recoverlist"))
    assert response.status == 403
    scan(journalist, "403")
    anonymous = new_page(locale=language)
    anonymous.goto(reverse("admin:login"))
    scan(anonymous, "login")

    assert not leaks, "Latin words in the admin:\n" + "\n".join(
        f"  {name}: {', '.join(words)}" for name, words in leaks.items()
    )
