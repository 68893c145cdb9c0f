from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField, create_sanitizer
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from newsroom.addresses import slug_url

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

    def get_absolute_url(self, language=None):
        language = language or translation.get_language()
        return self.address(in_language(self, "slug", language), language)

    @staticmethod
    def address(slug: str, language: str) -> str:
        """The rubric page at `slug` in `language`, for a caller that has only the slug."""
        return slug_url("articles:rubric", slug, language)


class Place(models.Model):
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name_ky"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self):
        return self.name or self.name_ky or self.name_ru or str(self.pk)


def in_language(instance, field: str, language: str):
    """`instance.<field>` as the page's language shows it, for a caller that knows the
    language: modeltranslation's descriptor looks the active language up on every read.
    With fallbacks off (settings) the descriptor gives the language's value, else ""."""
    return getattr(instance, f"{field}_{language}") or ""


def language_slug(instance, language=None) -> str:
    """A story's or tag's slug in `language` (the active one by default), else in
    another language, so a link is never broken by a missing translation."""
    language = language or translation.get_language()
    slugs = [getattr(instance, f"slug_{language}", None)]
    slugs += [getattr(instance, f"slug_{code}") for code in LANGUAGE_CODES]
    return next((slug for slug in slugs if slug), "")


def unique_per_language(model_name: str, message):
    """A slug is one address in each language (modeltranslation's `slug_ky`, `slug_ru`)."""
    return [
        models.UniqueConstraint(
            fields=[f"slug_{code}"],
            condition=~Q(**{f"slug_{code}": ""}),
            name=f"unique_{model_name}_slug_{code}",
            violation_error_code="unique",
            violation_error_message=message,
        )
        for code in LANGUAGE_CODES
    ]


