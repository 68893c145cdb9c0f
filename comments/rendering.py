"""How readers' forms are rendered: Django's Jinja2 widget templates, the few a
reader's form uses written out in Python.

The comment form is on every story page, and rendering its labels and inputs was a
seventh of a story page's cold render: ten small template renders, each with a new
template context. `ReaderFormRenderer` answers those templates (an input of any type,
a textarea, a label) with the very HTML Django's Jinja2 templates make, escaped the
same way (markupsafe, which the Jinja2 templates use); any other template goes to
Jinja2 as before. tests/comments/test_rendering.py renders the comment form both ways,
blank, filled in and with errors, and compares them.
"""

from django.forms.renderers import Jinja2
from markupsafe import escape


def _attrs(attrs) -> str:
    """django/forms/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"')
    return "".join(out)


def _input(context) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(value)}"'
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _textarea(context) -> str:
    widget = context["widget"]
    value = escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


def _label(context) -> str:
    if not context["use_tag"]:
        return str(escape(context["label"]))
    tag, attrs = escape(context["tag"]), context["attrs"]
    return f"<{tag}{_attrs(attrs) if attrs else ''}>{escape(context['label'])}</{tag}>"


WRITTEN_OUT = {
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/email.html": _input,
    "django/forms/widgets/hidden.html": _input,
    "django/forms/widgets/number.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/label.html": _label,
}


class ReaderFormRenderer(Jinja2):
    def render(self, template_name, context, request=None):
        written_out = WRITTEN_OUT.get(template_name)
        if written_out is None:
            return super().render(template_name, context, request=request)
        # As BaseRenderer.render: the template's output, stripped.
        return written_out(context).strip()
