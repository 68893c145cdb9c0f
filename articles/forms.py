"""The story form of the admin: optimistic locking and the workflow buttons' input."""

import logging

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from . import workflow
from .embeds import PROVIDER_NAMES, placeholders, video_for
from .images import photo_metadata
from .models import LANGUAGE_CODES, Article, Photo, RetiredSlug, has_text
from .validators import validate_image_content

logger = logging.getLogger(__name__)


class StoryImageField(forms.ImageField):
    """Django's image field, our checks first: Pillow never decodes a bomb in full."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_image_content(data)
        return super().to_python(data)


def prefill_from_metadata(form, *, image_field, caption_field, credit_field):
    """A new upload's empty captions and credits (every language) taken from the file."""
    upload = form.cleaned_data.get(image_field)
    if image_field not in form.changed_data or not upload:
        return
    found = photo_metadata(upload)
    for field, value in ((caption_field, found["caption"]), (credit_field, found["credit"])):
        for code in LANGUAGE_CODES:
            name = f"{field}_{code}"
            if value and name in form.fields and not form.cleaned_data.get(name):
                form.cleaned_data[name] = value


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = "__all__"
        field_classes = {"image": StoryImageField}

    def clean(self):
        cleaned_data = super().clean()
        prefill_from_metadata(
            self, image_field="image", caption_field="caption", credit_field="credit"
        )
        return cleaned_data


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

    # Set by the admin for the request the form serves.
    user = None

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk:
            self._check_not_stale(cleaned_data.get("lock_version"))
        # Read before the instance takes the form's values: the history says what changed.
        self.embargo_before = self.instance.embargo_until
        self._check_addresses(cleaned_data)
        prefill_from_metadata(
            self, image_field="image", caption_field="image_caption", credit_field="image_credit"
        )
        for code in LANGUAGE_CODES:
            self._check_placeholders(f"body_{code}")
        # The workflow decides whether the pressed button's step may run, with this input.
        try:
            workflow.validate(
                workflow.action_from_post(self.data),
                article=self.instance if self.instance.pk else None,
                user=self.user,
                languages=self._languages(cleaned_data),
                note=cleaned_data.get("review_note", self.instance.review_note) or "",
                at=cleaned_data.get("publish_at"),
                embargo=cleaned_data.get("embargo_until", self.instance.embargo_until),
            )
        except forms.ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)
        return cleaned_data

    def _check_addresses(self, cleaned_data):
        """A typed slug is refused when it is, or was, another story's address in
        any language (Article.address_taken); the same language's current slugs are
        the unique constraints' to report."""
        names = dict(settings.LANGUAGES)
        others = Article.objects.exclude(pk=self.instance.pk or None)
        for code in LANGUAGE_CODES:
            field = f"slug_{code}"
            slug = cleaned_data.get(field)
            if field not in self.fields or not slug:
                continue
            other_languages = [other for other in LANGUAGE_CODES if other != code]
            clash = next(
                (
                    other
                    for other in other_languages
                    if others.filter(**{f"slug_{other}": slug}).exists()
                ),
                None,
            )
            if clash:
                self.add_error(
                    field,
                    gettext(
                        "Another story already has this address (slug) in the other "
                        "language (%(language)s). An address belongs to one story in "
                        "both languages; choose another one."
                    )
                    % {"language": names[clash]},
                )
                continue
            retired = RetiredSlug.objects.filter(slug=slug, article__isnull=False)
            if self.instance.pk:
                retired = retired.exclude(article_id=self.instance.pk)
            if retired.exists():
                self.add_error(
                    field,
                    gettext(
                        "This address (slug) used to be another story's, and old links "
                        "to that story still use it. Choose another one."
                    ),
                )

    def _check_placeholders(self, field):
        """Every `[video …]` line names a video of a site we embed, every `[photo N]`
        one of this story's photos (articles.embeds)."""
        photos = (
            set(self.instance.photos.values_list("pk", flat=True)) if self.instance.pk else set()
        )
        for item in placeholders(self.cleaned_data.get(field) or ""):
            if item.kind == "video" and video_for(item.value) is None:
                self.add_error(
                    field,
                    forms.ValidationError(
                        _(
                            "“%(url)s” is not the address of a video we can show. "
                            "Paste the address of a video on %(sites)s."
                        ),
                        code="unknown_video_site",
                        params={"url": item.value, "sites": ", ".join(PROVIDER_NAMES)},
                    ),
                )
            elif item.kind == "photo" and not (item.value.isdigit() and int(item.value) in photos):
                self.add_error(
                    field,
                    forms.ValidationError(
                        _(
                            "The story has no photo “%(number)s”. Add the photo below and save "
                            "the story first, then copy the line shown beside it."
                        ),
                        code="unknown_photo",
                        params={"number": item.value},
                    ),
                )

    def _languages(self, cleaned_data):
        """The languages the story will have once saved."""
        return [
            code
            for code in LANGUAGE_CODES
            if has_text(
                title=cleaned_data.get(f"title_{code}", getattr(self.instance, f"title_{code}")),
                body=cleaned_data.get(f"body_{code}", getattr(self.instance, f"body_{code}")),
            )
        ]

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
        logger.warning(
            "Refused a stale save of story %s by user %s: opened at version %s, now %s",
            self.instance.pk,
            getattr(self.user, "pk", None),
            opened_version,
            current,
        )
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
