"""The figures room's pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("figures/", views.figures_page, name="figures"),
    path("figures/export.xlsx", views.figures_export, name="figures_export"),
]
