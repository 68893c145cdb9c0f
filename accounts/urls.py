from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("admin-language/", views.admin_language, name="admin_language"),
]
