"""Read a <form> out of rendered HTML as a browser would submit it: hidden fields and the
CSRF token included, buttons, disabled fields and unchecked boxes left out, a select's
chosen option, a textarea's text."""

import re
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []  # (id, action, [(name, value), ...]) of each form on the page
        self.fields = None
        self.select = None
        self.options = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.fields = []
            self.forms.append((attrs.get("id"), attrs.get("action") or "", self.fields))
            return
        if self.fields is None:
            return
        if tag == "input" and attrs.get("name") and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "reset", "file"):
                default = "on" if kind in ("checkbox", "radio") else ""
                self.fields.append((attrs["name"], attrs.get("value") or default))
        elif tag == "select" and attrs.get("name"):
            self.select, self.options = attrs["name"], []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if self.fields is None:
            return
        if tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            if chosen or self.options:
                self.fields.append((self.select, chosen[0] if chosen else self.options[0][0]))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.fields = None


def _as_data(fields):
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def _forms(html: str):
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def rendered_form(html: str, form_id: str) -> tuple[str, dict]:
    """The action and the fields (hidden ones included) of the form with this id."""
    for found_id, action, fields in _forms(html):
        if found_id == form_id:
            return action, _as_data(fields)
    raise AssertionError(f"no form #{form_id} on the page")


def read_form(response, form_id=None, *, with_field=None):
    """(action, fields) of the form with `form_id`, or of the first one holding a field
    named `with_field`, in `response`. An empty action posts back to the page."""
    for found_id, action, fields in _forms(response.content.decode()):
        data = _as_data(fields)
        if (form_id is None or found_id == form_id) and (with_field is None or with_field in data):
            return action or response.request["PATH_INFO"], data
    raise AssertionError(f"no such form on {response.request['PATH_INFO']}")


def form_posting_to(html: str, action_part: str) -> tuple[str, dict]:
    """(action, fields) of the first form whose action contains `action_part`."""
    for _found_id, action, fields in _forms(html):
        if action_part in action:
            return action, _as_data(fields)
    raise AssertionError(f"no form posting to ...{action_part}... on the page")


def comment_form_as_sent(client, html: str) -> tuple[str, dict]:
    """A story page's comment form as static/js/site.js sends it: the page is cached for
    everyone, so this reader's CSRF and fill-time tokens are fetched from the form's
    `data-token-url` and filled in."""
    action, fields = form_posting_to(html, "/comments/")
    token_url = re.search(r'<form[^>]*data-token-url="([^"]+)"', html)
    if token_url:
        fields |= client.get(token_url.group(1)).json()
    return action, fields
