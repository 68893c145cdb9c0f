"""Post what a browser would: the fields of a <form> read from the page's HTML."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, action_part: str):
        super().__init__(convert_charrefs=True)
        self.action_part = action_part
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag == "form"
            and self.action is None
            and self.action_part in (attrs.get("action") or "")
        ):
            self._inside, self.action = True, attrs.get("action")
        elif self._inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            if attrs.get("type") not in ("submit", "file"):
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._inside and tag == "textarea":
            self._textarea = attrs.get("name")
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False


def read_form(html: str, action_part: str) -> tuple[str, dict[str, str]]:
    """The action and the fields (hidden ones included) of the first form posting to it."""
    reader = _FormReader(action_part)
    reader.feed(html)
    assert reader.action is not None, f"no form posting to {action_part!r} on the page"
    return reader.action, reader.fields
