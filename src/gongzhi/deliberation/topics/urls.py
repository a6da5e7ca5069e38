"""The topics room's pages (names under the app's namespace ``deliberation:``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/<str:number>/", views.topic, name="topic"),
    path("topics/<str:number>/act/", views.topic_act, name="topic_act"),
    path("topics/<str:number>/support/", views.topic_support, name="topic_support"),
    path("topics/<str:number>/comments/", views.topic_comment, name="topic_comment"),
    path(
        "topics/<str:number>/comments/<int:comment_id>/hide/",
        views.topic_hide,
        name="topic_hide",
    ),
    path("topics/<str:number>/photos/<int:index>/", views.topic_photo, name="topic_photo"),
    path(
        "topics/<str:number>/photos/<int:index>/<str:size>/",
        views.topic_photo,
        name="topic_photo_size",
    ),
]
