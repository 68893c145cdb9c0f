"""The story form of the admin: optimistic locking and the workflow buttons' input."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from .models import Article
from .validators import validate_image_content

# Names of the submit buttons that move a story along the workflow.
SUBMIT, PUBLISH, SCHEDULE, RETURN, UNPUBLISH = (
    "_submit_for_review",
    "_publish",
    "_schedule",
    "_return_to_author",
    "_unpublish",
)


class StoryImageField(forms.ImageField):
    """Django's image field, our checks first: Pillow never decodes a bomb in full."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_image_content(data)
        return super().to_python(data)


class ArticleAdminForm(forms.ModelForm):
    # The version the form was opened at; a save from an older version is refused.
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    publish_at = forms.SplitDateTimeField(
        label=_("Publish at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("For “Schedule”: the story goes live at this time by itself."),
    )

    class Meta:
        model = Article
        fields = "__all__"
        field_classes = {"image": StoryImageField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk:
            self._check_not_stale(cleaned_data.get("lock_version"))
        if SCHEDULE in self.data and "publish_at" in self.fields:
            at = cleaned_data.get("publish_at")
            if at is None or at <= timezone.now():
                self.add_error("publish_at", gettext("Choose a time in the future to schedule."))
        if RETURN in self.data and "review_note" in self.fields:
            if not (cleaned_data.get("review_note") or "").strip():
                self.add_error(
                    "review_note", gettext("Write a note so the journalist knows what to change.")
                )
        return cleaned_data

    def _check_not_stale(self, opened_version):
        # Locking the row keeps a concurrent save out until this one is done.
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is None or current == opened_version:
            return
        self.conflict = self._last_save_info()
        # A deliberate second "Save" now overwrites; the other text stays in the history.
        self.data = self.data.copy()
        self.data[self.add_prefix("lock_version")] = current
        raise forms.ValidationError(
            gettext(
                "%(who)s saved this story at %(when)s, while you were editing it. Your text "
                "was not saved and is kept below. Open the current version to compare; "
                "if you save again, your text replaces it and the other one stays in the "
                "history."
            )
            % {"who": self.conflict["who"], "when": self.conflict["when"]},
            code="stale",
        )

    def _last_save_info(self):
        last = (
            Version.objects.get_for_object(self.instance).select_related("revision__user").first()
        )
        user = last.revision.user if last else None
        when = last.revision.date_created if last else self.instance.updated_at
        opts = Article._meta
        return {
            "who": (user.get_full_name() or user.get_username()) if user else gettext("Someone"),
            "when": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT"),
            "change_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.instance.pk]
            ),
            "history_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history", args=[self.instance.pk]
            ),
        }
