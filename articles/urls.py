from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("read/<int:pk>/", views.count_read, name="count_read"),
    path("rubric/<slug:slug>/", views.RubricView.as_view(), name="rubric"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path(
        "archive/<int:year>/<int:month>/<int:day>/",
        views.ArchiveDayView.as_view(),
        name="archive_day",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("corrections/", views.CorrectionsView.as_view(), name="corrections"),
    path("rss/", feeds.LatestStoriesFeed(), name="feed"),
    path("rss/<slug:slug>/", feeds.RubricFeed(), name="rubric_feed"),
]
