from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField, create_sanitizer
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .dateline import format_dateline
from .embeds import PHOTO_WORD
from .images import FOCAL_CENTRE, Picture
from .search_document import SearchDocumentField, kyrgyz_document
from .slugs import slug_from_title, unique_slug
from .validators import validate_focal_percent, validate_image_content, validate_image_size

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

# What the body editor offers is exactly what the sanitizer lets through.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "ListItem": True,
    "OrderedList": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}
sanitize_body = create_sanitizer(BODY_EXTENSIONS)


def focal_field(verbose_name, help_text):
    return models.FloatField(
        verbose_name,
        default=FOCAL_CENTRE,
        validators=[validate_focal_percent],
        help_text=help_text,
    )


FOCAL_X_HELP = _("Percent of the width from the left edge. Every crop keeps this point.")
FOCAL_Y_HELP = _("Percent of the height from the top edge. Every crop keeps this point.")


def has_text(*, title: str | None, body: str | None) -> bool:
    """Whether a language version is a story: a title and a body with words in it
    (an editor's empty paragraph does not count)."""
    return bool((title or "").strip() and strip_tags(body or "").strip())


class RubricQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Rubric(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        help_text=_("Latin letters, digits and hyphens; part of the URL."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        # A rubric's address is its slug in each language (modeltranslation's fields).
        constraints = [
            models.UniqueConstraint(
                fields=[f"slug_{code}"],
                condition=~Q(**{f"slug_{code}": ""}),
                name=f"unique_rubric_slug_{code}",
                violation_error_code="unique",
                violation_error_message=_("Another rubric already has this address (slug)."),
            )
            for code in LANGUAGE_CODES
        ]

    def __str__(self):
        return self.name or self.name_ky or self.name_ru or str(self.pk)

    def get_absolute_url(self):
        return reverse("articles:rubric", kwargs={"slug": self.slug})


class Place(models.Model):
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name_ky"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self):
        return self.name or self.name_ky or self.name_ru or str(self.pk)


class Tag(TagBase):
    """A tag whose name is translated; its slug (from the Kyrgyz name) is shared."""

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name or self.name_ky or self.name_ru or self.slug

    def slugify(self, tag, i=None):
        slug = slug_from_title(tag)
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        # Named for the admin's delete page, which lists a story's tag links.
        verbose_name = _("story tag")
        verbose_name_plural = _("story tags")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Stories readers may see: published, and their time has come.

        A story scheduled for later is stored as published with a future time,
        so it goes live on its own at that time, with no job to run.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_language(self, language):
        """Stories that have a title and a body in `language`."""
        if language not in LANGUAGE_CODES:
            return self.none()
        return self.filter(**{f"has_{language}": True})

    def live(self, language=None):
        """Published stories of one language's site (the active language by default)."""
        return self.published().in_language(language or translation.get_language())

    def submitted(self):
        return self.filter(status=Article.Status.SUBMITTED)

    def returned(self):
        """Drafts an editor sent back with a note, waiting for their journalist."""
        return self.filter(status=Article.Status.DRAFT).exclude(review_note="")

    def by_author(self, user):
        """Stories `user` created or signs (a subquery, so no duplicate rows)."""
        return self.filter(
            Q(created_by=user) | Q(pk__in=Byline.objects.filter(author=user).values("article"))
        )

    def accessible_to(self, user):
        """The stories `user` may open in the admin: all of them for editors,
        a journalist's own (created or bylined) for everyone else."""
        if user.has_perm("articles.edit_any_article"):
            return self.all()
        return self.by_author(user)

    def missing_language(self, language):
        """Stories that still lack a title or a body in `language`."""
        if language not in LANGUAGE_CODES:
            return self.none()
        return self.filter(**{f"has_{language}": False})

    def main_stories(self):
        return self.filter(is_main=True)

    def urgent(self):
        return self.filter(is_urgent=True)

    def for_listing(self):
        """What story cards need: the rubric joined, the long bodies left in the database."""
        body_fields = ["body", *(f"body_{code}" for code in LANGUAGE_CODES)]
        search_fields = [f"search_{code}" for code in LANGUAGE_CODES]
        return self.select_related("rubric").defer(*body_fields, *search_fields)

    def published_between(self, start, end):
        return self.filter(published_at__gte=start, published_at__lt=end)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    title = models.CharField(_("title"), max_length=255, blank=True)
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("One or two sentences shown in lists and previews.")
    )
    body = ProseEditorField(_("body"), extensions=BODY_EXTENSIONS, sanitize=True, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_(
            "Made from the title when left empty. It cannot change once the story is published."
        ),
    )
    rubric = models.ForeignKey(
        Rubric, models.PROTECT, related_name="articles", verbose_name=_("rubric")
    )
    place = models.ForeignKey(
        Place,
        models.PROTECT,
        related_name="articles",
        verbose_name=_("place"),
        null=True,
        blank=True,
        help_text=_("The city of the dateline."),
    )
    dateline = models.CharField(
        _("dateline override"),
        max_length=150,
        blank=True,
        help_text=_("Leave empty to use the place, the date and the agency's name."),
    )
    tags = TaggableManager(_("tags"), through=TaggedArticle, blank=True)
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Byline",
        related_name="bylined_articles",
        verbose_name=_("authors"),
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_articles",
        verbose_name=_("created by"),
    )
    image = models.ImageField(
        _("main image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        validators=[validate_image_size, validate_image_content],
    )
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_credit = models.CharField(_("image credit"), max_length=150, blank=True)
    image_focal_x = focal_field(_("focal point across (%)"), FOCAL_X_HELP)
    image_focal_y = focal_field(_("focal point down (%)"), FOCAL_Y_HELP)
    # Made at upload (articles.images): what the pages show, with no file lookup.
    image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A future time schedules the story; it goes live at that time by itself."),
    )
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    is_main = models.BooleanField(_("main story"), default=False)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    comments_open = models.BooleanField(_("comments open"), default=True)
    review_note = models.TextField(
        _("editor's note"),
        blank=True,
        help_text=_("Why the story was sent back; its journalist sees this note."),
    )
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("approved comments"), default=0, editable=False)
    # Derived in save(): whether the story belongs to each language's site.
    has_ky = models.BooleanField(_("in Kyrgyz"), default=False, editable=False)
    has_ru = models.BooleanField(_("in Russian"), default=False, editable=False)
    # Derived in save(): the Kyrgyz words stemmed for search (see articles.search_document).
    search_ky = SearchDocumentField(null=True, editable=False)
    # Kept by PostgreSQL itself (a trigger, migration 0004): the Russian words
    # stemmed by its `russian` configuration. Empty on other databases.
    search_ru = SearchVectorField(null=True, editable=False)
    # Optimistic locking: bumped on every save so a stale form is caught.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()
    # The image, its focal point and its renditions (articles.images.renditions_refresh).
    rendition_fields = ("image", "image_focal_x", "image_focal_y", "image_renditions")

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish stories")),
            ("edit_any_article", _("Can edit stories of other authors")),
        ]
        indexes = [
            models.Index(fields=["has_ky", "status", "-published_at"], name="article_live_ky"),
            models.Index(fields=["has_ru", "status", "-published_at"], name="article_live_ru"),
            models.Index(fields=["rubric", "status", "-published_at"], name="article_rubric"),
            models.Index(fields=["status", "-view_count"], name="article_most_read"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_time",
            )
        ]

    def __str__(self):
        return self.title or self.title_ky or self.title_ru or self.slug or str(self.pk)

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def derive_fields(self, *, slug_taken=None):
        """Fill in what an editor never types: sanitized bodies, the per-language
        flags and, when empty, a unique slug from the title.

        save() calls this; bulk loaders (`generate_stories`) call it on unsaved
        stories, passing `slug_taken(slug) -> bool` so slugs are checked against
        the batch in memory rather than one query each.
        """
        for code in LANGUAGE_CODES:
            body = getattr(self, f"body_{code}", None) or ""
            if body:
                body = sanitize_body(body)
                setattr(self, f"body_{code}", body)
            title = getattr(self, f"title_{code}", None) or ""
            setattr(self, f"has_{code}", has_text(title=title, body=body))
        self.search_ky = kyrgyz_document(
            title=self.title_ky or "", lead=self.lead_ky or "", body=self.body_ky or ""
        )
        if not self.slug:
            self.slug = unique_slug(
                slug_from_title(self.title_ky or self.title_ru or ""),
                taken=slug_taken
                or (lambda s: Article.objects.filter(slug=s).exclude(pk=self.pk).exists()),
            )

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def languages(self):
        return [code for code in LANGUAGE_CODES if getattr(self, f"has_{code}")]

    @property
    def picture(self):
        """The main image's renditions, as pages show them."""
        return Picture(self.image_renditions if self.image else {}, self.image.storage)

    def has_language(self, language):
        return language in LANGUAGE_CODES and getattr(self, f"has_{language}")

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def slug_locked(self):
        """A slug is part of a public URL from the first publication on."""
        return self.published_at is not None and self.status in (
            self.Status.PUBLISHED,
            self.Status.UNPUBLISHED,
        )

    def get_dateline(self, language=None):
        """The dateline for `language`: the editor's override, else the house style."""
        language = language or translation.get_language()
        override = getattr(self, f"dateline_{language}", "") or ""
        if override.strip():
            return override.strip()
        place = getattr(self.place, f"name_{language}", "") if self.place_id else ""
        when = self.published_at or timezone.now()
        return format_dateline(place=place or "", published_at=when, language=language)


