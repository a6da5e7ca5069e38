"""The legal services' home, the service points and the resident's profile."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("points/", views.points, name="points"),
    path("profile/", views.profile, name="profile"),
]
