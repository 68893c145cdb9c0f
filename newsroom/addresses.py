"""Addresses of the pages found by a slug, made without reversing the URL each time.

A home page links to a hundred stories, rubrics and tags; Django's `reverse()` resolves
the pattern anew for every link (a tenth of the page's time). Their addresses differ
only in the slug, so the pattern is reversed once per view, language and script prefix
and the slug is put in its place. Anything but a well-formed slug (`<slug:…>`: ASCII
letters, digits, hyphens and underscores) goes through `reverse()` itself, which
raises NoReverseMatch for it as before.
"""

import functools
import re

from django.urls import get_script_prefix, reverse
from django.utils import translation

SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")
PLACEHOLDER = "slug-placeholder-0"


@functools.lru_cache(maxsize=256)
def _around_slug(view_name: str, language: str | None, script_prefix: str) -> tuple[str, str]:
    address = reverse(view_name, kwargs={"slug": PLACEHOLDER})
    before, found, after = address.partition(PLACEHOLDER)
    assert found, address  # noqa: S101 (the placeholder is a slug: reverse keeps it)
    return before, after


def slug_url(view_name: str, slug: str, language: str | None = None) -> str:
    """`reverse(view_name, kwargs={"slug": slug})`, in `language` if the caller knows the
    active language already, else in the active one."""
    if not SLUG_RE.fullmatch(slug or ""):
        return reverse(view_name, kwargs={"slug": slug})
    language = language or translation.get_language()
    before, after = _around_slug(view_name, language, get_script_prefix())
    return f"{before}{slug}{after}"
