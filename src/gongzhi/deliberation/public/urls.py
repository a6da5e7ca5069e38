"""The hall's home and each village's public page (names under ``deliberation:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
