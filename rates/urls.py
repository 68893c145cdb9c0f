from django.urls import path

from . import views

app_name = "rates"

urlpatterns = [
    path("", views.RatesView.as_view(), name="page"),
]
