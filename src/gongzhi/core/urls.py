"""Core's own pages: the live push stream (``push``)."""

from django.urls import path

from . import push

app_name = "core"

urlpatterns = [
    path("<str:topic>", push.stream, name="push-stream"),
]
