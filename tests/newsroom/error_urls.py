"""A URLconf whose only page fails, for the error-logging test."""

from django.urls import path


def broken(request):
    raise RuntimeError("the printing press jammed")


urlpatterns = [path("broken/", broken)]
