"""The hall's home, the township's overview, each village's public page and the figures
(names under ``deliberation:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("v/<str:code>/", views.village, name="village"),
    path(
        "v/<str:code>/topics/<str:number>/photos/<int:index>/",
        views.village_photo,
        name="village_photo",
    ),
    path("figures/", views.figures, name="figures"),
    path("figures/export.xlsx", views.figures_export, name="figures_export"),
]
