"""The customs room's pages, under /community/customs/."""

from django.urls import path

from . import views

urlpatterns = [
    path("customs/", views.ceremony_list, name="customs"),
    path("customs/new/", views.ceremony_new, name="customs_new"),
    path("customs/rules/", views.rule_list, name="customs_rules"),
    path("customs/figures/", views.figures, name="customs_figures"),
    path("customs/<int:pk>/", views.ceremony_detail, name="customs_detail"),
    path("customs/<int:pk>/step/", views.ceremony_step, name="customs_step"),
]
