"""Django set up in this process for the in-process benchmarks (`make bench`,
`make bench-search`): production settings, SQLite by default, no HTTPS redirects, no
static manifest. Import it before anything from Django or the project."""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
# Production settings want these spelled out; the benchmarks' default is SQLite.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT}/db.sqlite3")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(name, "0")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django  # noqa: E402

warnings.filterwarnings("ignore", "No directory at", UserWarning)

django.setup()
