"""The community home and the figures (names under ``community:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("figures/", views.figures, name="figures"),
    path("figures/export.xlsx", views.figures_export, name="figures_export"),
]
