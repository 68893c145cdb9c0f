from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("post/<int:article_id>/", views.CommentPostView.as_view(), name="post"),
    path("tokens/", views.form_tokens, name="tokens"),
]
