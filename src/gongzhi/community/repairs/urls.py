"""The repairs room's pages, under /community/repairs/."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("repairs/", views.repairs, name="repairs"),
    path("repairs/new/", views.repair_new, name="repair_new"),
    path("repairs/<int:repair_id>/", views.repair, name="repair"),
    path("repairs/<int:repair_id>/rate/", views.repair_rate, name="repair_rate"),
    path("repairs/estates/", views.estates, name="repair_estates"),
    path("repairs/companies/", views.companies, name="repair_companies"),
    path("repairs/companies/<int:company_id>/", views.company, name="repair_company"),
]
