"""The points room's pages (placeholders until the room is built)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("_todo/home/", _todo, name="home"),
    path("_todo/points/", _todo, name="points"),
]
