"""The outreach room's pages (placeholders until the room is built)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("_todo/outreach/", _todo, name="outreach"),
    path("_todo/outreach_desk/", _todo, name="outreach_desk"),
]
