from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page

from articles import views as article_views
from articles.sitemaps import sitemaps

urlpatterns = [
    path("", article_views.language_home, name="language_home"),
    re_path(r"^kg/(?P<rest>.*)$", article_views.legacy_kyrgyz_prefix),
    path("robots.txt", article_views.RobotsView.as_view(), name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    # Rendering every story's URL with its alternates is the costliest page we
    # have (see docs/benchmarks.md); crawlers can live with five minutes' delay.
    path(
        "sitemap-<section>.xml",
        cache_page(300)(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("rates/", include("rates.urls")),
    path("comments/", include("comments.urls")),
    path("", include("articles.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database outage outside a view (the 404 page, a session) still gets the 503 page.
handler500 = "newsroom.middleware.server_error"
