from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("rubric/<slug:slug>/", views.RubricView.as_view(), name="rubric"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
]
