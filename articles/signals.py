"""Connect content changes to the caches; nothing else happens here.

Two caches listen: the fragments (rubric menu, most read), made stale all at once by a
version bump, and the whole-page cache (newsroom/pagecache.py), purged by tag: exactly
the pages that show the changed story, rubric, place or tag, where it was and where it
now is. Receivers rather than calls in the admin because stories change from many
places: the admin, the workflow, bulk actions, imports, the shell.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from authors.models import Author
from newsroom.pagecache import purge

from .cache import archive_tag, bump_content_version, remember_next_scheduled
from .models import Article, Byline, Photo, Place, Rubric, StoryNote, Tag, TaggedArticle


def listing_tags(state: dict) -> list[str]:
    """The pages that list a published (or scheduled) story in `state`."""
    if state.get("status") != Article.Status.PUBLISHED or state.get("published_at") is None:
        return []
    day = timezone.localdate(state["published_at"])
    return [
        "home",
        "feed",
        "sitemap",
        "search",
        "corrections",
        f"rubric-list-{state['rubric_id']}",
        archive_tag(day),
    ]


def _state(article: Article) -> dict:
    return {
        "status": article.status,
        "published_at": article.published_at,
        "rubric_id": article.rubric_id,
    }


def remember_state(sender, instance, raw=False, **kwargs):
    """Where the story was listed before this save (one query, on writes only)."""
    if raw or instance.pk is None:
        instance._listed_before = {}
        return
    before = Article.objects.filter(pk=instance.pk).values("status", "published_at", "rubric_id")
    instance._listed_before = before.first() or {}


def story_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_listed_before", {})
    tags = set(listing_tags(before)) | set(listing_tags(_state(instance)))
    if tags:
        # Its own page, every page showing its card, and its tag pages.
        tags.add(f"story-{instance.pk}")
        tags.update(f"tag-list-{pk}" for pk in instance.tags.values_list("pk", flat=True))
        tags.update(
            f"author-list-{pk}" for pk in instance.bylines.values_list("author_id", flat=True)
        )
        purge(tags)
        # Published or scheduled, now or before: when the next story goes live may move.
        transaction.on_commit(remember_next_scheduled)


def story_deleted(sender, instance, **kwargs):
    tags = set(listing_tags(_state(instance)))
    if tags:
        # Its bylines went first (a cascade deletes them before the story).
        authors = getattr(instance, "_signed_by", ())
        purge(tags | {f"story-{instance.pk}", *(f"author-list-{pk}" for pk in authors)})
        transaction.on_commit(remember_next_scheduled)


def story_tags_changed(sender, instance, action, pk_set, **kwargs):
    """Tags added to or removed from a published story change those tag pages."""
    if action not in ("post_add", "post_remove", "pre_clear") or not isinstance(instance, Article):
        return
    if not listing_tags(_state(instance)):
        return
    if action == "pre_clear":
        pk_set = set(instance.tags.values_list("pk", flat=True))
    purge({f"story-{instance.pk}", *(f"tag-list-{pk}" for pk in pk_set or ())})


def note_changed(sender, instance, raw=False, **kwargs):
    """A correction or update changes its story's page, the corrections page, and the
    modification time the sitemap and the feeds give."""
    if raw:
        return
    status = Article.objects.filter(pk=instance.article_id).values_list("status", flat=True)
    if status.first() == Article.Status.PUBLISHED:
        purge({f"story-{instance.article_id}", "corrections", "sitemap", "feed"})


def byline_changed(sender, instance, raw=False, **kwargs):
    """A signature added to, moved in or removed from a listed story: its page, the feed
    (dc:creator) and the author's page."""
    if raw:
        return
    article = Article.objects.filter(pk=instance.article_id).first()
    if article is None:
        # The story is being deleted: story_deleted purges the author pages too.
        return
    if listing_tags(_state(article)):
        purge({f"story-{article.pk}", "feed", f"author-list-{instance.author_id}"})


def remember_signers(sender, instance, **kwargs):
    """Before a story is deleted: who signed it, for story_deleted."""
    instance._signed_by = list(instance.bylines.values_list("author_id", flat=True))


def author_changed(sender, instance, **kwargs):
    """A profile's name, bio or photo: its page, the stories it signs, the feed."""
    purge({f"author-{instance.pk}", "feed"})


def rubric_changed(sender, instance, **kwargs):
    purge({"menu", f"rubric-{instance.pk}", f"rubric-list-{instance.pk}"})


def place_changed(sender, instance, **kwargs):
    purge({f"place-{instance.pk}"})


def tag_changed(sender, instance, **kwargs):
    purge({f"tag-{instance.pk}", f"tag-list-{instance.pk}"})


def photo_changed(sender, instance, raw=False, **kwargs):
    """A story's photos are shown on its own page only."""
    if not raw:
        purge({f"story-{instance.article_id}"})


def connect() -> None:
    for model in (Article, Rubric):
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"bump-{model}-save")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"bump-{model}-delete")
    pre_save.connect(remember_state, sender=Article, dispatch_uid="pagecache-story-before")
    post_save.connect(story_saved, sender=Article, dispatch_uid="pagecache-story-saved")
    post_delete.connect(story_deleted, sender=Article, dispatch_uid="pagecache-story-deleted")
    post_save.connect(note_changed, sender=StoryNote, dispatch_uid="pagecache-note-saved")
    post_delete.connect(note_changed, sender=StoryNote, dispatch_uid="pagecache-note-deleted")
    pre_delete.connect(remember_signers, sender=Article, dispatch_uid="pagecache-story-signers")
    post_save.connect(byline_changed, sender=Byline, dispatch_uid="pagecache-byline-saved")
    post_delete.connect(byline_changed, sender=Byline, dispatch_uid="pagecache-byline-deleted")
    post_save.connect(author_changed, sender=Author, dispatch_uid="pagecache-author-saved")
    post_delete.connect(author_changed, sender=Author, dispatch_uid="pagecache-author-deleted")
    m2m_changed.connect(story_tags_changed, sender=TaggedArticle, dispatch_uid="pagecache-tags")
    post_save.connect(photo_changed, sender=Photo, dispatch_uid="pagecache-photo-save")
    post_delete.connect(photo_changed, sender=Photo, dispatch_uid="pagecache-photo-delete")
    for model, receiver in ((Rubric, rubric_changed), (Place, place_changed), (Tag, tag_changed)):
        post_save.connect(receiver, sender=model, dispatch_uid=f"pagecache-{model}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"pagecache-{model}-delete")
