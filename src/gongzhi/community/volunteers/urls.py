"""The volunteers room's pages (names under the app's namespace ``community:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("volunteers/", views.home, name="volunteers"),
    path("volunteers/certificate.pdf", views.certificate, name="volunteer_certificate"),
    path("volunteers/shifts/", views.shifts, name="volunteer_shifts"),
    path("volunteers/shifts/new/", views.shift_new, name="volunteer_shift_new"),
    path("volunteers/shifts/<int:pk>/", views.shift, name="volunteer_shift"),
    path("volunteers/shifts/<int:pk>/act/", views.shift_act, name="volunteer_shift_act"),
    path("volunteers/shifts/<int:pk>/qr.png", views.shift_qr, name="volunteer_shift_qr"),
    path("volunteers/shifts/<int:pk>/sheet.pdf", views.shift_sheet, name="volunteer_shift_sheet"),
    path(
        "volunteers/check-in/<int:pk>/<str:token>/",
        views.check_in,
        name="volunteer_check_in",
    ),
    path("volunteers/desk/", views.desk, name="volunteer_desk"),
    path("volunteers/desk/<int:pk>/", views.desk_act, name="volunteer_desk_act"),
    path(
        "volunteers/desk/<int:pk>/certificate.pdf",
        views.certificate_for,
        name="volunteer_certificate_for",
    ),
    path("volunteers/teams/<int:pk>/", views.team, name="volunteer_team"),
]
