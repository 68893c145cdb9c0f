from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from articles import views as article_views
from articles.sitemaps import sitemaps
from newsroom.pagecache import tagged
from newsroom.views import PasswordResetConfirmView, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", article_views.language_home, name="language_home"),
    re_path(r"^kg/(?P<rest>.*)$", article_views.legacy_kyrgyz_prefix),
    path("robots.txt", tagged("robots")(article_views.RobotsView.as_view()), name="robots"),
    # The sitemap is the costliest page we have (see docs/benchmarks.md): the page
    # cache keeps it until a story is published, changed or taken down.
    path(
        "sitemap.xml",
        tagged("sitemap")(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        tagged("sitemap")(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Password reset by e-mail with Django's own views, as the admin documents it;
    # the name admin_password_reset puts the link on the admin login page.
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("rates/", include("rates.urls")),
    path("comments/", include("comments.urls")),
    path("author/", include("authors.urls")),
    path("", include("articles.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "newsroom.views.permission_denied"
# A database outage outside a view (the 404 page, a session) still gets the 503 page.
handler500 = "newsroom.middleware.server_error"
