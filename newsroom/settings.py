"""Settings for Newsroom, read from environment variables.

Development defaults are safe: SQLite, an in-process cache and DEBUG off unless
asked for. Production must set SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; a
missing SECRET_KEY outside DEBUG stops the start-up loudly.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A checkout's own `.env` (git-ignored; `make install` writes one with a generated
# SECRET_KEY) fills in what the environment leaves unset. It never turns DEBUG on.
environ.Env.read_env(env.str("NEWSROOM_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable (or DEBUG=1).")
    SECRET_KEY = "development-only-insecure-key"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so it can patch it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "reversion",
    "reversion_compare",
    "django_prose_editor",
    "django_static_jquery_ui",
    "easy_thumbnails",
    "articles",
    "rates",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://newsroom")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Kyrgyz first (the agency's default), then Russian.
LANGUAGE_CODE = "ky"
LANGUAGES = [("ky", _("Kyrgyz")), ("ru", _("Russian"))]
# The project catalog, then our completion of Django's own Kyrgyz admin catalog.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "newsroom" / "locale"]
FORMAT_MODULE_PATH = ["newsroom.formats"]
TIME_ZONE = "Asia/Bishkek"
USE_I18N = True
USE_TZ = True

# A story never borrows the other language's text: no modeltranslation fallbacks.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ky"
MODELTRANSLATION_LANGUAGES = ("ky", "ru")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ()}
MODELTRANSLATION_ENABLE_FALLBACKS = False
# The admin's language tabs need jQuery UI: served from our static files, never a CDN.
JQUERY_UI_URL = "jquery-ui/jquery-ui.min.js"

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploads larger than this are refused with a clear message (articles.validators).
NEWSROOM_MAX_IMAGE_BYTES = env.int("NEWSROOM_MAX_IMAGE_BYTES", default=8 * 1024 * 1024)
# How many reverse proxies stand in front of the site; the comment rate limit then
# reads the reader's address from X-Forwarded-For instead of the proxy's own.
NEWSROOM_PROXY_COUNT = env.int("NEWSROOM_PROXY_COUNT", default=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

THUMBNAIL_ALIASES = {
    "": {
        "card": {"size": (480, 270), "crop": "smart"},
        "lead": {"size": (960, 540), "crop": "smart"},
        "admin": {"size": (240, 135), "crop": "smart"},
    }
}

LOGIN_URL = "admin:login"

# The agency's name as it appears in datelines, per language.
NEWSROOM_AGENCY_NAME = {
    "ky": env("NEWSROOM_AGENCY_NAME_KY", default="Кабар"),
    "ru": env("NEWSROOM_AGENCY_NAME_RU", default="Кабар"),
}

# Security: strict by default outside DEBUG; `manage.py check --deploy` passes.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- Faults: a broken cache or database never breaks a page (issue 11) ---------------
# Redis is an accelerator, never a dependency: every failing cache call answers like
# a miss, with short timeouts (newsroom.caching). The failure is logged through
# "newsroom.cache" at most once a minute, as one line (newsroom.logging).
from newsroom.caching import resilient_cache  # noqa: E402

CACHES["default"] = resilient_cache(CACHES["default"])
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "newsroom.cache"
LOGGING.setdefault("filters", {}).update(
    {
        "cache_outage": {"()": "newsroom.logging.OncePerInterval", "level": "WARNING"},
        "database_outage": {"()": "newsroom.logging.OncePerInterval"},
    }
)
LOGGING.setdefault("loggers", {}).update(
    {
        "newsroom.cache": {"filters": ["cache_outage"]},
        "newsroom.database": {"filters": ["database_outage"]},
    }
)

# A dead database answers a static 503 page (newsroom.middleware) instead of a 500;
# connect_timeout bounds how long a request waits for a silent server before that page.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
# A persistent connection broken by a database restart is replaced, not reused.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "newsroom.middleware.DatabaseUnavailableMiddleware",
)
# Seconds a reader is asked to wait (Retry-After) while the database is unreachable.
NEWSROOM_DATABASE_RETRY_AFTER = env.int("NEWSROOM_DATABASE_RETRY_AFTER", default=30)

# Uploaded images: refused above these pixel dimensions (articles.validators), and
# Pillow's decompression-bomb guard is set to the same limit (articles.apps).
NEWSROOM_MAX_IMAGE_SIDE = env.int("NEWSROOM_MAX_IMAGE_SIDE", default=10_000)
NEWSROOM_MAX_IMAGE_PIXELS = env.int("NEWSROOM_MAX_IMAGE_PIXELS", default=40_000_000)
