import re

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Comment
from .rendering import ReaderFormRenderer
from .text import has_bidi_controls, strip_invisible

# Control characters other than tab and line breaks: binary junk, never typed by a person.
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Django's own message for NUL bytes is missing from its Kyrgyz catalog.
BAD_CHARACTERS = _("The text contains characters that cannot be saved. Please remove them.")
INVISIBLE_ONLY = {
    "name": _("Your name is made only of invisible characters. Please type it in letters."),
    "text": _("Your comment is made only of invisible characters. Please write it in letters."),
}
BIDI_CONTROLS = _(
    "The text contains hidden characters that change the writing direction. "
    "Please remove them and send it again."
)
ALREADY_SENT = _(
    "A comment has already been sent from this form. "
    "To send this text as another comment, send it again."
)
NAME_MAX_LENGTH = 80
TEXT_MAX_LENGTH = 3000


# Readers' forms render their widgets as Django's Jinja2 widget templates do, the few
# they use written out in Python (comments.rendering): the same HTML at a fraction of
# the cost, on every story page. One renderer for the process, so its template
# environment is built once.
READER_FORM_RENDERER = ReaderFormRenderer()


class CommentForm(forms.Form):
    default_renderer = READER_FORM_RENDERER
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Please enter your name."),
            "null_characters_not_allowed": BAD_CHARACTERS,
            "max_length": _(
                "Please keep your name to %(limit_value)d characters at most (now: %(show_value)d)."
            ),
        },
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=254,
        help_text=_("Never shown on the site."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Please enter a valid e-mail address or leave it empty."),
            "null_characters_not_allowed": BAD_CHARACTERS,
        },
    )
    text = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Please write your comment."),
            "null_characters_not_allowed": BAD_CHARACTERS,
            "max_length": _(
                "Please keep your comment to %(limit_value)d characters at most "
                "(now: %(show_value)d)."
            ),
        },
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: people never see it, form-filling robots do and fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        error_messages={"null_characters_not_allowed": BAD_CHARACTERS},
    )

    def __init__(self, *args, article, **kwargs):
        self.article = article
        self.form_nonce = None  # the mark of a valid form's token (see clean())
        kwargs.setdefault("initial", {}).setdefault("started", services.form_token())
        super().__init__(*args, **kwargs)

    def _clean_text_field(self, name):
        value = CONTROL_CHARS_RE.sub("", self.cleaned_data.get(name, ""))
        if not value.strip():
            raise forms.ValidationError(self.fields[name].error_messages["required"])
        if has_bidi_controls(value):
            raise forms.ValidationError(BIDI_CONTROLS, code="bidi_controls")
        if not strip_invisible(value).strip():
            raise forms.ValidationError(INVISIBLE_ONLY[name], code="invisible_only")
        return value.strip()

    def clean_name(self):
        # A name never needs a zero-width character; without them "Админ" cannot be faked.
        return " ".join(strip_invisible(self._clean_text_field("name")).split())

    def clean_text(self):
        return self._clean_text_field("text")

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = Comment.objects.visible().for_article(self.article).filter(pk=parent_id).first()
        if parent is None:
            # The field is hidden, so the reader sees this above the form.
            self.add_error(None, _("The comment you replied to is no longer available."))
        return parent

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _("Your comment could not be accepted. Please try again."), code="honeypot"
            )
        token = services.form_token_read(self.data.get(self.add_prefix("started"), ""))
        if token is None:
            raise forms.ValidationError(
                _("The form has expired. Please check your comment and send it again."),
                code="expired",
            )
        if token.age < services.MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("That was very quick. Please read your comment once more and send it again."),
                code="too_fast",
            )
        if services.form_token_used(nonce=token.nonce):
            raise forms.ValidationError(ALREADY_SENT, code="already_sent")
        self.form_nonce = token.nonce
        return cleaned

    def refreshed(self):
        """The bound form, ready to be shown again with its errors.

        The token is renewed when the old one can no longer be used, and each
        invalid field points screen readers at its error message.
        """
        if self.has_error("__all__", "expired") or self.has_error("__all__", "already_sent"):
            data = self.data.copy()
            data[self.add_prefix("started")] = services.form_token()
            self.data = data
        for name in self.errors:
            if name in ("name", "email", "text"):
                field = self[name]
                described_by = [f"{field.auto_id}_errors"]
                if field.help_text:
                    described_by.append(f"{field.auto_id}_helptext")
                field.field.widget.attrs["aria-describedby"] = " ".join(described_by)
        return self
