"""Read a <form> from a rendered page the way a browser would submit it."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []  # (id, action, fields) of each form on the page
        self._fields = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = {}
            self.forms.append((attrs.get("id"), attrs.get("action") or "", self._fields))
        elif self._fields is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._fields = None


def read_form(response, form_id=None, *, with_field=None):
    """(action, fields) of the form with `form_id`, or of the first one holding a field
    named `with_field`, in `response`: hidden fields and the CSRF token included,
    buttons and unchecked boxes left out. An empty action posts back to the page."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    for found_id, action, fields in reader.forms:
        if (form_id is None or found_id == form_id) and (
            with_field is None or with_field in fields
        ):
            return action or response.request["PATH_INFO"], fields
    raise AssertionError(f"no such form on {response.request['PATH_INFO']}")
