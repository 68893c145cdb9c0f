"""Helpers for driving the story admin like a browser: load a form, change it, post it."""

import io

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _form_values(form):
    values = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if isinstance(widget, forms.ClearableFileInput):
            continue
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, part in enumerate(parts):
                values[f"{field.html_name}_{index}"] = "" if part is None else str(part)
            continue
        if isinstance(widget, forms.CheckboxInput):
            if value:
                values[field.html_name] = "on"
            continue
        if getattr(getattr(widget, "widget", widget), "allow_multiple_selected", False):
            values[field.html_name] = [str(item) for item in value or []]
        elif isinstance(value, (list, tuple)):
            values[field.html_name] = [str(item) for item in value]
        else:
            values[field.html_name] = "" if value is None else str(value)
    return values


def form_data(response, **changes):
    """The POST data a browser would send for the admin form in `response`, with `changes`."""
    assert response.status_code == 200, response.status_code
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_values(formset.management_form)
        for form in formset.forms:
            data |= _form_values(form)
    return data | changes


def png_upload(name="photo.png", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
