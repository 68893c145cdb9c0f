"""Drop the cached header widget whenever a rate or a currency is saved or deleted.

Receivers rather than explicit calls because rates change from many places: the import,
the admin (one object, bulk delete, list editing), the demo loader, a shell.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from newsroom.pagecache import purge

from .models import Currency, Rate
from .summary import invalidate_widget_cache


@receiver([post_save, post_delete], sender=Rate)
@receiver([post_save, post_delete], sender=Currency)
def rates_changed(sender, **kwargs):
    invalidate_widget_cache()
    # Every page's header shows the rates.
    purge({"rates"})
    # Again after commit: a page rendered meanwhile may have cached the old rates.
    transaction.on_commit(invalidate_widget_cache)
