"""Connect content changes to the fragment cache; nothing else happens here."""

from django.db.models.signals import post_delete, post_save

from .cache import bump_content_version
from .models import Article, Rubric


def connect() -> None:
    for model in (Article, Rubric):
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"bump-{model}-save")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"bump-{model}-delete")