class Byline(models.Model):
    article = models.ForeignKey(Article, models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="bylines", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]

    def __str__(self):
        return self.author.get_full_name() or self.author.get_username()


class Photo(models.Model):
    """A photo of a story's gallery, or shown inside its text with `[photo N]`."""

    article = models.ForeignKey(
        Article, models.CASCADE, related_name="photos", verbose_name=_("story")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.ImageField(
        _("photo"),
        upload_to="articles/%Y/%m/",
        validators=[validate_image_size, validate_image_content],
    )
    caption = models.CharField(
        _("caption"),
        max_length=300,
        blank=True,
        help_text=_("Left empty, it is filled from the caption stored in the file, if any."),
    )
    credit = models.CharField(
        _("credit"),
        max_length=150,
        blank=True,
        help_text=_("Left empty, it is filled from the author stored in the file, if any."),
    )
    focal_x = focal_field(_("focal point across (%)"), FOCAL_X_HELP)
    focal_y = focal_field(_("focal point down (%)"), FOCAL_Y_HELP)
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    rendition_fields = ("image", "focal_x", "focal_y", "renditions")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption or self.caption_ky or self.caption_ru or f"[photo {self.pk}]"

    @property
    def picture(self):
        return Picture(self.renditions, self.image.storage)

    @property
    def code(self):
        """What an editor types in the story's text to show this photo there, with
        the word of the admin's language (articles.embeds)."""
        word = PHOTO_WORD.get(translation.get_language(), "photo")
        return f"[{word} {self.pk}]" if self.pk else ""
