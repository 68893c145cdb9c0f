"""Read a <form> out of rendered HTML as a browser would submit it."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.action = None
        self.fields = []
        self.select = None
        self.textarea = None
        self.options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside, self.action = True, attrs.get("action", "")
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append(
                    (
                        attrs["name"],
                        attrs.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    )
                )
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
        if not self.inside:
            return
        if tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            self.fields.append((self.select, chosen[0] if chosen else self.options[0][0]))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.inside = False


def rendered_form(html: str, form_id: str) -> tuple[str, dict]:
    """The action and the fields (hidden ones included) of the form with this id."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.action is not None, f"no form #{form_id} on the page"
    data = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return reader.action, {
        name: values[0] if len(values) == 1 else values for name, values in data.items()
    }
