from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Stories")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from . import signals

        # Pillow's decompression-bomb guard at our own limit (twice it is refused outright).
        Image.MAX_IMAGE_PIXELS = settings.NEWSROOM_MAX_IMAGE_PIXELS

        signals.connect()
        # Derived files follow their photo (articles.images).
        from django.db.models.signals import post_delete

        from .images import delete_renditions_with
        from .models import Article, Photo

        for model in (Article, Photo):
            post_delete.connect(
                delete_renditions_with, sender=model, dispatch_uid=f"renditions-{model.__name__}"
            )
