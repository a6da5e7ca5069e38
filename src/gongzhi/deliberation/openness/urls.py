"""The openness room's pages (names under the app's namespace ``deliberation:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("publications/<int:pk>/", views.publication, name="publication"),
    path("implementations/", views.implementations, name="implementations"),
    path("implementations/<int:pk>/", views.implementation, name="implementation"),
    path("progress/<int:pk>/photo/<int:n>/", views.progress_photo, name="progress_photo"),
    path("openness/act/", views.openness_act, name="openness_act"),
]
