"""The matters room's pages (names under the app's namespace ``deliberation:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("matters/", views.matter_list, name="matters"),
    path("matters/new/", views.matter_new, name="matter_new"),
    path("matters/<str:number>/", views.matter_detail, name="matter"),
    path("matters/<str:number>/act/", views.matter_act, name="matter_act"),
]
