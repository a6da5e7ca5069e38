"""The meetings room's pages (names under the app's namespace ``deliberation:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/sign-in/<str:token>/", views.meeting_sign_in, name="meeting_sign_in"),
    path("meetings/<str:number>/", views.meeting, name="meeting"),
    path("meetings/<str:number>/act/", views.meeting_act, name="meeting_act"),
    path("meetings/<str:number>/qr.png", views.meeting_qr, name="meeting_qr"),
    path("meetings/<str:number>/sheet.pdf", views.meeting_sheet, name="meeting_sheet"),
    path("meetings/<str:number>/minutes.pdf", views.meeting_minutes, name="meeting_minutes"),
]
