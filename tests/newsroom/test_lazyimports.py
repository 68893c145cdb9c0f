"""A worker answering readers does not carry the admin's rarely used libraries."""

import json
import subprocess
import sys

from django.conf import settings

# A worker as gunicorn starts one: the WSGI application (the admin loaded with it) and
# every address of the site, then an editor's comparison of two versions printing a value.
WORKER = """
import json, sys
from newsroom.wsgi import application  # noqa: F401 (loads the apps, the admin too)
from django.urls import reverse
reverse("admin:articles_article_compare", args=[1])
served = "rich" in sys.modules
from reversion_compare import compare
value = {"photos": [1, 2], "note": "Кабар"}
printed = compare.pretty_repr(value, max_width=300, indent_size=4, expand_all=True)
from rich.pretty import pretty_repr
expected = pretty_repr(value, max_width=300, indent_size=4, expand_all=True)
print(json.dumps({"served": served, "printed": printed, "expected": expected}))
"""


def test_rich_is_loaded_only_when_an_editor_compares_versions():
    """django-reversion-compare imports rich's printer (4.6 MiB a worker) with the admin;
    it is loaded on its first use, and prints the same as ever."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", WORKER],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["served"] is False
    assert answer["printed"] == answer["expected"]
    assert "'note': 'Кабар'" in answer["printed"]
