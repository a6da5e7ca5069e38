"""The advice room's pages (placeholders until the room is built)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("_todo/ask/", _todo, name="ask"),
    path("_todo/questions_mine/", _todo, name="questions_mine"),
    path("_todo/advice_desk/", _todo, name="advice_desk"),
    path("_todo/knowledge/", _todo, name="knowledge"),
]
