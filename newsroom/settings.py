"""Settings for Newsroom, read from environment variables.

Development (DEBUG=1) has safe defaults: SQLite, an in-process cache. Outside DEBUG
the site refuses to start without SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS, with a
one-line message naming the variable (manage.py and the WSGI entry point print it).
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import csp.constants as csp
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A checkout's own `.env` (git-ignored; `make install` writes one with a generated
# SECRET_KEY) fills in what the environment leaves unset. It never turns DEBUG on.
environ.Env.read_env(env.str("NEWSROOM_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)


def required_in_production(name: str, why: str) -> None:
    """Outside DEBUG a missing production value stops the start-up with one line naming it."""
    if not DEBUG and not env.str(name, default=""):
        raise ImproperlyConfigured(f"Set the {name} environment variable ({why}), or DEBUG=1.")


required_in_production("SECRET_KEY", "a long random string")
required_in_production("DATABASE_URL", "e.g. postgres://user:pass@host:5432/newsroom")
required_in_production("ALLOWED_HOSTS", "the site's host names, comma-separated")

SECRET_KEY = env("SECRET_KEY", default="development-only-insecure-key")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so it can patch it.
    "modeltranslation",
    "newsroom.apps.NewsroomAdminConfig",
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
    "csp",
    "newsroom.apps.LoginLockoutsConfig",  # django-axes
    "articles",
    "authors",
    "rates",
    "comments",
    "accounts",
    "django_guid",
    # The project package last: its management commands (backup, restore).
    "newsroom.apps.NewsroomConfig",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # A dead database is a localized 503 page, not a 500 (see the faults block below).
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # Which database this request reads from: a replica for anonymous public pages
    # (newsroom.routers). After the outage middleware, so that a failing replica is
    # retried on the primary before anything answers 503.
    "newsroom.routers.ReplicaMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags and 304s for every page; the page cache marks what shared caches may keep.
    "django.middleware.http.ConditionalGetMiddleware",
    "newsroom.pagecache.PageCacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the admin speaks the language its user chose.
    "accounts.middleware.AdminLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    # The public pages (jinja2/): Jinja2 renders them several times faster than Django's
    # engine (docs/performance.md, seventh pass). First, so a name found in both is ours.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.i18n",
                "newsroom.jinja2.page_context",
            ],
        },
    },
    # The admin's (templates/ and the apps').
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
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
# Workers keep their connection (checked before reuse, CONN_HEALTH_CHECKS): opening one
# per request cost more than rendering most pages.
# Persistent connections by default; with DATABASE_POOL=1 the pool keeps them instead.
DATABASES["default"].setdefault(
    "CONN_MAX_AGE",
    env.int("CONN_MAX_AGE", default=0 if env.bool("DATABASE_POOL", default=False) else 60),
)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database server answers within seconds, not after the worker timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # Prepared statements: a query a connection has run PREPARE_THRESHOLD times is
    # prepared on the server (psycopg's automatic preparation), and PostgreSQL then
    # skips parsing and planning it. A page's queries have the same text on every
    # request (newsroom.prepared), and planning them cost more than running most of
    # them: a story page's time in its queries fell by over a third
    # (docs/performance.md, sixth pass). Needs server-side parameter binding. Off
    # behind PgBouncer in transaction mode (DATABASE_PGBOUNCER below): statements
    # prepared on one server connection are unknown on the next.
    if env.bool(
        "DATABASE_PREPARED_STATEMENTS", default=not env.bool("DATABASE_PGBOUNCER", default=False)
    ):
        DATABASES["default"]["OPTIONS"] |= {
            "server_side_binding": True,
            "prepare_threshold": env.int("DATABASE_PREPARE_THRESHOLD", default=5),
        }
# Read replicas (docs/replicas.md): DATABASE_REPLICA_URLS, comma-separated, adds
# streaming replicas as "replica_0", "replica_1", ... with the primary's connection
# settings. The public site reads from a healthy one (newsroom.routers); writes, the
# admin and logged-in users stay on the primary. The test run mirrors them onto it.
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _replica = env.db_url_config(_url)
    for _key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        _replica.setdefault(_key, DATABASES["default"][_key])
    _replica["OPTIONS"] = DATABASES["default"].get("OPTIONS", {}) | _replica.get("OPTIONS", {})
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
# Django's PostgreSQL backend, told the protocol's limit of parameters per statement,
# which server-side binding reaches (newsroom/postgresql/base.py).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "newsroom.postgresql"
# Connection pooling inside each worker (Django 5.1+, psycopg_pool): DATABASE_POOL=1.
# It replaces persistent connections (CONN_MAX_AGE must stay 0). See docs/replicas.md
# for PgBouncer instead.
if env.bool("DATABASE_POOL", default=False):
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("DATABASE_POOL=1 needs CONN_MAX_AGE=0 (the pool keeps them).")
    for _database in DATABASES.values():
        if _database["ENGINE"] == "newsroom.postgresql":
            _database.setdefault("OPTIONS", {})["pool"] = {
                "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
                "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
                "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
            }
# Behind PgBouncer in transaction mode (docs/replicas.md): DATABASE_PGBOUNCER=1. A
# server-side cursor (QuerySet.iterator()) would outlive the transaction that owns it.
if env.bool("DATABASE_PGBOUNCER", default=False):
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["newsroom.routers.ReplicaRouter"]
# A replica further behind the primary than this (seconds) is skipped.
NEWSROOM_REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
# How long a process trusts its last look at a replica (seconds).
NEWSROOM_REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
# Paths always read from the primary (besides unsafe methods and logged-in users).
NEWSROOM_PRIMARY_ONLY_PATHS = ("/admin/", "/accounts/", "/i18n/", "/healthz")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://newsroom")}

# The whole-page cache (newsroom/pagecache.py): anonymous readers' pages, kept whole
# and purged by tag on every change they show; and the front cache purged with it.
NEWSROOM_PAGE_CACHE = env.bool("PAGE_CACHE", default=not DEBUG)
NEWSROOM_PAGE_CACHE_ALIAS = "default"
NEWSROOM_PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Each worker's own copies of the pages it served last from Redis (newsroom.pagecache.
# LocalPages): how many, and for at most how many seconds; a purge reaches them at once.
NEWSROOM_PAGE_CACHE_LOCAL_PAGES = env.int("PAGE_CACHE_LOCAL_PAGES", default=16)
NEWSROOM_PAGE_CACHE_LOCAL_SECONDS = env.float("PAGE_CACHE_LOCAL_SECONDS", default=1.0)
NEWSROOM_PAGE_CACHE_SKIP = ("/admin/", "/static/", "/media/", "/healthz", "/i18n/")
NEWSROOM_STALE_WHILE_REVALIDATE = env.int("PAGE_CACHE_STALE_SECONDS", default=30)
NEWSROOM_FRONT_CACHE_PURGE_URLS = env.list("FRONT_CACHE_PURGE_URLS", default=[])
# A CDN in front (docs/scaling.md): its pages carry its own tag header and it is purged
# through its API with the same tags. CDN_PROVIDER is empty (none), cloudflare or fastly.
NEWSROOM_CDN = env.str("CDN_PROVIDER", default="").strip().lower()
CLOUDFLARE_API_URL = env.str("CLOUDFLARE_API_URL", default="https://api.cloudflare.com/client/v4")
CLOUDFLARE_ZONE_ID = env.str("CLOUDFLARE_ZONE_ID", default="")
CLOUDFLARE_API_TOKEN = env.str("CLOUDFLARE_API_TOKEN", default="")
FASTLY_API_URL = env.str("FASTLY_API_URL", default="https://api.fastly.com")
FASTLY_SERVICE_ID = env.str("FASTLY_SERVICE_ID", default="")
FASTLY_API_TOKEN = env.str("FASTLY_API_TOKEN", default="")
FASTLY_SOFT_PURGE = env.bool("FASTLY_SOFT_PURGE", default=False)
cdn_required = {
    "": (),
    "cloudflare": ("CLOUDFLARE_ZONE_ID", "CLOUDFLARE_API_TOKEN"),
    "fastly": ("FASTLY_SERVICE_ID", "FASTLY_API_TOKEN"),
}
if NEWSROOM_CDN not in cdn_required:
    raise ImproperlyConfigured(
        f"CDN_PROVIDER={NEWSROOM_CDN!r} is not one of: cloudflare, fastly (or empty for none)."
    )
# A CDN that is never purged would serve old pages for their whole lifetime.
for name in cdn_required[NEWSROOM_CDN]:
    if not env.str(name, default=""):
        raise ImproperlyConfigured(f"CDN_PROVIDER={NEWSROOM_CDN} needs {name}.")

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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
# Where `manage.py backup` writes its archives unless told --output-dir.
NEWSROOM_BACKUP_DIR = env.path("NEWSROOM_BACKUP_DIR", default=BASE_DIR / "backups")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "newsroom.storage.ManifestStaticFilesStorage"
            if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Media on S3-compatible object storage (docs/media-storage.md) ---------------------
# MEDIA_STORAGE=local (the default) keeps uploads in MEDIA_ROOT, served by nginx under
# /media/. MEDIA_STORAGE=s3 puts story images and their renditions in a bucket through
# django-storages, and pages link to them on MEDIA_DOMAIN (a CDN or the bucket's own
# public address); readers fetch them from there, never through this site.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local").strip().lower()
if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}.")
if MEDIA_STORAGE == "s3":
    from newsroom.mediastore import s3_storages

    if not env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        raise ImproperlyConfigured(
            "Set the AWS_STORAGE_BUCKET_NAME environment variable (the media bucket), "
            "or MEDIA_STORAGE=local."
        )
    media_storages, MEDIA_URL = s3_storages(
        bucket=env.str("AWS_STORAGE_BUCKET_NAME"),
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
        media_domain=env.str("MEDIA_DOMAIN", default=""),
        location=env.str("AWS_LOCATION", default=""),
        addressing_style=env.str("AWS_S3_ADDRESSING_STYLE", default=""),
        default_acl=env.str("AWS_DEFAULT_ACL", default=""),
    )
    STORAGES["default"] = {"BACKEND": "newsroom.mediastore.MediaStorage", "OPTIONS": media_storages}
    MEDIA_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL))]
else:
    MEDIA_ORIGINS = []

# Uploads larger than this are refused with a clear message (articles.validators).
NEWSROOM_MAX_IMAGE_BYTES = env.int("NEWSROOM_MAX_IMAGE_BYTES", default=8 * 1024 * 1024)
# How many reverse proxies stand in front of the site; the comment rate limit then
# reads the reader's address from X-Forwarded-For instead of the proxy's own.
NEWSROOM_PROXY_COUNT = env.int("NEWSROOM_PROXY_COUNT", default=0)
# A returned or published story e-mails its journalists (articles.workflow).
NEWSROOM_NOTIFY_AUTHORS = env.bool("NEWSROOM_NOTIFY_AUTHORS", default=True)
# They go out through EMAIL_URL (the e-mail block below).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Photo renditions (articles.images): the widths of every 16:9 crop, made at upload
# in AVIF (when Pillow writes it), WebP and JPEG; pages offer them in `srcset`.
NEWSROOM_RENDITION_WIDTHS = env.list(
    "NEWSROOM_RENDITION_WIDTHS", cast=int, default=[320, 480, 640, 960, 1280]
)

LOGIN_URL = "admin:login"
# A comment refused for its CSRF token comes back with what was typed (comments.views).
CSRF_FAILURE_VIEW = "comments.views.csrf_failure"

# The agency's name as it appears in datelines, per language.
NEWSROOM_AGENCY_NAME = {
    "ky": env("NEWSROOM_AGENCY_NAME_KY", default="Кабар"),
    "ru": env("NEWSROOM_AGENCY_NAME_RU", default="Кабар"),
}

# Security: strict by default outside DEBUG; `manage.py check --deploy` passes.
# X-Forwarded-Proto is believed only behind our own proxy (NEWSROOM_PROXY_COUNT), which
# overwrites it; a site reached directly would let any client claim https.
if NEWSROOM_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
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

# Logs: one JSON object a line on stdout, each with the request id that the response
# carries in X-Request-ID (taken from the front server's header when it sends one).
# gunicorn writes the line per request (deploy/gunicorn.conf.py); errors come from here,
# traceback included, and never reach the page.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
# --- Security headers (django-csp, django-permissions-policy) -------------------
# Every page, public and admin, may run only our own scripts and styles: no inline
# script, no event handler attribute, no third-party origin. The few inline scripts
# we need carry the per-request nonce (`{{ request.csp_nonce }}` in templates; the
# story form's import map for the rich-text editor, see articles.admin). JSON-LD
# (`<script type="application/ld+json">`) is data, never executed, so CSP leaves
# it alone. No 'unsafe-inline' for styles either: Django's admin, its calendar,
# jQuery UI's tabs and select2 set styles through the DOM (allowed), not through
# style attributes or <style> elements.
# The one inline <style> is the base stylesheet that Tiptap (the editor under
# django-prose-editor) injects into <head>; it is allowed by its hash, so a
# different Tiptap build shows up as a failing browser test, not a silent hole.
TIPTAP_STYLE_HASHES = [
    # ProseMirror's base styles, injected by django-prose-editor 0.28's editor.js.
    "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='",
]
EMBED_FRAME_ORIGINS = [
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://rutube.ru",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, *TIPTAP_STYLE_HASHES],
        # Pictures on object storage come from the media domain (docs/media-storage.md).
        "img-src": [csp.SELF, "data:", *MEDIA_ORIGINS],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        # Only the players of articles.embeds, loaded when a reader clicks play.
        "frame-src": EMBED_FRAME_ORIGINS,
        "manifest-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Nothing on the site needs a device feature; deny the ones a hijacked script
# would want most.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Logins (django-axes) ------------------------------------------------------
# Wrong passwords are counted per account and per address in the database (the
# cache may be down, and a lockout must survive a restart). After
# AXES_FAILURE_LIMIT failures the account, or the address, is refused for
# AXES_COOLOFF_MINUTES (0: until an admin unlocks), even with the right password;
# each further attempt restarts the wait. An admin unlocks earlier (admin: Login
# lockouts > Access attempts, or `manage.py axes_reset_username NAME`), and a
# password reset by e-mail unlocks the account too (newsroom.views).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES) if AXES_COOLOFF_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Successful logins are in the request log; the admin keeps only the lockouts.
AXES_DISABLE_ACCESS_LOG = True
# The admin login page with a localized explanation, not axes' bare 429 text.
AXES_LOCKOUT_CALLABLE = "newsroom.views.login_locked_out"
# The same address rule as the comment rate limit: X-Forwarded-For is read only
# when NEWSROOM_PROXY_COUNT says proxies put it there (django-ipware not needed).
AXES_CLIENT_IP_CALLABLE = "comments.services.client_address"
AXES_USERNAME_CALLABLE = "newsroom.views.login_username"

# --- E-mail (password reset) ---------------------------------------------------
# EMAIL_URL in django-environ syntax, e.g. smtp+tls://user:password@mail.example.kg:587.
# Development prints mails to the console; production defaults to the host's own
# mail server (smtp://localhost:25), which must relay them.
vars().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
                "exc_info": "traceback",
            },
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {
        # django-guid says at INFO level, for every request, whether a header came in.
        "django_guid": {"level": "WARNING"},
    },
}

# --- Faults: a broken cache or database never breaks a page (issue 11) ---------------
# Redis is an accelerator, never a dependency: every failing cache call answers like
# a miss, with short timeouts (newsroom.caching). The failure is logged through
# "newsroom.cache" at most once a minute, as one line (newsroom.logging).
# With Redis Sentinel (CACHE_SENTINELS, docs/scaling.md) the cache finds the primary
# through the sentinels and follows a failover; CACHE_URL's host is then the service name.
from newsroom.caching import resilient_cache, sentinel_cache  # noqa: E402

CACHE_SENTINELS = env.list("CACHE_SENTINELS", default=[])
CACHES["default"] = resilient_cache(
    sentinel_cache(
        CACHES["default"],
        sentinels=CACHE_SENTINELS,
        password=env.str("CACHE_SENTINEL_PASSWORD", default=""),
    )
)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "newsroom.cache"
LOGGING.setdefault("filters", {}).update(
    {
        "cache_outage": {"()": "newsroom.logging.OncePerInterval", "level": "WARNING"},
        "database_outage": {"()": "newsroom.logging.OncePerInterval"},
        "replica_outage": {"()": "newsroom.logging.OncePerInterval", "level": "WARNING"},
    }
)
LOGGING.setdefault("loggers", {}).update(
    {
        "newsroom.cache": {"filters": ["cache_outage"]},
        "newsroom.database": {"filters": ["database_outage"]},
        "newsroom.replicas": {"filters": ["replica_outage"]},
    }
)

# A dead database answers a static 503 page (newsroom.middleware, in MIDDLEWARE)
# instead of a 500; connect_timeout (DATABASES above) bounds how long a request waits
# for a silent server before that page, and CONN_HEALTH_CHECKS replaces a connection
# broken by a database restart.
# Seconds a reader is asked to wait (Retry-After) while the database is unreachable.
NEWSROOM_DATABASE_RETRY_AFTER = env.int("NEWSROOM_DATABASE_RETRY_AFTER", default=30)

# Uploaded images: refused above these pixel dimensions (articles.validators), and
# Pillow's decompression-bomb guard is set to the same limit (articles.apps).
NEWSROOM_MAX_IMAGE_SIDE = env.int("NEWSROOM_MAX_IMAGE_SIDE", default=10_000)
NEWSROOM_MAX_IMAGE_PIXELS = env.int("NEWSROOM_MAX_IMAGE_PIXELS", default=40_000_000)
