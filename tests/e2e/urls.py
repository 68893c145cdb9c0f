"""The site's URLs plus uploaded media, for the live server of the browser tests.

Django serves MEDIA only with DEBUG on; the browser tests run with DEBUG off (as in
production, where the web server serves /media/), so photos would not load without this.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from newsroom.urls import handler403  # noqa: F401 (the admin's own refusal page)
from newsroom.urls import urlpatterns as site_urlpatterns


def media(request, path):
    # MEDIA_ROOT is read per request: the tests point it at a temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    *site_urlpatterns,
    re_path(r"^media/(?P<path>.*)$", media),
]
