"""The site's URLconf plus one page that fails, for the error-logging test."""

from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("the printing press jammed")


urlpatterns = [path("broken/", broken), *site_urlpatterns]
