"""The comment form renders as Django's Jinja2 templates render it (comments.rendering),
blank, as a reply, filled in and with its errors."""

import pytest
from django.forms.renderers import Jinja2
from django.utils import translation

from comments.forms import CommentForm
from comments.rendering import WRITTEN_OUT, ReaderFormRenderer
from tests.factories import make_article

pytestmark = pytest.mark.django_db

TRICKY = "Айгүл <b>\"Кыз\"</b> & 'co'"


def rendered(form) -> list[str]:
    """What the comment form's template puts on the page, field by field."""
    html = []
    for field in form:
        html += [str(field.label_tag()), str(field), str(field.errors)]
    return html


def both_ways(**kwargs):
    article = make_article()
    ours = CommentForm(article=article, renderer=ReaderFormRenderer(), **kwargs)
    django = CommentForm(article=article, renderer=Jinja2(), **kwargs)
    if ours.is_bound:
        ours.is_valid(), django.is_valid()
    return rendered(ours), rendered(django)


@pytest.mark.parametrize("language", ["ky", "ru"])
@pytest.mark.parametrize(
    "state",
    [
        {"initial": {"started": ""}},
        {"initial": {"started": "", "parent": 12}},
        {"data": {"name": TRICKY, "email": "a@b.kg", "text": TRICKY + "\n\nдагы", "started": ""}},
        {"data": {"name": "", "email": "not an e-mail", "text": "", "website": "http://spam"}},
        {"data": {"name": "x" * 81, "text": "<script>alert(1)</script>", "parent": "abc"}},
    ],
)
def test_the_comment_form_is_rendered_as_djangos_jinja2_templates_render_it(language, state):
    with translation.override(language):
        ours, django = both_ways(**state)
    assert ours == django
    assert any("<input" in html for html in ours) and any("<textarea" in html for html in ours)
    assert any("<label" in html for html in ours)


def test_typed_text_comes_back_escaped():
    with translation.override("ru"):
        ours, _ = both_ways(data={"name": TRICKY, "text": TRICKY, "started": ""})
    page = "".join(ours)
    assert "<b>" not in page
    assert "Айгүл &lt;b&gt;&#34;Кыз&#34;&lt;/b&gt; &amp; &#39;co&#39;" in page


def test_the_form_fetches_no_template_for_its_inputs_and_labels(monkeypatch):
    fetched = []
    fetch = Jinja2.get_template
    monkeypatch.setattr(
        Jinja2, "get_template", lambda self, name: fetched.append(name) or fetch(self, name)
    )
    article = make_article()
    with translation.override("ky"):
        rendered(CommentForm(article=article, renderer=Jinja2(), initial={"started": ""}))
        assert {"django/forms/label.html", "django/forms/widgets/textarea.html"} <= set(fetched)
        fetched.clear()
        form = CommentForm(article=article, renderer=ReaderFormRenderer(), data={"name": ""})
        form.is_valid()
        rendered(form)
    # Only the error lists still come from a template.
    assert fetched and set(fetched).isdisjoint(WRITTEN_OUT)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_a_story_pages_blank_form_is_the_form_template_rendered_for_that_story(language):
    """The blank form is rendered once per language (comments.templating.blank_form_html)
    and given each story's address: the same HTML as the template renders for the story."""
    from django.template import engines

    from comments.templating import FORM_TEMPLATE, blank_form_html

    environment = engines["jinja2"].env
    with translation.override(language):
        for article in (make_article(), make_article()):
            fresh = environment.get_template(FORM_TEMPLATE).render(
                form=CommentForm(article=article, initial={"started": ""}),
                article=article,
                replying_to=None,
                deferred_tokens=True,
            )
            assert str(blank_form_html(environment, article.pk)) == fresh
            assert f"/{article.pk}/" in fresh
    other = "ru" if language == "ky" else "ky"
    with translation.override(other):
        assert str(blank_form_html(environment, article.pk)) != fresh