class Tag(TagBase):
    """A tag whose name and address (slug) are per language.

    Each language's slug is made from that language's name when the name first
    appears, and then stays: it is the tag page's address (see docs/urls.md).
    """

    # taggit's slug is unique across the table; ours are unique per language
    # (the constraints below), as a Kyrgyz and a Russian address may coincide.
    slug = models.SlugField(_("slug"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = unique_per_language("tag", _("Another tag already has this address (slug)."))

    def __str__(self):
        return self.name or self.name_ky or self.name_ru or self.slug

    def save(self, *args, **kwargs):
        self.derive_slugs()
        # taggit's own save() would make one slug from the active language's name.
        return super(TagBase, self).save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:tag", language_slug(self))

    def derive_slugs(self, *, slug_taken=None):
        """Give each language that has a name and no slug yet its slug.

        An address belongs to one tag in every language, now and for good
        (RetiredSlug), so a reader changing `/ky/` to `/ru/` by hand never lands on
        another tag. Bulk loaders pass `slug_taken(slug) -> bool`.
        """
        taken = slug_taken or self.address_taken
        for code in LANGUAGE_CODES:
            name = getattr(self, f"name_{code}", None) or ""
            if name.strip() and not getattr(self, f"slug_{code}", None):
                base = slug_from_title(name, language=code)
                setattr(self, f"slug_{code}", unique_slug(base, taken=taken, fallback="tag"))

    def address_taken(self, slug: str) -> bool:
        others = Tag.objects.exclude(pk=self.pk) if self.pk else Tag.objects.all()
        retired = RetiredSlug.objects.filter(slug=slug, tag__isnull=False)
        if self.pk:
            retired = retired.exclude(tag_id=self.pk)
        return others.filter(Q(slug_ky=slug) | Q(slug_ru=slug)).exists() or retired.exists()


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    # The story's publication time, on PostgreSQL kept equal to it by triggers (migration
    # 0015: on every link written and every change of the story's time, whatever writes
    # it), so a tag page reads its newest stories from the (tag, time) index below: a
    # page's worth of links, however many stories the archive holds.
    published_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        # Named for the admin's delete page, which lists a story's tag links.
        verbose_name = _("story tag")
        verbose_name_plural = _("story tags")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        indexes = [
            models.Index(
                fields=["tag", "-published_at", "-content_object"], name="tagged_article_newest"
            )
        ]


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Stories readers may see: published, their time has come and so has the
        end of their embargo, if they have one (at `now`, by default the present).

        A story scheduled for later is stored as published with a future time,
        so it goes live on its own at that time, with no job to run; an embargo
        ends the same way.
        """
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now).exclude(
            embargo_until__gt=now
        )

    def scheduled(self):
        """Published stories still waiting for their time or for their embargo to end."""
        now = timezone.now()
        return self.filter(status=Article.Status.PUBLISHED).filter(
            Q(published_at__gt=now) | Q(embargo_until__gt=now)
        )

    def under_embargo(self):
        return self.filter(embargo_until__gt=timezone.now())

    def with_live_from(self):
        """Annotate `live_from`: when readers first see the story (its publication
        time, or the end of its embargo when that comes later)."""
        return self.annotate(
            live_from=Greatest("published_at", Coalesce("embargo_until", "published_at"))
        )

    def with_modified(self, language=None):
        """Annotate `modified_at`: the last significant note's time (corrections and
        updates, see StoryNote), else the publication time. A trivial save does not
        move it. With `language`, only notes written in that language count.
        """
        notes = StoryNote.objects.significant().filter(article=OuterRef("pk"))
        if language:
            notes = notes.in_language(language)
        last = Subquery(notes.order_by("-noted_at").values("noted_at")[:1])
        return self.annotate(
            modified_at=Greatest(F("published_at"), Coalesce(last, F("published_at")))
        )

    def in_language(self, language):
        """Stories that have a title and a body in `language`."""
        if language not in LANGUAGE_CODES:
            return self.none()
        return self.filter(**{f"has_{language}": True})

    def live(self, language=None, *, now=None):
        """Published stories of one language's site (the active language by default)."""
        return self.published(now=now).in_language(language or translation.get_language())

    def submitted(self):
        return self.filter(status=Article.Status.SUBMITTED)

    def returned(self):
        """Drafts an editor sent back with a note, waiting for their journalist."""
        return self.filter(status=Article.Status.DRAFT).exclude(review_note="")

    def by_author(self, user):
        """Stories `user` created or signs (a subquery, so no duplicate rows)."""
        return self.filter(
            Q(created_by=user)
            | Q(pk__in=Byline.objects.filter(author__user=user).values("article"))
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

    def for_cards(self, language):
        """What a story card shows in `language` (Article.card, Article.picture), and
        nothing else: a card reads its own language's title and lead, and a story's
        other languages and long texts stay in the database."""
        return self.select_related("rubric").only(
            *CARD_FIELDS,
            *(f"slug_{code}" for code in LANGUAGE_CODES),
            f"title_{language}",
            f"lead_{language}",
            f"rubric__name_{language}",
            *(f"rubric__slug_{code}" for code in LANGUAGE_CODES),
        )

    def published_between(self, start, end):
        return self.filter(published_at__gte=start, published_at__lt=end)


# The fields of a story card that have no language (see ArticleQuerySet.for_cards).
CARD_FIELDS = (
    "is_urgent",
    "published_at",
    "comment_count",
    "image",
    "image_renditions",
    "rubric_id",
)


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
    # Per language (modeltranslation's `slug_ky`, `slug_ru`), unique in each by the
    # constraints below; made from that language's title by articles.slugs.
    slug = models.SlugField(
        _("slug"),
        max_length=100,
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
        "authors.Author",
        through="Byline",
        related_name="articles",
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
    embargo_until = models.DateTimeField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_(
            "No one can publish the story before this time: until then it is on no page, "
            "feed, sitemap or search. Leave empty for no embargo."
        ),
    )
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
            ("lift_embargo", _("Can lift a story's embargo before its time")),
        ]
        indexes = [
            models.Index(fields=["has_ky", "status", "-published_at"], name="article_live_ky"),
            models.Index(fields=["has_ru", "status", "-published_at"], name="article_live_ru"),
            models.Index(fields=["rubric", "status", "-published_at"], name="article_rubric"),
            models.Index(fields=["status", "-view_count"], name="article_most_read"),
            # The home page's lead: the newest main story, found without reading the archive.
            models.Index(
                fields=["-published_at"], condition=models.Q(is_main=True), name="article_main"
            ),
            # When the next scheduled story goes live (asked by every cacheable page):
            # a step into this index, not a walk over the archive's live stories.
            models.Index(
                fields=["published_at"],
                condition=models.Q(status="published"),
                name="article_published_at",
            ),
            # ... and the same for stories under embargo (few rows: those with one).
            models.Index(
                fields=["embargo_until"],
                condition=models.Q(embargo_until__isnull=False),
                name="article_embargo_until",
            ),
            # When the next waiting story goes live (`live_from`, see with_live_from):
            # the first entry after now, one step into this index.
            models.Index(
                Greatest("published_at", Coalesce("embargo_until", "published_at")),
                condition=models.Q(status="published"),
                name="article_live_from",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_time",
            ),
            *unique_per_language("article", _("Another story already has this address (slug).")),
        ]

    def __str__(self):
        return self.title or self.title_ky or self.title_ru or self.slug or str(self.pk)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._stored_slugs = article.current_slugs()
        return article

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)
        # An address once given keeps leading to the story (a slug changed before
        # publication): recorded here, the one place every change of a slug passes.
        # A story made just now has no old address.
        stored = getattr(self, "_stored_slugs", None)
        current = self.current_slugs()
        update_fields = kwargs.get("update_fields")
        for code, slug in current.items() if stored is not None else ():
            if update_fields is not None and f"slug_{code}" not in update_fields:
                continue
            RetiredSlug.objects.record(
                language=code, old=stored.get(code) or "", new=slug, article=self
            )
        self._stored_slugs = current

    def derive_fields(self, *, slug_taken=None):
        """Fill in what an editor never types: sanitized bodies, the per-language
        flags and, for each language with a title and no slug yet, a unique slug
        from that language's title (articles.slugs).

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
        taken = slug_taken or self.address_taken
        for code in LANGUAGE_CODES:
            title = getattr(self, f"title_{code}", None) or ""
            if title.strip() and not getattr(self, f"slug_{code}", None):
                base = slug_from_title(title, language=code)
                setattr(self, f"slug_{code}", unique_slug(base, taken=taken))

    def get_absolute_url(self, language=None):
        language = language or translation.get_language()
        return slug_url("articles:detail", language_slug(self, language), language)

    def current_slugs(self) -> dict:
        """The story's loaded slugs by language (a deferred one is left out)."""
        return {
            code: self.__dict__[f"slug_{code}"] or ""
            for code in LANGUAGE_CODES
            if f"slug_{code}" in self.__dict__
        }

    def address_taken(self, slug: str) -> bool:
        """Whether `slug` is, or was, another story's address in any language.

        One address, one story, for good: a reader who swaps `/ky/` and `/ru/` by hand
        (the shared slugs of the past worked so) or follows an old link never lands
        on another story.
        """
        others = Article.objects.exclude(pk=self.pk) if self.pk else Article.objects.all()
        retired = RetiredSlug.objects.filter(slug=slug, article__isnull=False)
        if self.pk:
            retired = retired.exclude(article_id=self.pk)
        return others.filter(Q(slug_ky=slug) | Q(slug_ru=slug)).exists() or retired.exists()

    def slug_locked_in(self, language: str) -> bool:
        """A language's slug is part of a public URL from the first publication on;
        a language added later gets its slug then, and keeps it."""
        return self.slug_locked and bool(getattr(self, f"slug_{language}", None))

    @property
    def languages(self):
        return [code for code in LANGUAGE_CODES if getattr(self, f"has_{code}")]

    def card(self, language: str) -> dict:
        """What a story card shows (the story_cards macro, jinja2/includes/story_cards.html),
        read once per card: each read of a translated field looks up the active language,
        a card's markup uses the fields fifteen times, and lists show twenty cards.
        """
        rubric = self.rubric
        return {
            "url": self.get_absolute_url(language),
            "title": in_language(self, "title", language),
            "lead": in_language(self, "lead", language),
            "is_urgent": self.is_urgent,
            "published_at": self.published_at,
            "comment_count": self.comment_count,
            "rubric_name": in_language(rubric, "name", language),
            "rubric_url": rubric.get_absolute_url(language),
        }

    def texts(self, language: str) -> dict:
        """What the story's page shows of it in `language`, read once: the page shows
        its title seven times (head, headline, sharing links) and each read of a
        translated field looks the active language up."""
        rubric = self.rubric
        return {
            "title": in_language(self, "title", language),
            "lead": in_language(self, "lead", language),
            "url": self.get_absolute_url(language),
            "picture": self.picture,
            "image_caption": in_language(self, "image_caption", language),
            "image_credit": in_language(self, "image_credit", language),
            "rubric_name": in_language(rubric, "name", language),
            "rubric_url": rubric.get_absolute_url(language),
        }

    @property
    def picture(self):
        """The main image's renditions, as pages show them."""
        return Picture(self.image_renditions if self.image else {}, self.image.storage)

    def has_language(self, language):
        return language in LANGUAGE_CODES and getattr(self, f"has_{language}")

    @property
    def is_live(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and not (self.embargo_until is not None and self.embargo_until > now)
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and not self.is_live
        )

    @property
    def is_embargoed(self):
        return self.embargo_until is not None and self.embargo_until > timezone.now()

    @property
    def live_from(self):
        """When readers see the story: its time, or its embargo's end if later."""
        if self.published_at is None:
            return None
        if self.embargo_until is not None:
            return max(self.published_at, self.embargo_until)
        return self.published_at

    @property
    def has_been_live(self):
        """Published (or taken off) after readers saw it: notes may be added."""
        return (
            self.status in (self.Status.PUBLISHED, self.Status.UNPUBLISHED)
            and self.published_at is not None
            and self.published_at <= timezone.now()
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
    """One signature under a story, in the order readers see them."""

    article = models.ForeignKey(Article, models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        "authors.Author", models.PROTECT, related_name="bylines", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]

    def __str__(self):
        return str(self.author)


class StoryNoteQuerySet(models.QuerySet):
    def significant(self):
        return self.filter(kind__in=StoryNote.SIGNIFICANT)

    def in_language(self, language):
        """Notes written in `language` (each language's page shows its own)."""
        if language not in LANGUAGE_CODES:
            return self.none()
        return self.filter(**{f"text_{language}__gt": ""})

    def corrections(self):
        """What the corrections page lists: corrections and clarifications."""
        return self.filter(kind__in=StoryNote.ON_CORRECTIONS_PAGE)

    def public(self, language=None):
        """Notes readers see on `language`'s site: written in it, on a live story."""
        language = language or translation.get_language()
        return self.in_language(language).filter(
            article__in=Article.objects.live(language).values("pk")
        )


class StoryNote(models.Model):
    """A correction, clarification or update shown under a published story.

    Corrections (a fact was wrong) and updates (news moved on) are significant: they
    move the story's "Updated" time, its dateModified and the sitemap's lastmod.
    A clarification (nothing was wrong, more context) does not.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")

    SIGNIFICANT = (Kind.CORRECTION, Kind.UPDATE)
    ON_CORRECTIONS_PAGE = (Kind.CORRECTION, Kind.CLARIFICATION)

    article = models.ForeignKey(
        Article, models.CASCADE, related_name="notes", verbose_name=_("story")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "What was wrong and what is right, or what is new. Shown under the story in "
            "each language it is written in."
        ),
    )
    noted_at = models.DateTimeField(_("time"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("added by"),
    )

    objects = StoryNoteQuerySet.as_manager()

    class Meta:
        ordering = ["noted_at", "id"]
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")
        indexes = [models.Index(fields=["kind", "-noted_at"], name="storynote_kind_time")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text or self.text_ky or self.text_ru or ''}"[:80]

    def clean(self):
        errors = {}
        if not any((getattr(self, f"text_{code}", "") or "").strip() for code in LANGUAGE_CODES):
            errors[NON_FIELD_ERRORS] = _("Write the note in at least one language.")
        # A minute's grace: the form's time is filled in when the page is opened.
        if self.noted_at and self.noted_at > timezone.now() + timedelta(minutes=1):
            errors["noted_at"] = _("A note's time cannot be in the future.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_significant(self):
        return self.kind in self.SIGNIFICANT

    def has_language(self, language):
        return bool((getattr(self, f"text_{language}", "") or "").strip())


class RetiredSlugQuerySet(models.QuerySet):
    def record(self, *, language: str, old: str, new: str, article=None, tag=None) -> None:
        """`old` no longer is the address of `article` (or `tag`) in `language`; `new` is.

        The old address is kept to redirect; a new address that was an old one of
        the same story (a draft's slug changed back) is one no longer.
        """
        if old == new:
            return
        owner = {"article": article} if article is not None else {"tag": tag}
        if new:
            self.filter(language=language, slug=new, **owner).delete()
        if old:
            self.bulk_create(
                [RetiredSlug(language=language, slug=old, **owner)], ignore_conflicts=True
            )


class RetiredSlug(models.Model):
    """An address a story or a tag had in one language and has no longer.

    `/ru/news/<old>/` answers with a permanent redirect to the current address: the
    slug shared by both languages before each language had its own (migration
    0008), and a slug changed before publication.
    """

    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    slug = models.SlugField(_("slug"), max_length=100)
    article = models.ForeignKey(
        Article,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="retired_slugs",
        verbose_name=_("story"),
    )
    tag = models.ForeignKey(
        Tag,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="retired_slugs",
        verbose_name=_("tag"),
    )
    retired_at = models.DateTimeField(_("retired"), auto_now_add=True)

    objects = RetiredSlugQuerySet.as_manager()

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, tag__isnull=True)
                | Q(article__isnull=True, tag__isnull=False),
                name="retired_slug_of_story_or_tag",
            ),
            models.UniqueConstraint(
                fields=["language", "slug"],
                condition=Q(article__isnull=False),
                name="unique_retired_article_slug",
            ),
            models.UniqueConstraint(
                fields=["language", "slug"],
                condition=Q(tag__isnull=False),
                name="unique_retired_tag_slug",
            ),
        ]

    def __str__(self):
        return f"/{self.language}/{self.slug}/"


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
