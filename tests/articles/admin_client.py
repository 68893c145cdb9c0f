"""Helpers for driving the story admin like a browser: load a form, change it, post it."""

import io
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(response, **changes):
    """The POST data a browser would send for the admin form in `response`, with
    `changes`: read from the rendered HTML, hidden fields included."""
    return page_form(response, **changes)[1]


def png_upload(name="photo.png", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class _FormParser(HTMLParser):
    """Collects what a browser would submit from each <form method=post> of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._option, self._textarea = (
            [],
            None,
            None,
            None,
            None,
        )

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {
                "id": attrs.get("id"),
                "action": attrs.get("action") or "",
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                self._form["buttons"].append(name)
            elif kind == "file":
                return
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["fields"].append((name, attrs.get("value", "on")))
            else:
                self._form["fields"].append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "chosen": []}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "text": "",
                "selected": "selected" in attrs,
            }
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            option, self._option = self._option, None
            value = option["value"] if option["value"] is not None else option["text"]
            self._select.setdefault("first", value)
            if option["selected"]:
                self._select["chosen"].append(value)
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            chosen = select["chosen"] or ([] if select["multiple"] else [select.get("first")])
            self._form["fields"] += [(select["name"], v) for v in chosen if v is not None]
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            name, text = self._textarea
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def _page_form(response, form_id):
    assert response.status_code == 200, response.status_code
    parser = _FormParser()
    parser.feed(response.content.decode())
    if form_id is None:
        # The admin's change form is "<model>_form"; a confirmation page has one form.
        named = [form for form in parser.forms if (form["id"] or "").endswith("_form")]
        return named[0] if named else next(iter(parser.forms))
    return next(form for form in parser.forms if form["id"] == form_id)


def page_form(response, form_id=None, **changes):
    """(action, data): the form `form_id` of the rendered page as a browser sends it
    (hidden fields included, no button pressed), with `changes` applied."""
    form = _page_form(response, form_id)
    data = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
    return form["action"] or response.wsgi_request.path, data | changes


def page_buttons(response, form_id=None):
    """The names of the submit buttons of the form `form_id` of the rendered page."""
    return _page_form(response, form_id)["buttons"]
