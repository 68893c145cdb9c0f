from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def rejected(self):
        return self.filter(status=Comment.Status.REJECTED)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def for_article(self, article):
        return self.filter(article=article)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def visible(self):
        """What readers see: approved, and a reply only while its parent is approved too.

        This is also what `Article.comment_count` counts, so the number beside a
        story always matches the comments under it.
        """
        return self.approved().filter(
            Q(parent__isnull=True) | Q(parent__status=Comment.Status.APPROVED)
        )

    def from_address(self, ip_hash):
        return self.filter(ip_hash=ip_hash)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    article = models.ForeignKey(
        "articles.Article", models.CASCADE, related_name="comments", verbose_name=_("story")
    )
    parent = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
        help_text=_("Replies go one level deep: a reply to a reply joins the first comment."),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=80)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Never shown on the site."))
    text = models.TextField(_("text"))
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        help_text=_("The site language the comment was posted on."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    allow_links = models.BooleanField(
        _("links clickable"),
        default=False,
        help_text=_("Links in a comment are plain text unless a moderator allows them."),
    )
    many_links = models.BooleanField(
        _("many links"),
        default=False,
        editable=False,
        help_text=_("The comment had more links than readers usually post; check it closely."),
    )
    # A salted hash, never the address itself: enough to rate-limit and block.
    ip_hash = models.CharField(_("address hash"), max_length=64, blank=True, editable=False)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, editable=False)
    # The one-time mark of the form it was sent from: a form sends one comment only.
    form_nonce = models.CharField(max_length=32, null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="moderated_comments",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            models.Index(fields=["status", "-created_at"], name="comment_queue"),
            models.Index(fields=["ip_hash", "-created_at"], name="comment_address"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="comment_not_own_parent"
            ),
            models.UniqueConstraint(fields=["form_nonce"], name="comment_form_used_once"),
        ]

    def __str__(self):
        text = " ".join(self.text.split())
        return f"{self.name}: {text[:60]}{'…' if len(text) > 60 else ''}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"


class StopWord(models.Model):
    word = models.CharField(
        _("word or phrase"),
        max_length=100,
        unique=True,
        help_text=_(
            "A comment containing this word or phrase is marked as spam: in any letter "
            "case, with Kyrgyz or Russian endings, and when disguised with look-alike Latin "
            "letters, spaces between the letters or invisible characters."
        ),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("stop word")
        verbose_name_plural = _("stop words")

    def __str__(self):
        return self.word

    def clean(self):
        self.word = self.normalize(self.word)

    def save(self, *args, **kwargs):
        self.word = self.normalize(self.word)
        super().save(*args, **kwargs)

    @staticmethod
    def normalize(word):
        """Lower case and single spaces, the form comments are matched in."""
        return " ".join(word.casefold().split())
