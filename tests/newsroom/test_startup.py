"""What gunicorn's master does before it forks the workers (newsroom.startup.warm_up)."""

import json
import subprocess
import sys

from django.conf import settings

# The master process as gunicorn runs it (preload_app): the WSGI module imported, no
# request served yet.
MASTER = """
import json
import newsroom.wsgi  # noqa: F401
from django.template import engines
from django.utils.translation import trans_real
cache = engines["jinja2"].env.cache
print(json.dumps({
    "templates": sorted(key[1] for key in cache.keys()),
    "catalogs": sorted(trans_real._translations),
}))
"""


def test_the_master_compiles_the_page_templates_and_reads_the_catalogs_before_forking():
    """A worker forked after it (at start, or replacing one after max_requests) serves
    its first story without compiling a template or reading a catalog."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", MASTER],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    for template in (
        "base.html",
        "articles/article_detail.html",
        "articles/home.html",
        "comments/includes/comment_form.html",
        "rates/widget.html",
    ):
        assert template in answer["templates"]
    assert {"ky", "ru"} <= set(answer["catalogs"])
