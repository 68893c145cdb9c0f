"""Who signs stories: staff journalists, regional correspondents, partner agencies.

A profile may belong to a user account (a journalist of the newsroom) or to nobody
(a correspondent who files by phone, an agency whose copy we run); either can sign.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.slugs import slug_from_title, unique_slug
from articles.validators import validate_image_content, validate_image_size
from newsroom.addresses import slug_url

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class AuthorQuerySet(models.QuerySet):
    def for_user(self, user):
        """`user`'s own profile, made on demand from the account's name."""
        author = self.filter(user=user).first()
        if author is None:
            name = user.get_full_name() or user.get_username()
            author = Author(kind=Author.Kind.STAFF, user=user)
            for code in LANGUAGE_CODES:
                setattr(author, f"name_{code}", name)
            author.save()
        return author


class Author(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff journalist")
        CORRESPONDENT = "correspondent", _("Correspondent")
        AGENCY = "agency", _("Partner agency")

    name = models.CharField(
        _("full name"),
        max_length=150,
        blank=True,
        help_text=_("As readers see it in the byline; for an agency, the agency's name."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STAFF)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Made from the name when left empty; part of the author page's URL."),
    )
    bio = models.TextField(
        _("short bio"), max_length=500, blank=True, help_text=_("One or two sentences.")
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="authors/",
        blank=True,
        validators=[validate_image_size, validate_image_content],
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        verbose_name=_("user account"),
        help_text=_("Leave empty for a contributor without an account."),
    )

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name_ky", "name_ru", "id"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name or self.name_ky or self.name_ru or self.slug or str(self.pk)

    def clean(self):
        if not any((getattr(self, f"name_{code}", "") or "").strip() for code in LANGUAGE_CODES):
            raise ValidationError(
                {f"name_{LANGUAGE_CODES[0]}": _("Give the name in Kyrgyz or in Russian.")}
            )

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slug_from_title(self.name_ky or self.name_ru or "") or "author"
            self.slug = unique_slug(
                base,
                taken=lambda s: Author.objects.filter(slug=s).exclude(pk=self.pk).exists(),
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("authors:detail", self.slug)

    @property
    def label(self):
        """The name and, for anyone but staff, what they are: for the editors' lists."""
        if self.kind == self.Kind.STAFF:
            return str(self)
        return f"{self} ({self.get_kind_display()})"

    @property
    def is_organization(self):
        return self.kind == self.Kind.AGENCY
