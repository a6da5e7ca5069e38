"""The notary room's pages (placeholders until the room is built)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("_todo/notary/", _todo, name="notary"),
    path("_todo/notary_mine/", _todo, name="notary_mine"),
    path("_todo/notary_desk/", _todo, name="notary_desk"),
]
