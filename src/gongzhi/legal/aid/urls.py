"""The aid room's pages (placeholders until the room is built)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("_todo/aid_apply/", _todo, name="aid_apply"),
    path("_todo/aid_mine/", _todo, name="aid_mine"),
    path("_todo/aid_desk/", _todo, name="aid_desk"),
    path("_todo/aid_lawyer/", _todo, name="aid_lawyer"),
    path("_todo/aid_objections/", _todo, name="aid_objections"),
]
